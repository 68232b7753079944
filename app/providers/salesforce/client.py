"""`SalesforceClient`: simple-salesforce plus Syncline's budget, retries, refresh and error vocabulary.

Every call goes through `execute()`: the org's pause/budget is checked first, transient
failures are retried with jittered exponential backoff (bounded), a 401 triggers exactly one
token refresh, and REQUEST_LIMIT_EXCEEDED pauses the org instead of looping.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError
from simple_salesforce.exceptions import SalesforceGeneralError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

from app.config import Config
from app.providers.salesforce.budget import ApiBudget, parse_limit_info, parse_limits
from app.providers.salesforce.errors import (
    CallFailed,
    OrgPaused,
    ReauthorizationRequired,
    SalesforceError,
    SessionExpired,
    TransientError,
    translate,
)
from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url
from app.providers.salesforce.http import DEFAULT_TIMEOUT, salesforce_session
from app.providers.salesforce.stores import DescribeCache
from app.providers.salesforce.tokens import TokenSource

log = logging.getLogger(__name__)
T = TypeVar("T")
LONG_TIMEOUT = (5, 120)         # a Composite of 5 × 200 records may run triggers for a while
AMBIGUOUS_FAILURES = ("TIMEOUT", "CONNECTION_ERROR")    # the request may have reached Salesforce


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded, jittered exponential backoff for transient failures (whole calls and records)."""

    attempts: int = 4
    initial_s: float = 0.5
    max_wait_s: float = 8.0
    max_total_s: float = 60.0


