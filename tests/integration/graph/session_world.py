"""The Graph session tests' world: one org, one user, their Office 365 mailbox on the fake.

Its own module, imported by the tests and by ``conftest.world`` under ONE name: the test module is
loaded by pytest as ``graph.test_graph_session_e2e`` (tests/integration has no __init__.py), so a
``START`` kept there was computed twice, and when collection and the first test straddled an hour
the fixture's meetings and the tests' expectations were an hour apart.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import select

from app.models import SyncSessionRecord
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from tests.factories import Factory

START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
FMT = "%Y-%m-%dT%H:%M:%S"


class World:
    """One org, one user, their Office 365 mailbox on the fake, registered through the API."""

    def __init__(self, app, emu, fake) -> None:
        self.app, self.emu, self.fake, self.rt = app, emu, fake, app.extensions["syncline"]
        factory = Factory(app)
        self.user, self.sf_org, self.sf_user = factory.salesforce_user(emu)
        self.address = fake.store.add_user(self.user.email)
        client, headers = app.test_client(), factory.auth(self.user)
        profile = client.post(f"/api/v1/orgs/{self.user.org_id}/server-profiles", headers=headers, json={
            "name": "Office 365", "kind": "graph", "client_secret": "app-secret",
            "endpoints": {"tenant_id": "contoso-tenant", "client_id": "app-1", "authority_url": fake.authority_url,
                          "graph_url": fake.graph_url}})
        assert profile.status_code == 201, profile.json
        assert "client_secret" not in profile.json
        mailbox = client.post("/api/v1/mailboxes", headers=headers,
                              json={"server_profile_id": profile.json["id"], "address": self.user.email})
        assert mailbox.status_code == 201, mailbox.json
        self.mailbox_id = mailbox.json["id"]
        self.client, self.headers, self.profile_id = client, headers, profile.json["id"]

    def sync(self) -> SyncSessionRecord:
        """One session; the product's writes must not add a message to the outbox."""
        sent = len(self.fake.store.outbox)
        run_session(self.rt, self.mailbox_id, "forced", default_ports)
        assert len(self.fake.store.outbox) == sent, self.fake.store.outbox[sent:]
        with self.rt.db.session_scope() as s:
            record = s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == self.mailbox_id)
                               .order_by(SyncSessionRecord.id.desc())).first()
            s.expunge(record)
            return record

    def sf_delete(self, sobject: str, record_id: str) -> None:
        """The user deleting a record in Salesforce (through its REST API)."""
        tokens = self.emu.issue_tokens(self.sf_org, self.sf_user)
        http = requests.Session()
        http.trust_env, http.verify = False, self.emu.ca_path
        answer = http.delete(f"{tokens['instance_url']}/services/data/v62.0/sobjects/{sobject}/{record_id}",
                             headers={"Authorization": "Bearer " + tokens["access_token"]})
        assert answer.status_code == 204, answer.text

    def sf_events(self) -> list[dict]:
        return self.emu.records(self.sf_org, "Event")

    def outlook(self) -> list[dict]:
        return list(self.fake.store.mailbox(self.address).events.values())

    def outlook_meeting(self, subject: str, days: int = 0, guests: tuple[str, ...] = ("buyer@fabrikam.test",)) -> str:
        start = START + timedelta(days=days)
        event, _ = self.fake.store.create_event(self.address, {
            "subject": subject, "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"},
            "location": {"displayName": "Room 9"}, "originalStartTimeZone": "Pacific Standard Time",
            "attendees": [{"emailAddress": {"address": g}, "type": "required"} for g in guests]})
        return event["id"]
