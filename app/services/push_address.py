"""Where push notifications reach Syncline: ``SYNCLINE_PUBLIC_URL``, recorded with each
subscription (Graph), channel (Google Calendar) and registration (WebDAV-Push) when it is made.

An operator who moves Syncline to another address changes that URL; every subscription made under
the old one keeps pushing there (a Graph renewal does not move it), and its mailbox is then only
polled as the backstop. Each keeper asks ``moved`` on its next pass and replaces what was made
under another address. A subscription made before its address was recorded counts as current.
"""
from __future__ import annotations

from app.runtime import Runtime


def public_root(rt: Runtime) -> str:
    """The configured public URL without a trailing slash."""
    return rt.config.public_url.rstrip("/")


def moved(rt: Runtime, recorded_root: str | None) -> bool:
    """Whether a subscription recorded under ``recorded_root`` pushes to another address than now."""
    return bool(recorded_root) and recorded_root != public_root(rt)
