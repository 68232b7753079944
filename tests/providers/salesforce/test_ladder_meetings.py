"""Meetings take the same resolution ladder: a new Event's Who/What through the real adapter
and the HTTPS emulator, with the reasons stored in the ID map."""
from __future__ import annotations

from dataclasses import replace

from app.services.link_rules import site_domain
from app.sync import FolderKind
from app.sync.items import Attendee
from app.sync.link_ladder import LadderRules
from tests.providers.salesforce.test_crm_port_world import PortWorld, meeting

CAL = FolderKind.CALENDAR


def test_a_meeting_links_the_first_contact_and_the_opportunity_of_the_admins_stage(world):
    pw = PortWorld(world)
    account = world.emu.insert(world.org, "Account", {"Name": "Client", "Website": "client.com"})
    carol = world.emu.insert(world.org, "Contact", {"LastName": "Carol", "Email": "carol@client.com",
                                                    "AccountId": account})
    world.emu.insert(world.org, "Lead", {"LastName": "Leo", "Company": "Leo Ltd", "Email": "leo@lead.com"})
    world.emu.insert(world.org, "Opportunity", {"Name": "New", "StageName": "Prospecting",
                                                "CloseDate": "2027-01-31", "AccountId": account})
    staged = world.emu.insert(world.org, "Opportunity", {"Name": "Later", "StageName": "Negotiation/Review",
                                                         "CloseDate": "2027-01-31", "AccountId": account})
    pw.policy = replace(pw.policy, ladder=LadderRules("by_stage", ("Negotiation/Review",), site_of=site_domain))
    pw.mailbox.put(CAL, meeting("Kick-off", attendees=(Attendee("leo@lead.com"), Attendee("carol@client.com"))))
    assert pw.sync().ok
    [event] = pw.events()
    assert (event["WhoId"], event["WhatId"]) == (carol, staged)
    [entry] = [e for e in pw.id_map.entries("alice", CAL) if e.crm_id]
    assert entry.link_reasons == ("who: exact_email Contact carol@client.com", "what: contact_account",
                                  "what: by_stage_opportunity")
