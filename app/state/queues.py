"""Queue names, in priority order for the worker."""
from __future__ import annotations

INTERACTIVE = "interactive"  # saves the sidebar is waiting for
SYNC = "sync"                # scheduled and forced sync sessions
DEFAULT = "default"          # housekeeping: heartbeat, sweepers

ALL = (INTERACTIVE, SYNC, DEFAULT)
