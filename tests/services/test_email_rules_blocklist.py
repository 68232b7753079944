"""`load_save_rules` hands the user's and the org admin's blocklist to the engine as data."""
from __future__ import annotations

from app.models import BlocklistEntry
from app.services.email_rules import load_save_rules
from app.services.settings import org_settings
from tests.factories import Factory


def test_rules_carry_the_users_and_the_orgs_blocklist_but_not_a_colleagues(sqlite_app):
    rt, factory = sqlite_app.extensions["syncline"], Factory(sqlite_app)
    org = factory.org()
    ann, bob = factory.user(org, email="ann@acme.test"), factory.user(org, email="bob@acme.test")
    with rt.db.session_scope() as s:
        s.add_all([BlocklistEntry(org_id=org.id, user_id=None, entry="@rival.com"),
                   BlocklistEntry(org_id=org.id, user_id=ann.id, entry="mum@home.net"),
                   BlocklistEntry(org_id=org.id, user_id=bob.id, entry="bobs@friend.org")])
    with rt.db.session_scope() as s:
        rules = load_save_rules(s, ann.id, org_settings(s.get(type(ann), ann.id).org))
    assert rules.blocked.addresses == {"mum@home.net"} and rules.blocked.domains == {"rival.com"}
    assert rules.blocked.blocks("x@eu.rival.com") and not rules.blocked.blocks("bobs@friend.org")
