"""The mail folder kind over IMAP: only messages the user tagged with the Salesforce keyword
(in the watched folders and the Sent folder) or moved into the Salesforce folder are listed,
plus those the session's ``MailRules`` name (Compose-mode saves, "save all emails in thread").

The cursor holds, per folder, UIDVALIDITY plus HIGHESTMODSEQ (CONDSTORE) or UIDNEXT; a
UIDVALIDITY change raises CursorExpired, and the core's full resync deduplicates by Message-ID.
Without CONDSTORE only new messages are seen (tagging an old message is not a change).
With "save all new mail" on, every new message of the Inbox and/or Sent folder is listed too, and
once after activation (``MailRules.backfill``) those of the chosen window, whatever the cursor says.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date
from functools import partial
from typing import Any

from imapclient import IMAPClient

from app.providers.imap_dav.imap_session import ImapSession
from app.providers.imap_dav.mail_message import parse_message
from app.sync.errors import CursorExpired, NotFound
from app.sync.items import EmailMessage, FolderKind
from app.sync.ports import MailboxChanges, WriteResult

FETCH_BATCH = 100
KEYWORD_SPECIALS = set('(){ %*"\\]')


SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "[Gmail]/Sent Mail")
MAX_RULE_KEYS = 100           # search keys OR-ed into one SEARCH command


@dataclass(frozen=True)
class MailRules:
    """What else to list besides tagged mail; the core still decides what is saved."""

    compose_markers: bool = False
    message_ids: tuple[str, ...] = ()
    thread_ids: tuple[str, ...] = ()
    all_inbox: bool = False           # "save all new mail": every new message of the watched folders…
    all_sent: bool = False            # …and of the Sent folder,
    all_since: date | None = None     # dated (IMAP INTERNALDATE, whole days) on or after this day;
    backfill: bool = False            # once, also those before the cursor (the window chosen on activation)


@dataclass(frozen=True)
class MailOptions:
    """Per-org names: the Salesforce category (an IMAP keyword) and the Salesforce folder."""

    category_keyword: str = "Salesforce"
    salesforce_folder: str = "Salesforce"
    watched_folders: tuple[str, ...] = ("INBOX",)
    rules: MailRules = MailRules()


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    modseq: int
    uidnext: int


def keyword_for(category: str) -> str:
    """An IMAP keyword must be an atom: specials, spaces and non-ASCII become ``_``."""
    return "".join(ch if 32 < ord(ch) < 127 and ch not in KEYWORD_SPECIALS else "_" for ch in category) or "_"


def mail_item_id(folder: str, uidvalidity: int, uid: int) -> str:
    return f"imap:{uidvalidity}:{uid}:{folder}"


def split_mail_item_id(item_id: str) -> tuple[str, int, int]:
    """(folder, uidvalidity, uid); raises NotFound for ids that are not ours."""
    try:
        _, validity, uid, folder = item_id.split(":", 3)
        return folder, int(validity), int(uid)
    except ValueError as exc:
        raise NotFound(f"not an IMAP item id: {item_id}") from exc


class ImapMail:
    """MailboxPort operations for ``FolderKind.MAIL``; reads never set ``\\Seen`` (BODY.PEEK)."""

    def __init__(self, session: ImapSession, options: MailOptions) -> None:
        self.session = session
        self.options = options
        self._sent = ""

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        previous = _decode_cursor(cursor) if cursor else None
        items: list[EmailMessage] = []
        states: dict[str, FolderState] = {}
        for folder in self._folders():
            info = self.session.select(folder)
            state = _state(info)
            old = previous.get(folder) if previous else None
            if old is not None and old.uidvalidity != state.uidvalidity:
                raise CursorExpired(f"UIDVALIDITY of {folder} changed")
            uids = sorted(set(self._search(folder, old)) | set(self._search_all(folder, old)))
            items += self._fetch(folder, state.uidvalidity, uids)
            states[folder] = state
        return MailboxChanges(FolderKind.MAIL, tuple(items), (), _encode_cursor(states), full=previous is None)

    def get_items(self, item_ids: Sequence[str]) -> list[EmailMessage]:
        found: list[EmailMessage] = []
        for folder, validity, uids in _by_folder(item_ids):
            info = self.session.select(folder)
            if _state(info).uidvalidity == validity:
                found += self._fetch(folder, validity, uids)
        return found

    def set_categories(self, item_id: str, categories: Sequence[str]) -> WriteResult:
        """Make the message's keywords exactly ``categories`` (system flags untouched)."""
        wanted = {keyword_for(c).encode() for c in categories}
        return self._store(item_id, lambda flags: (wanted - flags, {f for f in flags if not f.startswith(b"\\")} - wanted))

    def _store(self, item_id: str, plan) -> WriteResult:
        folder, validity, uid = split_mail_item_id(item_id)
        if _state(self.session.select(folder, readonly=False)).uidvalidity != validity:
            return WriteResult(False, error=f"{item_id} no longer exists", error_code=NotFound.code)
        current = self.session.command(lambda c: c.get_flags([uid])).get(uid)
        if current is None:
            return WriteResult(False, error=f"{item_id} no longer exists", error_code=NotFound.code)
        add, remove = plan(set(current))
        if add:
            self.session.command(lambda c: c.add_flags([uid], sorted(add)))
        if remove:
            self.session.command(lambda c: c.remove_flags([uid], sorted(remove)))
        version = self._fetch(folder, validity, [uid])
        return WriteResult(True, item_id, version[0].version if version else None)

    def unchanged_since(self, cursor: str) -> bool:
        """True when no folder the session reads changed since ``cursor`` (the idle check): one LIST
        and one STATUS per folder. UIDVALIDITY, UIDNEXT and, where the cursor holds one, HIGHESTMODSEQ
        (RFC 7162: a keyword set on an old message moves it) must all be as the cursor left them."""
        previous = _decode_cursor(cursor)
        folders = self._folders()
        if set(folders) != set(previous):
            return False
        for folder in folders:
            old = previous[folder]
            info = self.session.command(partial(_status, folder, bool(old.modseq)))
            if _state(info) != old:
                return False
        return True

    def _folders(self) -> list[str]:
        folders, self._sent = folders_and_sent(self.session, self.options)
        return folders

    def _search_all(self, folder: str, old: FolderState | None) -> list[int]:
        """"Save all new mail": the folder's new messages from the window's first day (all of it on backfill)."""
        rules = self.options.rules
        inbox = rules.all_inbox and folder in self.options.watched_folders
        if not (inbox or (rules.all_sent and folder == self._sent)):
            return []
        criteria: list[Any] = ["SINCE", rules.all_since] if rules.all_since else ["ALL"]
        if old is None or rules.backfill:
            return sorted(self.session.command(lambda c: c.search(criteria)))
        since = ["MODSEQ", old.modseq + 1] if self.session.condstore else ["UID", f"{old.uidnext}:*"]
        found = self.session.command(lambda c: c.search(criteria + since))
        return sorted(u for u in found if self.session.condstore or u >= old.uidnext)

    def _search(self, folder: str, old: FolderState | None) -> list[int]:
        """UIDs of wanted (new, when there is a cursor) messages: one SEARCH per chunk of rule keys."""
        searches: list[list[Any]] = [[]] if folder == self.options.salesforce_folder else _wanted_searches(
            keyword_for(self.options.category_keyword), self.options.rules)
        since: list[Any] = []
        if old is not None and self.session.condstore:
            since = ["MODSEQ", old.modseq + 1]
        elif old is not None:
            since = ["UID", f"{old.uidnext}:*"]
        uids: set[int] = set()
        for criteria in searches:
            uids.update(self.session.command(lambda c: c.search((criteria + since) or ["ALL"])))
        return sorted(u for u in uids if old is None or self.session.condstore or u >= old.uidnext)

    def _fetch(self, folder: str, validity: int, uids: Sequence[int]) -> list[EmailMessage]:
        parts = ["UID", "FLAGS", "INTERNALDATE", "BODY.PEEK[]"] + (["MODSEQ"] if self.session.condstore else [])
        messages: list[EmailMessage] = []
        for start in range(0, len(uids), FETCH_BATCH):
            batch = list(uids[start:start + FETCH_BATCH])
            data = self.session.command(lambda c: c.fetch(batch, parts))
            messages += [_email(folder, validity, uid, data[uid]) for uid in batch if uid in data]
        return messages


