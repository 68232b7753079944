"""Per-user quota accounting for every Google call, before it is sent.

Gmail counts **quota units** per method ("Usage limits", Gmail API reference: 15,000 units per user
per minute, ``userRateLimitExceeded`` beyond); Calendar, People and Tasks count requests per user
per minute (console quotas the admin may change, hence configurable). A batch counts as each of its
parts, never as one request (Gmail and Calendar batch guides), so its parts are read from the body.
The budgets themselves live outside the adapter (it holds no storage): the service layer passes one
shared per user and API (``app/state/request_gate.py``); ``spend`` refuses with the core's
TemporaryFailure and ``retry_after``. A short wait is slept here (bounded); a longer one ends the
session, which resumes at that time - items are never failed for it.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

from app.sync.errors import TemporaryFailure

GMAIL_UNITS_PER_MINUTE = 15_000          # Google's per-user limit
MAX_WAIT_SECONDS = 15.0                  # a spent budget freeing sooner than this is waited for in the session
DEFAULT_GMAIL_UNITS = 5                  # a Gmail method missing from the table: the common cost

# Gmail's published per-method costs (developers.google.com/gmail/api/reference/quota).
GMAIL_UNITS: Mapping[str, int] = {
    "getProfile": 1, "watch": 100, "stop": 50, "history.list": 2,
    "labels.create": 5, "labels.delete": 5, "labels.get": 1, "labels.list": 1, "labels.update": 5, "labels.patch": 5,
    "messages.attachments.get": 5, "messages.batchDelete": 50, "messages.batchModify": 50, "messages.delete": 10,
    "messages.get": 5, "messages.import": 25, "messages.insert": 25, "messages.list": 5, "messages.modify": 5,
    "messages.send": 100, "messages.trash": 5, "messages.untrash": 5,
    "threads.delete": 20, "threads.get": 10, "threads.list": 10, "threads.modify": 10, "threads.trash": 10,
    "threads.untrash": 10,
    "drafts.create": 10, "drafts.delete": 10, "drafts.get": 5, "drafts.list": 5, "drafts.send": 100,
    "drafts.update": 15,
}

# (HTTP method, path under users/{userId}/) -> Gmail method id; the first match wins.
_GMAIL_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (verb, re.compile(pattern + r"$"), name) for verb, pattern, name in (
        ("GET", r"profile", "getProfile"), ("POST", r"watch", "watch"), ("POST", r"stop", "stop"),
        ("GET", r"history", "history.list"),
        ("GET", r"labels", "labels.list"), ("POST", r"labels", "labels.create"),
        ("GET", r"labels/[^/]+", "labels.get"), ("PUT", r"labels/[^/]+", "labels.update"),
        ("PATCH", r"labels/[^/]+", "labels.patch"), ("DELETE", r"labels/[^/]+", "labels.delete"),
        ("GET", r"messages", "messages.list"), ("POST", r"messages", "messages.insert"),
        ("POST", r"messages/(import|send|batchModify|batchDelete)", "messages.{0}"),
        ("GET", r"messages/[^/]+/attachments/[^/]+", "messages.attachments.get"),
        ("GET", r"messages/[^/]+", "messages.get"), ("DELETE", r"messages/[^/]+", "messages.delete"),
        ("POST", r"messages/[^/]+/(modify|trash|untrash)", "messages.{0}"),
        ("GET", r"threads", "threads.list"), ("GET", r"threads/[^/]+", "threads.get"),
        ("DELETE", r"threads/[^/]+", "threads.delete"),
        ("POST", r"threads/[^/]+/(modify|trash|untrash)", "threads.{0}"),
        ("GET", r"drafts", "drafts.list"), ("POST", r"drafts", "drafts.create"), ("POST", r"drafts/send", "drafts.send"),
        ("GET", r"drafts/[^/]+", "drafts.get"), ("PUT", r"drafts/[^/]+", "drafts.update"),
        ("DELETE", r"drafts/[^/]+", "drafts.delete"),
    ))
_GMAIL_USER_PATH = re.compile(r"/gmail/v1/users/[^/]+/(.*)")
_PART_REQUEST_LINE = re.compile(rb"^(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP/1\.1\r?$", re.MULTILINE)
_PEOPLE_PATH = re.compile(r"/v1/(people|contactGroups|otherContacts)\b")


class Budget(Protocol):
    """One user's budget at one API, shared by every process (``RedisRequestGate`` is one)."""

    def spend(self, requests: int) -> None:
        """Count ``requests`` units; raise TemporaryFailure (``retry_after`` set) when they do not fit."""


def gmail_method(verb: str, path: str) -> str | None:
    """The Gmail method id (``messages.get``) a request path names; None when it is not Gmail's."""
    found = _GMAIL_USER_PATH.search(path)
    if not found:
        return None
    rest = found.group(1).rstrip("/")
    for route_verb, pattern, name in _GMAIL_ROUTES:
        match = pattern.match(rest) if route_verb == verb.upper() else None
        if match:
            return name.format(*match.groups())
    return "unknown"


def request_cost(verb: str, url: str) -> tuple[str, int]:
    """(api, units) of one request: Gmail by its published method cost, the other APIs one each."""
    path = urlsplit(url).path
    method = gmail_method(verb, path)
    if method is not None:
        return "gmail", GMAIL_UNITS.get(method, DEFAULT_GMAIL_UNITS)
    if "/calendar/v3/" in path:
        return "calendar", 1
    if "/tasks/v1/" in path:
        return "tasks", 1
    if _PEOPLE_PATH.search(path):
        return "people", 1
    return "other", 1


def is_batch(url: str) -> bool:
    """Gmail's ``/batch`` (or ``/batch/gmail/v1``), Calendar's ``/batch/calendar/v3``, People's…"""
    path = urlsplit(url).path.rstrip("/")
    return path.endswith("/batch") or "/batch/" in path


def batch_costs(body: Any) -> Counter[str]:
    """Units per API of a ``multipart/mixed`` batch body: each part counts as the request it carries."""
    raw = body.encode() if isinstance(body, str) else bytes(body or b"")
    costs: Counter[str] = Counter()
    for verb, target in _PART_REQUEST_LINE.findall(raw):
        api, units = request_cost(verb.decode(), target.decode("latin-1"))
        costs[api] += units
    return costs


class GoogleQuota:
    """Charges each call to its user's budgets before it goes out; ``spent`` counts units per API.

    APIs without a budget in ``budgets`` are counted, not limited."""

    def __init__(self, budgets: Mapping[str, Budget] | None = None, max_wait: float = MAX_WAIT_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.budgets, self.max_wait, self.sleep = dict(budgets or {}), max_wait, sleep
        self.spent: Counter[str] = Counter()

    def charge(self, verb: str, url: str, body: Any = None) -> None:
        """Spend what this request costs; may sleep up to ``max_wait`` once, else raises TemporaryFailure."""
        costs = batch_costs(body) if verb.upper() == "POST" and is_batch(url) else Counter(dict([request_cost(verb, url)]))
        for api, units in costs.items():
            self._spend(api, units)
            self.spent[api] += units

    def _spend(self, api: str, units: int) -> None:
        budget = self.budgets.get(api)
        if budget is None or units <= 0:
            return
        try:
            budget.spend(units)
        except TemporaryFailure as exc:
            wait = exc.retry_after or 0.0
            if not 0 < wait <= self.max_wait:
                raise
            self.sleep(wait)
            budget.spend(units)       # still spent: the session yields with the new retry time
