"""Graph calls over one guarded ``requests`` session: single requests and ``$batch`` (≤ 20 each).

Every request names ``Prefer: IdType="ImmutableId"`` (ids survive moves between folders),
``outlook.timezone="UTC"`` (times come back as UTC instants) and ``outlook.body-content-type``:
"text" (event, task and contact notes go to plain-text Salesforce fields) except where a request
asks for "html" (a message saved as an EmailMessage keeps its formatting in HtmlBody).
Failures become the core's errors through ``errors.graph_error``; 429/503/504 carry Retry-After.
Every request first passes the mailbox's ``RequestGate`` (budget and concurrency, see gate.py).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from app.providers.graph.errors import graph_error
from app.providers.graph.gate import OpenGate, RequestGate, batch_slots, gated
from app.sync.errors import SyncError, TemporaryFailure


def prefer(body_type: str = "text") -> str:
    """The Prefer header every request sends, with the body format asked for ("text" or "html")."""
    return f'IdType="ImmutableId", outlook.timezone="UTC", outlook.body-content-type="{body_type}"'


PREFER = prefer()
MAX_BATCH = 20


@dataclass(frozen=True)
class SubRequest:
    """One request of a ``$batch``; ``url`` is relative to the Graph base (``/users/...``)."""

    method: str
    url: str
    body: Mapping[str, Any] | None = None
    body_type: str = "text"         # the ``outlook.body-content-type`` asked for (see ``prefer``)


@dataclass(frozen=True)
class SubResponse:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    failure: TemporaryFailure | None = None     # the batch call itself could not be sent (see batch)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self, what: str) -> SyncError:
        if self.failure is not None:
            return TemporaryFailure(f"{what} not sent: {self.failure}", retry_after=self.failure.retry_after)
        return graph_error(self.status, self.body, self.headers, what)


class GraphHttp:
    """Authenticated JSON calls to one Graph base URL; ``calls`` counts HTTP requests sent."""

    def __init__(self, base_url: str, session: requests.Session, token: Callable[[bool], str],
                 timeout: float = 30.0, gate: RequestGate | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session, self._token, self.timeout = session, token, timeout
        self.gate: RequestGate = gate or OpenGate()
        self.calls = 0

    def get(self, url: str, what: str, prefer: str = "") -> Any:
        """GET a path (relative to the base) or a full link Graph handed out (nextLink/deltaLink)."""
        full = url if url.startswith(self.base_url + "/") else self.base_url + url
        return self._send("GET", full, None, what, prefer)

    def send(self, method: str, path: str, body: Any, what: str) -> Any:
        """One write (PATCH/DELETE/POST) to a path relative to the base."""
        return self._send(method, self.base_url + path, body, what)

    def batch(self, requests_: Sequence[SubRequest], what: str) -> list[SubResponse]:
        """Run the requests in ``$batch`` calls of at most 20; answers in input order.

        When a later call cannot be sent (budget spent, throttled, unreachable), its requests answer
        with that TemporaryFailure instead of raising, so the writes earlier calls made are kept."""
        out: list[SubResponse] = []
        for start in range(0, len(requests_), MAX_BATCH):
            chunk = requests_[start:start + MAX_BATCH]
            payload = {"requests": [_sub_json(str(i), r) for i, r in enumerate(chunk)]}
            try:
                answer = self._send("POST", self.base_url + "/$batch", payload, what, count=len(chunk))
            except TemporaryFailure as exc:
                if start == 0:
                    raise
                out.extend(_unsent(exc) for _ in chunk)
                continue
            by_id = {str(r.get("id")): r for r in (answer or {}).get("responses") or []}
            for i in range(len(chunk)):
                r = by_id.get(str(i)) or {"status": 500, "body": {"error": {"message": "no answer in the batch"}}}
                out.append(SubResponse(int(r.get("status") or 500), r.get("body"), r.get("headers") or {}))
        return out

    def _send(self, method: str, url: str, body: Any, what: str, prefer: str = "", count: int = 1) -> Any:
        answer = self._once(method, url, body, what, prefer, False, count)
        if answer.status_code == 401:   # a cached token revoked or expired early: one retry with a new one
            answer = self._once(method, url, body, what, prefer, True, count)
        payload = _json(answer)
        if answer.status_code >= 300:
            raise graph_error(answer.status_code, payload, answer.headers, what)
        return payload

    def _once(self, method: str, url: str, body: Any, what: str, prefer: str, fresh_token: bool,
              count: int) -> requests.Response:
        headers = {"Authorization": "Bearer " + self._token(fresh_token), "Accept": "application/json",
                   "Prefer": ", ".join(p for p in (PREFER, prefer) if p)}
        with gated(self.gate, count, batch_slots(count)):
            self.calls += 1
            try:
                return self.session.request(method, url, json=body, headers=headers, timeout=self.timeout,
                                            allow_redirects=False)
            except requests.RequestException as exc:
                raise TemporaryFailure(f"Graph {what}: unreachable ({type(exc).__name__})") from exc


def _unsent(failure: TemporaryFailure) -> SubResponse:
    """The answer of a batched request whose ``$batch`` call failed as a whole (retried later)."""
    status = 429 if failure.retry_after else 503
    return SubResponse(status, {"error": {"code": "notSent", "message": str(failure)}}, {}, failure)


def _sub_json(request_id: str, sub: SubRequest) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": request_id, "method": sub.method, "url": sub.url,
                             "headers": {"Prefer": prefer(sub.body_type)}}
    if sub.body is not None:
        entry["body"] = dict(sub.body)
        entry["headers"]["Content-Type"] = "application/json"
    return entry


def _json(answer: requests.Response) -> Any:
    if not answer.content:
        return None
    try:
        return answer.json()
    except ValueError:
        return None
