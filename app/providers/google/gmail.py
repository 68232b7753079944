"""The mail folder kind over Gmail: the messages the core may save, found without reading every body.

Where they come from (Gmail API guide "Synchronize clients with Gmail" and the reference pages of
``users.history.list``, ``users.messages.list`` / ``get``, ``users.labels``):

* the ``Salesforce`` label (created when missing), always; SENT only while Compose-mode saves are
  pending or "save all new mail" covers outbound mail; INBOX only while a thread is set to "save all
  emails" or it covers inbound mail - the same rules as Graph and IMAP (a backfill on activation
  lists the window, ``newer_than`` its whole days, once more);
* the first round reads the profile's ``historyId`` FIRST, then lists each source with
  ``messages.list?labelIds=…`` (SENT/INBOX bounded by ``q=newer_than:30d``, so turning a rule on
  never walks years of mail); later rounds send ``history.list`` from that ``startHistoryId``
  (``historyTypes`` messageAdded + labelAdded, ``labelId`` per source). A source a rule newly needs
  gets the bounded listing once. The next cursor is the ``historyId`` read before listing, so a
  change made meanwhile is listed again rather than lost (the core saves once per Message-ID);
* a 404 on an old history id ("typically valid for at least a week") is CursorExpired: the core
  lists in full and its ID map and save ledger keep every message saved once.

Only SENT candidates are read with ``format=metadata`` + ``metadataHeaders`` (the Compose marker
and Message-ID); bodies (``format=full``) are fetched only for messages that will be saved, in
batches of at most 50 (Gmail's batch guide advises against larger ones). Mail is read-only here.
Scopes: ``gmail.readonly`` (read) and ``gmail.labels`` (create the label); without that grant
(``unauthorized_client``) mail is FolderUnavailable and the calendar still syncs.
"""
from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.batch import GoogleBatch
from app.providers.google.errors import google_error
from app.providers.google.gmail_message import METADATA_HEADERS, header, read_message
from app.sync.email_rules import normalized_message_id
from app.sync.errors import AuthFailure, CursorExpired, FolderUnavailable, InvalidData, NotFound, SyncError
from app.sync.items import FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

GMAIL_SCOPES = ("https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.labels")
CURSOR_PREFIX = "gmail1."
PAGE_SIZE = 100
SALESFORCE, SENT, INBOX = "salesforce", "SENT", "INBOX"
HISTORY_TYPES = ["messageAdded", "labelAdded"]
# fields= masks (partial responses): listings carry only what choosing a message needs. Quota units are
# per call whatever the mask, but answers (and so time on the wire) shrink.
_LISTED = "message(id,threadId,labelIds)"
HISTORY_FIELDS = f"history(messagesAdded/{_LISTED},labelsAdded/{_LISTED}),historyId,nextPageToken"
LIST_FIELDS = "messages(id,threadId),nextPageToken"
LABEL_FIELDS = "labels(id,name)"
METADATA_FIELDS = "id,threadId,labelIds,payload/headers"


@dataclass(frozen=True)
class GmailOptions:
    """The org's label name and what the user's pending rules need listed."""

    label: str = "Salesforce"
    compose_markers: bool = False
    message_ids: tuple[str, ...] = ()
    thread_ids: tuple[str, ...] = ()
    lookback_days: int = 30          # first listing of SENT / INBOX
    all_inbox: bool = False          # "save all new mail": every new INBOX message…
    all_sent: bool = False           # …and SENT message,
    all_since: datetime | None = None    # received from then on;
    backfill: bool = False           # once, a bounded listing from all_since (activation) whatever the cursor

    def sources(self) -> list[str]:
        return ([SALESFORCE] + ([SENT] if self.compose_markers or self.message_ids or self.all_sent else [])
                + ([INBOX] if self.thread_ids or self.all_inbox else []))

    def takes_all(self, source: str) -> bool:
        return (source == INBOX and self.all_inbox) or (source == SENT and self.all_sent)

    def listing_days(self, source: str, now: datetime) -> int:
        """``newer_than`` days of a first listing: the lookback, or auto-save's window (whole days, rounded up)."""
        rules_want = bool(self.compose_markers or self.message_ids) if source == SENT else bool(self.thread_ids)
        if not (self.takes_all(source) and self.all_since is not None):
            return self.lookback_days
        days = max(1, math.ceil((now - self.all_since) / timedelta(days=1)))
        return max(days, self.lookback_days) if rules_want else days


