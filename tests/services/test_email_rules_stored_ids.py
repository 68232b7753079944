"""`load_save_rules` leaves out stored identifiers a mail server search would choke on, and says so."""
from __future__ import annotations

from app.models import ComposeSave, ThreadAutosave, User
from app.services.email_rules import load_save_rules, mail_rules
from app.services.settings import org_settings
from tests.factories import Factory


def test_bad_stored_compose_saves_and_thread_ids_are_refused_and_kept_out_of_the_imap_search(sqlite_app):
    rt, factory = sqlite_app.extensions["syncline"], Factory(sqlite_app)
    org = factory.org()
    ann = factory.user(org)
    with rt.db.session_scope() as s:     # written directly: rows stored before the API validated them
        good = ComposeSave(org_id=org.id, user_id=ann.id, marker="mk-good-0001", message_id="<ok@acme.test>")
        bad = ComposeSave(org_id=org.id, user_id=ann.id, marker="mk-bad-00001", message_id="<a\x00b@acme.test>")
        s.add_all([good, bad, ThreadAutosave(org_id=org.id, user_id=ann.id, thread_id="<root@acme.test>"),
                   ThreadAutosave(org_id=org.id, user_id=ann.id, thread_id='"quoted" id')])
        s.flush()
        good_id, bad_id = good.id, bad.id
    with rt.db.session_scope() as s:
        rules = load_save_rules(s, ann.id, org_settings(s.get(User, ann.id).org))
    assert [r.rule_id for r in rules.compose] == [str(good_id)]
    assert rules.threads == {"root@acme.test"}
    assert {r.ref for r in rules.refused} == {f"compose save {bad_id}", "thread autosave '\"quoted\" id'"}
    search = mail_rules(rules)
    assert search.message_ids == ("<ok@acme.test>",) and search.thread_ids == ("root@acme.test",)