class SalesforceClient:
    """One connection's API access; not thread-safe (one per job). Raises only `errors.*` exceptions."""

    def __init__(self, config: Config, tokens: TokenSource, budget: ApiBudget | None = None,
                 retry: RetryPolicy = RetryPolicy(), essential: bool = False,
                 session: requests.Session | None = None, describes: DescribeCache | None = None):
        self.config, self.tokens, self.budget, self.describes = config, tokens, budget, describes
        self.retry, self.essential = retry, essential
        self.http = session or salesforce_session(config)
        self.http.hooks["response"].append(self._on_response)
        self.sf = self._salesforce(tokens.instance_url, tokens.access_token())
        self.org_pk = tokens.org_pk
        self.calls = 0
        self._counting = threading.Lock()    # an import's chunk writes and look-ups run on two threads

    def _salesforce(self, instance_url: str, token: str) -> Salesforce:
        """simple-salesforce bound to a guarded instance URL (never sends a token elsewhere)."""
        try:
            instance = check_instance_url(instance_url, self.config.salesforce_allowed_hosts)
        except UntrustedInstanceUrl as exc:
            raise ReauthorizationRequired(f"refused instance URL: {exc}", "UNTRUSTED_INSTANCE") from None
        self.instance_url = instance
        return Salesforce(instance_url=instance, session_id=token, session=self.http,
                          version=self.config.salesforce_api_version)

    @property
    def api_root(self) -> str:
        """Path prefix of versioned REST resources, as used in Composite subrequest URLs."""
        return f"/services/data/v{self.config.salesforce_api_version}"

    # ---- the one way to call Salesforce ---------------------------------------------
    def execute(self, op: Callable[[Salesforce], T], idempotent: bool = True) -> T:
        """Run `op(sf)` under the budget, retry and refresh rules; non-idempotent calls never
        retry after a read timeout (Salesforce may have applied the write)."""
        refreshed: list[bool] = []
        for attempt in self._retrying(idempotent):
            with attempt:
                if self.budget is not None:
                    self.budget.check(self.essential, reread=self.read_limits)
                return self._authorised(op, refreshed)
        raise AssertionError("unreachable")  # pragma: no cover

    def _authorised(self, op: Callable[[Salesforce], T], refreshed: list[bool]) -> T:
        """On 401, refresh once per `execute()` and repeat the call; a second 401 means re-authorise."""
        try:
            return self._once(op)
        except SessionExpired:
            if refreshed:
                self._give_up()
            self._use_token(self.tokens.refresh(self.sf.session_id))
            refreshed.append(True)
        try:
            return self._once(op)
        except SessionExpired:
            self._give_up()
            raise

    def read_limits(self) -> tuple[int, int] | None:
        """(used, max) of the daily API allocation from `GET /limits`, outside the budget check
        (it is how the budget learns there is room again). None when the user may not read it."""
        try:
            body = self._authorised(lambda sf: sf.restful("limits", timeout=DEFAULT_TIMEOUT), [])
        except CallFailed:      # e.g. no "View Setup and Configuration": keep trusting Sforce-Limit-Info
            return None
        return parse_limits(body)

    def _give_up(self) -> None:
        self.tokens.mark_needs_reauth("Salesforce rejected a freshly refreshed session; sign in again")
        raise ReauthorizationRequired("session rejected after a refresh", "INVALID_SESSION_ID", 401)

    def _once(self, op: Callable[[Salesforce], T]) -> T:
        try:
            with self._counting:
                self.calls += 1
            return op(self.sf)
        except (LibraryError, requests.RequestException) as exc:    # the edge: library errors become ours
            err = translate(exc)
            if isinstance(err, OrgPaused) and self.budget is not None:
                err.paused_until = self.budget.pause()
            if err is exc:
                raise
            raise err from None

    def _retrying(self, idempotent: bool) -> Retrying:
        def retryable(exc: BaseException) -> bool:
            if not isinstance(exc, TransientError):
                return False
            return idempotent or exc.code not in AMBIGUOUS_FAILURES

        return Retrying(retry=retry_if_exception(retryable), reraise=True,
                        stop=stop_after_attempt(self.retry.attempts) | stop_after_delay(self.retry.max_total_s),
                        wait=wait_random_exponential(multiplier=self.retry.initial_s, max=self.retry.max_wait_s),
                        before_sleep=lambda state: log.info("salesforce call retried", extra={"ctx": {
                            "org": self.org_pk, "attempt": state.attempt_number,
                            "error": type(state.outcome.exception()).__name__}}))

    def _use_token(self, token: str) -> None:
        if self.tokens.instance_url != self.instance_url:      # the org moved to another instance
            self.sf = self._salesforce(self.tokens.instance_url, token)
            return
        self.sf.session_id = token
        self.sf.headers["Authorization"] = f"Bearer {token}"

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Every response (errors included) carries Sforce-Limit-Info: keep the org's usage current."""
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        if usage is not None and self.budget is not None:
            self.budget.record(*usage)

    # ---- thin REST helpers -----------------------------------------------------------
    def restful(self, path: str, method: str = "GET", params: dict | None = None,
                json: Any = None, idempotent: bool | None = None, timeout: tuple = DEFAULT_TIMEOUT) -> Any:
        """A versioned REST call (`path` relative to /services/data/vNN.N/)."""
        safe = method in ("GET", "DELETE", "PATCH") if idempotent is None else idempotent
        extra = {"json": json} if json is not None else {}
        return self.execute(lambda sf: sf.restful(path, params=params, method=method,
                                                  timeout=timeout, **extra), idempotent=safe)

    def query_page(self, soql: str, include_deleted: bool = False) -> dict:
        """First page of a query (≤ 2,000 rows, 200 with two long text fields selected)."""
        return self.execute(lambda sf: sf.query(soql, include_deleted=include_deleted, timeout=DEFAULT_TIMEOUT))

    def next_page(self, next_records_url: str) -> dict:
        return self.execute(lambda sf: sf.query_more(next_records_url, identifier_is_url=True,
                                                     timeout=DEFAULT_TIMEOUT))

    def query(self, soql: str, include_deleted: bool = False) -> Iterator[dict]:
        """Every row of a query, following `nextRecordsUrl` lazily (one API call per page)."""
        for page in self.query_pages(soql, include_deleted):
            yield from page["records"]

    def query_pages(self, soql: str, include_deleted: bool = False) -> Iterator[dict]:
        page = self.query_page(soql, include_deleted)
        yield page
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = self.next_page(page["nextRecordsUrl"])
            yield page

    def composite(self, subrequests: list[dict], all_or_none: bool = False,
                  idempotent: bool | None = None) -> list[dict]:
        """POST /composite: ONE API call for ≤ 25 subrequests, of which ≤ 5 queries or Collections.

        Returns compositeResponse in subrequest order. Writes count as non-idempotent unless told.
        """
        if not 0 < len(subrequests) <= 25:
            raise ValueError("a composite request holds 1 to 25 subrequests")
        if idempotent is None:
            idempotent = all(s.get("method", "GET") == "GET" for s in subrequests)
        body = {"allOrNone": all_or_none, "compositeRequest": subrequests}
        return self.restful("composite", "POST", json=body, idempotent=idempotent,
                            timeout=LONG_TIMEOUT)["compositeResponse"]

    def query_url(self, soql: str, include_deleted: bool = False) -> str:
        """The versioned URL of a query, for Composite subrequests and URI-length checks."""
        return f"{self.api_root}/{'queryAll' if include_deleted else 'query'}?q={quote(soql, safe='')}"


def raise_for_subresponse(entry: dict) -> Any:
    """The body of a Composite subresponse, or our exception for its error (as a direct call would)."""
    status = int(entry.get("httpStatusCode", 500))
    if status < 300:
        return entry.get("body")
    raise translate(SalesforceGeneralError(entry.get("referenceId", ""), status, "composite", entry.get("body")))


__all__ = ["SalesforceClient", "RetryPolicy", "SalesforceError", "raise_for_subresponse"]
