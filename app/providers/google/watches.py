"""Google's push set-up calls for one user, over the mailbox's built services (same guarded transport).

Calendar ("Push notifications" guide, ``events.watch`` / ``channels.stop``): a ``web_hook`` channel
with our id, a random token echoed back in X-Goog-Channel-Token, and ``params.ttl`` in seconds; the
answer's ``resourceId`` names the watched resource and ``expiration`` is epoch milliseconds. Channels
cannot be renewed: a new one replaces the old, which is then stopped.
Gmail (``users.watch`` / ``users.stop``): the org's Pub/Sub topic and the labels to be told about
(``labelFilterBehavior`` include); Google asks for a new watch at least every 7 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.errors import google_error
from app.providers.google.mailbox import GoogleMailbox
from app.sync.errors import InvalidData, NotFound
from app.sync.items import FolderKind


@dataclass(frozen=True)
class Channel:
    channel_id: str
    resource_id: str
    expires_at: datetime


@dataclass(frozen=True)
class GmailWatch:
    history_id: str
    expires_at: datetime


class GoogleWatches:
    """events.watch / channels.stop and users.watch / users.stop for the mailbox's user."""

    def __init__(self, mailbox: GoogleMailbox) -> None:
        self.mailbox = mailbox

    def watch_calendar(self, channel_id: str, token: str, address: str, ttl_seconds: int) -> Channel:
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
                "params": {"ttl": str(ttl_seconds)}}
        made = _run(self._calendar().events().watch(calendarId="primary", body=body), "events.watch", "Calendar")
        return Channel(str(made.get("id") or channel_id), str(made.get("resourceId") or ""),
                       _instant(made.get("expiration")))

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        """Stop a channel; one Google no longer knows (expired, already stopped) counts as stopped."""
        try:
            _run(self._calendar().channels().stop(body={"id": channel_id, "resourceId": resource_id}),
                 "channels.stop", "Calendar")
        except NotFound:
            pass

    def watch_gmail(self, topic: str, label_ids: list[str]) -> GmailWatch:
        body = {"topicName": topic, "labelIds": label_ids, "labelFilterBehavior": "include"}
        made = _run(self._gmail().users().watch(userId="me", body=body), "users.watch", "Gmail")
        return GmailWatch(str(made.get("historyId") or ""), _instant(made.get("expiration")))

    def stop_gmail(self) -> None:
        _run(self._gmail().users().stop(userId="me"), "users.stop", "Gmail")

    def salesforce_label(self) -> str:
        """The Salesforce label's id (created when missing), so a watch can name it."""
        return self._mail()._ensure_label()

    def _calendar(self) -> Any:
        return self.mailbox.folders[FolderKind.CALENDAR].service   # type: ignore[attr-defined]

    def _mail(self) -> Any:
        return self.mailbox.folders[FolderKind.MAIL]

    def _gmail(self) -> Any:
        return self._mail().service


def _run(request: Any, what: str, api: str) -> dict[str, Any]:
    try:
        return dict(request.execute(num_retries=0) or {})
    except HttpError as exc:
        raise google_error(exc, what, api=api) from exc


def _instant(millis: Any) -> datetime:
    """Google's epoch-milliseconds expiration; InvalidData when missing (the watch cannot be trusted)."""
    try:
        return datetime.fromtimestamp(int(str(millis)) / 1000, tz=UTC)
    except (TypeError, ValueError) as exc:
        raise InvalidData(f"Google answered a watch without a usable expiration ({millis!r})") from exc
