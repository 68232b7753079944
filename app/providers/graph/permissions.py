"""Which Graph permissions a token carries and which the enabled folder kinds need.

Names from Microsoft Learn, "Microsoft Graph permissions reference" and each API's "Permissions"
table: events (Calendars.ReadWrite), To Do tasks (Tasks.ReadWrite.All as an application
permission, Tasks.ReadWrite delegated), contacts (Contacts.ReadWrite), messages and mail folders
(Mail.ReadWrite), the Outlook master category list (MailboxSettings.ReadWrite) and reading the
user (User.Read.All application, User.Read delegated). An application token lists its permissions
in ``roles``, a delegated one in ``scp`` (space separated) — "Access token claims reference".
The token is only read here (its signature is Graph's business, not a client's).
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.sync.items import FolderKind

APPLICATION = "application"
DELEGATED = "delegated"
AUTH_MODES = (APPLICATION, DELEGATED)

_NEEDS: dict[str, dict[str, tuple[str, ...]]] = {
    APPLICATION: {"always": ("User.Read.All", "MailboxSettings.ReadWrite"),
                  FolderKind.CALENDAR.value: ("Calendars.ReadWrite",), FolderKind.TASKS.value: ("Tasks.ReadWrite.All",),
                  FolderKind.CONTACTS.value: ("Contacts.ReadWrite",), FolderKind.MAIL.value: ("Mail.ReadWrite",)},
    DELEGATED: {"always": ("User.Read", "MailboxSettings.ReadWrite"),
                FolderKind.CALENDAR.value: ("Calendars.ReadWrite",), FolderKind.TASKS.value: ("Tasks.ReadWrite",),
                FolderKind.CONTACTS.value: ("Contacts.ReadWrite",), FolderKind.MAIL.value: ("Mail.ReadWrite",)},
}
# A broader permission that includes a narrower one (e.g. an admin who granted .All).
_COVERS = {"Tasks.ReadWrite": "Tasks.ReadWrite.All", "User.Read": "User.Read.All",
           "Calendars.ReadWrite": "Calendars.ReadWrite.Shared", "Contacts.ReadWrite": "Contacts.ReadWrite.Shared",
           "Mail.ReadWrite": "Mail.ReadWrite.Shared"}


@dataclass(frozen=True)
class MissingPermission:
    permission: str
    needed_for: str          # a folder kind, or "every mailbox"


def granted(access_token: str, mode: str) -> set[str]:
    """The permissions in the token's ``roles`` (application) or ``scp`` (delegated) claim."""
    claims = token_claims(access_token)
    if mode == APPLICATION:
        return {str(r) for r in claims.get("roles") or ()}
    return set(str(claims.get("scp") or "").split())


def missing(have: Iterable[str], kinds: Iterable[str], mode: str) -> list[MissingPermission]:
    """Each permission the enabled folder kinds need that the token lacks, in a stable order."""
    held = {h.lower() for h in have}
    out: list[MissingPermission] = []
    table = _NEEDS[mode]
    for kind in ("always", *sorted(set(kinds))):
        for permission in table.get(kind, ()):
            wider = _COVERS.get(permission, "")
            if permission.lower() not in held and wider.lower() not in held:
                out.append(MissingPermission(permission, "every mailbox" if kind == "always" else kind))
    return out


def token_claims(access_token: str) -> dict[str, Any]:
    """The JWT's payload as a dict ({} for a token that is not a JWT: Graph's tokens may become opaque)."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}
