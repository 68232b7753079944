"""A Google Workspace user for worker e2e tests: their calendar on the Google fake, registered
through the API like an admin would (service-account key on a gmail profile), plus what they do in
Google Calendar. Each of their own actions counts the mail Google sends for it, so a test can prove
the product itself never mailed anyone (the fake's outbox, filled only by ``sendUpdates`` all /
externalOnly)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.e2e.conftest import E2E
from tests.e2e.helpers import _colleague, force_sync
from tests.e2e.salesforce_side import SalesforceSide
from tests.factories import Factory


@dataclass
class GoogleUser(SalesforceSide):
    e2e: E2E
    user: Any
    sf_org: str
    sf_user: str
    headers: dict
    mailbox_id: int
    profile_id: int
    key: dict                    # the org's service-account key (what the admin stored on the profile)
    sent_by_user: int = 0        # messages Google sent for the user's own actions in Calendar

    @property
    def address(self) -> str:
        return str(self.user.email).lower()

    @property
    def store(self) -> Any:
        return self.e2e.google.store

    # -- in Google Calendar (the user's own actions mail their guests) ----------------------------
    def _by_hand(self, action: Any, *args: Any) -> Any:
        before = len(self.store.outbox)
        result = action(*args)
        self.sent_by_user += len(self.store.outbox) - before
        return result

    def meeting(self, summary: str, start: datetime, guests: tuple[str, ...] = (), zone: str = "UTC",
                **extra: Any) -> str:
        body = {"summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": zone},
                "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": zone},
                "attendees": [{"email": g} for g in guests], **extra}
        return str(self._by_hand(self.store.insert_event, self.address, body, "all")["id"])

    def edit(self, event_id: str, changes: dict) -> None:
        self._by_hand(self.store.patch_event, self.address, event_id, changes, None, "all")

    def delete(self, event_id: str) -> None:
        self._by_hand(self.store.delete_event, self.address, event_id, None, "all")

    def instances(self, event_id: str, low: datetime, high: datetime) -> list[dict]:
        return self.store.instances(self.address, event_id, low, high, False)

    def google(self, with_cancelled: bool = False) -> list[dict]:
        """Every stored event (masters, single events, exceptions); cancelled tombstones left out."""
        events = self.store.calendar(self.address).events.values()
        return [e for e in events if with_cancelled or e.get("status") != "cancelled"]

    def summaries(self) -> list[str]:
        return sorted(e.get("summary", "") for e in self.google() if not e.get("recurringEventId"))

    # -- Syncline -------------------------------------------------------------------------------
    def sync(self, status: str | None = "succeeded") -> dict:
        """A forced session through the worker; every write the product made must say sendUpdates=none."""
        mailed, wrote = len(self.store.outbox), len(self.store.writes)
        session = force_sync(self)
        assert self.store.outbox[mailed:] == [], self.store.outbox[mailed:]
        assert all(w["sendUpdates"] == "none" for w in self.store.writes[wrote:]), self.store.writes[wrote:]
        assert status is None or session["status"] == status, session
        return session

    def assert_no_invitation_from_the_product(self) -> None:
        mine = [m for m in self.store.outbox if m.get("from") == self.address]
        assert len(mine) == self.sent_by_user, mine


def google_user(e2e: E2E, factory: Factory, colleague_of: GoogleUser | None = None) -> GoogleUser:
    """A new org with a Workspace profile (or a colleague in ``colleague_of``'s org, on its profile)."""
    client = e2e.app.test_client()
    store = e2e.google.store
    if colleague_of is None:
        user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
        key = store.register_service_account(f"sync-{secrets.token_hex(3)}@project.iam.gserviceaccount.com")
        profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=factory.auth(user), json={
            "name": "Workspace", "kind": "gmail", "service_account_key": key,
            "endpoints": {"google_api_url": e2e.google.api_root, "google_token_url": e2e.google.token_uri}})
        assert profile.status_code == 201, profile.json
        profile_id = profile.json["id"]
    else:
        sf_org, profile_id, key = colleague_of.sf_org, colleague_of.profile_id, colleague_of.key
        user, sf_user = _colleague(e2e, factory, sf_org)
    headers = factory.auth(user)
    store.add_user(user.email)
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile_id, "address": user.email})
    assert mailbox.status_code == 201, mailbox.json
    return GoogleUser(e2e, user, sf_org, sf_user, headers, mailbox.json["id"], profile_id, key)
