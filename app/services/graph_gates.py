"""The Redis-backed request gate of one Office 365 mailbox, built with the limits of ``gate.py``."""
from __future__ import annotations

from app.providers.graph import GraphSettings
from app.providers.graph.gate import BUDGET_REQUESTS, BUDGET_WINDOW_SECONDS, MAX_CONCURRENT
from app.runtime import Runtime
from app.state.request_gate import RedisRequestGate, mailbox_gate_id


def graph_gate(rt: Runtime, settings: GraphSettings, user: str) -> RedisRequestGate:
    """Shared by every session of this app registration and mailbox, in any worker process; a slot
    outlives the longest request (two timeouts) so a killed worker's slots expire soon after."""
    return RedisRequestGate(rt.redis.client, mailbox_gate_id(settings.client_id, user),
                            max_concurrent=MAX_CONCURRENT, budget=BUDGET_REQUESTS, window=BUDGET_WINDOW_SECONDS,
                            slot_ttl=2 * settings.timeout + 10)
