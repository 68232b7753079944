"""The fake tenant's mail: folders, messages (with delta), and each user's master categories.

Changes share the calendar's counter: a message's last change and each (folder, message) that
left a folder (moved or deleted) carry a counter value, so a per-folder delta token knows what
happened after it. Ids are immutable (what ``Prefer: IdType="ImmutableId"`` gives): a message
keeps its id when it moves. Shapes: Microsoft Learn "message resource type", "mailFolder
resource type", "outlookCategory resource type".
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sandbox.graph.body_format import body_as
from sandbox.graph.push_kinds import message_changed
from sandbox.graph.store_times import stamp

if TYPE_CHECKING:
    from sandbox.graph.store import GraphStore

Message = dict[str, Any]
WELL_KNOWN = {"msgfolderroot": "Top of Information Store", "inbox": "Inbox", "sentitems": "Sent Items",
              "drafts": "Drafts", "deleteditems": "Deleted Items", "junkemail": "Junk Email", "archive": "Archive"}


@dataclass
class MessageDelta:
    """What a message delta or skip token stands for: one folder's changes after ``since``."""

    user: str
    folder_id: str
    since: int
    select: str = ""
    received_from: str = ""           # the round's ``receivedDateTime ge`` bound ("" when none)
    pending: list[Message] = field(default_factory=list)
    upto: int = 0


@dataclass
class UserMail:
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)      # id → mailFolder
    well_known: dict[str, str] = field(default_factory=dict)             # "inbox" → id
    messages: dict[str, Message] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)             # message id → counter
    left: dict[tuple[str, str], int] = field(default_factory=dict)       # (folder id, message id) → counter
    categories: list[dict[str, str]] = field(default_factory=list)


