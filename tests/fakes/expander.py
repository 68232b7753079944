"""The product's series expander injected into a test world's policy, as the services do."""
from __future__ import annotations

from dataclasses import replace

from app.recurrence import RruleExpander
from app.sync.policy import SyncPolicy


def with_expander(policy: SyncPolicy) -> SyncPolicy:
    """``policy`` with the dateutil expander unless the test chose its own."""
    return policy if policy.series_expander is not None else replace(policy, series_expander=RruleExpander())
