"""Blocklist entries (pure): addresses, @domains and /patterns/, their checks, and who an automatic
thread save leaves out."""
from __future__ import annotations

import pytest

from app.sync.blocklist import entry_problem, normalise_entry, parse_blocklist
from app.sync.email_rules import SaveReason, SaveRules, blocked_autosaves, save_reason
from app.sync.items import EmailMessage


@pytest.mark.parametrize("address, blocked", [
    ("  NoReply@Acme.com ", True), ("no-reply@acme.com", True), ("ann@acme.com", False),
    ("jane@rival.com", True), ("jane@EU.Rival.COM", True), ("jane@notrival.com", False),
    ("Boss@Home.net", True), ("boss@home.network", False), ("", False),
    ("bounce+123@news.example.org", True),
])
def test_addresses_domains_and_patterns_match_case_insensitively_on_the_trimmed_address(address, blocked):
    blocklist = parse_blocklist(["/^no-?reply@/", "@rival.com", "boss@home.net", r"/^bounce\+\d+@NEWS\./i"])
    assert blocklist.blocks(address) is blocked


def test_a_pattern_keeps_its_case_when_normalised_because_escapes_are_case_sensitive():
    assert normalise_entry(r"  /^\S+@X\.com$/ ") == r"/^\S+@X\.com$/"
    assert normalise_entry(" Jane@X.COM ") == "jane@x.com"
    assert parse_blocklist([r"/^\S+@x\.com$/"]).blocks("a@x.com")
    assert not parse_blocklist([r"/^\S+@x\.com$/"]).blocks("a b@x.com")


@pytest.mark.parametrize("entry", ["/(a+)+$/", "/(a|ab)*c/", "/.*.*.*x/", r"/(\w)\1/", "/(?(1)a|b)/", "/[/",
                                   "//", " ", "/" + "a" * 201 + "/", "a@b", "/(?:x{1,100}){1,100}/",
                                   "/" + "a?" * 20 + "a" * 20 + "/"])
def test_unsafe_or_invalid_entries_have_a_problem(entry):
    assert entry_problem(entry)


@pytest.mark.parametrize("entry", ["jane@x.com", "@x.co.uk", "/^noreply@/i", r"/.*@.*\.co(m)?$/",
                                   r"/\S+@(?:mail|news)letter\.\w+$/", "/(?:ab?)*c/", "/(?=a+)b/"])
def test_ordinary_entries_are_accepted(entry):
    assert entry_problem(entry) is None


def test_stored_entries_that_are_no_longer_acceptable_are_left_out_rather_than_run():
    blocklist = parse_blocklist(["/(a+)+$/", "jane@x.com"])
    assert blocklist.patterns == () and blocklist.blocks("jane@x.com")


def _message(sender: str, *to: str, conversation: str = "<t@x>", categories: tuple[str, ...] = ()) -> EmailMessage:
    return EmailMessage(item_id=sender, message_id=f"<{sender}>", sender=sender, to=to, cc=(), subject="s",
                        conversation_id=conversation, categories=categories)


def test_an_automatic_thread_save_of_blocked_externals_only_is_skipped_and_explicit_saves_are_not():
    rules = SaveRules(threads=frozenset({"<t@x>"}), blocked=parse_blocklist(["/^noreply@/"]))
    only_blocked = _message("noreply@vendor.com", "ann@acme.com", "bob@acme.com")
    with_a_person = _message("noreply@vendor.com", "ann@acme.com", "client@vendor.com")
    tagged = _message("noreply@vendor.com", "ann@acme.com", categories=("Salesforce",))
    internal_only = _message("bob@acme.com", "ann@acme.com")
    chosen = [(m, save_reason(m, rules)) for m in (only_blocked, with_a_person, tagged, internal_only)]
    keep, skipped = blocked_autosaves([(m, r) for m, r in chosen if isinstance(r, SaveReason)], rules, "Ann@acme.com")
    assert skipped == [only_blocked]
    assert [m for m, _ in keep] == [with_a_person, tagged, internal_only]
