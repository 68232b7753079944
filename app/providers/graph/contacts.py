"""One mailbox's Outlook contacts in its contact scope, through Graph: per-folder ``contacts/delta``
(https://learn.microsoft.com/en-us/graph/api/contact-delta) and writes in ``$batch`` calls.

The cursor holds one deltaLink per scope folder (a JSON list), so a change of scope or of the
Salesforce folder's id starts a full listing; a 410 from any folder does too (the core then finds
the deletions made meanwhile by asking for the linked contacts the listing lacks).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any
from urllib.parse import quote, urlencode

from app.providers.graph.calendar import _odata_quote, _result, _same_origin
from app.providers.graph.contact_fields import SELECT, contact_changes, read_contact, write_contact
from app.providers.graph.contact_folders import ContactScope, ScopeFolders, resolve_folders
from app.providers.graph.errors import failed_result
from app.providers.graph.events import EXPAND, SYNC_KEY_PROPERTY
from app.providers.graph.http import GraphHttp, SubRequest
from app.sync.errors import CursorExpired, InvalidData, NotFound
from app.sync.items import ContactItem, FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 100
_WRITABLE = frozenset(f.name for f in fields(ContactItem)) - {"item_id", "version", "modified_at", "sync_key",
                                                               "in_scope_book"}


class GraphContacts:
    """Contacts of one user (``user``: UPN or object id) in ``scope``; folders are resolved at first use."""

    def __init__(self, http: GraphHttp, user: str, scope: ContactScope) -> None:
        self.http, self.scope = http, scope
        self.user_path = f"/users/{quote(user, safe='@')}"
        self._folders: ScopeFolders | None = None

    @property
    def folders(self) -> ScopeFolders:
        if self._folders is None:
            self._folders = resolve_folders(self.http, self.user_path, self.scope)
        return self._folders

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        folders = self.folders
        links = self._links(cursor, folders.paths)
        items: dict[str, ContactItem] = {}
        deleted: list[str] = []
        next_links = []
        for path, link in zip(folders.paths, links, strict=True):
            url = link or path + "/contacts/delta?" + urlencode({"$select": SELECT})
            while True:
                page = self.http.get(url, "contacts delta", prefer=f"odata.maxpagesize={PAGE_SIZE}") or {}
                for contact in page.get("value") or ():
                    if "@removed" in contact:
                        deleted.append(str(contact["id"]))
                    else:
                        items[str(contact["id"])] = read_contact(contact, folders.scope_folder_id)
                if "@odata.deltaLink" in page:
                    break
                if "@odata.nextLink" not in page:
                    raise CursorExpired("Graph ended a contacts delta round without a deltaLink")
                url = _same_origin(str(page["@odata.nextLink"]), self.http)
            next_links.append(_same_origin(str(page["@odata.deltaLink"]), self.http))
        gone = tuple(i for i in dict.fromkeys(deleted) if i not in items)   # moved between scope folders: kept
        return MailboxChanges(FolderKind.CONTACTS, tuple(items.values()), gone,
                              json.dumps(dict(zip(folders.paths, next_links, strict=True))), full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        return [read_contact(c, self.folders.scope_folder_id) for c in self._current(item_ids).values()]

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        paths = self.folders.paths
        subs = [SubRequest("GET", path + "/contacts?" + urlencode({
            "$filter": f"singleValueExtendedProperties/any(ep: ep/id eq '{SYNC_KEY_PROPERTY}' and ep/value eq "
                       f"'{_odata_quote(key)}')", "$select": SELECT, "$expand": EXPAND}))
                for key in keys for path in paths]
        found: dict[str, MailboxItem] = {}
        for n, answer in enumerate(self.http.batch(subs, "find contacts by sync key")):
            if not answer.ok:
                raise answer.error("find contacts by sync key")
            for contact in (answer.body or {}).get("value") or ():
                found[keys[n // len(paths)]] = read_contact(contact, self.folders.scope_folder_id)
        return found

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """New contacts land in the scope's folder (the Salesforce one under the default scope)."""
        target = self.folders.create_in + "/contacts"
        subs = [SubRequest("POST", target, write_contact(i, i.sync_key)) for i in items if isinstance(i, ContactItem)]
        answers = iter(self.http.batch(subs, "create contacts"))
        return [_result(next(answers), "create contact") if isinstance(item, ContactItem)
                else failed_result(InvalidData("only contacts are written to an Office 365 contact folder"))
                for item in items]

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """PATCHes of only what changed, built on the contact as it is now (other phones and
        addresses kept); a patch changing nothing Graph holds answers without a call."""
        current = self._current(sorted({p.item_id for p in patches}))
        results: list[WriteResult | None] = []
        subs = []
        for patch in patches:
            raw = current.get(patch.item_id)
            changed = set(patch.changes) & _WRITABLE
            if raw is None:
                results.append(failed_result(NotFound(f"contact {patch.item_id} not found")))
                continue
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in patch.changes.items() if k in changed}
            after = replace(read_contact(raw), **values)
            body = contact_changes(after, raw, changed)
            if not body:
                results.append(WriteResult(True, patch.item_id, str(raw.get("changeKey") or "")))
                continue
            results.append(None)
            subs.append(SubRequest("PATCH", self._one(patch.item_id), body))
        answers = iter(self.http.batch(subs, "update contacts"))
        return [r if r is not None else _result(next(answers), "update contact") for r in results]

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Deletes contacts; one already gone counts as deleted."""
        answers = self.http.batch([SubRequest("DELETE", self._one(i)) for i in item_ids], "delete contacts")
        return [WriteResult(True, i) if a.ok or a.status == 404 else failed_result(a.error(f"delete contact {i}"))
                for i, a in zip(item_ids, answers, strict=True)]

    def _current(self, item_ids: Sequence[str]) -> dict[str, dict]:
        """The contacts as Graph holds them now, by id (missing ones left out)."""
        query = "?" + urlencode({"$select": SELECT, "$expand": EXPAND})
        answers = self.http.batch([SubRequest("GET", self._one(i) + query) for i in item_ids], "get contacts")
        out = {}
        for item_id, answer in zip(item_ids, answers, strict=True):
            if answer.ok and isinstance(answer.body, dict):
                out[item_id] = answer.body
            elif answer.status != 404:
                raise answer.error(f"get contact {item_id}")
        return out

    def _one(self, item_id: str) -> str:
        return self.user_path + "/contacts/" + quote(item_id, safe="")

    def _links(self, cursor: str | None, paths: Sequence[str]) -> list[str | None]:
        """Each folder's deltaLink from the cursor (None each for a full listing)."""
        if cursor is None:
            return [None] * len(paths)
        try:
            links = json.loads(cursor)
        except ValueError:
            links = None
        if not isinstance(links, dict) or sorted(links) != sorted(paths):
            raise CursorExpired("the contact scope's folders changed since the last delta round")
        for path in paths:
            if not str(links[path]).startswith(self.http.base_url + path + "/contacts/delta"):
                raise CursorExpired("the Graph endpoint changed since the last delta round")
        return [str(links[p]) for p in paths]
