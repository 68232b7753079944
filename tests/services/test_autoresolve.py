"""Autoresolve's session port and undo on the in-memory org: who gets a person, with what, which
Account, what a duplicate rule does, and what undo deletes or keeps."""
from __future__ import annotations

from app.models import AutoresolvedRecord
from app.services.autoresolve import AutoresolvingCrm, Created, autoresolving, rules_of
from app.services.autoresolve_log import undo
from app.sync.autoresolve import AutoresolveRules, PersonDetails, person_fields
from app.sync.blocklist import blocklisted, parse_blocklist
from app.sync.link_facts import LinkQuery, WriterText
from app.sync.link_ladder import LadderRules
from app.sync.ports import SYNC_KEY_FIELD
from tests.fakes.crm_memory import InMemoryCrm

LADDER = LadderRules(org_domains=frozenset({"acme.test"}))
SIGNED = WriterText("jane@prospect.test", "Thanks!\n\nBest regards,\nJane Doe\nBuyer\nProspect Ltd\n")


def _port(mode: str, crm: InMemoryCrm, journal: list, **settings) -> AutoresolvingCrm:
    port = autoresolving(crm, rules_of({"autoresolve": mode, **settings}), LADDER, journal.extend)
    assert isinstance(port, AutoresolvingCrm)
    return port


def _query(*emails: str, domains: tuple[str, ...] = ()) -> LinkQuery:
    return LinkQuery(emails, domains, texts=(SIGNED,))


def test_off_is_the_plain_port():
    crm = InMemoryCrm()
    assert autoresolving(crm, rules_of({}), LADDER, lambda created: None) is crm


def test_a_lead_from_the_signature_never_for_colleagues_users_or_blocked():
    crm, journal = InMemoryCrm(), []
    crm.users["boss@partner.test"] = "005000000000001AAA"
    port = blocklisted(_port("leads", crm, journal), parse_blocklist(["@spam.test"]))
    facts = port.lookup_links(_query("jane@prospect.test", "pat@acme.test", "boss@partner.test", "x@spam.test"))
    [lead] = crm.all("Lead")
    assert (lead.fields["FirstName"], lead.fields["LastName"], lead.fields["Company"]) == ("Jane", "Doe", "Prospect Ltd")
    assert facts.people["jane@prospect.test"][0].record_id == lead.record_id
    assert facts.created == {"jane@prospect.test": "created"}
    assert journal == [Created("Lead", lead.record_id, "jane@prospect.test", lead.version, "")]


def test_lead_fallbacks_fill_what_salesforce_requires():
    fields = person_fields(PersonDetails("x9@gmail.com"), "Lead")
    assert fields == {"LastName": "x9", "Email": "x9@gmail.com", "Company": "[not provided]"}


def test_contacts_get_the_one_account_on_their_domain_or_a_new_one_but_free_mail_none():
    crm, journal = InMemoryCrm(), []
    crm.create("Account", "", Name="Known", Website="https://known.test")
    port = _port("contacts", crm, journal)
    port.lookup_links(_query("a@known.test", "b@fresh.test", "c@gmail.com", domains=("known.test", "fresh.test")))
    contacts = {c.fields["Email"]: c.fields for c in crm.all("Contact")}
    accounts = {a.fields["Website"]: a.record_id for a in crm.all("Account")}
    assert contacts["a@known.test"]["AccountId"] == accounts["https://known.test"]
    assert contacts["b@fresh.test"]["AccountId"] == accounts["fresh.test"]
    assert "AccountId" not in contacts["c@gmail.com"]
    assert sorted(c.sobject for c in journal) == ["Account", "Contact", "Contact", "Contact"]


def test_a_fixed_account_takes_every_contact():
    crm = InMemoryCrm()
    port = _port("contacts", crm, [], autoresolve_account_rule="fixed", autoresolve_account_id="001000000000009AAA")
    port.lookup_links(_query("b@fresh.test"))
    assert [c.fields["AccountId"] for c in crm.all("Contact")] == ["001000000000009AAA"]
    assert crm.all("Account") == []


