"""The fake's Gmail state: per-user labels, messages (MIME payloads as ``users.messages.get`` returns
them) and a mailbox-wide history whose ids only grow.

Shapes follow the Gmail API reference (``users.messages``, ``users.labels``, ``users.history``):
a history record is ``{id, messages, messagesAdded | labelsAdded}``; ``history.list`` answers 404
for a ``startHistoryId`` older than the records kept ("typically valid for at least a week, but in
some rare circumstances may be valid for only a few hours") - ``forget_history`` makes that happen.
"""
from __future__ import annotations

import base64
import itertools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT")
READ_SCOPES = frozenset({"https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.modify",
                         "https://mail.google.com/"})
LABEL_SCOPES = frozenset({"https://www.googleapis.com/auth/gmail.labels", "https://www.googleapis.com/auth/gmail.modify",
                          "https://mail.google.com/"})
GMAIL_SCOPES = frozenset({"https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.labels"})

GMAIL_ID = re.compile(r"[0-9a-f]{1,16}")     # Gmail API ids: unpadded hex of a 64-bit number


class GmailError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


@dataclass
class GmailBox:
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)      # id → Label resource
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)    # id → full Message resource
    history: list[dict[str, Any]] = field(default_factory=list)
    floor: int = 0                     # start ids below this are no longer kept (404)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class GmailStore:
    """Every user's Gmail; ``history_id`` is shared so ids grow across the whole fake, as Google's do."""

    def __init__(self, lock: Any, on_change: Callable[[str, list[str], int], None] | None = None) -> None:
        self.lock, self.on_change = lock, on_change     # on_change(user, message's labelIds, historyId): push
        self.boxes: dict[str, GmailBox] = {}
        self._ids = itertools.count(1000)
        self.history_id = 5000
        self.gets: list[tuple[str, str]] = []          # (message id, format) of every messages.get, for tests

    def box(self, user: str) -> GmailBox:
        with self.lock:
            box = self.boxes.setdefault(user.lower(), GmailBox())
            for name in SYSTEM_LABELS:
                box.labels.setdefault(name, {"id": name, "name": name, "type": "system"})
            return box

    def _next_history(self) -> int:
        self.history_id += 1
        return self.history_id

    # --- labels -------------------------------------------------------------------------------------
    def create_label(self, user: str, body: dict[str, Any]) -> dict[str, Any]:
        name = str(body.get("name") or "").strip()
        if not name:
            raise GmailError(400, "invalidArgument", "Invalid label name")
        with self.lock:
            box = self.box(user)
            if any(label["name"].lower() == name.lower() for label in box.labels.values()):
                raise GmailError(409, "duplicate", "Label name exists or conflicts")
            label_id = f"Label_{next(self._ids)}"
            box.labels[label_id] = {"id": label_id, "name": name, "type": "user",
                                    "messageListVisibility": body.get("messageListVisibility", "show"),
                                    "labelListVisibility": body.get("labelListVisibility", "labelShow")}
            return box.labels[label_id]

    def label_id(self, user: str, name: str) -> str:
        box = self.box(user)
        found = [i for i, label in box.labels.items() if label["name"].lower() == name.lower()]
        return found[0] if found else self.create_label(user, {"name": name})["id"]

    # --- messages -----------------------------------------------------------------------------------
    def add_message(self, user: str, headers: dict[str, str], text: str = "", html: str = "",
                    labels: tuple[str, ...] = ("INBOX",), thread_id: str | None = None,
                    sent_at: datetime | None = None) -> dict[str, Any]:
        """A delivered (or sent) message; ``labels`` are names (a user label is created when missing)."""
        with self.lock:
            box = self.box(user)
            message_id = format(secrets.randbits(60) | 1 << 60, "x")     # unpadded hex, as Gmail's ids are
            when = sent_at or datetime.now(UTC)
            parts = [p for p in (("text/plain", text), ("text/html", html)) if p[1]]
            all_headers = [{"name": k, "value": v} for k, v in headers.items()]
            all_headers.append({"name": "Date", "value": when.strftime("%a, %d %b %Y %H:%M:%S +0000")})
            payload: dict[str, Any] = {"partId": "", "mimeType": "multipart/alternative", "filename": "",
                                       "headers": all_headers, "body": {"size": 0},
                                       "parts": [{"partId": str(n), "mimeType": mime, "filename": "",
                                                  "headers": [{"name": "Content-Type", "value": mime + "; charset=UTF-8"}],
                                                  "body": {"size": len(data.encode()), "data": _b64(data)}}
                                                 for n, (mime, data) in enumerate(parts)]}
            history_id = self._next_history()
            message = {"id": message_id, "threadId": thread_id or message_id,
                       "labelIds": [self.label_id(user, name) for name in labels], "snippet": text[:100],
                       "historyId": str(history_id), "internalDate": str(int(when.timestamp() * 1000)),
                       "sizeEstimate": len(text) + len(html) + 200, "payload": payload}
            box.messages[message_id] = message
            box.history.append({"id": history_id, "type": "messageAdded", "message": message_id,
                                "labelIds": list(message["labelIds"])})
            self._changed(user, message, history_id)
            return message

    def add_labels(self, user: str, message_id: str, names: tuple[str, ...]) -> None:
        """``messages.modify`` adding labels (what a user does tagging a message for Salesforce)."""
        with self.lock:
            box = self.box(user)
            message = box.messages[message_id]
            added = [i for i in (self.label_id(user, n) for n in names) if i not in message["labelIds"]]
            message["labelIds"] += added
            history_id = self._next_history()
            message["historyId"] = str(history_id)
            box.history.append({"id": history_id, "type": "labelAdded", "message": message_id, "labelIds": added})
            self._changed(user, message, history_id)

    def _changed(self, user: str, message: dict[str, Any], history_id: int) -> None:
        if self.on_change is not None:
            self.on_change(user.lower(), list(message["labelIds"]), history_id)

    def forget_history(self, user: str) -> None:
        """Drop every history record kept so far: older start ids now answer 404."""
        with self.lock:
            box = self.box(user)
            box.floor, box.history = self.history_id + 1, []
            self.history_id += 1

    def message(self, user: str, message_id: str) -> dict[str, Any]:
        if not GMAIL_ID.fullmatch(message_id):   # e.g. the web UI's opaque "FMfcgz…" ids
            raise GmailError(400, "invalidArgument", "Invalid id value")
        found = self.box(user).messages.get(message_id)
        if found is None:
            raise GmailError(404, "notFound", "Requested entity was not found.")
        return found

    def history_since(self, user: str, start: int, label: str | None, types: set[str]) -> list[dict[str, Any]]:
        """History records after ``start`` as ``history.list`` renders them; 404 when ``start`` is too old."""
        box = self.box(user)
        if start < box.floor:
            raise GmailError(404, "notFound", "Requested entity was not found.")
        out = []
        for record in box.history:
            message = box.messages.get(record["message"])
            if record["id"] <= start or message is None or record["type"] not in types:
                continue
            if label and label not in message["labelIds"]:
                continue
            brief = {"id": message["id"], "threadId": message["threadId"], "labelIds": list(message["labelIds"])}
            change = ({"messagesAdded": [{"message": brief}]} if record["type"] == "messageAdded"
                      else {"labelsAdded": [{"message": brief, "labelIds": record["labelIds"]}]})
            out.append({"id": str(record["id"]), "messages": [brief], **change})
        return out
