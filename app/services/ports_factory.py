"""Build the ports a mailbox's session talks to, from its server profile and the user's org.

Each provider kind maps to one adapter module; kinds whose adapter is not installed yet
fail the session with a clear reason rather than a traceback.
"""
from __future__ import annotations

import json

from app.models import Mailbox, User
from app.runtime import Runtime
from app.services.sync_runner import SessionPorts
from app.sync.errors import PermissionDenied


class ProviderUnavailable(PermissionDenied):
    """This server profile's kind has no adapter in this deployment."""

    code = "provider_unavailable"


def mailbox_credentials(rt: Runtime, mailbox: Mailbox) -> dict:
    return json.loads(rt.secrets.decrypt(mailbox.credentials_enc)) if mailbox.credentials_enc else {}


def default_ports(rt: Runtime, mailbox: Mailbox, user: User) -> SessionPorts:
    builders = _builders()
    kind = mailbox.server_profile.kind
    if kind not in builders:
        raise ProviderUnavailable(f"no adapter for {kind!r} mailboxes in this deployment")
    return builders[kind](rt, mailbox, user)


def _builders() -> dict:
    return {}
