"""Salesforce calls of the per-org change loop: 100 users, one poll a minute, 50 ms latency.

Run `python bench/change_feed.py` (starts its own HTTPS emulator, SQLite and an embedded Redis).
Each simulated minute the org is polled once and every mailbox the poll routed work to reads it
(the Salesforce half of its session); a few records change in some minutes, most minutes are
idle. Calls are counted by the emulator, as Salesforce does. Then push round trips (see
`bench/change_feed_push.py`): `sf_to_mailbox_p95_s` (a Salesforce edit reaching the CalDAV server
through Change Data Capture) and `mailbox_to_sf_p95_s` (a CalDAV edit reaching Salesforce through
the push watcher's DAV probe), `--samples` of each (needs Radicale; `--no-push` skips them).
Prints `metric: value` lines.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Mailbox, SalesforceConnection, ServerProfile  # noqa: E402
from app.providers.salesforce.connect import connect_org  # noqa: E402
from app.providers.salesforce.crm_port import SalesforceCrmPort  # noqa: E402
from app.services.fanned_out_crm import FannedOutCrm  # noqa: E402
from app.services.org_change_loop import poll_org_changes  # noqa: E402
from app.services.users import find_or_create_org, find_or_create_user  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

USERS = 100
MINUTES = 60
BUSY_EVERY = 6            # one minute in six, three users change a record each
LATENCY_MS = 50
OBJECTS = ("Contact", "Event", "Task")


def build(emu: SalesforceEmulator, workdir: Path):
    database = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(database)
    config = Config(env="test", instance_dir=workdir, database_url=database, secret_keys=(Fernet.generate_key().decode(),),
                    salesforce_client_id="bench", salesforce_login_url=emu.base_url, salesforce_ca_bundle=emu.ca_path,
                    salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,), log_level="WARNING")
    rt = create_app(config).extensions["syncline"]
    sf_org = emu.create_org(name="Acme")
    sf_users = [emu.create_user(sf_org, email=f"rep{n}@acme.example", admin=n == 0) for n in range(USERS)]
    tokens = emu.issue_tokens(sf_org, sf_users[0])
    mailboxes = {}
    with rt.db.session_scope() as s:
        org = find_or_create_org(s, sf_org, "Acme", tokens["instance_url"])
        profile = ServerProfile(org_id=org.id, name="imap", kind="imap", endpoints={"imap_host": "127.0.0.1"})
        s.add(profile)
        s.flush()
        for n, sf_user in enumerate(sf_users):
            user = find_or_create_user(s, org, sf_user_id=sf_user, email=f"rep{n}@acme.example", sf_admin=n == 0)
            if n == 0:
                s.add(SalesforceConnection(org_id=org.id, user=user, instance_url=tokens["instance_url"],
                                           is_org_default=True, access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                           refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
            s.flush()
            mailbox = Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address=user.email,
                              credentials_enc=rt.secrets.encrypt("{}"))
            s.add(mailbox)
            s.flush()
            mailboxes[sf_user] = mailbox.id
        org_pk = org.id
    return rt, sf_org, sf_users, mailboxes, org_pk


def read_routed(rt, org_pk: int, mailboxes: dict[str, int], cursors: dict, mailbox_ids: list[int]) -> None:
    """The Salesforce reads of these mailboxes' sessions: each object's routed changes."""
    client = connect_org(rt, org_pk)
    users = {m: u for u, m in mailboxes.items()}
    for mailbox_id in mailbox_ids:
        sf_user = users[mailbox_id]
        crm = FannedOutCrm(SalesforceCrmPort(client, sf_user, describer=lambda _t: None), rt.db, org_pk, mailbox_id)
        for sobject in OBJECTS:
            cursors[mailbox_id][sobject] = crm.changes_since(sobject, cursors[mailbox_id][sobject], sf_user).cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20, help="push round trips timed each way")
    parser.add_argument("--no-push", action="store_true", help="only the per-org poll's call counts")
    args = parser.parse_args()
    poll_figures()
    if not args.no_push:
        from bench.change_feed_push import p95, round_trips
        to_mailbox, to_salesforce = round_trips(args.samples)
        print(f"sf_to_mailbox_p95_s: {p95(to_mailbox):.2f}")
        print(f"sf_to_mailbox_median_s: {sorted(to_mailbox)[(len(to_mailbox) - 1) // 2]:.2f}")
        print(f"mailbox_to_sf_p95_s: {p95(to_salesforce):.2f}")
        print(f"mailbox_to_sf_median_s: {sorted(to_salesforce)[(len(to_salesforce) - 1) // 2]:.2f}")
        print(f"push_round_trips_timed: {len(to_mailbox) + len(to_salesforce)}")


def poll_figures() -> None:
    emu = SalesforceEmulator()
    emu.start(host="127.0.0.1", port=0)
    clock = datetime.now(UTC)
    emu.clock = lambda: clock
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rt, sf_org, sf_users, mailboxes, org_pk = build(emu, Path(tmp))
            poll_org_changes(rt, org_pk, now=clock)              # opens the windows
            cursors = {m: {o: f'{{"sobject":"{o}","epoch":1,"after":0}}' for o in OBJECTS} for m in mailboxes.values()}
            emu.faults.latency_ms = LATENCY_MS
            emu.reset_api_calls(sf_org)
            idle_calls, started = [], time.perf_counter()
            for minute in range(MINUTES):
                clock += timedelta(minutes=1)
                before = emu.api_calls(sf_org)
                if minute % BUSY_EVERY == 0:
                    for owner in sf_users[minute % USERS:][:3]:
                        emu.insert(sf_org, "Contact", {"LastName": f"M{minute}", "OwnerId": owner})
                report = poll_org_changes(rt, org_pk, now=clock)
                read_routed(rt, org_pk, mailboxes, cursors, report.mailboxes)
                if not report.mailboxes:
                    idle_calls.append(emu.api_calls(sf_org) - before)
            calls, seconds = emu.api_calls(sf_org), time.perf_counter() - started
            before = emu.api_calls(sf_org)
            read_routed(rt, org_pk, mailboxes, cursors, list(mailboxes.values()))   # every mailbox's scheduled session
            per_idle_mailbox = (emu.api_calls(sf_org) - before) / USERS
            rt.db.dispose()
    finally:
        emu.stop()
    print(f"sf_calls_per_day_100_users_1min: {calls / MINUTES * 1440:.0f}")
    print(f"sf_calls_per_idle_poll_org: {sum(idle_calls) / max(1, len(idle_calls)):g}")
    print(f"idle_sf_calls_per_mailbox: {per_idle_mailbox:g}")
    print(f"org_poll_seconds_per_minute_simulated: {seconds / MINUTES:.3f}", flush=True)


if __name__ == "__main__":
    main()
