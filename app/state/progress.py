"""Live progress of a running sync session (transient: rebuilt by the next session)."""
from __future__ import annotations

import json

from redis import Redis

from app.state import keys

PROGRESS_TTL_SECONDS = 3600


def report(client: Redis, mailbox_id: int, **fields) -> None:
    key = keys.mailbox_progress(mailbox_id)
    client.hset(key, mapping={k: json.dumps(v, default=str) for k, v in fields.items()})
    client.expire(key, PROGRESS_TTL_SECONDS)


def read(client: Redis, mailbox_id: int) -> dict | None:
    raw = client.hgetall(keys.mailbox_progress(mailbox_id))
    return {k.decode(): json.loads(v) for k, v in raw.items()} or None


def clear(client: Redis, mailbox_id: int) -> None:
    client.delete(keys.mailbox_progress(mailbox_id))
