"""The fault kinds, as a table: each injects its fault into the running world, holds it for
the run's fault duration, and returns when (epoch seconds) the fault ended."""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

from app.models import Mailbox, SalesforceConnection
from app.providers.imap_dav import MailboxOptions
from app.services import mailboxes as mailbox_service
from app.services import signin
from bench.fault_matrix.population import BenchMailbox
from bench.fault_matrix.world import RESTART_DELAY_S, FaultWorld

DAV_CLIENT_TIMEOUT_S = MailboxOptions().timeout      # a hang must outlast the product's timeout
SIGN_IN_RETURN = "http://127.0.0.1:5000/api/v1/auth/salesforce/callback"


@dataclass
class FaultContext:
    world: FaultWorld
    mailboxes: list[BenchMailbox]
    rng: random.Random
    duration_s: float


@dataclass(frozen=True)
class FaultKind:
    name: str
    inject: Callable[[FaultContext], float]
    needs: str = ""          # "postgresql" when the fault cannot run without it


def _held(ctx: FaultContext) -> float:
    time.sleep(ctx.duration_s)
    return time.time()


def sf_503_storm(ctx: FaultContext) -> float:
    ctx.world.emu.faults.fail_for(503, ctx.duration_s)
    return _held(ctx)


def sf_request_limit(ctx: FaultContext) -> float:
    ctx.world.emu.faults.fail_for(403, ctx.duration_s)
    return _held(ctx)


def sf_row_locks(ctx: FaultContext) -> float:
    ctx.world.emu.faults.lock_rows_for(ctx.duration_s)
    return _held(ctx)


def sf_invalid_session(ctx: FaultContext) -> float:
    """An admin ends every session: each next call gets 401 INVALID_SESSION_ID and must refresh."""
    ctx.world.emu.faults.expire_sessions()
    return time.time()


def sf_invalid_grant(ctx: FaultContext) -> float:
    """Sessions expire while the token endpoint refuses refreshes (400 invalid_grant): the product
    asks the user to sign in again; at the fault's end each such user does, and resumes sync."""
    ctx.world.emu.faults.expire_sessions()
    ctx.world.emu.faults.refuse_refresh_for(ctx.duration_s)
    _held(ctx)
    for box in ctx.mailboxes:
        sign_in_again_if_asked(ctx.world, box)
    return time.time()


def sign_in_again_if_asked(world: FaultWorld, box: BenchMailbox) -> bool:
    """The product's own sign-in flow against the emulator, then "resume" on a suspended mailbox."""
    with world.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, box.mailbox_id)
        connection = s.query(SalesforceConnection).filter_by(user_id=mailbox.user_id).one()
        if connection.status == "connected" and mailbox.status == "active":
            return False
        email = mailbox.user.email
    authorize = signin.begin(world.rt, SIGN_IN_RETURN, login_hint=email)
    http = requests.Session()
    http.trust_env, http.verify = False, world.emu.ca_path
    query = parse_qs(urlsplit(http.get(authorize, allow_redirects=False, timeout=30).headers["Location"]).query)
    with world.rt.db.session_scope() as s:
        user, _token, _row = signin.complete(world.rt, s, SIGN_IN_RETURN, query["code"][0], query["state"][0])
        mailbox = s.get(Mailbox, box.mailbox_id)
        if mailbox.status == "suspended":
            mailbox_service.resume(s, mailbox, user)
    return True


def mailbox_5xx(ctx: FaultContext) -> float:
    ctx.world.proxy.fail_for(ctx.duration_s, 503)
    return _held(ctx)


def mailbox_timeouts(ctx: FaultContext) -> float:
    """Requests hang past the client's timeout; the fault ends when the last one is let go."""
    hold = DAV_CLIENT_TIMEOUT_S + 2
    ctx.world.proxy.hang_for(ctx.duration_s, hold)
    _held(ctx)
    time.sleep(hold)
    return time.time()


def worker_sigkill(ctx: FaultContext) -> float:
    """SIGKILL the worker at a random point; the supervisor starts a new one a second later."""
    time.sleep(ctx.rng.uniform(0, ctx.duration_s))
    worker = ctx.world.worker
    restarts = worker.restarts
    worker.kill()
    deadline = time.monotonic() + RESTART_DELAY_S + 10
    while worker.restarts == restarts and time.monotonic() < deadline:
        time.sleep(0.1)
    return time.time()


def redis_restart_persistent(ctx: FaultContext) -> float:
    ctx.world.redis.restart(persistent=True, downtime_s=ctx.duration_s)
    return time.time()


def redis_restart_volatile(ctx: FaultContext) -> float:
    ctx.world.redis.restart(persistent=False, downtime_s=ctx.duration_s)
    return time.time()


def postgres_connection_loss(ctx: FaultContext) -> float:
    """pg_terminate_backend on the product's connections, every half second for the duration."""
    deadline = time.monotonic() + ctx.duration_s
    while True:
        ctx.world.db.terminate_connections()
        if time.monotonic() >= deadline:
            return time.time()
        time.sleep(0.5)


FAULT_KINDS: tuple[FaultKind, ...] = (
    FaultKind("sf_503_storm", sf_503_storm),
    FaultKind("sf_request_limit_exceeded", sf_request_limit),
    FaultKind("sf_unable_to_lock_row", sf_row_locks),
    FaultKind("sf_invalid_session_id", sf_invalid_session),
    FaultKind("sf_invalid_grant", sf_invalid_grant),
    FaultKind("mailbox_5xx", mailbox_5xx),
    FaultKind("mailbox_timeout", mailbox_timeouts),
    FaultKind("worker_sigkill", worker_sigkill),
    FaultKind("redis_restart_persistent", redis_restart_persistent),
    FaultKind("redis_restart_volatile", redis_restart_volatile),
    FaultKind("postgres_connection_loss", postgres_connection_loss, needs="postgresql"),
)
QUICK_KINDS = ("sf_503_storm", "sf_invalid_grant", "mailbox_5xx", "worker_sigkill", "redis_restart_persistent",
               "postgres_connection_loss")


def kinds_named(names: list[str] | tuple[str, ...]) -> list[FaultKind]:
    """The kinds in the given order; an unknown name is a ValueError naming the known ones."""
    by_name = {k.name: k for k in FAULT_KINDS}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown fault kind(s) {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]
