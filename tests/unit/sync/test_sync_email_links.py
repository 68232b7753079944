"""Auto-linking and saving rules are pure: plain messages and look-ups in, links out."""
from __future__ import annotations

from app.sync.email_links import BCC, CC, FROM, TO, Directory, RelationIntent, auto_links, build_directory, chosen_links
from app.sync.email_rules import ComposeRule, SaveRules, save_reason
from app.sync.items import EmailMessage
from app.sync.ports import PersonMatch

CAROL = PersonMatch("003CAR000000000AAA", "Contact", "001000000000000ACM")
DAN = PersonMatch("003DAN000000000AAA", "Contact", "001000000000000OTH")
LEO = PersonMatch("00QLEO000000000AAA", "Lead")


def message(**changes) -> EmailMessage:
    base = dict(item_id="i1", message_id="<m1@client.com>", conversation_id="<root@client.com>",
                sender="carol@client.com", to=("alice@example.com", "dan@client.com"), cc=("leo@lead.com",))
    return EmailMessage(**{**base, **changes})


def directory(**extra) -> Directory:
    return Directory({"carol@client.com": CAROL, "dan@client.com": DAN, "leo@lead.com": LEO, **extra},
                     {"alice@example.com": "005000000000000ALI"})


def test_external_sender_is_the_who_and_its_account_the_what_with_other_contacts_related():
    links = auto_links(message(), "alice@example.com", directory(), "Task")
    assert (links.who_id, links.what_id) == (CAROL.record_id, CAROL.account_id)
    assert links.relations == (RelationIntent(DAN.record_id),)      # the Lead is not mixed with Contacts


def test_own_sent_email_links_the_first_recipient_that_resolves():
    sent = message(sender="alice@example.com", to=("nobody@x.com", "dan@client.com"), cc=("carol@client.com",))
    links = auto_links(sent, "alice@example.com", directory(), "Task")
    assert (links.who_id, links.what_id) == (DAN.record_id, DAN.account_id)


def test_a_lead_stands_alone_and_has_no_account():
    links = auto_links(message(sender="leo@lead.com", to=("alice@example.com",), cc=("dan@client.com",)),
                       "alice@example.com", directory(), "Task")
    assert (links.who_id, links.what_id, links.relations) == (LEO.record_id, None, ())


def test_at_most_fifty_contacts_share_a_task():
    many = {f"c{i}@client.com": PersonMatch(f"003{i:015d}", "Contact") for i in range(60)}
    links = auto_links(message(to=tuple(many)), "alice@example.com", directory(**many), "Task")
    assert len(links.relations) == 49


def test_email_message_relates_every_resolved_participant_by_role():
    links = auto_links(message(), "alice@example.com", directory(), "EmailMessage")
    assert links.what_id == CAROL.account_id
    assert [(r.relation_id, r.role) for r in links.relations] == [
        (CAROL.record_id, FROM), (DAN.record_id, TO), (LEO.record_id, CC)]


def test_compose_choice_replaces_auto_linking():
    rule = ComposeRule("7", marker="mk-1", who_ids=(DAN.record_id, "003ZZZ000000000AAA"), what_id="006000000000000OPP")
    task = chosen_links(rule, message(), directory(), "Task")
    assert (task.who_id, task.what_id, task.relations) == (
        DAN.record_id, "006000000000000OPP", (RelationIntent("003ZZZ000000000AAA"),))
    email = chosen_links(rule, message(), directory(), "EmailMessage")
    assert [(r.relation_id, r.role) for r in email.relations] == [
        (DAN.record_id, TO), ("003ZZZ000000000AAA", "OtherAddress")]


def test_directory_prefers_contacts_then_leads_and_keeps_users_apart():
    found = {"x@y.com": (PersonMatch("00Q1", "Lead"), PersonMatch("0032", "Contact"), PersonMatch("0031", "Contact"),
                         PersonMatch("0051", "User"))}
    picked = build_directory(found)
    assert picked.people["x@y.com"].record_id == "0031" and picked.users == {"x@y.com": "0051"}


def test_save_reasons_category_folder_compose_and_thread():
    rules = SaveRules(compose=(ComposeRule("1", marker="mk-1"), ComposeRule("2", message_id="<Sent@Me>")),
                      threads=frozenset({"<ROOT@client.com>"}))
    assert save_reason(message(categories=("Salesforce",)), rules).reason == "marked for Salesforce"
    assert save_reason(message(folder="Salesforce"), rules).compose is None
    assert save_reason(message(save_marker="mk-1"), rules).compose.rule_id == "1"
    assert save_reason(message(message_id="<sent@me>"), rules).compose.rule_id == "2"
    assert save_reason(message(), rules).reason == "thread set to save all emails"
    assert save_reason(message(conversation_id="<other@x>"), rules) is None
    assert BCC == "BccAddress"
