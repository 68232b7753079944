"""Auto-linking through the real `SalesforceCrmPort` and the HTTPS emulator: a meeting with a
Contact attendee becomes an Event whose WhoId is that Contact and WhatId its Account."""
from __future__ import annotations

from app.sync import Attendee
from tests.providers.salesforce.test_crm_port_world import CAL, PortWorld, meeting


def test_a_meeting_with_a_contact_attendee_creates_a_linked_event(world):
    pw = PortWorld(world)
    account = world.emu.insert(world.org, "Account", {"Name": "Client Co"})
    carol = world.emu.insert(world.org, "Contact", {"LastName": "Carol", "Email": "carol@client.com",
                                                    "AccountId": account})
    pw.mailbox.put(CAL, meeting("Pricing", organizer="ann@acme.test",
                                attendees=(Attendee("ann@acme.test"), Attendee("carol@client.com"))))
    outcome = pw.sync()
    [event] = pw.events()
    assert outcome.ok, outcome.errors
    assert (event["WhoId"], event["WhatId"]) == (carol, account)
    assert pw.mapping.fields >= {"WhoId", "WhatId"}
