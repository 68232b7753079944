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
import json
import os
import pickle
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.models.base import utcnow
from app.runtime import Runtime
from app.services.users import find_or_create_org, find_or_create_user
from sandbox import seed_data as data
from sandbox.environment import SandboxEnvironment
from sandbox.graph import GraphFake
from sandbox.mailservers import reusable_port
from sandbox.seed_syncline import _ensure_connection, _ensure_token

TENANT_ID = "sandbox-tenant"
CLIENT_ID = "syncline-sandbox-graph"
PROFILE_NAME = "Sandbox Office 365"
USER = {"email": "olivia@sandbox-co.test", "first_name": "Olivia", "last_name": "Hart"}
SNAPSHOT, STATE = "tenant.pickle", "graph.json"


@dataclass(frozen=True)
class GraphSeed:
    """Olivia's rows and where her mailbox lives (the token is a throwaway, like Ann's)."""

    mailbox_id: int
    api_token: str
    address: str
    graph_url: str
    ca_path: str


class GraphSandbox:
    """The Graph fake on its saved port, with its tenant restored from the last run."""

    def __init__(self, directory: Path, fake: GraphFake) -> None:
        self.directory, self.fake = directory, fake

    @classmethod
    def start(cls, directory: Path) -> GraphSandbox:
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        fake = GraphFake(cert_dir=str(directory / "tls"))
        _restore(fake, directory / SNAPSHOT)
        fake.start("127.0.0.1", reusable_port(_saved(directory).get("port")))
        return cls(directory, fake)

    def env(self) -> dict[str, str]:
        """The worker trusts the fake's CA for Entra ID and Graph (the host guard allows 127.0.0.1 already)."""
        return {"SYNCLINE_GRAPH_CA_BUNDLE": self.fake.ca_path}

    def stop(self) -> None:
        self.fake.stop()
        store = self.fake.store
        with store.lock:
            tenant = {"mailboxes": store.mailboxes, "outbox": store.outbox}
            blob = pickle.dumps(tenant)
        _write_private(self.directory / SNAPSHOT, blob)


def seed_graph_mailbox(rt: Runtime, env: SandboxEnvironment, graph: GraphSandbox, sf_org_id: str,
                       today: date | None = None) -> GraphSeed:
    """Olivia in Salesforce and Syncline, the app registration, her profile and mailbox; meetings once."""
    today = today or datetime.now(UTC).date()
    store, saved = graph.fake.store, _saved(graph.directory)
    store.register_client(CLIENT_ID, env.state.client_secret)
    address = USER["email"]
    if store.mailbox(address) is None:
        store.add_user(address)
        for meeting in meetings(today):
            store.create_event(address, meeting)
    sf_user_id = _salesforce_user(env, sf_org_id)
    endpoints = {"tenant_id": TENANT_ID, "client_id": CLIENT_ID, "authority_url": graph.fake.authority_url,
                 "graph_url": graph.fake.graph_url}
    with rt.db.session_scope() as session:
        org = find_or_create_org(session, sf_org_id, data.ORG_NAME, env.emulator.base_url)
        user = find_or_create_user(session, org, sf_user_id=sf_user_id, email=address,
                                   name=f"{USER['first_name']} {USER['last_name']}")
        _ensure_connection(rt, session, env, org, user)
        user.connection.is_org_default = False      # Ann's connection does the org-wide work
        profile = session.scalar(select(ServerProfile).where(ServerProfile.org_id == org.id,
                                                             ServerProfile.name == PROFILE_NAME))
        if profile is None:
            profile = ServerProfile(org_id=org.id, name=PROFILE_NAME, kind="graph")
            session.add(profile)
        profile.endpoints = endpoints
        profile.settings = {**(profile.settings or {}), "client_secret_enc": rt.secrets.encrypt(env.state.client_secret),
                            "sandbox": True}
        session.flush()
        if user.mailbox is None:
            session.add(Mailbox(org_id=org.id, user=user, server_profile_id=profile.id, address=address,
                                username=address, next_sync_at=utcnow()))
        token = _ensure_token(session, user, str(saved.get("api_token") or ""))
        session.flush()
        mailbox_id = user.mailbox.id
    _write_private(graph.directory / STATE, json.dumps(
        {"port": int(graph.fake.base_url.rsplit(":", 1)[1]), "api_token": token}).encode())
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


def _salesforce_user(env: SandboxEnvironment, sf_org_id: str) -> str:
    emu = env.emulator
    found = [u["Id"] for u in emu.records(sf_org_id, "User") if u["Email"] == USER["email"]]
    return found[0] if found else emu.create_user(sf_org_id, USER["email"], first_name=USER["first_name"],
                                                  last_name=USER["last_name"])


def _restore(fake: GraphFake, path: Path) -> None:
    """The tenant of the last run (our own file, 0600 in a 0700 folder); the change counter resumes past it."""
    if not path.exists():
        return
    tenant = pickle.loads(path.read_bytes())
    store = fake.store
    store.mailboxes, store.outbox = tenant["mailboxes"], tenant["outbox"]
    seen = [n for box in store.mailboxes.values() for n in (*box.changed_at.values(), *box.removed.values())]
    store.counter = itertools.count(max(seen, default=0) + 1)


def _saved(directory: Path) -> dict:
    path = directory / STATE
    return json.loads(path.read_text()) if path.exists() else {}


def _write_private(path: Path, content: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.replace(tmp, path)
