"""The fake's Outlook limits: 4 concurrent requests per mailbox, and injectable latency for benches.

Microsoft Learn, "Microsoft Graph service-specific throttling limits" (Outlook service limits):
4 concurrent requests per app and mailbox; beyond that the request answers 429 with Retry-After
and code ``ApplicationThrottled``, message "Application is over its MailboxConcurrency limit."
(the wording Microsoft Q&A threads 734143 and 1660054 quote). Graph dispatches up to four
requests of a ``$batch`` to Outlook at once, so a batch holds ``min(n, 4)`` of its mailbox's slots
while it runs. The highest concurrency each mailbox saw is kept for tests and benches.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from flask import Flask, Response, request

GRAPH = "/v1.0"
MAILBOX_CONCURRENCY = 4
_USER = re.compile(r"^/?(?:v1\.0/)?users/([^/?]+)", re.IGNORECASE)


@dataclass
class MailboxLimits:
    """In-flight requests per mailbox, the peak seen, and the delay every Graph call takes."""

    latency: float = 0.0                       # seconds added to each Graph request (a quarter per batched one)
    enforce: bool = True
    retry_after: int = 1
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_depth = threading.local()   # $batch runs its requests through the app again, in the same thread


def register_limits(app: Flask, store) -> None:
    """Hooks counting each top-level Graph request against its mailbox(es); register before the others."""
    limits: MailboxLimits = store.limits

    @app.before_request
    def enter() -> Response | None:
        _depth.level = getattr(_depth, "level", 0) + 1
        if not request.path.startswith(GRAPH + "/"):
            return None
        if _depth.level > 1:
            time.sleep(limits.latency / MAILBOX_CONCURRENCY)
            return None
        held = _slots_wanted()
        with limits.lock:
            if limits.enforce and any(limits.in_flight[u] + n > MAILBOX_CONCURRENCY for u, n in held.items()):
                limits.refused += 1
                return _over_limit(limits.retry_after)
            for user, n in held.items():
                limits.in_flight[user] += n
                limits.peak[user] = max(limits.peak[user], limits.in_flight[user])
        request.environ["graph.fake.slots"] = held
        time.sleep(limits.latency)
        return None

    @app.teardown_request
    def leave(_exc: BaseException | None) -> None:
        _depth.level = getattr(_depth, "level", 1) - 1
        held = request.environ.pop("graph.fake.slots", None)
        if held:
            with limits.lock:
                limits.in_flight.subtract(held)


def _slots_wanted() -> Counter[str]:
    """Mailbox → slots this request holds: 1 for a call to /users/{id}/…, up to 4 per mailbox in a batch."""
    if request.path.rstrip("/") == GRAPH + "/$batch":
        subs = (request.get_json(silent=True) or {}).get("requests") or []
        users = Counter(_user_of(str(s.get("url", ""))) for s in subs if isinstance(s, dict))
        return Counter({u: min(n, MAILBOX_CONCURRENCY) for u, n in users.items() if u})
    user = _user_of(request.path)
    return Counter({user: 1}) if user else Counter()


def _user_of(path: str) -> str:
    found = _USER.match(path)
    return found.group(1).lower() if found else ""


def _over_limit(retry_after: int) -> Response:
    body = {"error": {"code": "ApplicationThrottled",
                      "message": "Application is over its MailboxConcurrency limit."}}
    return Response(json.dumps(body), 429, headers={"Retry-After": str(retry_after)},
                    content_type="application/json")
