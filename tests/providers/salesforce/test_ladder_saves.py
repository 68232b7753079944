"""Each rung of the resolution ladder end to end: the engine saves emails through the real
`SalesforceCrmPort` against the HTTPS emulator, and every link carries its reason in the ID map."""
from __future__ import annotations

import pytest

from app.services.link_rules import site_domain
from app.sync import EmailMessage, FolderKind, save_emails
from app.sync.blocklist import parse_blocklist
from app.sync.email_rules import SaveRules
from app.sync.link_ladder import LadderRules
from tests.providers.salesforce.test_crm_port_world import NOW, PortWorld

MAIL = FolderKind.MAIL


@pytest.fixture
def pw(world) -> PortWorld:
    pw = PortWorld(world)
    pw.account = world.emu.insert(world.org, "Account", {"Name": "Client Ltd", "Website": "https://www.client.co.uk"})
    pw.small = world.emu.insert(world.org, "Opportunity", {"Name": "Small", "StageName": "Prospecting", "Amount": 10,
                                                           "CloseDate": "2027-01-31", "AccountId": pw.account})
    pw.big = world.emu.insert(world.org, "Opportunity", {"Name": "Big", "StageName": "Qualification", "Amount": 900,
                                                         "CloseDate": "2027-01-31", "AccountId": pw.account})
    return pw


def message(n: int = 1, **changes) -> EmailMessage:
    base = dict(item_id="", message_id=f"<m{n}@client.co.uk>", conversation_id=f"<m{n}@client.co.uk>",
                sender="new.buyer@mail.client.co.uk", to=("ann@acme.test",), sent_at=NOW, subject="Order",
                body_text="Hello", categories=("Salesforce",))
    return EmailMessage(**{**base, **changes})


def save(pw: PortWorld, ladder: LadderRules, **rules) -> list[dict]:
    outcome = save_emails(pw.session, pw.mailbox, pw.port(), pw.id_map, pw.cursors, pw.policy, None,
                          SaveRules(save_as="Task", ladder=ladder, **rules))
    assert outcome.ok, outcome.errors
    return [t for t in pw.sf.emu.records(pw.sf.org, "Task") if t.get("Syncline_Key__c")]


def reasons(pw: PortWorld) -> list[tuple[str, ...]]:
    return [e.link_reasons for e in pw.id_map.entries("alice", MAIL)]


def test_unknown_sender_links_the_account_of_its_site_domain_and_its_largest_opportunity(pw):
    pw.mailbox.put(MAIL, message())
    [task] = save(pw, LadderRules("largest", org_domains=frozenset({"acme.test"}), site_of=site_domain))
    assert (task.get("WhoId"), task["WhatId"]) == (None, pw.big)
    assert reasons(pw) == [("what: domain_account client.co.uk", "what: largest_opportunity")]


def test_a_case_reference_in_the_subject_is_the_related_to(pw):
    case = pw.sf.emu.insert(pw.sf.org, "Case", {"Subject": "Broken", "AccountId": pw.account})
    number = next(c["CaseNumber"] for c in pw.sf.emu.records(pw.sf.org, "Case") if c["Id"] == case)
    pw.mailbox.put(MAIL, message(subject=f"RE: [Case {number}] still broken"))
    [task] = save(pw, LadderRules(site_of=site_domain))
    assert task["WhatId"] == case and reasons(pw) == [(f"what: subject_case {number}",)]


def test_fifty_contacts_share_the_task_and_the_rest_is_recorded_as_skipped(pw):
    emails = [f"buyer{n:02d}@client.co.uk" for n in range(52)]
    ids = [pw.sf.emu.insert(pw.sf.org, "Contact", {"LastName": f"Buyer {n}", "Email": e, "AccountId": pw.account})
           for n, e in enumerate(emails)]
    pw.mailbox.put(MAIL, message(sender=emails[0], to=("ann@acme.test", *emails[1:])))
    [task] = save(pw, LadderRules("none", site_of=site_domain))
    related = {r["RelationId"] for r in pw.sf.emu.records(pw.sf.org, "TaskRelation") if r["TaskId"] == task["Id"]}
    assert task["WhoId"] == ids[0] and related - {ids[0]} == set(ids[1:50])
    [why] = reasons(pw)
    assert why[:2] == (f"who: exact_email Contact {emails[0]}", "what: contact_account")
    assert why[2:] == tuple(f"skipped: {e} Contact (over the 50-Contact limit)" for e in emails[50:])


def test_a_blocked_domain_is_never_matched_to_an_account(pw):
    pw.mailbox.put(MAIL, message())
    [task] = save(pw, LadderRules(site_of=site_domain), blocked=parse_blocklist(["@client.co.uk"]))
    assert task.get("WhatId") is None and reasons(pw) == [()]


def test_a_blocked_address_lends_no_domain_to_an_account_link(pw):
    pw.mailbox.put(MAIL, message(sender="spam@client.co.uk"))
    [task] = save(pw, LadderRules(site_of=site_domain), blocked=parse_blocklist(["spam@client.co.uk"]))
    assert task.get("WhatId") is None and reasons(pw) == [()]
