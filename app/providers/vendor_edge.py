"""What every vendor-API adapter (Graph, Google) does at its edge the same way: its endpoints must be
https and pass the host guard before any credential is used, and one item's failure becomes its
WriteResult while refused credentials stop the whole batch."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from app.providers.host_guard import ForbiddenHost, HostPolicy, check_url
from app.sync.errors import AuthFailure, InvalidData, SyncError
from app.sync.ports import WriteResult


def check_https_endpoint(url: str, policy: HostPolicy, service: str) -> None:
    """Raises InvalidData naming ``service`` for a plain-http URL or one the host guard refuses."""
    if urlsplit(url).scheme != "https":
        raise InvalidData(f"{url} is refused: {service} endpoints must be https")
    try:
        check_url(url, policy)
    except ForbiddenHost as exc:
        raise InvalidData(f"{url} is refused by the host guard: {exc}") from exc


def failed_result(error: SyncError) -> WriteResult:
    """One item's failure as its WriteResult; refused credentials stop the whole batch instead."""
    if isinstance(error, AuthFailure):
        raise error
    return WriteResult(False, error=str(error) or error.code, error_code=error.code)


def write_each(things: Sequence[Any], write: Callable[[Any], WriteResult]) -> list[WriteResult]:
    """One write per item, in input order; an item's failure is its own result and the others still go."""
    out = []
    for thing in things:
        try:
            out.append(write(thing))
        except SyncError as exc:
            out.append(failed_result(exc))
    return out
