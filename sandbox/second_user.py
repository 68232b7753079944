"""A second sandbox user of Sandbox Co with a mailbox on a provider fake (`up --graph`, `up --google`).

Each Syncline user syncs one mailbox, so Ann keeps the CalDAV/IMAP one; the extra user gets a
Salesforce user in the emulator, a connection, a server profile named for the fake, a mailbox and an
API token. Everything is found again on the next run (nothing is made twice), and what the fake
needs back after a restart (its port, the token) is kept in a private JSON file beside its snapshot.
"""
from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.models.base import utcnow
from app.runtime import Runtime
from app.services.users import find_or_create_org, find_or_create_user
from sandbox import seed_data as data
from sandbox.environment import SandboxEnvironment
from sandbox.mailservers import reusable_port
from sandbox.private_file import write_private
from sandbox.seed_syncline import _ensure_connection, _ensure_token


@dataclass(frozen=True)
class SecondUser:
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class MailboxProfile:
    """The server profile the user's mailbox points at (endpoints and settings rewritten on each run)."""

    name: str
    kind: str
    endpoints: dict[str, Any]
    settings: dict[str, Any]


class SavedFake:
    """A provider fake on its saved port under ``directory``, its data restored from the last run's snapshot
    (our own pickle, 0600 in a 0700 folder) and written back on stop. Subclasses say how to build the fake,
    what its snapshot holds and how to put it back."""

    snapshot_file: ClassVar[str] = "snapshot.pickle"
    state_file: ClassVar[str] = "state.json"

    def __init__(self, directory: Path, fake: Any) -> None:
        self.directory, self.fake = directory, fake

    @classmethod
    def start(cls, directory: Path) -> Any:
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        fake = cls.new_fake(str(directory / "tls"))
        if (directory / cls.snapshot_file).exists():
            cls.restore(fake, pickle.loads((directory / cls.snapshot_file).read_bytes()))
        fake.start("127.0.0.1", reusable_port(saved(directory / cls.state_file).get("port")))
        return cls(directory, fake)

    def stop(self) -> None:
        self.fake.stop()
        with self.fake.store.lock:
            blob = pickle.dumps(self.snapshot(self.fake.store))
        write_private(self.directory / self.snapshot_file, blob)

    def known_token(self) -> str:
        return str(saved(self.directory / self.state_file).get("api_token") or "")

    def remember(self, api_token: str) -> None:
        """The port and the user's API token, for the next run."""
        write_private(self.directory / self.state_file, json.dumps(
            {"port": int(self.fake.base_url.rsplit(":", 1)[1]), "api_token": api_token}).encode())

    @classmethod
    def new_fake(cls, cert_dir: str) -> Any:
        raise NotImplementedError

    @staticmethod
    def snapshot(store: Any) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def restore(fake: Any, snapshot: dict[str, Any]) -> None:
        raise NotImplementedError


def seed_second_user(rt: Runtime, env: SandboxEnvironment, sf_org_id: str, who: SecondUser,
                     profile: MailboxProfile, known_token: str) -> tuple[int, str]:
    """(mailbox id, API token) of ``who``, whose mailbox is on ``profile``; the org default stays Ann's."""
    sf_user_id = salesforce_user(env, sf_org_id, who)
    with rt.db.session_scope() as session:
        org = find_or_create_org(session, sf_org_id, data.ORG_NAME, env.emulator.base_url)
        user = find_or_create_user(session, org, sf_user_id=sf_user_id, email=who.email,
                                   name=f"{who.first_name} {who.last_name}")
        _ensure_connection(rt, session, env, org, user)
        user.connection.is_org_default = False      # Ann's connection does the org-wide work
        row = session.scalar(select(ServerProfile).where(ServerProfile.org_id == org.id,
                                                         ServerProfile.name == profile.name))
        if row is None:
            row = ServerProfile(org_id=org.id, name=profile.name, kind=profile.kind)
            session.add(row)
        row.endpoints = profile.endpoints
        row.settings = {**(row.settings or {}), **profile.settings, "sandbox": True}
        session.flush()
        if user.mailbox is None:
            session.add(Mailbox(org_id=org.id, user=user, server_profile_id=row.id, address=who.email,
                                username=who.email, next_sync_at=utcnow()))
        token = _ensure_token(session, user, known_token)
        session.flush()
        return user.mailbox.id, token


def salesforce_user(env: SandboxEnvironment, sf_org_id: str, who: SecondUser) -> str:
    emu = env.emulator
    found = [u["Id"] for u in emu.records(sf_org_id, "User") if u["Email"] == who.email]
    return found[0] if found else emu.create_user(sf_org_id, who.email, first_name=who.first_name,
                                                  last_name=who.last_name)


def saved(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}
