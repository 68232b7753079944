"""The fake's change notifications: subscriptions, their validation, and delivery to the webhook.

Microsoft Learn, "Receive change notifications through webhooks" and "subscription resource
type": creating a subscription first POSTs ``?validationToken=…`` (text/plain) to notificationUrl
and to lifecycleNotificationUrl, and fails unless each answers 200 with the token as the body;
a change is POSTed as ``{"value": [{subscriptionId, clientState, changeType, resource,
resourceData, tenantId, subscriptionExpirationDateTime}]}``; lifecycle events go to the
lifecycle URL. Resources ("Change notifications for Outlook resources", "todoTask resource
type"): ``events``, ``contacts`` or ``contactFolders/{id}/contacts``, ``messages`` or
``mailFolders/{id}/messages`` (also written ``mailFolders('{id}')``), ``todo/lists/{id}/tasks``;
a change notifies every subscription whose resource holds the item. A delegated caller (a user's
token) subscribes to its own mailbox only, as ``me/...`` or ``users/{its id}/...``, and only the
user who created a subscription may renew or delete it ("Create subscription", "Update
subscription": delegated permissions); ``callers`` records who made each request. Delivery runs on a background thread (Graph is asynchronous too; sandbox/webhook_outbox.py); ``drain()``
waits until every queued notification was POSTed, ``deliveries`` records each answer.
"""
from __future__ import annotations

import re
import secrets
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import requests

from sandbox.graph.identity import user_oid
from sandbox.webhook_outbox import Delivery, WebhookOutbox

TENANT_ID = "00000000-0000-0000-0000-0000000c0ff0"
CHANGE_TYPES = frozenset({"created", "updated", "deleted"})
LIFECYCLE_EVENTS = frozenset({"reauthorizationRequired", "subscriptionRemoved", "missed"})
OUTLOOK_MAX, TODO_MAX = timedelta(minutes=10080), timedelta(minutes=4230)
_TYPES = {"events": "#Microsoft.Graph.Event", "contacts": "#Microsoft.Graph.Contact",
          "messages": "#Microsoft.Graph.Message", "tasks": "#microsoft.graph.todoTask"}
_RESOURCE = re.compile(r"^/?(?:(?:users|Users)/(?P<user>[^/]+)|me)/(?P<what>events|contacts|messages|"
                       r"contactFolders/[^/]+/contacts|mailFolders(?:\('[^']+'\)|/[^/]+)/messages|"
                       r"todo/lists/[^/]+/tasks)$")
_QUOTED_FOLDER = re.compile(r"^mailFolders\('([^']+)'\)/")