def test_a_duplicate_rule_match_is_linked_not_created():
    crm, journal = InMemoryCrm(), []
    existing = crm.create("Lead", "", LastName="Doe", Company="Prospect Ltd", Email="old@prospect.test")
    crm.duplicate_rules["Lead"] = ("LastName", "Company")
    facts = _port("leads", crm, journal).lookup_links(_query("jane@prospect.test"))
    assert [r.record_id for r in crm.all("Lead")] == [existing.record_id]
    assert facts.people["jane@prospect.test"][0].record_id == existing.record_id
    assert facts.created == {"jane@prospect.test": "duplicate rule matched Lead"} and journal == []


def _row(created: Created) -> AutoresolvedRecord:
    return AutoresolvedRecord(sobject=created.sobject, record_id=created.record_id, email=created.email,
                              system_modstamp=created.stamp, status="created")


def test_undo_deletes_the_untouched_unlinks_our_activity_and_keeps_the_rest_with_why():
    crm, journal = InMemoryCrm(), []
    _port("leads", crm, journal).lookup_links(_query("jane@prospect.test", "max@other.test", "eve@third.test"))
    ids = {c.email: c.record_id for c in journal}
    ours = crm.create("Task", "", Subject="saved", WhoId=ids["jane@prospect.test"], **{SYNC_KEY_FIELD: "k1"})
    crm.edit("Lead", ids["max@other.test"], Title="CFO")
    crm.create("Task", "", Subject="a call", WhoId=ids["eve@third.test"])
    outcome = {o["email"]: o for o in undo(crm, [_row(c) for c in journal])}
    assert outcome["jane@prospect.test"]["status"] == "undone"
    assert outcome["max@other.test"]["reason"] == "changed in Salesforce since autoresolve created it"
    assert "not written by Syncline" in outcome["eve@third.test"]["reason"]
    assert {r.record_id for r in crm.all("Lead")} == {ids["max@other.test"], ids["eve@third.test"]}
    assert crm.get_records("Task", [ours.record_id])[0].fields["WhoId"] is None


def test_rules_refuse_unknown_modes():
    try:
        AutoresolveRules("sometimes")
    except ValueError as exc:
        assert "autoresolve" in str(exc)
    else:
        raise AssertionError("an unknown mode was accepted")


def test_person_accounts_carry_the_person_fields_on_account():
    crm, journal = InMemoryCrm(), []
    facts = _port("person_accounts", crm, journal).lookup_links(_query("jane@prospect.test"))
    [account] = crm.all("Account")
    assert (account.fields["LastName"], account.fields["PersonEmail"], account.fields["PersonTitle"]) == (
        "Doe", "jane@prospect.test", "Buyer")
    assert facts.people["jane@prospect.test"][0].account_id == account.record_id
    assert [c.sobject for c in journal] == ["Account"]


def test_machine_senders_get_nobody():
    crm = InMemoryCrm()
    _port("leads", crm, []).lookup_links(_query("no-reply@shop.test", "MAILER-DAEMON@mx.shop.test",
                                                "bounces+77@mail.shop.test", "notifications@tracker.test"))
    assert crm.all("Lead") == []


def test_only_their_own_card_fills_a_person_never_a_name_alikes():
    crm = InMemoryCrm()
    texts = (WriterText("jane.doe@prospect.test", "Thanks!\n\nBest regards,\nJane Doe\nBuyer\nProspect Ltd\n"),)
    _port("leads", crm, []).lookup_links(LinkQuery(("jane@prospect.test", "jane.doe@prospect.test"), texts=texts))
    leads = {lead.fields["Email"]: lead.fields for lead in crm.all("Lead")}
    assert leads["jane.doe@prospect.test"]["Title"] == "Buyer"
    assert (leads["jane@prospect.test"].get("Title"), leads["jane@prospect.test"]["LastName"]) == (None, "Jane")


def test_a_new_account_is_named_by_the_signature_not_the_domain_guess():
    crm = InMemoryCrm()
    _port("contacts", crm, []).lookup_links(_query("jane@prospect.test", "zed@prospect.test",
                                                   domains=("prospect.test",)))
    assert [a.fields["Name"] for a in crm.all("Account")] == ["Prospect Ltd"]


def test_digits_in_an_address_are_no_part_of_a_name():
    crm = InMemoryCrm()
    _port("leads", crm, []).lookup_links(_query("tim.baker1990@gmail.com"))
    [lead] = crm.all("Lead")
    assert (lead.fields["FirstName"], lead.fields["LastName"]) == ("Tim", "Baker")
