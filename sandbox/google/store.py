"""The fake's state: service accounts with domain-wide delegation, users' primary calendars, sync
tokens, quota errors and the outbox of mail Google would send.

Events are stored as Calendar v3 ``Event`` resources. A recurring series is its master plus
exception events (``recurringEventId`` + ``originalStartTime``); a deleted event or instance stays
as a ``status: cancelled`` tombstone so sync tokens can report it (as Google does).
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.google.gmail_store import GMAIL_SCOPES, GmailStore
from sandbox.google.guests import guest_copy, guests_in_domain
from sandbox.google.push import PushBook
from sandbox.google.times import expand, instance_suffix, instant, rfc3339
from sandbox.google.user_oauth import UserOAuthState

CALENDAR_SCOPES = frozenset({"https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.events"})
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")   # base32hex, as events.insert documents for client-chosen ids
NOTIFYING = ("all", "externalOnly")


class ApiError(Exception):
    """A Calendar API error: HTTP status, the ``errors[].reason`` and the message Google sends."""

    def __init__(self, status: int, reason: str, message: str, domain: str = "global",
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.domain = status, reason, message, domain
        self.retry_after = retry_after       # seconds, sent as a Retry-After header when set


@dataclass
class ServiceAccount:
    client_email: str
    client_id: str
    public_key: Any
    scopes: frozenset[str]          # what the Workspace admin granted to this client id


@dataclass
class Calendar:
    owner: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)


class GoogleStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.accounts: dict[str, ServiceAccount] = {}
        self.calendars: dict[str, Calendar] = {}
        self.tokens: dict[str, tuple[str, frozenset[str]]] = {}
        self.outbox: list[dict[str, Any]] = []
        self.writes: list[dict[str, Any]] = []       # every write's method and sendUpdates, for tests
        self.requests = 0
        self.token_requests = 0
        self.batches = 0                             # batch requests received (each of ≤ 50 parts)
        self.sync_epoch = 0
        self.throttle_left, self.throttle_status, self.throttle_match = 0, 429, ""
        self.throttle_reason, self.throttle_retry_after, self.throttle_after = "rateLimitExceeded", None, 0
        self.throttled = 0                           # quota errors answered
        self.latency = 0.0                           # seconds added to every HTTP call (a batch is one call)
        self._seq = itertools.count(1)
        self.last_seq = 0
        from sandbox.google.contacts_store import ContactBooks  # it imports ApiError from here
        self.contacts = ContactBooks()               # People API state
        self.user_oauth = UserOAuthState()          # per-user OAuth clients and grants (user_oauth.py)
        self.push = PushBook()                       # watch channels, Gmail watches, Pub/Sub pushes (push.py)
        self.gmail = GmailStore(self.lock, on_change=self.push.gmail_changed)
        from sandbox.google.tasks_store import TaskLists  # it imports ApiError from here
        self.tasks = TaskLists(self.lock)            # Tasks API state (tasks_app.py)

    # --- directory -------------------------------------------------------------------------------
    def register_service_account(self, email: str = "syncline@project.iam.gserviceaccount.com",
                                 scopes: frozenset[str] = CALENDAR_SCOPES | GMAIL_SCOPES, token_uri: str = "") -> dict[str, Any]:
        """A new key for ``email`` (the JSON Google's console downloads); the admin granted ``scopes``."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        client_id = str(100000000000000000000 + len(self.accounts))
        key_id = secrets.token_hex(20)
        with self.lock:
            self.accounts[email] = ServiceAccount(email, client_id, key.public_key(), scopes)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return {"type": "service_account", "project_id": "project", "private_key_id": key_id, "private_key": pem,
                "client_email": email, "client_id": client_id, "token_uri": token_uri or "https://oauth2.googleapis.com/token",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth", "universe_domain": "googleapis.com"}

    def revoke_service_account(self, email: str) -> None:
        with self.lock:
            self.accounts.pop(email, None)

    def add_user(self, email: str) -> str:
        with self.lock:
            self.calendars.setdefault(email.lower(), Calendar(email.lower()))
        return email.lower()

    def issue_token(self, user: str, scopes: frozenset[str]) -> str:
        token = "ya29." + secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = (user, scopes)
        return token

    # --- quota and sync tokens -------------------------------------------------------------------
    def admit(self, authorization: str, scopes: frozenset[str], method: str = "", path: str = ""
              ) -> tuple[str, ApiError | None]:
        """One API call counted, then (its user, None) - or the refusal Google sends: the injected quota
        error, 401 for a missing or unknown bearer token, 403 when the token lacks every one of ``scopes``."""
        with self.lock:
            refusal = self.quota_refusal(method=method, path=path)
        if refusal is not None:
            return "", refusal
        user, granted = self.tokens.get(authorization.removeprefix("Bearer ").strip(), ("", frozenset()))
        if not authorization.startswith("Bearer ") or not user:
            return "", ApiError(401, "authError", "Invalid Credentials")
        if not granted & scopes:
            return "", ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")
        return user, None

    def throttle(self, count: int, status: int = 429, reason: str = "rateLimitExceeded",
                 retry_after: int | None = None, after: int = 0, match: str = "") -> None:
        """``count`` API calls (batch parts included), once ``after`` more have been answered, answer ``status``
        (403 or 429) with ``reason`` (``rateLimitExceeded``/``userRateLimitExceeded``) and Retry-After if given;
        with ``match`` (e.g. ``"POST /calendar/v3/"``), only calls whose ``METHOD /path`` starts so count."""
        with self.lock:
            self.throttle_left, self.throttle_status, self.throttle_after = count, status, after
            self.throttle_reason, self.throttle_retry_after, self.throttle_match = reason, retry_after, match

    def quota_refusal(self, message: str = "Rate Limit Exceeded", method: str = "", path: str = ""
                      ) -> ApiError | None:
        """Counts one API call; the quota error it must answer while a throttle lasts (caller holds the lock)."""
        self.requests += 1
        if not f"{method} {path}".startswith(self.throttle_match):
            return None
        if self.throttle_after > 0:
            self.throttle_after -= 1
            return None
        if self.throttle_left <= 0:
            return None
        self.throttle_left -= 1
        self.throttled += 1
        return ApiError(self.throttle_status, self.throttle_reason, message, "usageLimits", self.throttle_retry_after)

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.sync_epoch += 1

    # --- events ------------------------------------------------------------------------------------
    def calendar(self, user: str) -> Calendar:
        try:
            return self.calendars[user.lower()]
        except KeyError:
            raise ApiError(404, "notFound", "Not Found") from None

    def insert_event(self, user: str, body: dict[str, Any], send_updates: str | None = None) -> dict[str, Any]:
        with self.lock:
            cal = self.calendar(user)
            event_id = str(body.get("id") or secrets.token_hex(13))
            if not EVENT_ID.match(event_id):
                raise ApiError(400, "invalid", "Invalid resource id value.")
            if event_id in cal.events:
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
            _check_times(body)
            event = {k: v for k, v in body.items() if k in WRITABLE}
            event.update(kind="calendar#event", id=event_id, status=body.get("status") or "confirmed",
                         iCalUID=str(body.get("iCalUID") or f"{event_id}@google.com"),
                         created=rfc3339(datetime.now(UTC)), organizer={"email": cal.owner, "self": True},
                         creator={"email": cal.owner, "self": True}, sequence=0)
            self._touch(cal, event)
            self._mail(cal, "invitation", event, send_updates)
            return _public(event)

    def get_event(self, user: str, event_id: str) -> dict[str, Any]:
        with self.lock:
            return _public(self._find(self.calendar(user), event_id, materialise=False))

    def patch_event(self, user: str, event_id: str, body: dict[str, Any], if_match: str | None,
                    send_updates: str | None, replace: bool = False) -> dict[str, Any]:
        with self.lock:
            cal = self.calendar(user)
            event = self._find(cal, event_id, materialise=True)
            _check_match(event, if_match)
            if replace:
                for key in [k for k in event if k in WRITABLE]:
                    event.pop(key)
            event.update({k: v for k, v in body.items() if k in WRITABLE})
            _check_times(event)
            event["sequence"] = int(event.get("sequence") or 0) + 1
            self._touch(cal, event)
            self._mail(cal, "update", event, send_updates)
            return _public(event)

    def delete_event(self, user: str, event_id: str, if_match: str | None, send_updates: str | None) -> None:
        with self.lock:
            cal = self.calendar(user)
            event = self._find(cal, event_id, materialise=True)
            if event.get("status") == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            _check_match(event, if_match)
            event["status"] = "cancelled"
            self._touch(cal, event)
            self._mail(cal, "cancellation", event, send_updates)
            if event.get("recurrence"):   # the whole series goes: its exceptions too
                for child in cal.events.values():
                    if child.get("recurringEventId") == event["id"] and child.get("status") != "cancelled":
                        child["status"] = "cancelled"
                        self._touch(cal, child)

    def instances(self, user: str, event_id: str, low: datetime, high: datetime,
                  show_deleted: bool) -> list[dict[str, Any]]:
        """The series' instances in [low, high): exceptions as stored, the rest generated from the master."""
        with self.lock:
            cal = self.calendar(user)
            master = cal.events.get(event_id)
            if master is None or not master.get("recurrence"):
                raise ApiError(404, "notFound", "Not Found")
            if master.get("status") == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            out = []
            for original in expand(master, low, high):
                event = cal.events.get(self._instance_id(master, original)) or self._instance(master, original)
                if event.get("status") != "cancelled" or show_deleted:
                    out.append(_public(event))
            return out

    def changed(self, user: str, since: int) -> list[dict[str, Any]]:
        with self.lock:
            return [_public(e) for e in sorted(self.calendar(user).events.values(), key=lambda e: e["_seq"])
                    if e["_seq"] > since]

    def listing(self, user: str, show_deleted: bool, low: datetime | None, high: datetime | None,
                private_property: tuple[str, str] | None, ical_uid: str | None) -> list[dict[str, Any]]:
        """events.list without a sync token (singleEvents=false): masters, single events and exceptions."""
        with self.lock:
            out = []
            for event in sorted(self.calendar(user).events.values(), key=lambda e: e["id"]):
                if event.get("status") == "cancelled" and not show_deleted:
                    continue
                if private_property and ((event.get("extendedProperties") or {}).get("private") or {}).get(
                        private_property[0]) != private_property[1]:
                    continue
                if ical_uid and event.get("iCalUID") != ical_uid:
                    continue
                if not _overlaps(event, low, high):
                    continue
                out.append(_public(event))
            return out

    # --- internals -------------------------------------------------------------------------------
    def _touch(self, cal: Calendar, event: dict[str, Any]) -> None:
        seq = next(self._seq)
        self.last_seq = seq
        event["_seq"] = seq
        event["updated"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        event["etag"] = '"' + hashlib.sha1(f"{event['id']}:{seq}".encode()).hexdigest()[:16] + '"'
        cal.events[event["id"]] = event
        self.push.calendar_changed(cal.owner)
        if (event.get("organizer") or {}).get("email", cal.owner) == cal.owner:
            self._share(cal, event)

    def _share(self, cal: Calendar, event: dict[str, Any]) -> None:
        """The organiser's write reaches the copies in the guests' calendars (guests.py)."""
        for guest in guests_in_domain(event, cal.owner, set(self.calendars)):
            theirs = self.calendars[guest]
            self._touch(theirs, guest_copy(event, cal.owner, guest, theirs.events.get(event["id"])))

    def _find(self, cal: Calendar, event_id: str, materialise: bool) -> dict[str, Any]:
        """A stored event, or an instance id (``{series}_{stamp}``) the series generates."""
        if event_id in cal.events:
            return cal.events[event_id]
        series_id, _, stamp = event_id.rpartition("_")
        master = cal.events.get(series_id)
        if master and master.get("recurrence") and master.get("status") != "cancelled":
            all_day = "date" in (master.get("start") or {})
            first = instant(master.get("start"))
            assert first is not None
            for original in expand(master, first, first + timedelta(days=3660)):
                if instance_suffix(original, all_day) == stamp:
                    instance = self._instance(master, original)
                    if materialise:
                        self._touch(cal, instance)
                    return instance
        raise ApiError(404, "notFound", "Not Found")

    def _instance_id(self, master: dict[str, Any], original: datetime) -> str:
        return f"{master['id']}_{instance_suffix(original, 'date' in (master.get('start') or {}))}"

    def _instance(self, master: dict[str, Any], original: datetime) -> dict[str, Any]:
        start = master.get("start") or {}
        span = (instant(master.get("end")) or original) - (instant(start) or original)
        zone = start.get("timeZone")
        if "date" in start:
            times = {"start": {"date": original.date().isoformat()},
                     "end": {"date": (original + span).date().isoformat()}}
            origin: dict[str, Any] = {"date": original.date().isoformat()}
        else:
            times = {"start": {"dateTime": original.isoformat(), "timeZone": zone},
                     "end": {"dateTime": (original + span).isoformat(), "timeZone": zone}}
            origin = {"dateTime": original.isoformat(), "timeZone": zone}
        event = {k: v for k, v in master.items() if k not in ("recurrence", "id", "_seq")}
        event.update(times, id=self._instance_id(master, original), recurringEventId=master["id"],
                     originalStartTime=origin, _seq=master["_seq"])
        return event

    def _mail(self, cal: Calendar, what: str, event: dict[str, Any], send_updates: str | None) -> None:
        """Google mails the guests when the caller asks it to (``sendUpdates`` all / externalOnly)."""
        self.writes.append({"what": what, "event": event["id"], "sendUpdates": send_updates})
        if send_updates not in NOTIFYING:
            return
        for guest in event.get("attendees") or ():
            email = str(guest.get("email") or "").lower()
            if email and email != cal.owner and not guest.get("resource"):
                self.outbox.append({"from": cal.owner, "to": email, "kind": what, "event": event["id"],
                                    "summary": event.get("summary", "")})


WRITABLE = frozenset({"summary", "description", "location", "start", "end", "recurrence", "attendees", "transparency",
                      "visibility", "extendedProperties", "status", "colorId", "reminders", "iCalUID", "originalStartTime",
                      "recurringEventId", "guestsCanModify", "eventType"})


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _check_match(event: dict[str, Any], if_match: str | None) -> None:
    if if_match and if_match != "*" and if_match != event.get("etag"):
        raise ApiError(412, "conditionNotMet", "Precondition Failed")


def _check_times(event: dict[str, Any]) -> None:
    start, end = event.get("start") or {}, event.get("end") or {}
    if not (start.get("dateTime") or start.get("date")) or not (end.get("dateTime") or end.get("date")):
        raise ApiError(400, "required", "Missing end time." if start else "Missing start time.")
    if event.get("recurrence") and start.get("dateTime") and not start.get("timeZone"):
        raise ApiError(400, "invalid", "Missing time zone definition for start time.")
    first, last = instant(start), instant(end)
    if first and last and last < first:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")


def _overlaps(event: dict[str, Any], low: datetime | None, high: datetime | None) -> bool:
    if low is None and high is None:
        return True
    low = low or datetime.min.replace(tzinfo=UTC)
    high = high or datetime.max.replace(tzinfo=UTC)
    if event.get("recurrence"):
        return bool(expand(event, low, high, limit=1))
    start, end = instant(event.get("start")), instant(event.get("end"))
    if start is None or end is None:    # a cancelled instance tombstone carries only its original start
        start = end = instant(event.get("originalStartTime"))
    return start is None or (start < high and end > low) or start == end == low


def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode().rstrip("=")


def decode_token(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None
