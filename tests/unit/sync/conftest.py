"""The sync core tests run on plain data and in-memory ports: no servers, no app."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # `app.sync` and `tests.fakes` resolve however pytest is started
    sys.path.insert(0, str(ROOT))
