"""Graph change-notification subscriptions: create, renew (also reauthorises), delete.

Microsoft Learn, "Create subscription" (POST /subscriptions), "Update subscription" (PATCH
/subscriptions/{id}: a new expirationDateTime renews and reauthorises it), "Delete subscription",
and "subscription resource type" for the maximum lifetime per resource ("Maximum length of
subscription per resource type"): Outlook message, event and personal contact 10,080 minutes
(under 7 days), To Do todoTask 4,230 minutes (under 3 days).
Graph validates ``notificationUrl`` (and ``lifecycleNotificationUrl``) before answering 201.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from app.providers.graph.http import GraphHttp
from app.sync.errors import InvalidData, NotFound
from app.sync.items import FolderKind

CHANGE_TYPES = "created,updated,deleted"
OUTLOOK_MAX = timedelta(minutes=10080)
TODO_MAX = timedelta(minutes=4230)
MARGIN = timedelta(minutes=15)   # ask a little under the maximum: clocks differ, Graph refuses beyond it

# The resource each folder kind subscribes to: one line per kind. ``{folder}`` is the id of the
# folder the kind syncs (the "Salesforce" mail folder, the To Do list), known to its adapter.
RESOURCES: Mapping[FolderKind, tuple[str, timedelta]] = {
    FolderKind.CALENDAR: ("users/{user}/events", OUTLOOK_MAX),
    FolderKind.CONTACTS: ("users/{user}/contactFolders/{folder}/contacts", OUTLOOK_MAX),
    FolderKind.MAIL: ("users/{user}/mailFolders/{folder}/messages", OUTLOOK_MAX),
    FolderKind.TASKS: ("users/{user}/todo/lists/{folder}/tasks", TODO_MAX),
}


@dataclass(frozen=True)
class PushTarget:
    """What one subscription watches, and until when it may be asked to live."""

    kind: FolderKind
    resource: str
    lifetime: timedelta
    change_types: str = CHANGE_TYPES

    def expiry(self, now: datetime) -> datetime:
        return now + self.lifetime - MARGIN


def push_target(kind: FolderKind, user: str, folder: str = "") -> PushTarget:
    """The subscription resource of a folder kind for one user (``folder``: where the template asks one)."""
    template, lifetime = RESOURCES[kind]
    if "{folder}" in template and not folder:
        raise InvalidData(f"a {kind.value} subscription needs the id of the folder it watches")
    return PushTarget(kind, template.format(user=quote(user, safe="@."), folder=quote(folder, safe="")), lifetime)


@dataclass(frozen=True)
class Subscribed:
    subscription_id: str
    expires_at: datetime
    notification_url: str = ""      # where Graph sends its notifications ("" when the answer omits it)


class GraphSubscriptions:
    """The HTTP side only: what to subscribe and the state kept are the service's business."""

    def __init__(self, http: GraphHttp) -> None:
        self.http = http

    def create(self, target: PushTarget, notification_url: str, lifecycle_url: str, client_state: str,
               now: datetime) -> Subscribed:
        body = {"changeType": target.change_types, "notificationUrl": notification_url,
                "lifecycleNotificationUrl": lifecycle_url, "resource": target.resource,
                "expirationDateTime": _stamp(target.expiry(now)), "clientState": client_state}
        answer = self.http.send("POST", "/subscriptions", body, f"subscribe to {target.resource}")
        return _subscribed(answer, target.resource)

    def renew(self, subscription_id: str, target: PushTarget, now: datetime) -> Subscribed:
        """Push the expiry out (and reauthorise); NotFound when Graph no longer has it."""
        answer = self.http.send("PATCH", "/subscriptions/" + quote(subscription_id, safe=""),
                                {"expirationDateTime": _stamp(target.expiry(now))}, "renew a subscription")
        return _subscribed(answer, target.resource)

    def read(self, subscription_id: str, target: PushTarget) -> Subscribed:
        """Graph's copy of the subscription (its notificationUrl); NotFound when Graph no longer has it."""
        answer = self.http.send("GET", "/subscriptions/" + quote(subscription_id, safe=""), None,
                                "read a subscription")
        return _subscribed(answer, target.resource)

    def delete(self, subscription_id: str) -> None:
        """Delete it; one Graph no longer knows is already gone."""
        try:
            self.http.send("DELETE", "/subscriptions/" + quote(subscription_id, safe=""), None,
                           "delete a subscription")
        except NotFound:
            return


def _subscribed(answer: object, what: str) -> Subscribed:
    if not isinstance(answer, dict) or not answer.get("id") or not answer.get("expirationDateTime"):
        raise InvalidData(f"Graph answered a subscription to {what} without an id or expirationDateTime")
    return Subscribed(str(answer["id"]), _parse(str(answer["expirationDateTime"])),
                      str(answer.get("notificationUrl") or ""))


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _parse(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))   # 3.11: up to 7 fraction digits are fine
    return when if when.tzinfo else when.replace(tzinfo=UTC)
