"""The resolution ladder's pure decisions: each rung, the Opportunity rules, shared activities."""
from __future__ import annotations

import pytest

from app.sync.link_facts import PERSON_ACCOUNT, AccountMatch, LinkFacts, OpportunityMatch
from app.sync.link_ladder import LadderRules, LinkSubject, case_refs, decide, ladder_query, pick_opportunity
from app.sync.ports import PersonMatch

ACME = "001000000000001AAA"
OPPS = (OpportunityMatch("006A", ACME, "Prospecting", 500.0, "2026-01-01T00:00:00Z"),
        OpportunityMatch("006B", ACME, "Negotiation/Review", 90.0, "2026-03-01T00:00:00Z"),
        OpportunityMatch("006C", ACME, "Proposal/Price Quote", 9000.0, "2026-02-01T00:00:00Z"),
        OpportunityMatch("006D", ACME, "Closed Won", 99999.0, "2026-04-01T00:00:00Z", is_closed=True))


@pytest.mark.parametrize("rule, stages, chosen", [
    ("open_newest", (), "006B"), ("largest", (), "006C"), ("none", (), None),
    ("by_stage", ("Closed Won", "Proposal/Price Quote", "Prospecting"), "006C"),
    ("by_stage", ("Id. Decision Makers",), None)])
def test_the_admins_opportunity_rule_picks_among_open_ones(rule, stages, chosen):
    picked = pick_opportunity(OPPS, LadderRules(rule, stages))
    assert (picked.record_id if picked else None) == chosen


def test_rules_are_validated():
    with pytest.raises(ValueError, match="opportunity_rule"):
        LadderRules("biggest")
    with pytest.raises(ValueError, match="stage"):
        LadderRules("by_stage")


def test_case_numbers_and_email_to_case_thread_ids_are_read_from_the_subject():
    assert case_refs("Re: Case 00001234 and case #00001235 [ ref:_00D7j1bvsI._5007j1a3Xhk:ref ]") == (
        ["00001234", "00001235"], ["5007j00001a3Xhk"])
    assert case_refs("Invoice 2026-00001 for order 12345") == ([], [])


def test_contact_then_its_accounts_newest_opportunity_with_reasons():
    facts = LinkFacts(people={"carol@acme.com": (PersonMatch("003C", "Contact", ACME),),
                              "rep@us.com": (PersonMatch("005R", "User"),)},
                      opportunities={ACME: OPPS})
    decision = decide(LinkSubject(("rep@us.com", "carol@acme.com")), facts, LadderRules())
    assert (decision.who_id, decision.what_id) == ("003C", "006B")
    assert decision.reasons == ("who: exact_email Contact carol@acme.com", "what: contact_account",
                                "what: open_newest_opportunity")


def test_domain_rung_skips_free_mail_org_domains_and_ambiguous_sites():
    facts = LinkFacts(accounts={"acme.com": (AccountMatch(ACME),),
                                "twin.com": (AccountMatch("001T1"), AccountMatch("001T2"))})
    rules = LadderRules("none", org_domains=frozenset({"us.com"}))
    query = ladder_query([LinkSubject(("x@gmail.com", "y@us.com", "z@mail.acme.com", "w@twin.com"))],
                         LadderRules(org_domains=frozenset({"us.com"}), site_of=lambda h: ".".join(h.split(".")[-2:])))
    assert query.domains == ("acme.com", "twin.com")
    assert decide(LinkSubject(("x@gmail.com", "y@us.com", "z@acme.com")), facts, rules).reasons == (
        "what: domain_account acme.com",)
    ambiguous = decide(LinkSubject(("w@twin.com",)), facts, rules)
    assert (ambiguous.what_id, ambiguous.reasons) == (None, ("what: not linked (2 Accounts on twin.com)",))


def test_a_case_in_the_subject_wins_over_the_account():
    facts = LinkFacts(people={"carol@acme.com": (PersonMatch("003C", "Contact", ACME),)},
                      cases={"00001234": "500C", "500C"[:15]: "500C"})
    decision = decide(LinkSubject(("carol@acme.com",), "Re: Case 00001234"), facts, LadderRules())
    assert (decision.what_id, decision.reasons[-1]) == ("500C", "what: subject_case 00001234")


def test_person_account_and_lead_rungs():
    facts = LinkFacts(people={"pat@home.net": (PersonMatch("003P", PERSON_ACCOUNT, "001P"),),
                              "leo@lead.com": (PersonMatch("00QL", "Lead"),),
                              "lia@lead.com": (PersonMatch("00QM", "Lead"),),
                              "carol@acme.com": (PersonMatch("003C", "Contact", ACME),)})
    person = decide(LinkSubject(("pat@home.net",)), facts, LadderRules())
    assert (person.who_id, person.what_id, person.reasons[-1]) == ("003P", "001P", "what: person_account")
    assert decide(LinkSubject(("leo@lead.com", "carol@acme.com")), facts, LadderRules()).who_id == "003C"
    lead = decide(LinkSubject(("leo@lead.com", "lia@lead.com")), facts, LadderRules())
    assert (lead.who_id, lead.what_id, lead.shared) == ("00QL", None, ("00QL",))
    assert lead.skipped == ("skipped: lia@lead.com Lead (a Lead's activity relates to that Lead only)",)
    with_case = decide(LinkSubject(("leo@lead.com",), "Case 00000042"), LinkFacts(
        people=facts.people, cases={"00000042": "500X"}), LadderRules())
    assert with_case.what_id is None and with_case.skipped[-1] == "what: not linked (a Lead's activity takes no Related To)"
    message = decide(LinkSubject(("leo@lead.com",), "Case 00000042"), LinkFacts(
        people=facts.people, cases={"00000042": "500X"}), LadderRules(), what_with_lead=True)
    assert message.what_id == "500X"        # EmailMessage.RelatedToId may sit beside a Lead


def test_shared_activity_takes_fifty_contacts_and_says_who_was_left_out():
    people = {f"c{n}@acme.com": (PersonMatch(f"003{n:03d}", "Contact", ACME),) for n in range(52)}
    people["leo@lead.com"] = (PersonMatch("00QL", "Lead"),)
    decision = decide(LinkSubject(tuple(people)), LinkFacts(people=people), LadderRules("none"))
    assert decision.shared[0] == decision.who_id == "003000" and len(decision.shared) == 50
    assert decision.skipped == ("skipped: leo@lead.com Lead (an activity relates Contacts or one Lead, not both)",
                                "skipped: c50@acme.com Contact (over the 50-Contact limit)",
                                "skipped: c51@acme.com Contact (over the 50-Contact limit)")
