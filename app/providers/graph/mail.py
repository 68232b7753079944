"""The mail folder kind over Graph: the messages the core may save, found without reading every body.

Where they come from (Microsoft Learn, "message: delta" and "List messages"):

* the Salesforce folder: ``/mailFolders/{id}/messages/delta`` (delta is per folder);
* Sent Items (``sentitems``) only while Compose-mode saves are pending or "save all new mail" covers
  outbound mail, and the Inbox (``inbox``) only while threads are set to "save all emails" or it
  covers inbound mail (a backfill on activation starts a new round there from the window's start):
  delta again, the first round bounded by
  ``$filter=receivedDateTime ge …`` (the one filter message delta supports), so turning a rule on
  never walks years of mail;
* the Salesforce category: message delta supports no filter on ``categories`` and is per folder,
  while a category can be set on a message in any folder. So the category comes from the
  documented ``GET /users/{id}/messages?$filter=categories/any(c:c eq '…')`` (the whole mailbox),
  narrowed after the first round by ``lastModifiedDateTime ge`` the previous round's start minus
  an overlap (setting a category modifies the message); what the overlap lists again unchanged
  (same ``changeKey``) is dropped, and anything listed twice is still saved once (the core's ID
  map: once per ``internetMessageId`` per org).

Every listing ``$select``s small headers; bodies are then fetched in ``$batch`` only for the
messages a rule wants (and, for Sent Items, the internet headers first, to find the Compose
marker). An expired delta token (410) or a vanished Salesforce folder raises CursorExpired and the
core asks for a full listing. Mail is read-only here: saving is one-way.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from app.providers.graph.calendar import _same_origin as same_origin
from app.providers.graph.http import GraphHttp, SubRequest
from app.providers.graph.mail_message import FULL_SELECT, HEADER_SELECT, MARKER_SELECT, read_message, save_marker
from app.providers.graph.mail_setup import ensure_category, ensure_folder
from app.sync.email_rules import normalized_message_id
from app.sync.errors import CursorExpired, InvalidData, NotFound
from app.sync.items import EmailMessage, FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 100
CATEGORY_OVERLAP = timedelta(minutes=15)   # clock skew and replication lag between rounds
CURSOR_PREFIX = "graphmail1."
SALESFORCE, SENT, INBOX = "salesforce", "sentitems", "inbox"


@dataclass(frozen=True)
class GraphMailOptions:
    """The org's category and folder names and what the user's pending rules need listed."""

    category: str = "Salesforce"
    folder: str = "Salesforce"
    compose_markers: bool = False
    message_ids: tuple[str, ...] = ()
    thread_ids: tuple[str, ...] = ()
    lookback: timedelta = timedelta(days=30)     # first round of Sent Items / Inbox delta
    all_inbox: bool = False                      # "save all new mail": every new Inbox message…
    all_sent: bool = False                       # …and Sent Items message,
    all_since: datetime | None = None            # received from then on;
    backfill: bool = False                       # once, a new delta round from all_since (activation)

    @property
    def needs_sent(self) -> bool:
        return self.compose_markers or bool(self.message_ids) or self.all_sent

    @property
    def needs_inbox(self) -> bool:
        return bool(self.thread_ids) or self.all_inbox

    def takes_all(self, source: str) -> bool:
        return (source == INBOX and self.all_inbox) or (source == SENT and self.all_sent)


@dataclass
class _Cursor:
    folder_id: str
    links: dict[str, str] = field(default_factory=dict)
    since: str = ""            # start of the previous round (ISO UTC), for the category listing
    seen: dict[str, str] = field(default_factory=dict)   # tagged id → changeKey listed last round (the overlap)


class GraphMail:
    """MailboxPort operations for ``FolderKind.MAIL`` of one user."""

    def __init__(self, http: GraphHttp, user: str, options: GraphMailOptions,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.http, self.options, self.clock = http, options, clock
        self.user_path = f"/users/{quote(user, safe='@')}"
        self.folder_id: str | None = None

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        started = self.clock()
        state = _decode(cursor) if cursor else None
        if state is None:
            state = _Cursor(ensure_folder(self.http, self.user_path, self.options.folder))
            ensure_category(self.http, self.user_path, self.options.category)
        self.folder_id = state.folder_id
        listed: dict[str, tuple[Mapping[str, Any], str]] = {}
        links: dict[str, str] = {}
        for source, folder in self._sources(state.folder_id):
            link = None if self.options.backfill and self.options.takes_all(source) else state.links.get(source)
            messages, links[source] = self._delta(source, folder, link, started)
            listed.update({str(m["id"]): (m, source) for m in messages})
        tagged = self._tagged(state.since if cursor else "")
        for message in tagged:
            if state.seen.get(str(message["id"])) != message.get("changeKey"):
                listed.setdefault(str(message["id"]), (message, "category"))
        items = self._wanted(listed)
        seen = {str(m["id"]): str(m.get("changeKey") or "") for m in tagged}
        next_state = _Cursor(state.folder_id, links, (started - CATEGORY_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ"), seen)
        return MailboxChanges(FolderKind.MAIL, tuple(items), (), _encode(next_state), full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Whole messages (body included) by id; ids no longer there are left out."""
        if self.folder_id is None and item_ids:
            self.folder_id = ensure_folder(self.http, self.user_path, self.options.folder)
        return list(self._full(item_ids))

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return _read_only(len(items))

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return _read_only(len(patches))

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        return _read_only(len(item_ids))

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return {}

    # -- listing ------------------------------------------------------------------------------
    def _sources(self, folder_id: str) -> list[tuple[str, str]]:
        sources = [(SALESFORCE, folder_id)]
        if self.options.needs_sent:
            sources.append((SENT, SENT))
        if self.options.needs_inbox:
            sources.append((INBOX, INBOX))
        return sources

    def _delta(self, source: str, folder: str, link: str | None, started: datetime) -> tuple[list[Mapping], str]:
        """One delta round of a folder to its deltaLink: (messages added or changed, the deltaLink)."""
        if link is not None:
            url = same_origin(link, self.http)
        else:
            query = {"$select": HEADER_SELECT}
            if source != SALESFORCE:
                query["$filter"] = "receivedDateTime ge " + self._first_round(source, started).strftime("%Y-%m-%dT%H:%M:%SZ")
            url = f"{self.user_path}/mailFolders/{quote(folder, safe='')}/messages/delta?" + urlencode(query)
        out: list[Mapping] = []
        while True:
            try:
                page = self.http.get(url, f"{source} messages delta", prefer=f"odata.maxpagesize={PAGE_SIZE}") or {}
            except NotFound as exc:       # the Salesforce folder was deleted: a full round makes it again
                raise CursorExpired(str(exc)) from exc
            out += [m for m in page.get("value") or () if "@removed" not in m and m.get("id")]
            if "@odata.deltaLink" in page:
                return out, same_origin(str(page["@odata.deltaLink"]), self.http)
            if "@odata.nextLink" not in page:
                raise CursorExpired(f"Graph ended a {source} delta round without a deltaLink")
            url = same_origin(str(page["@odata.nextLink"]), self.http)

    def _first_round(self, source: str, started: datetime) -> datetime:
        """Where a new delta round of Sent Items / Inbox starts: the lookback, or auto-save's window alone."""
        rules_want = self.options.compose_markers or bool(self.options.message_ids) if source == SENT \
            else bool(self.options.thread_ids)
        start = started - self.options.lookback
        if self.options.takes_all(source) and self.options.all_since is not None:
            return min(start, self.options.all_since) if rules_want else self.options.all_since
        return start

    def _tagged(self, since: str) -> list[Mapping]:
        """Messages anywhere in the mailbox carrying the Salesforce category (changed since ``since``)."""
        category = self.options.category.replace("'", "''")
        condition = f"categories/any(c:c eq '{category}')" + (f" and lastModifiedDateTime ge {since}" if since else "")
        url = self.user_path + "/messages?" + urlencode({"$filter": condition, "$select": HEADER_SELECT,
                                                         "$top": str(PAGE_SIZE)})
        out: list[Mapping] = []
        while True:
            page = self.http.get(url, "list messages in the Salesforce category") or {}
            out += [m for m in page.get("value") or () if m.get("id")]
            if "@odata.nextLink" not in page:
                return out
            url = same_origin(str(page["@odata.nextLink"]), self.http)

    def _wanted(self, listed: Mapping[str, tuple[Mapping[str, Any], str]]) -> list[EmailMessage]:
        """Whole messages for those a rule may save: tagged, in the folder, named by a rule or marked."""
        ids = {normalized_message_id(i) for i in self.options.message_ids}
        threads = {normalized_message_id(t) for t in self.options.thread_ids}
        chosen, maybe_marked = [], []
        for item_id, (message, source) in listed.items():
            if message.get("isDraft"):
                continue
            if (source == SALESFORCE or self.options.category in (message.get("categories") or ())
                    or normalized_message_id(str(message.get("internetMessageId") or "")) in ids
                    or normalized_message_id(str(message.get("conversationId") or "")) in threads
                    or self.options.takes_all(source)):
                chosen.append(item_id)
            elif source == SENT and self.options.compose_markers:
                maybe_marked.append(item_id)
        chosen += [i for i, m in self._get(maybe_marked, MARKER_SELECT, "read internet headers") if save_marker(m)]
        return self._full(chosen)

    def _full(self, item_ids: Sequence[str]) -> list[EmailMessage]:
        return [read_message(m, self.options.folder if m.get("parentFolderId") == self.folder_id else "")
                for _, m in self._get(item_ids, FULL_SELECT, "get messages", body_type="html")]

    def _get(self, item_ids: Sequence[str], select: str, what: str,
             body_type: str = "text") -> list[tuple[str, Mapping[str, Any]]]:
        """Messages by id in ``$batch`` calls; a message gone meanwhile (404) is left out."""
        subs = [SubRequest("GET", f"{self.user_path}/messages/{quote(i, safe='')}?" + urlencode({"$select": select}),
                           body_type=body_type)
                for i in item_ids]
        out: list[tuple[str, Mapping[str, Any]]] = []
        for item_id, answer in zip(item_ids, self.http.batch(subs, what), strict=True):
            if answer.ok and isinstance(answer.body, dict):
                out.append((item_id, answer.body))
            elif answer.status != 404:
                raise answer.error(f"{what} {item_id}")
        return out


def _read_only(n: int) -> list[WriteResult]:
    return [WriteResult(False, error="mail is saved one-way: messages are read-only", error_code=InvalidData.code)] * n


def _encode(state: _Cursor) -> str:
    raw = {"folder": state.folder_id, "links": state.links, "since": state.since, "seen": state.seen}
    return CURSOR_PREFIX + base64.urlsafe_b64encode(json.dumps(raw).encode()).decode("ascii")


def _decode(cursor: str) -> _Cursor:
    """An unreadable cursor (or one of another adapter) means a full listing, not a failure."""
    try:
        if not cursor.startswith(CURSOR_PREFIX):
            raise ValueError("not a Graph mail cursor")
        raw = json.loads(base64.urlsafe_b64decode(cursor[len(CURSOR_PREFIX):].encode()))
        links = {str(k): str(v) for k, v in dict(raw.get("links") or {}).items()}
        seen = {str(k): str(v) for k, v in dict(raw.get("seen") or {}).items()}
        return _Cursor(str(raw["folder"]), links, str(raw.get("since") or ""), seen)
    except (ValueError, TypeError, KeyError) as exc:
        raise CursorExpired(f"unreadable Graph mail cursor: {exc}") from exc
