"""This push watcher's share of the work when several run (one per host): each mailbox and each
org's Change Data Capture stream belongs to exactly one live watcher of the group.

Ownership is rendezvous hashing over the live members (`app.state.push_members`): every watcher
computes the same owner for a key without talking to the others, and a watcher joining or leaving
moves only the keys it takes or held (about 1/N), not everything. While the members cannot be
read (Redis down) the last known set is kept; a watcher that never read it watches everything,
since a mailbox watched twice costs a connection and a mailbox watched by nobody waits for the schedule.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from redis.exceptions import RedisError

from app.runtime import Runtime
from app.state import push_members

log = logging.getLogger("syncline.push")


def owner(key: str, members: Sequence[str]) -> str:
    """The member that holds ``key``: the highest hash of (member, key)."""
    return max(members, key=lambda m: hashlib.blake2b(f"{m}\0{key}".encode(), digest_size=8).digest())


class PushShare:
    def __init__(self, rt: Runtime, group: str, member: str, ttl_seconds: float) -> None:
        self.rt, self.group, self.member, self.ttl_seconds = rt, group, member, ttl_seconds
        self.members: list[str] = [member]

    def refresh(self) -> None:
        """Renew this watcher's membership and read who else is alive."""
        try:
            members = push_members.renew(self.rt.redis.client, self.group, self.member, self.ttl_seconds)
        except RedisError as exc:
            log.warning("push members unreadable; keeping the last known share", extra={"ctx": {"error": str(exc)}})
            return
        if members != self.members:
            log.info("push watchers", extra={"ctx": {"group": self.group, "members": members}})
        self.members = members              # this member among them: renewed in the same transaction

    def holds_mailbox(self, mailbox_id: int) -> bool:
        return owner(f"mailbox:{mailbox_id}", self.members) == self.member

    def holds_org(self, org_pk: int) -> bool:
        return owner(f"org:{org_pk}", self.members) == self.member

    def leave(self) -> None:
        try:
            push_members.leave(self.rt.redis.client, self.group, self.member)
        except RedisError:
            pass            # its entry expires with its TTL
