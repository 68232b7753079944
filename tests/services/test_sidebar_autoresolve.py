"""How Save now merges autoresolved people with the user's choice (Salesforce's shared activities:
Contacts together, a Lead alone; the user's Related To kept)."""
from __future__ import annotations

from app.services.sidebar_autoresolve import Resolved, merged

CHOSEN, NEW_CONTACT, NEW_LEAD = "003000000000001AAA", "003000000000002AAA", "00Q000000000001AAA"
ACCOUNT, NEW_ACCOUNT = "001000000000001AAA", "001000000000002AAA"


def test_new_people_fill_an_empty_choice_with_their_related_to():
    assert merged([], None, Resolved((NEW_LEAD,))) == ([NEW_LEAD], None)
    assert merged([], None, Resolved((NEW_CONTACT,), NEW_ACCOUNT)) == ([NEW_CONTACT], NEW_ACCOUNT)


def test_new_contacts_join_chosen_contacts_and_the_chosen_related_to_stays():
    assert merged([CHOSEN], ACCOUNT, Resolved((NEW_CONTACT,), NEW_ACCOUNT)) == ([CHOSEN, NEW_CONTACT], ACCOUNT)
    assert merged([CHOSEN], None, Resolved((CHOSEN[:15],), NEW_ACCOUNT)) == ([CHOSEN], None)   # already chosen


def test_a_lead_never_joins_other_names():
    assert merged([CHOSEN], None, Resolved((NEW_LEAD,))) == ([CHOSEN], None)
    assert merged([NEW_LEAD[:-1] + "B"], None, Resolved((NEW_CONTACT,))) == ([NEW_LEAD[:-1] + "B"], None)