class MailStore:
    """Mail state of every mailbox of a ``GraphStore`` (its lock and change counter)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.users: dict[str, UserMail] = {}
        self.tokens: dict[str, MessageDelta] = {}
        self.body_reads: list[str] = []      # ids of messages whose body a client fetched, in order

    # -- what a user does in Outlook ----------------------------------------------------------
    def user(self, user: str) -> UserMail | None:
        """The user's mail (folders made on first use); None for a user the tenant does not have."""
        if self.store.mailbox(user) is None:
            return None
        with self.store.lock:
            mail = self.users.get(user.lower())
            if mail is None:
                mail = self.users[user.lower()] = UserMail()
                root = self._new_folder(mail, WELL_KNOWN["msgfolderroot"], "")
                mail.well_known["msgfolderroot"] = root["id"]
                for name, display in WELL_KNOWN.items():
                    if name != "msgfolderroot":
                        mail.well_known[name] = self._new_folder(mail, display, root["id"])["id"]
            return mail

    def folder_id(self, user: str, folder: str) -> str | None:
        """A folder id from an id or a well-known name (``inbox``, ``sentitems``…)."""
        mail = self._mail(user)
        folder_id = mail.well_known.get(folder.lower(), folder)
        return folder_id if folder_id in mail.folders else None

    def create_folder(self, user: str, name: str, parent: str = "msgfolderroot") -> dict[str, Any] | None:
        """A new child folder; None when the parent already has one of that name (409)."""
        with self.store.lock:
            mail = self._mail(user)
            parent_id = self.folder_id(user, parent) or ""
            if any(f["parentFolderId"] == parent_id and f["displayName"].lower() == name.lower()
                   for f in mail.folders.values()):
                return None
            return self._new_folder(mail, name, parent_id)

    def deliver(self, user: str, folder: str = "inbox", *, subject: str = "", sender: str = "",
                to: tuple[str, ...] = (), cc: tuple[str, ...] = (), body: str = "", internet_message_id: str = "",
                conversation_id: str = "", categories: tuple[str, ...] = (), headers: dict[str, str] | None = None,
                sent: datetime | None = None, draft: bool = False, content_type: str = "text") -> Message:
        """A message arriving (or sent, or saved as a draft) in ``folder``; ``body`` is stored as
        ``content_type`` ("text" or "html") and read back in the format a request asks for."""
        with self.store.lock:
            mail = self._mail(user)
            folder_id = self.folder_id(user, folder)
            if folder_id is None:
                raise KeyError(folder)
            when = stamp(sent or self.store.clock())
            message_id = "AAkALgMsg" + uuid.uuid4().hex + uuid.uuid4().hex[:8]
            internet_id = internet_message_id or f"<{uuid.uuid4().hex}@contoso.test>"
            all_headers = {"Message-ID": internet_id, "Subject": subject, "From": sender, **(headers or {})}
            message: Message = {
                "@odata.type": "#microsoft.graph.message", "id": message_id, "createdDateTime": when,
                "receivedDateTime": when, "sentDateTime": when, "hasAttachments": False,
                "internetMessageId": internet_id, "subject": subject, "bodyPreview": body_as({"contentType": content_type, "content": body}, "text")["content"][:255],
                "importance": "normal", "parentFolderId": folder_id,
                "conversationId": conversation_id or "AAQkAD" + uuid.uuid4().hex, "isRead": False, "isDraft": draft,
                "body": {"contentType": content_type, "content": body},
                "sender": _recipient(sender), "from": _recipient(sender),
                "toRecipients": [_recipient(a) for a in to], "ccRecipients": [_recipient(a) for a in cc],
                "bccRecipients": [], "replyTo": [], "categories": list(categories),
                "internetMessageHeaders": [{"name": k, "value": v} for k, v in all_headers.items()],
            }
            self._touch(mail, message)
            mail.messages[message_id] = message
            message_changed(self.store.push, user, mail.well_known, message, "created")
            return message

    def set_categories(self, user: str, message_id: str, categories: list[str]) -> Message:
        with self.store.lock:
            mail = self._mail(user)
            message = mail.messages[message_id]
            message["categories"] = list(categories)
            self._touch(mail, message)
            message_changed(self.store.push, user, mail.well_known, message, "updated")
            return message

    def move(self, user: str, message_id: str, folder: str) -> Message:
        """Move a message (its immutable id stays): it leaves the old folder's delta, joins the new one's."""
        with self.store.lock:
            mail = self._mail(user)
            message = mail.messages[message_id]
            target = self.folder_id(user, folder)
            if target is None:
                raise KeyError(folder)
            mail.left[(message["parentFolderId"], message_id)] = next(self.store.counter)
            message_changed(self.store.push, user, mail.well_known, message, "deleted")
            message["parentFolderId"] = target
            self._touch(mail, message)
            message_changed(self.store.push, user, mail.well_known, message, "created")
            return message

    def delete(self, user: str, message_id: str) -> None:
        with self.store.lock:
            mail = self._mail(user)
            message = mail.messages.pop(message_id)
            mail.changed_at.pop(message_id, None)
            mail.left[(message["parentFolderId"], message_id)] = next(self.store.counter)
            message_changed(self.store.push, user, mail.well_known, message, "deleted")

    def add_category(self, user: str, name: str, color: str = "preset0") -> dict[str, str] | None:
        """A master category; None when the name is taken (names are unique, case-insensitively)."""
        with self.store.lock:
            mail = self._mail(user)
            if any(c["displayName"].lower() == name.lower() for c in mail.categories):
                return None
            category = {"id": str(uuid.uuid4()), "displayName": name, "color": color}
            mail.categories.append(category)
            return category

    def expire_delta_tokens(self) -> None:
        """Every message delta/skip token issued so far answers 410 (the sync state is gone)."""
        with self.store.lock:
            self.tokens.clear()

    # -- delta --------------------------------------------------------------------------------
    def collect(self, state: MessageDelta) -> list[Message]:
        """The folder's messages changed after ``state.since`` and ``@removed`` for those that left."""
        with self.store.lock:
            mail = self._mail(state.user)
            out: list[Message] = []
            for message_id, seq in sorted(mail.changed_at.items(), key=lambda kv: kv[1]):
                message = mail.messages[message_id]
                if seq > state.since and message["parentFolderId"] == state.folder_id and (
                        not state.received_from or instant(message["receivedDateTime"]) >= instant(state.received_from)):
                    out.append(dict(message))
            if state.since:
                out += [{"@odata.type": "#microsoft.graph.message", "id": message_id,
                         "@removed": {"reason": "deleted"}}
                        for (folder_id, message_id), seq in sorted(mail.left.items(), key=lambda kv: kv[1])
                        if folder_id == state.folder_id and seq > state.since]
            state.upto = next(self.store.counter)
            return out

    def keep(self, state: MessageDelta) -> str:
        token = secrets.token_urlsafe(18)
        with self.store.lock:
            self.tokens[token] = state
        return token

    def find(self, token: str) -> MessageDelta | None:
        with self.store.lock:
            return self.tokens.get(token)

    # -- helpers ------------------------------------------------------------------------------
    def _mail(self, user: str) -> UserMail:
        mail = self.user(user)
        if mail is None:
            raise KeyError(user)
        return mail

    def _new_folder(self, mail: UserMail, name: str, parent_id: str) -> dict[str, Any]:
        folder = {"id": "AAMkFolder" + uuid.uuid4().hex, "displayName": name, "parentFolderId": parent_id,
                  "childFolderCount": 0, "unreadItemCount": 0, "totalItemCount": 0, "sizeInBytes": 0,
                  "isHidden": False}
        mail.folders[folder["id"]] = folder
        if parent_id in mail.folders:
            mail.folders[parent_id]["childFolderCount"] += 1
        return folder

    def _touch(self, mail: UserMail, message: Message) -> None:
        message["changeKey"] = secrets.token_urlsafe(12)
        message["lastModifiedDateTime"] = stamp(self.store.clock())
        message["@odata.etag"] = f'W/"{message["changeKey"]}"'
        mail.changed_at[message["id"]] = next(self.store.counter)


def _recipient(address: str) -> dict[str, Any]:
    return {"emailAddress": {"name": address.split("@")[0], "address": address}}


def instant(text: str) -> datetime:
    """An ISO 8601 instant as Graph writes it ("…Z", with or without fractions) or a filter holds it."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
