"""An Office 365 user for worker e2e tests: their mailbox on the Graph fake, registered through the
API like an admin would, plus what they do in Outlook — each Outlook action counts the messages
Exchange sends for it, so a test can prove the product itself never mailed anyone."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.e2e.conftest import E2E
from tests.e2e.helpers import _colleague, force_sync
from tests.e2e.salesforce_side import FMT, SF_FMT, SalesforceSide
from tests.factories import Factory

__all__ = ["FMT", "SF_FMT", "Office365User", "office365_user"]


@dataclass
class Office365User(SalesforceSide):
    e2e: E2E
    user: Any
    sf_org: str
    sf_user: str
    headers: dict
    mailbox_id: int
    profile_id: int
    sent_by_user: int = 0          # messages Exchange sent for the user's own Outlook actions
    _seen: list = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.user.email

    @property
    def store(self) -> Any:
        return self.e2e.graph.store

    # -- in Outlook ---------------------------------------------------------------------------
    def _by_hand(self, action: Any, *args: Any) -> Any:
        before = len(self.store.outbox)
        result = action(*args)
        self.sent_by_user += len([m for m in self.store.outbox[before:] if m.organizer == self.address])
        return result

    def meeting(self, subject: str, start: datetime, guests: tuple[str, ...] = (), **extra: Any) -> str:
        body = {"subject": subject, "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
                "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"},
                "attendees": [{"emailAddress": {"address": g}, "type": "required"} for g in guests], **extra}
        event, _ = self._by_hand(self.store.create_event, self.address, body)
        return str(event["id"])

    def edit(self, event_id: str, changes: dict) -> None:
        self._by_hand(self.store.update_event, self.address, event_id, changes)

    def delete(self, event_id: str) -> None:
        self._by_hand(self.store.delete_event, self.address, event_id)

    def outlook(self) -> list[dict]:
        return list(self.store.mailbox(self.address).events.values())

    def subjects(self) -> list[str]:
        return sorted(e["subject"] for e in self.outlook())

    # -- Syncline -----------------------------------------------------------------------------
    def sync(self, status: str | None = "succeeded") -> dict:
        """A forced session through the worker; the product's writes must not mail anyone."""
        before = len(self.store.outbox)
        session = force_sync(self)
        assert len(self.store.outbox) == before, self.store.outbox[before:]
        assert status is None or session["status"] == status, session
        return session

    def assert_no_invitation_from_the_product(self) -> None:
        mine = [m for m in self.store.outbox if m.organizer == self.address]
        assert len(mine) == self.sent_by_user, mine


def office365_user(e2e: E2E, factory: Factory, colleague_of: Office365User | None = None) -> Office365User:
    """A new org (or a colleague in ``colleague_of``'s org, on its server profile) with a Graph mailbox."""
    client = e2e.app.test_client()
    if colleague_of is None:
        user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
        client_id = f"app-{secrets.token_hex(3)}"
        e2e.graph.store.register_client(client_id, "worker-secret")
        profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=factory.auth(user), json={
            "name": "Office 365", "kind": "graph", "client_secret": "worker-secret",
            "endpoints": {"tenant_id": "contoso", "client_id": client_id, "authority_url": e2e.graph.authority_url,
                          "graph_url": e2e.graph.graph_url}})
        assert profile.status_code == 201, profile.json
        profile_id = profile.json["id"]
    else:
        sf_org, profile_id = colleague_of.sf_org, colleague_of.profile_id
        user, sf_user = _colleague(e2e, factory, sf_org)
    headers = factory.auth(user)
    e2e.graph.store.add_user(user.email)
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile_id, "address": user.email})
    assert mailbox.status_code == 201, mailbox.json
    return Office365User(e2e, user, sf_org, sf_user, headers, mailbox.json["id"], profile_id)
