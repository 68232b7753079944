"""`syncline up --google`: a Google Workspace-style mailbox on the Google fake, for a third sandbox user.

Gwen (a Salesforce user of Sandbox Co) gets a Syncline mailbox on a ``gmail`` server profile holding the
fake's service-account key (domain-wide delegation for calendar, contacts and Gmail): a few meetings
(one a weekly series), two contacts labelled Salesforce and an email labelled Salesforce from a seeded
Contact. The fake keeps its domain in memory; calendars, address books and mailboxes are written to
``<instance>/sandbox/google/`` on stop and read back on start, so ids (and so Syncline's ID map)
survive restarts; sync tokens do not (the first session after a restart resyncs, deduplicating).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.runtime import Runtime
from app.services.google_profiles import sealed_service_account
from sandbox.environment import SandboxEnvironment
from sandbox.google import GoogleFake
from sandbox.google.contacts_store import CONTACTS_SCOPES
from sandbox.google.store import CALENDAR_SCOPES, GMAIL_SCOPES
from sandbox.second_user import MailboxProfile, SavedFake, SecondUser, seed_second_user

PROFILE_NAME = "Sandbox Google Workspace"
SERVICE_ACCOUNT = "syncline-sandbox@sandbox-co.iam.gserviceaccount.com"
USER = SecondUser("gwen@sandbox-co.test", "Gwen", "Park")
LABEL = "Salesforce"
SNAPSHOT, STATE = "domain.pickle", "google.json"


@dataclass(frozen=True)
class GoogleSeed:
    """Gwen's rows and where her mailbox lives (the token is a throwaway, like Ann's)."""

    mailbox_id: int
    api_token: str
    address: str
    api_root: str
    ca_path: str


class GoogleSandbox(SavedFake):
    """The Google fake on its saved port, with its domain restored from the last run."""

    snapshot_file, state_file = SNAPSHOT, STATE

    @classmethod
    def new_fake(cls, cert_dir: str) -> GoogleFake:
        return GoogleFake(cert_dir=cert_dir)

    def env(self) -> dict[str, str]:
        """The worker trusts the fake's CA for Google's token endpoint and APIs (127.0.0.1 is allowed already)."""
        return {"SYNCLINE_GOOGLE_CA_BUNDLE": self.fake.ca_path}

    @staticmethod
    def snapshot(store) -> dict:
        return {"calendars": store.calendars, "outbox": store.outbox, "last_seq": store.last_seq,
                "books": store.contacts.books, "contacts_seq": store.contacts.last_seq,
                "gmail": store.gmail.boxes, "history_id": store.gmail.history_id, "epoch": store.sync_epoch}

    @staticmethod
    def restore(fake: GoogleFake, domain: dict) -> None:
        """Counters resume past the restored domain; the last run's sync tokens are refused (a new epoch),
        so the first session resyncs."""
        store = fake.store
        store.calendars, store.outbox, store.sync_epoch = domain["calendars"], domain["outbox"], domain["epoch"] + 1
        store.last_seq = domain["last_seq"]
        store._seq = itertools.count(domain["last_seq"] + 1)
        store.contacts.books, store.contacts.last_seq = domain["books"], domain["contacts_seq"]
        store.contacts._seq = itertools.count(domain["contacts_seq"] + 1)
        store.contacts.epoch += 1
        store.gmail.boxes, store.gmail.history_id = domain["gmail"], domain["history_id"]
        labels = [int(i.rsplit("_", 1)[1]) for box in store.gmail.boxes.values() for i in box.labels
                  if i.startswith("Label_")]
        store.gmail._ids = itertools.count(max(labels, default=1000) + 1)


def seed_google_mailbox(rt: Runtime, env: SandboxEnvironment, google: GoogleSandbox, sf_org_id: str,
                        today: date | None = None) -> GoogleSeed:
    """Gwen in Salesforce and Syncline, the service account, her profile and mailbox; her data once."""
    store = google.fake.store
    key = store.register_service_account(SERVICE_ACCOUNT, scopes=CALENDAR_SCOPES | CONTACTS_SCOPES | GMAIL_SCOPES)
    if USER.email not in store.calendars:
        store.add_user(USER.email)
        seed_domain(google.fake, today or datetime.now(UTC).date())
    profile = MailboxProfile(PROFILE_NAME, "gmail", {"google_api_url": google.fake.api_root,
                                                      "google_token_url": google.fake.token_uri},
                             sealed_service_account(key, rt.secrets))
    mailbox_id, token = seed_second_user(rt, env, sf_org_id, USER, profile, google.known_token())
    google.remember(token)
    return GoogleSeed(mailbox_id, token, USER.email, google.fake.api_root, google.fake.ca_path)


def seed_domain(fake: GoogleFake, today: date) -> None:
    """Gwen's calendar, contacts and Gmail as Google holds them, each touching seeded Salesforce Contacts."""
    store, user = fake.store, USER.email

    def at(days: int, hour: int) -> str:
        return datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=hour).isoformat()

    def meeting(summary: str, days: int, hour: int, guest: str, **extra) -> dict:
        return {"summary": summary, "start": {"dateTime": at(days, hour), "timeZone": "UTC"},
                "end": {"dateTime": at(days, hour + 1), "timeZone": "UTC"}, "attendees": [{"email": guest}], **extra}

    store.insert_event(user, meeting("Northwind renewal planning", 1, 15, "maria.anders@northwind.test"))
    store.insert_event(user, meeting("Globex security review", 4, 10, "hank.scorpio@globex.test"))
    store.insert_event(user, meeting("Initech weekly sync", 2, 9, "liu.wong@initech.test",
                                     recurrence=["RRULE:FREQ=WEEKLY;COUNT=6"]))
    group = store.contacts.create_group(user, LABEL)["resourceName"]
    for given, family, email, company in (("Rosa", "Diaz", "rosa.diaz@fabrikam.test", "Fabrikam"),
                                          ("Theo", "Grant", "theo.grant@contoso.test", "Contoso")):
        store.contacts.create(user, {"names": [{"givenName": given, "familyName": family}],
                                     "emailAddresses": [{"value": email}], "organizations": [{"name": company}],
                                     "memberships": [{"contactGroupMembership": {"contactGroupResourceName": group}}]})
    store.gmail.add_message(user, {"From": "Maria Anders <maria.anders@northwind.test>", "To": user,
                                   "Subject": "Renewal quote", "Message-ID": "<renewal-quote@northwind.test>"},
                            text="Here is the renewal quote we discussed.", labels=("INBOX", LABEL))


def banner_lines(api_url: str, seed: GoogleSeed) -> list[str]:
    """What the sandbox banner adds for the Google Workspace mailbox."""
    return [f"Google        Google fake {seed.api_root} (CA {seed.ca_path}), mailbox {seed.address}",
            f"Gwen          token {seed.api_token}; Sync view {api_url}/sidebar/#view=dashboard&token={seed.api_token}"]
