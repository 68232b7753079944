"""A first link adds the mailbox's invitees to an existing Event and deletes none of its own
(issue 11, point 5), through `run_sync` and the real `SalesforceCrmPort` against the emulator."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.sync import Attendee, ResponseStatus
from tests.providers.salesforce.test_crm_port_world import CAL, NOW, PortWorld, meeting


@pytest.fixture
def pw(world) -> PortWorld:
    return PortWorld(world)


def _contact(pw: PortWorld, email: str) -> str:
    return pw.sf.emu.insert(pw.sf.org, "Contact", {"LastName": email.split("@")[0], "Email": email})


def test_a_meeting_linked_to_an_existing_event_adds_its_invitees_and_keeps_the_events(pw):
    carol, dan = _contact(pw, "carol@client.com"), _contact(pw, "dan@client.com")
    start = NOW + timedelta(days=2)
    event = pw.sf.emu.insert(pw.sf.org, "Event", {
        "Subject": "Renewal call", "OwnerId": pw.sf.user, "StartDateTime": start.isoformat(),
        "EndDateTime": (start + timedelta(hours=1)).isoformat(), "DurationInMinutes": 60})
    pw.sf.emu.insert(pw.sf.org, "EventRelation", {"EventId": event, "RelationId": carol, "IsInvitee": True,
                                                   "Status": "Accepted"})
    pw.mailbox.put(CAL, meeting("Renewal call", attendees=(
        Attendee("dan@client.com", response=ResponseStatus.ACCEPTED),)))
    assert pw.sync().ok
    assert [e["Id"] for e in pw.events()] == [event]
    assert {(r["RelationId"], r["Status"]) for r in pw.relations(event)} == {(carol, "Accepted"), (dan, "Accepted")}
