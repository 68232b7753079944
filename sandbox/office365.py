"""`syncline up --graph`: an Office 365-style mailbox on the Graph fake, for a second sandbox user.

Olivia (a Salesforce user of Sandbox Co) gets a Syncline mailbox on a ``graph`` server profile
whose app registration is the fake's; her calendar holds a few meetings with seeded Contacts.
Each user syncs one mailbox, so Ann keeps the CalDAV/IMAP one. The fake keeps its tenant in
memory; it is written to ``<instance>/sandbox/graph/`` on stop and read back on start, so event
ids (and so Syncline's ID map) survive restarts; delta tokens do not (the first session after a
restart answers 410 and resyncs, deduplicating, as against Office 365).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.runtime import Runtime
from sandbox.environment import SandboxEnvironment
from sandbox.graph import GraphFake
from sandbox.second_user import MailboxProfile, SavedFake, SecondUser, seed_second_user

TENANT_ID = "sandbox-tenant"
CLIENT_ID = "syncline-sandbox-graph"
PROFILE_NAME = "Sandbox Office 365"
USER = SecondUser("olivia@sandbox-co.test", "Olivia", "Hart")
SNAPSHOT, STATE = "tenant.pickle", "graph.json"


@dataclass(frozen=True)
class GraphSeed:
    """Olivia's rows and where her mailbox lives (the token is a throwaway, like Ann's)."""

    mailbox_id: int
    api_token: str
    address: str
    graph_url: str
    ca_path: str


class GraphSandbox(SavedFake):
    """The Graph fake on its saved port, with its tenant restored from the last run."""

    snapshot_file, state_file = SNAPSHOT, STATE

    @classmethod
    def new_fake(cls, cert_dir: str) -> GraphFake:
        return GraphFake(cert_dir=cert_dir)

    def env(self) -> dict[str, str]:
        """The worker trusts the fake's CA for Entra ID and Graph (the host guard allows 127.0.0.1 already)."""
        return {"SYNCLINE_GRAPH_CA_BUNDLE": self.fake.ca_path}

    @staticmethod
    def snapshot(store) -> dict:
        return {"mailboxes": store.mailboxes, "outbox": store.outbox}

    @staticmethod
    def restore(fake: GraphFake, tenant: dict) -> None:
        """The change counter resumes past the restored tenant."""
        store = fake.store
        store.mailboxes, store.outbox = tenant["mailboxes"], tenant["outbox"]
        seen = [n for box in store.mailboxes.values() for n in (*box.changed_at.values(), *box.removed.values())]
        store.counter = itertools.count(max(seen, default=0) + 1)


def seed_graph_mailbox(rt: Runtime, env: SandboxEnvironment, graph: GraphSandbox, sf_org_id: str,
                       today: date | None = None) -> GraphSeed:
    """Olivia in Salesforce and Syncline, the app registration, her profile and mailbox; meetings once."""
    today = today or datetime.now(UTC).date()
    store = graph.fake.store
    store.register_client(CLIENT_ID, env.state.client_secret)
    address = USER.email
    if store.mailbox(address) is None:
        store.add_user(address)
        for meeting in meetings(today):
            store.create_event(address, meeting)
    profile = MailboxProfile(PROFILE_NAME, "graph", {"tenant_id": TENANT_ID, "client_id": CLIENT_ID,
                                                      "authority_url": graph.fake.authority_url,
                                                      "graph_url": graph.fake.graph_url},
                             {"client_secret_enc": rt.secrets.encrypt(env.state.client_secret)})
    mailbox_id, token = seed_second_user(rt, env, sf_org_id, USER, profile, graph.known_token())
    graph.remember(token)
    return GraphSeed(mailbox_id, token, address, graph.fake.graph_url, graph.fake.ca_path)


def banner_lines(api_url: str, seed: GraphSeed) -> list[str]:
    """What the sandbox banner adds for the Office 365 mailbox."""
    return [f"Office 365    Graph fake {seed.graph_url} (CA {seed.ca_path}), mailbox {seed.address}",
            f"Olivia        token {seed.api_token}; Sync view {api_url}/sidebar/#view=dashboard&token={seed.api_token}"]


def meetings(today: date) -> list[dict]:
    """Olivia's calendar as Outlook holds it: meetings with seeded Contacts, one a weekly series."""
    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=hour)

    def event(subject: str, start: datetime, minutes: int, who: tuple[str, str], **extra) -> dict:
        fmt = "%Y-%m-%dT%H:%M:%S"
        return {"subject": subject, "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
                "end": {"dateTime": (start + timedelta(minutes=minutes)).strftime(fmt), "timeZone": "UTC"},
                "attendees": [{"emailAddress": {"name": who[0], "address": who[1]}, "type": "required"}], **extra}

    weekly = at(2, 10)
    return [
        event("Globex contract review", at(1, 14), 45, ("Hank Scorpio", "hank.scorpio@globex.test"),
              location={"displayName": "Teams"}),
        event("Northwind quarterly business review", at(3, 9), 60, ("Maria Anders", "maria.anders@northwind.test")),
        event("Initech discovery call", weekly, 30, ("Liu Wong", "liu.wong@initech.test"),
              recurrence={"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [weekly.strftime("%A").lower()]},
                          "range": {"type": "numbered", "startDate": weekly.date().isoformat(),
                                    "numberOfOccurrences": 6}}),
    ]
