"""One user's Google contacts in their contact scope, through the People API v1
(https://developers.google.com/people/v1/contacts, the people.v1 discovery document).

Change detection: ``people.connections.list`` on ``people/me`` with ``requestSyncToken``; later
rounds send the ``syncToken`` and get only what changed, deleted contacts marked
``metadata.deleted``. A token older than 7 days is refused (400 ``EXPIRED_SYNC_TOKEN``) →
CursorExpired: the engine lists in full and then asks ``get_items`` for each linked contact the
listing lacks, which is how deletions made during the gap are found (gone ones are omitted). The
cursor also names the scope, so a change of scope starts a full listing as Graph's does.

Writes go in the batch methods - ``batchCreateContacts`` (≤ 200), ``batchUpdateContacts`` (≤ 200,
each person's etag as read, one ``updateMask``), ``batchDeleteContacts`` (≤ 500) - and reads of
known contacts in ``people:batchGet`` (≤ 200). The People API has no query on ``clientData``, so
``find_by_sync_keys`` matches the keys against one full listing.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import fields, replace
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.contact_groups import Groups, GroupScope, ensure_group, load_groups
from app.providers.google.people_errors import people_error
from app.providers.google.people_fields import (
    PERSON_FIELD_OF,
    PERSON_FIELDS,
    member_of,
    read_person,
    with_sync_key,
    write_person,
)
from app.providers.vendor_edge import failed_result
from app.sync.errors import (
    AuthFailure,
    CursorExpired,
    FolderUnavailable,
    InvalidData,
    NotFound,
    SyncError,
    TemporaryFailure,
)
from app.sync.items import ContactItem, FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

CONTACTS_SCOPE = "https://www.googleapis.com/auth/contacts"
PAGE_SIZE = 1000                       # connections.list's maximum pageSize
MAX_BATCH, MAX_DELETE = 200, 500       # batchGet/batchCreate/batchUpdate and batchDelete limits
# google.rpc.Code → HTTP (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto)
_RPC_TO_HTTP = {0: 200, 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 14: 503, 16: 401}
_WRITABLE = frozenset(f.name for f in fields(ContactItem)) - {"item_id", "version", "modified_at", "sync_key",
                                                               "in_scope_book"}


class GoogleContacts:
    """Contacts of one user through a built ``people`` v1 service; groups are read at first use."""

    def __init__(self, service: Any, scope: GroupScope) -> None:
        self.service, self.scope = service, scope
        self._groups: Groups | None = None

    @property
    def groups(self) -> Groups:
        if self._groups is None:
            self._groups = load_groups(self.service.contactGroups(), self._run, self.scope)
        return self._groups

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        token = self._token(cursor)
        items: dict[str, ContactItem] = {}
        deleted: list[str] = []
        answer: dict[str, Any] = {}
        for answer in self._pages(token):
            for person in answer.get("connections") or ():
                name = str(person["resourceName"])
                if (person.get("metadata") or {}).get("deleted") or not self._in_reach(person):
                    deleted.append(name)
                    items.pop(name, None)
                else:
                    items[name] = self._read(person)
        if not answer.get("nextSyncToken"):
            raise CursorExpired("Google ended a contacts listing without a sync token")
        state = {"scope": self.scope.group or "", "only": self.scope.only, "token": answer["nextSyncToken"]}
        return MailboxChanges(FolderKind.CONTACTS, tuple(items.values()),
                              tuple(dict.fromkeys(d for d in deleted if d not in items)) if token else (),
                              json.dumps(state), full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Current contacts in reach by resource name; deleted and unknown ones are omitted."""
        return [self._read(p) for p in self._current(item_ids).values() if self._in_reach(p)]

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        wanted = set(keys)
        found: dict[str, MailboxItem] = {}
        for page in self._pages(None):
            for person in page.get("connections") or ():
                item = self._read(person)
                if item.sync_key in wanted:
                    found[item.sync_key] = item
        return found

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """New contacts join the scope's group (the Salesforce one under the default scope) and the
        groups named by their categories (created when missing)."""
        contacts = [i for i in items if isinstance(i, ContactItem)]
        made: list[WriteResult] = []
        for chunk in _chunks(contacts, MAX_BATCH):
            people = [{"contactPerson": with_sync_key(self._body(item, {}, _WRITABLE), item.sync_key)} for item in chunk]
            try:
                answer = self._run(self.service.people().batchCreateContacts(
                    body={"contacts": people, "readMask": "metadata"}), "people.batchCreateContacts")
            except SyncError as exc:
                made.extend(failed_result(exc) for _ in chunk)
                continue
            made.extend(_result(r, "create contact") for r in answer.get("createdPeople") or ())
        results = iter(made)
        return [next(results, failed_result(SyncError("Google answered for fewer contacts than were sent")))
                if isinstance(item, ContactItem)
                else failed_result(InvalidData("only contacts are written to Google contacts")) for item in items]

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """Only what changed, on each contact as it is now, conditional on the etag just read; a patch
        changing nothing Google holds answers without a call."""
        current = self._current(sorted({p.item_id for p in patches}))
        results: dict[int, WriteResult] = {}
        bodies: dict[int, tuple[str, dict[str, Any]]] = {}
        for n, patch in enumerate(patches):
            raw = current.get(patch.item_id)
            if raw is None:
                results[n] = failed_result(NotFound(f"contact {patch.item_id} not found"))
                continue
            changed = set(patch.changes) & _WRITABLE
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in patch.changes.items() if k in changed}
            body = self._body(replace(self._read(raw), **values), raw, changed) if changed else {}
            if body:
                bodies[n] = (patch.item_id, body)
            else:
                results[n] = WriteResult(True, patch.item_id, str(raw.get("etag") or ""))
        for chunk in _chunks(list(bodies.items()), MAX_BATCH):
            mask = sorted({f for _, (_, body) in chunk for f in body})
            people = {name: {**{f: current[name].get(f) or [] for f in mask}, **body, "etag": current[name]["etag"]}
                      for _, (name, body) in chunk}
            try:
                answer = self._run(self.service.people().batchUpdateContacts(body={
                    "contacts": people, "updateMask": ",".join(mask), "readMask": "metadata"}),
                    "people.batchUpdateContacts").get("updateResult") or {}
            except SyncError as exc:
                results.update((n, failed_result(exc)) for n, _ in chunk)
                continue
            for n, (name, _) in chunk:
                results[n] = _result(answer.get(name) or {}, f"update contact {name}")
        return [results[n] for n in range(len(patches))]

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Deletes contacts; one already gone counts as deleted. batchDeleteContacts refuses the whole
        request when one name is unknown, so that chunk is then deleted one by one."""
        out: dict[str, WriteResult] = {}
        for chunk in _chunks(list(dict.fromkeys(item_ids)), MAX_DELETE):
            try:
                self._run(self.service.people().batchDeleteContacts(body={"resourceNames": chunk}),
                          "people.batchDeleteContacts")
                out.update((i, WriteResult(True, i)) for i in chunk)
            except NotFound:
                out.update((i, self._delete_one(i)) for i in chunk)
            except SyncError as exc:
                out.update((i, failed_result(exc)) for i in chunk)
        return [out[i] for i in item_ids]

    # --- internals -------------------------------------------------------------------------------
    def _pages(self, token: str | None) -> Iterator[dict[str, Any]]:
        page_token = None
        while True:
            query: dict[str, Any] = {"resourceName": "people/me", "personFields": PERSON_FIELDS,
                                     "pageSize": PAGE_SIZE, "requestSyncToken": True}
            query.update({"syncToken": token} if token else {})
            query.update({"pageToken": page_token} if page_token else {})
            page = self._run(self.service.people().connections().list(**query), "people.connections.list")
            yield page
            page_token = page.get("nextPageToken")
            if not page_token:
                return

    def _current(self, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The live contacts by resource name as Google holds them now (batchGet, ≤ 200 a call)."""
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(dict.fromkeys(item_ids)), MAX_BATCH):
            answer = self._run(self.service.people().getBatchGet(resourceNames=chunk, personFields=PERSON_FIELDS),
                               "people.getBatchGet")
            for response in answer.get("responses") or ():
                person, code = response.get("person") or {}, response_code(response)
                if code == 200 and person and not (person.get("metadata") or {}).get("deleted"):
                    out[str(response.get("requestedResourceName") or person["resourceName"])] = person
                elif code not in (200, 404, 410):     # never read as "gone": that would delete it in Salesforce
                    raise TemporaryFailure(f"Google People getBatchGet: {code} for "
                                           f"{response.get('requestedResourceName')}")
        return out

    def _delete_one(self, item_id: str) -> WriteResult:
        try:
            self._run(self.service.people().deleteContact(resourceName=item_id), "people.deleteContact")
        except NotFound:
            pass
        except SyncError as exc:
            return failed_result(exc)
        return WriteResult(True, item_id)

    def _body(self, item: ContactItem, current: dict[str, Any], changed: Any) -> dict[str, Any]:
        groups = self.groups
        if "categories" in changed:
            for category in item.categories:
                ensure_group(self.service.contactGroups(), self._run, groups, category)
        return write_person(item, current, set(changed) & set(PERSON_FIELD_OF), groups.by_name,
                            groups.scope_group)

    def _read(self, person: dict[str, Any]) -> ContactItem:
        return read_person(person, self.groups.names, self.groups.scope_group)

    def _in_reach(self, person: dict[str, Any]) -> bool:
        """Scope ``address_book`` reads members of its group alone."""
        return not self.scope.only or self.groups.scope_group in member_of(person)

    def _token(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        try:
            state = json.loads(cursor)
        except ValueError:
            state = None
        if not isinstance(state, dict) or (state.get("scope"), state.get("only")) != (self.scope.group or "",
                                                                                      self.scope.only):
            raise CursorExpired("the contact scope changed since the last contacts listing")
        return str(state.get("token") or "") or None

    @staticmethod
    def _run(request: Any, what: str) -> Any:
        try:
            return request.execute(num_retries=0) or {}
        except HttpError as exc:
            raise people_error(exc, what) from exc
        except AuthFailure as exc:
            if "unauthorized_client" in str(exc):
                raise FolderUnavailable(f"contacts: the service account is not granted {CONTACTS_SCOPE} under "
                                        "domain-wide delegation") from exc
            raise


def _result(response: dict[str, Any], what: str) -> WriteResult:
    person, code = response.get("person") or {}, response_code(response)
    if code == 200 and person:
        return WriteResult(True, str(person["resourceName"]), str(person.get("etag") or ""))
    message = str((response.get("status") or {}).get("message") or "")
    error = NotFound if code == 404 else InvalidData if 400 <= code < 500 else SyncError
    return failed_result(error(f"Google People {what}: {code} {message}".strip()))


def response_code(response: dict[str, Any]) -> int:
    """A PersonResponse's outcome as an HTTP status: its ``status`` (google.rpc.Status; the documented
    field), else the deprecated ``httpStatusCode``, else 200 when it holds a person."""
    status = response.get("status")
    if isinstance(status, dict):
        return _RPC_TO_HTTP.get(int(status.get("code") or 0), 500)
    if response.get("httpStatusCode"):
        return int(response["httpStatusCode"])
    return 200 if response.get("person") else 500


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
