"""What a synced user does in Salesforce, shared by the Graph and Google e2e worlds: Events made,
deleted (through the REST API, so the deletion is recorded) and read back from the emulator."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

FMT = "%Y-%m-%dT%H:%M:%S"
SF_FMT = FMT + ".000+0000"


class SalesforceSide:
    """Mixin for a test user with ``e2e``, ``sf_org`` and ``sf_user``."""

    e2e: Any
    sf_org: str
    sf_user: str

    def sf_event(self, subject: str, start: datetime, **extra: Any) -> str:
        return self.e2e.emu.insert(self.sf_org, "Event", {
            "Subject": subject, "OwnerId": self.sf_user, "StartDateTime": start.strftime(SF_FMT),
            "EndDateTime": (start + timedelta(hours=1)).strftime(SF_FMT), **extra})

    def sf_delete(self, record_id: str) -> None:
        """The user deleting an Event in Salesforce (through its REST API, so the deletion is recorded)."""
        tokens = self.e2e.emu.issue_tokens(self.sf_org, self.sf_user)
        http = requests.Session()
        http.trust_env, http.verify = False, self.e2e.emu.ca_path
        answer = http.delete(f"{tokens['instance_url']}/services/data/v62.0/sobjects/Event/{record_id}",
                             headers={"Authorization": "Bearer " + tokens["access_token"]})
        assert answer.status_code == 204, answer.text

    def sf_events(self) -> list[dict]:
        return self.e2e.emu.records(self.sf_org, "Event")
