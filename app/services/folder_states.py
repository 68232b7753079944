"""Which folder kinds a mailbox syncs, for its dashboard: synced, off, or not available.

A kind the account's server does not offer (an IMAP-only account has no calendar, a calendar
server may have no task list) is not an error: the dashboard says so, and sessions succeed.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.models import Mailbox
from app.services.sync_policy import policy_for
from app.sync.items import FolderKind
from app.sync.policy import SyncOption

NOT_AVAILABLE = "not available on this server"
# The endpoint of a standards ("imap") profile that serves each kind.
ENDPOINT_OF = {FolderKind.MAIL: "imap_host", FolderKind.CALENDAR: "caldav_url", FolderKind.TASKS: "caldav_url",
               FolderKind.CONTACTS: "carddav_url"}


def folder_states(mailbox: Mailbox, last_counts: Mapping[str, Any] | None) -> dict[str, dict[str, str | None]]:
    """Per kind: the profile's missing endpoint, then the sync setting, then what the last session found."""
    profile = mailbox.server_profile
    endpoints = profile.endpoints or {}
    policy = policy_for(mailbox.user)
    states: dict[str, dict[str, str | None]] = {}
    for kind, endpoint in ENDPOINT_OF.items():
        found = (last_counts or {}).get(kind.value) or {}
        if profile.kind == "imap" and not endpoints.get(endpoint):
            states[kind.value] = {"state": NOT_AVAILABLE, "reason": f"the server profile has no {endpoint}"}
        elif kind is not FolderKind.MAIL and policy.option(kind) is SyncOption.OFF:
            states[kind.value] = {"state": "off", "reason": "sync of this kind is turned off in the settings"}
        elif found.get("unavailable"):
            states[kind.value] = {"state": NOT_AVAILABLE, "reason": found["unavailable"]}
        else:
            states[kind.value] = {"state": "synced", "reason": None}
    return states


def unavailable_counts(unavailable: Mapping[FolderKind, str]) -> dict[str, dict]:
    """A session's counts entries for kinds its mailbox could not serve."""
    return {kind.value: {"unavailable": reason} for kind, reason in unavailable.items()}
