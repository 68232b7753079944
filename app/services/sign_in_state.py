"""A vendor sign-in in progress (Microsoft, Google): its secrets wait in Redis under the random state
for ten minutes and are taken once; the browser never carries them."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from app.models import Mailbox
from app.runtime import Runtime

STATE_TTL_SECONDS = 600


def keep_pending(rt: Runtime, key: str, pending: dict[str, Any]) -> None:
    rt.redis.client.set(key, json.dumps(pending), ex=STATE_TTL_SECONDS)


def take_pending(rt: Runtime, session: Session, key: str, refused: type[Exception]) -> tuple[dict[str, Any], Mailbox]:
    """The pending sign-in and its mailbox, removed at once; ``refused`` (with a sentence) when the
    state is unknown, expired or used, or the mailbox is gone."""
    raw = rt.redis.client.getdel(key)
    if raw is None:
        raise refused("this sign-in link has expired or was already used; start the sign-in again")
    pending = json.loads(raw)
    mailbox = session.get(Mailbox, pending["mailbox_id"])
    if mailbox is None:
        raise refused("the mailbox this sign-in was for no longer exists")
    return pending, mailbox
