"""The DAV collections a mailbox's last session discovered, kept with its cursors.

The provider holds no storage, so this shell hands the state in before a session and stores
it after (as Graph's token cache goes back to its profile). Kept as the cursor stream
``mailbox:dav-collections``: a full resync, which drops a mailbox's cursors, discovers again.
"""
from __future__ import annotations

import json
from typing import Any

from app.models.sync_stores import SqlCursorStore
from app.runtime import Runtime

DISCOVERY_STREAM = "mailbox:dav-collections"


def load_discovery(rt: Runtime, mailbox_id: int) -> dict[str, Any] | None:
    """The stored state, or None (never stored, or unreadable: discovery simply runs again)."""
    raw = SqlCursorStore(rt.db).load(str(mailbox_id), DISCOVERY_STREAM)
    try:
        state = json.loads(raw) if raw else None
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def save_discovery(rt: Runtime, mailbox_id: int, state: dict[str, Any] | None) -> None:
    """Store what the session discovered afresh; None (nothing new) writes nothing."""
    if state is not None:
        SqlCursorStore(rt.db).save(str(mailbox_id), DISCOVERY_STREAM, json.dumps(state, separators=(",", ":")))