def watched_folders(session: ImapSession, options: MailOptions) -> list[str]:
    """Watched folders, the Sent folder and the Salesforce folder, those that exist (one LIST)."""
    return folders_and_sent(session, options)[0]


def folders_and_sent(session: ImapSession, options: MailOptions) -> tuple[list[str], str]:
    """``watched_folders`` and the name of the Sent folder ("" when there is none), from one LIST."""
    listed = session.command(lambda c: c.list_folders())
    existing, sent = {name for _, _, name in listed}, _sent_folder(listed)
    wanted = list(dict.fromkeys(options.watched_folders + (sent, options.salesforce_folder)))
    return [f for f in wanted if f in existing], sent


def _status(folder: str, with_modseq: bool, client: IMAPClient) -> dict[bytes, Any]:
    what = [b"UIDVALIDITY", b"UIDNEXT"] + ([b"HIGHESTMODSEQ"] if with_modseq else [])
    return client.folder_status(folder, what)


def _sent_folder(listed: Sequence[tuple[Any, Any, str]]) -> str:
    """The folder flagged ``\\Sent`` (RFC 6154), else a usual name; "" when there is none."""
    flagged = [name for flags, _, name in listed if any(_text(f).lower() == "\\sent" for f in flags)]
    names = {name for _, _, name in listed}
    return (flagged or [n for n in SENT_NAMES if n in names] or [""])[0]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _wanted_searches(keyword: str, rules: MailRules) -> list[list[Any]]:
    """``KEYWORD kw`` OR-ed with the rules' header keys (HEADER matches substrings), in chunks."""
    keys: list[list[Any]] = [["KEYWORD", keyword]]
    if rules.compose_markers:
        keys.append(["HEADER", "X-Syncline-Save", ""])      # "" = every message carrying the header
    ids = [("Message-ID", m) for m in rules.message_ids]
    ids += [(h, t) for t in rules.thread_ids for h in ("Message-ID", "In-Reply-To", "References")]
    keys += [["HEADER", header, value.strip().strip("<>")] for header, value in ids if value.strip().strip("<>")]
    return [_any_of(keys[start:start + MAX_RULE_KEYS]) for start in range(0, len(keys), MAX_RULE_KEYS)]