@dataclass
class _Cursor:
    label_id: str
    history_id: str
    sources: list[str] = field(default_factory=list)


class GmailMail:
    """MailboxPort operations for ``FolderKind.MAIL`` of one user, over a built ``gmail`` v1 service."""

    def __init__(self, service: Any, batch: GoogleBatch, options: GmailOptions) -> None:
        self.service, self.batch, self.options = service, batch, options
        self.label_id: str | None = None

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        try:
            return self._changes(cursor)
        except AuthFailure as exc:
            if "unauthorized_client" not in str(exc):      # a revoked key: the whole mailbox waits for an admin
                raise
            raise FolderUnavailable("Gmail scopes not granted: an admin must grant " + ", ".join(GMAIL_SCOPES)
                                    + " to the service account's client id under domain-wide delegation") from exc

    def _changes(self, cursor: str | None) -> MailboxChanges:
        state = _decode(cursor) if cursor else None
        if state is None:
            state = _Cursor(self._ensure_label(), "", [])
        self.label_id = state.label_id
        listed: dict[str, tuple[Mapping[str, Any], str]] = {}
        if state.history_id:
            history_id = self._history(state, listed)
        else:
            history_id = str(self._run(self._users().getProfile(userId="me"), "users.getProfile")["historyId"])
        for source in self.options.sources():
            if not state.history_id or source not in state.sources or (
                    self.options.backfill and self.options.takes_all(source)):
                for message in self._listing(source):
                    listed.setdefault(str(message["id"]), (message, source))
        items = self._full(self._wanted(listed))
        next_state = _Cursor(state.label_id, history_id, self.options.sources())
        return MailboxChanges(FolderKind.MAIL, tuple(items), (), _encode(next_state), full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Whole messages by id; ids no longer there are left out."""
        if self.label_id is None and item_ids:
            self.label_id = self._ensure_label()
        return list(self._full(item_ids))

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return _read_only(len(items))

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return _read_only(len(patches))

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        return _read_only(len(item_ids))

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return {}

    # -- listing --------------------------------------------------------------------------------
    def _ensure_label(self) -> str:
        """The Salesforce label's id, created when missing (``users.labels.create``)."""
        labels = self._run(self._users().labels().list(userId="me", fields=LABEL_FIELDS), "labels.list").get(
            "labels") or ()
        for label in labels:
            if str(label.get("name") or "").lower() == self.options.label.lower():
                return str(label["id"])
        body = {"name": self.options.label, "labelListVisibility": "labelShow", "messageListVisibility": "show"}
        return str(self._run(self._users().labels().create(userId="me", body=body), "labels.create")["id"])

    def _label_of(self, source: str) -> str:
        return self.label_id or "" if source == SALESFORCE else source

    def _history(self, state: _Cursor, listed: dict[str, tuple[Mapping[str, Any], str]]) -> str:
        """Messages added to or labelled into each source since the cursor; the history id read first."""
        current = ""
        for source in (s for s in self.options.sources() if s in state.sources):
            token = None
            while True:
                query: dict[str, Any] = {"userId": "me", "startHistoryId": state.history_id, "maxResults": PAGE_SIZE,
                                         "historyTypes": HISTORY_TYPES, "labelId": self._label_of(source),
                                         "fields": HISTORY_FIELDS}
                try:
                    page = self._users().history().list(**query, **({"pageToken": token} if token else {})).execute(num_retries=0)
                except HttpError as exc:
                    if int(exc.resp.status) == 404:
                        raise CursorExpired(f"Gmail history.list: history id {state.history_id} expired") from exc
                    raise google_error(exc, "history.list", api="Gmail") from exc
                current = current or str(page.get("historyId") or "")
                for record in page.get("history") or ():
                    for change in [*(record.get("messagesAdded") or ()), *(record.get("labelsAdded") or ())]:
                        message = change.get("message") or {}
                        if message.get("id"):
                            listed.setdefault(str(message["id"]), (message, source))
                token = page.get("nextPageToken")
                if not token:
                    break
        return current or state.history_id

    def _listing(self, source: str) -> list[Mapping[str, Any]]:
        query: dict[str, Any] = {"userId": "me", "labelIds": [self._label_of(source)], "maxResults": PAGE_SIZE,
                                 "fields": LIST_FIELDS}
        if source != SALESFORCE:
            query["q"] = f"newer_than:{self.options.listing_days(source, datetime.now(UTC))}d"
        out: list[Mapping[str, Any]] = []
        token = None
        while True:
            page = self._run(self._users().messages().list(**query, **({"pageToken": token} if token else {})),
                             "messages.list")
            out += [m for m in page.get("messages") or () if m.get("id")]
            token = page.get("nextPageToken")
            if not token:
                return out

    def _wanted(self, listed: Mapping[str, tuple[Mapping[str, Any], str]]) -> list[str]:
        """Ids a rule saves: labelled, in a thread set to auto-save, or (read headers first) a Compose save."""
        ids = {normalized_message_id(i) for i in self.options.message_ids}
        threads = {normalized_message_id(t) for t in self.options.thread_ids}
        chosen, maybe = [], []
        for item_id, (message, source) in listed.items():
            if "DRAFT" in (message.get("labelIds") or ()):
                continue
            if (source == SALESFORCE or normalized_message_id(str(message.get("threadId") or "")) in threads
                    or self.options.takes_all(source)):
                chosen.append(item_id)
            elif source == SENT:
                maybe.append(item_id)
        for item_id, message in self._get(maybe, "metadata"):
            if (self.options.compose_markers and header(message, "X-Syncline-Save")) or (
                    normalized_message_id(header(message, "Message-ID")) in ids):
                chosen.append(item_id)
        return chosen

    def _full(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        return [read_message(m, self.label_id or "", self.options.label) for _, m in self._get(item_ids, "full")
                if "DRAFT" not in (m.get("labelIds") or ())]

    def _get(self, item_ids: Sequence[str], shape: str) -> list[tuple[str, Mapping[str, Any]]]:
        """Messages by id in batches; one gone meanwhile (404) is left out."""
        extra = {"metadataHeaders": list(METADATA_HEADERS), "fields": METADATA_FIELDS} if shape == "metadata" else {}
        requests = [self._users().messages().get(userId="me", id=i, format=shape, **extra) for i in item_ids]
        out = []
        for item_id, answer in zip(item_ids, self.batch.run(requests, f"messages.get ({shape})"), strict=True):
            if isinstance(answer, SyncError):
                if answer.code != NotFound.code:
                    raise answer
            else:
                out.append((item_id, answer))
        return out

    def _users(self) -> Any:
        return self.service.users()

    def _run(self, request: Any, what: str) -> dict[str, Any]:
        try:
            return dict(request.execute(num_retries=0) or {})
        except HttpError as exc:
            raise google_error(exc, what, api="Gmail") from exc


def _read_only(n: int) -> list[WriteResult]:
    return [WriteResult(False, error="mail is saved one-way: messages are read-only", error_code=InvalidData.code)] * n


def _encode(state: _Cursor) -> str:
    raw = {"label": state.label_id, "history": state.history_id, "sources": state.sources}
    return CURSOR_PREFIX + base64.urlsafe_b64encode(json.dumps(raw).encode()).decode("ascii")


def _decode(cursor: str) -> _Cursor:
    """An unreadable cursor (or one of another adapter) means a full listing, not a failure."""
    try:
        if not cursor.startswith(CURSOR_PREFIX):
            raise ValueError("not a Gmail cursor")
        raw = json.loads(base64.urlsafe_b64decode(cursor[len(CURSOR_PREFIX):].encode()))
        return _Cursor(str(raw["label"]), str(raw["history"]), [str(s) for s in raw.get("sources") or ()])
    except (ValueError, TypeError, KeyError) as exc:
        raise CursorExpired(f"unreadable Gmail cursor: {exc}") from exc