class Refused(ValueError):
    """A subscription request Graph answers 400 to; ``code`` is Graph's error code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


ACCESS_DENIED = "Operation: {op}; Exception: [Status Code: Forbidden; Reason: Access is denied. Check credentials and try again.]"


@dataclass
class Subscription:
    id: str
    resource: str
    user: str
    change_types: tuple[str, ...]    # as the request listed them
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expires: datetime
    created: datetime
    creator: str | None = None       # the user whose delegated token created it; None: the app
    needs_reauthorization: bool = False

    def shown(self) -> dict[str, Any]:
        return {"id": self.id, "resource": self.resource, "applicationId": "00000000-0000-0000-0000-00000000a991",
                "changeType": ",".join(self.change_types), "clientState": self.client_state,
                "notificationUrl": self.notification_url, "lifecycleNotificationUrl": self.lifecycle_url,
                "expirationDateTime": _stamp(self.expires),
                "creatorId": user_oid(self.creator) if self.creator else "00000000-0000-0000-0000-00000000c4ea",
                "includeResourceData": False, "latestSupportedTlsVersion": "v1_2",
                "encryptionCertificate": None, "encryptionCertificateId": None, "notificationQueryOptions": None}


@dataclass
class PushBook:
    """Every subscription of the fake tenant and the notifications sent for them."""

    clock: Callable[[], datetime]
    ca_file: str | bool = True          # the CA the webhook's TLS certificate is checked against
    allow_http: bool = False            # Graph requires https; a loopback test server may opt out
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    validations: list[str] = field(default_factory=list)   # every URL a validation request went to
    # (method, user or None for the app's token, the resource asked for or the subscription id)
    callers: list[tuple[str, str | None, str]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _outbox: WebhookOutbox = field(init=False)

    def __post_init__(self) -> None:
        self._outbox = WebhookOutbox("graph-fake-push", lambda: self.ca_file)

    @property
    def deliveries(self) -> list[Delivery]:
        return self._outbox.deliveries

    # -- CRUD -----------------------------------------------------------------------------------
    def create(self, body: dict[str, Any], known_user: Callable[[str], bool], caller: str | None = None) -> Subscription:
        """``caller``: the signed-in user of a delegated token (None: an app-only token)."""
        change_types = tuple(c.strip() for c in str(body.get("changeType") or "").split(",") if c.strip())
        resource, url = str(body.get("resource") or ""), str(body.get("notificationUrl") or "")
        lifecycle = body.get("lifecycleNotificationUrl")
        if not change_types or not set(change_types) <= CHANGE_TYPES:
            raise Refused("InvalidRequest", "changeType must be a comma-separated list of created, updated, deleted.")
        match = _RESOURCE.match(resource)
        if not match:
            raise Refused("InvalidRequest", f"Unsupported resource '{resource}'.")
        user = _owner(match.group("user"), caller)
        if not known_user(user):
            raise Refused("ExtensionError", f"The requested user '{user}' is invalid.")
        for link in (url, lifecycle) if lifecycle else (url,):
            self._check_url(str(link))
        client_state = body.get("clientState")
        if client_state is not None and len(str(client_state)) > 128:
            raise Refused("InvalidRequest", "clientState must be at most 128 characters.")
        now = self.clock()
        expires = self._expiry(body.get("expirationDateTime"), match.group("what"), now)
        for link in (url, lifecycle) if lifecycle else (url,):
            self._validate(str(link))
        sub = Subscription(str(uuid.uuid4()), resource, user.lower(), change_types, url,
                           str(lifecycle) if lifecycle else None,
                           str(client_state) if client_state is not None else None, expires, now,
                           caller.lower() if caller else None)
        with self._lock:
            self.subscriptions[sub.id] = sub
        return sub

    def get(self, subscription_id: str) -> Subscription | None:
        with self._lock:
            sub = self.subscriptions.get(subscription_id)
            if sub is not None and sub.expires <= self.clock():
                del self.subscriptions[subscription_id]    # an expired subscription is gone
                return None
            return sub

    def renew(self, subscription_id: str, expiration: Any) -> Subscription | None:
        sub = self.get(subscription_id)
        if sub is None:
            return None
        what = _RESOURCE.match(sub.resource)
        sub.expires = self._expiry(expiration, what.group("what") if what else "events", self.clock())
        sub.needs_reauthorization = False
        return sub

    def delete(self, subscription_id: str) -> bool:
        with self._lock:
            return self.subscriptions.pop(subscription_id, None) is not None

    # -- notifications --------------------------------------------------------------------------
    def changed(self, user: str, folder: str | Sequence[str], item_id: str, change_type: str, etag: str = "") -> None:
        """An item of ``user``'s ``folder`` changed: notify its subscribers. ``folder`` is every
        resource that holds the item, e.g. ``("contacts", "contactFolders/{id}/contacts")``."""
        scopes = {folder} if isinstance(folder, str) else set(folder)
        for sub in self.live():
            match = _RESOURCE.match(sub.resource)
            if (match and sub.user == user.lower() and _scope(match.group("what")) in scopes
                    and change_type in sub.change_types and not sub.needs_reauthorization):
                kind = _scope(match.group("what")).rsplit("/", 1)[-1]
                path = f"Users/{user}/{kind.capitalize()}/{item_id}"
                self._post(sub.notification_url, {
                    "id": secrets.token_urlsafe(9), "subscriptionId": sub.id,
                    "subscriptionExpirationDateTime": _stamp(sub.expires), "clientState": sub.client_state,
                    "changeType": change_type, "resource": path, "tenantId": TENANT_ID,
                    "resourceData": {"@odata.type": _TYPES.get(kind, "#Microsoft.Graph.Entity"), "@odata.id": path,
                                     "@odata.etag": etag, "id": item_id}})

    def lifecycle(self, subscription_id: str, event: str) -> None:
        """What tests trigger: Graph asks to reauthorise, has removed the subscription, or missed changes."""
        if event not in LIFECYCLE_EVENTS:
            raise ValueError(f"unknown lifecycle event {event!r}")
        sub = self.get(subscription_id)
        if sub is None or not sub.lifecycle_url:
            return
        if event == "reauthorizationRequired":
            sub.needs_reauthorization = True
        elif event == "subscriptionRemoved":
            self.delete(subscription_id)
        self._post(sub.lifecycle_url, {"subscriptionId": sub.id, "subscriptionExpirationDateTime": _stamp(sub.expires),
                                       "tenantId": TENANT_ID, "clientState": sub.client_state,
                                       "lifecycleEvent": event})

    def post_raw(self, url: str, notification: dict[str, Any]) -> None:
        """Deliver any notification (e.g. a forged one) the way Graph delivers its own."""
        self._post(url, notification)

    def drain(self, timeout: float = 30) -> None:
        """Wait until every queued notification has been POSTed."""
        self._outbox.drain(timeout)

    # -- internals ------------------------------------------------------------------------------
    def live(self) -> list[Subscription]:
        with self._lock:
            return [s for s in list(self.subscriptions.values()) if self.get(s.id) is not None]

    def _check_url(self, url: str) -> None:
        if not (url.startswith("https://") or (self.allow_http and url.startswith("http://"))):
            raise Refused("InvalidRequest", f"The notification URL '{url}' must use https.")

    def _expiry(self, value: Any, what: str, now: datetime) -> datetime:
        try:
            expires = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise Refused("InvalidRequest", "expirationDateTime is required and must be an ISO 8601 instant.") from None
        longest = TODO_MAX if what.startswith("todo") else OUTLOOK_MAX
        if expires <= now:
            raise Refused("InvalidRequest", "Subscription expiration must be in the future.")
        if expires > now + longest:
            raise Refused("InvalidRequest", f"Subscription expiration can only be {int(longest.total_seconds() // 60)} "
                                            "minutes in the future.")
        return expires

    def _validate(self, url: str) -> None:
        token = "Validation: Testing client application reachability for subscription Request-Id: " + str(uuid.uuid4())
        self.validations.append(url)
        try:
            answer = self._session().post(url, params={"validationToken": token}, data=b"",
                                          headers={"Content-Type": "text/plain; charset=utf-8"}, timeout=10)
        except requests.RequestException:
            raise Refused("InvalidRequest", "Subscription validation request failed. Notification endpoint must "
                                            "respond with 200 OK to validation request.") from None
        if answer.status_code != 200 or answer.text != token:
            raise Refused("InvalidRequest", "Subscription validation request failed. Notification endpoint must "
                                            "respond with 200 OK to validation request.")

    def _post(self, url: str, notification: dict[str, Any]) -> None:
        self._outbox.post(url, {"value": [notification]})

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env, session.verify = False, self.ca_file
        return session


def _owner(named: str | None, caller: str | None) -> str:
    """Whose mailbox a resource is: ``me`` is the caller's; a delegated caller reaches only its own."""
    if named is None and caller is None:
        raise Refused("BadRequest", "/me request is only valid with delegated authentication flow.")
    if caller is not None and named is not None and unquote(named).lower() != caller.lower():
        raise Refused("ExtensionError", ACCESS_DENIED.format(op="Create"), 403)
    return unquote(named) if named is not None else caller


def may_manage(sub: Subscription, caller: str | None) -> bool:
    """A delegated caller renews or deletes only the subscriptions its user created."""
    return caller is None or sub.creator == caller.lower()


def _scope(what: str) -> str:
    """One spelling per resource: ids unquoted, ``mailFolders('x')`` as ``mailFolders/x``."""
    return unquote(_QUOTED_FOLDER.sub(r"mailFolders/\1/", what))


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