def _any_of(keys: Sequence[list[Any]]) -> list[Any]:
    """A balanced OR tree (IMAP OR takes two keys), so hundreds of keys stay shallow."""
    if len(keys) == 1:
        return list(keys[0])
    middle = len(keys) // 2
    return ["OR", _any_of(keys[:middle]), _any_of(keys[middle:])]


def _email(folder: str, validity: int, uid: int, data: dict[bytes, Any]) -> EmailMessage:
    parsed = parse_message(data.get(b"BODY[]") or b"")
    flags = [f.decode("utf-8", "replace") if isinstance(f, bytes) else str(f) for f in data.get(b"FLAGS", ())]
    modseq = data.get(b"MODSEQ")
    version = str(modseq[0] if isinstance(modseq, (tuple, list)) else modseq) if modseq else "|".join(sorted(flags))
    internal = data.get(b"INTERNALDATE")
    return EmailMessage(
        item_id=mail_item_id(folder, validity, uid), message_id=parsed.message_id or f"<imap-{validity}-{uid}@{folder}>",
        conversation_id=parsed.conversation_id, sender=parsed.sender, to=parsed.to, cc=parsed.cc,
        sent_at=parsed.sent_at, subject=parsed.subject, body_text=parsed.body_text, body_html=parsed.body_html,
        categories=tuple(f for f in flags if not f.startswith("\\")), folder=folder, version=version,
        save_marker=parsed.save_marker,
        modified_at=internal.astimezone(UTC) if internal and internal.tzinfo else None,
        received_at=internal.astimezone(UTC) if internal else None)   # imapclient gives naive local time


def _state(info: dict[bytes, Any]) -> FolderState:
    return FolderState(int(info.get(b"UIDVALIDITY", 0)), int(info.get(b"HIGHESTMODSEQ", 0) or 0),
                       int(info.get(b"UIDNEXT", 0) or 0))


def _by_folder(item_ids: Sequence[str]) -> list[tuple[str, int, list[int]]]:
    groups: dict[tuple[str, int], list[int]] = {}
    for item_id in item_ids:
        folder, validity, uid = split_mail_item_id(item_id)
        groups.setdefault((folder, validity), []).append(uid)
    return [(folder, validity, uids) for (folder, validity), uids in groups.items()]


def _encode_cursor(states: dict[str, FolderState]) -> str:
    raw = {f: [s.uidvalidity, s.modseq, s.uidnext] for f, s in states.items()}
    return "imap1." + base64.urlsafe_b64encode(json.dumps(raw).encode()).decode("ascii")


def _decode_cursor(cursor: str) -> dict[str, FolderState]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.removeprefix("imap1.").encode()))
        return {f: FolderState(*map(int, v)) for f, v in raw.items()}
    except (ValueError, TypeError) as exc:
        raise CursorExpired(f"unreadable IMAP cursor: {exc}") from exc
