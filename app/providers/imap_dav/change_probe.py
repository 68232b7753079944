"""The cheap "did anything change?" of a DAV account: one Depth-0 PROPFIND of each collection's
sync token (RFC 6578 §4: the DAV:sync-token property is the token a sync-collection report would
hand out now), compared by the caller with the token its last session's cursor holds.

Only plain sync-token cursors can be checked this way; for any other (a server without RFC 6578
listed by ETags, several address books in one cursor) ``probe_plan`` says None and the caller runs
a full session instead. Mail folders are checked by ``ImapMail.unchanged_since`` (IMAP STATUS).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.providers.host_guard import HostPolicy
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.davsync import read_cursor
from app.providers.imap_dav.webdav import DavSession, prop_xml, xml_document
from app.sync.errors import CursorExpired, InvalidData

# The folder cursors (``mailbox:<kind>`` streams) a check can read, and the endpoint serving each.
ENDPOINT_OF_STREAM = {"mailbox:calendar": "caldav_url", "mailbox:tasks": "caldav_url",
                      "mailbox:contacts": "carddav_url"}
SYNC_TOKEN = "{DAV:}sync-token"


@dataclass(frozen=True)
class ProbePlan:
    """Per collection path: the token its cursor holds, and the endpoint URL to ask it at."""

    tokens: Mapping[str, str]
    urls: Mapping[str, str]

    def host(self) -> str:
        """The DAV server a check of this plan talks to (for per-host concurrency caps); "" for none."""
        first = next(iter(self.urls.values()), "")
        return urlsplit(first).netloc


def probe_plan(endpoints: Mapping[str, object], folder_cursors: Mapping[str, str | None]) -> ProbePlan | None:
    """What to ask, from the mailbox's stored ``mailbox:<kind>`` cursors; None when one cannot be checked."""
    tokens: dict[str, str] = {}
    urls: dict[str, str] = {}
    for stream, cursor in folder_cursors.items():
        url = str(endpoints.get(ENDPOINT_OF_STREAM.get(stream, "")) or "")
        if not url or not cursor:
            return None
        try:
            state = read_cursor(cursor)
        except CursorExpired:
            return None
        if "e" in state or not isinstance(state.get("t"), str) or not isinstance(state.get("c"), str):
            return None
        tokens[state["c"]], urls[state["c"]] = state["t"], url
    return ProbePlan(tokens, urls)


def current_tokens(plan: ProbePlan, login: tuple[str, str], allow_plaintext: bool, ca_file: str | None,
                   host_policy: HostPolicy, counter: RequestCounter | None = None,
                   timeout: float = 30.0) -> dict[str, str]:
    """Each collection's sync token now (empty when the server gives none). Raises the core's coded
    errors as a session would (AuthFailure, TemporaryError, NotFound…)."""
    sessions: dict[str, DavSession] = {}
    body = xml_document("d:propfind", prop_xml(["d:sync-token"]))
    found: dict[str, str] = {}
    try:
        for href, url in plan.urls.items():
            if url.startswith("http://") and not allow_plaintext:
                raise InvalidData("DAV without TLS is refused unless explicitly allowed")
            if url not in sessions:
                sessions[url] = DavSession(url, login[0], login[1], counter or RequestCounter(), ca_file or True,
                                           timeout, host_policy)
            members = sessions[url].multistatus("PROPFIND", href, body, "0").members
            found[href] = members[0].text(SYNC_TOKEN).strip() if members else ""
    finally:
        for session in sessions.values():
            session.http.close()
    return found
