"""Auto-save ("save all new mail") end to end (real worker, Dovecot, emulator): inbound, outbound or
both; internal-only and blocked-only mail skipped with the reason while tagging still saves; the
backfill window chosen on activation; re-runs and off/on again never save twice; "save all new
meetings" creates linked Events only for meetings of the chosen direction with an external,
unblocked attendee, even with calendar sync off."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.models import SavedEmail
from app.sync.auto_save import MEETING_BLOCKED, MEETING_DIRECTION, MEETING_NO_EXTERNAL, NO_EXTERNAL
from app.sync.email_rules import BLOCKED_AUTOSAVE
from tests.e2e.helpers import NOW, Person, force_sync, put_event, sign_up
from tests.e2e.test_blocklists_e2e import _block, _emails, _tag
from tests.e2e.test_email_saves_e2e import _append, _client_contact
from tests.e2e.test_google_worker_e2e import _workspace_user
from tests.e2e.test_graph_worker_e2e import _office365_user


def _set(person: Person, **settings) -> None:
    response = person.e2e.app.test_client().patch("/api/v1/me", json={"settings": settings}, headers=person.headers)
    assert response.status_code == 200, response.json


def _colleague_address(person: Person) -> str:
    return "colleague@" + person.user.email.rpartition("@")[2]


def _synced(person: Person) -> dict:
    session = force_sync(person)
    assert session["status"] == "succeeded", session
    return session


def test_inbound_only_saves_new_external_inbox_mail_and_skips_internal_mail(e2e, factory):
    ann = sign_up(e2e, factory)
    _set(ann, save_all_new_mail="inbound")
    _append(ann, "<in-1@customer.test>", "client@customer.test", ann.user.email)
    _append(ann, "<internal-1@acme.test>", _colleague_address(ann), ann.user.email)
    _append(ann, "<out-1@acme.test>", ann.user.email, "client@customer.test", folder="Sent")
    session = _synced(ann)
    assert set(_emails(ann)) == {"<in-1@customer.test>"}
    assert session["counts"]["mail"]["skipped_because"] == {NO_EXTERNAL: 1}
    _synced(ann)                                    # a second run saves nothing new
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 1


def test_outbound_only_saves_sent_mail_once_even_when_it_is_in_the_inbox_too(e2e, factory):
    ann = sign_up(e2e, factory)
    _set(ann, save_all_new_mail="outbound")
    _append(ann, "<in-2@customer.test>", "client@customer.test", ann.user.email)
    _append(ann, "<out-2@acme.test>", ann.user.email, f"client@customer.test, {ann.user.email}", folder="Sent")
    _append(ann, "<out-2@acme.test>", ann.user.email, f"client@customer.test, {ann.user.email}")   # a copy to self
    _synced(ann)
    assert set(_emails(ann)) == {"<out-2@acme.test>"}
    assert _emails(ann)["<out-2@acme.test>"]["Incoming"] is False
    _synced(ann)
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 1


def test_both_directions_skip_blocked_only_mail_with_the_reason_while_tagging_still_saves_it(e2e, factory):
    ann = sign_up(e2e, factory)
    _block(ann, "@robots.test")
    _set(ann, save_all_new_mail="both")
    _append(ann, "<in-3@customer.test>", "client@customer.test", ann.user.email)
    _append(ann, "<out-3@acme.test>", ann.user.email, "client@customer.test", folder="Sent")
    _append(ann, "<robot-3@robots.test>", "noreply@robots.test", ann.user.email)
    session = _synced(ann)
    assert set(_emails(ann)) == {"<in-3@customer.test>", "<out-3@acme.test>"}
    assert session["counts"]["mail"]["skipped_because"] == {BLOCKED_AUTOSAVE: 1}
    _tag(ann, "<robot-3@robots.test>")              # the user's explicit choice saves it
    _synced(ann)
    assert set(_emails(ann)) == {"<in-3@customer.test>", "<out-3@acme.test>", "<robot-3@robots.test>"}


def test_backfill_window_chosen_on_activation_is_saved_once_and_off_on_again_saves_nothing_twice(e2e, factory):
    ann = sign_up(e2e, factory)
    _append(ann, "<old-4@customer.test>", "client@customer.test", ann.user.email, when=NOW - timedelta(days=10))
    _append(ann, "<recent-4@customer.test>", "client@customer.test", ann.user.email, when=NOW - timedelta(days=3))
    _synced(ann)                                    # auto-save off: the cursor moves past both, nothing saved
    assert _emails(ann) == {}
    _set(ann, save_all_new_mail="inbound", auto_save_backfill_days=5)
    _synced(ann)
    assert set(_emails(ann)) == {"<recent-4@customer.test>"}
    _set(ann, save_all_new_mail="off")
    _set(ann, save_all_new_mail="both", auto_save_backfill_days=5)
    _append(ann, "<new-4@customer.test>", "client@customer.test", ann.user.email)
    _synced(ann)
    _synced(ann)
    assert set(_emails(ann)) == {"<recent-4@customer.test>", "<new-4@customer.test>"}
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 2
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(SavedEmail).where(
            SavedEmail.org_id == ann.user.org_id)) == 2


def test_auto_save_settings_refuse_unknown_modes_and_unbounded_backfill_with_a_message(e2e, factory):
    ann = sign_up(e2e, factory)
    client = e2e.app.test_client()
    for settings in ({"save_all_new_mail": "sometimes"}, {"auto_save_backfill_days": 1000},
                     {"save_all_new_meetings": "all"}):
        response = client.patch("/api/v1/me", json={"settings": settings}, headers=ann.headers)
        assert response.status_code == 400, response.json
        assert next(iter(settings)) in str(response.json)
    response = client.patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                            json={"save_all_new_mail": "both", "auto_save_backfill_days": -1})
    assert response.status_code == 400 and "auto_save_backfill_days" in str(response.json)


def test_meetings_auto_save_creates_linked_events_for_invitations_with_external_unblocked_attendees(e2e, factory):
    ann = sign_up(e2e, factory, sync_calendar="off")
    account, contact = _client_contact(ann)
    _block(ann, "@robots.test")
    _set(ann, save_all_new_meetings="inbound")
    start = NOW + timedelta(days=2)
    put_event(ann, "auto-in", "Their demo", start, organizer="client@customer.test",
              attendees=(ann.user.email, "client@customer.test"))
    put_event(ann, "auto-out", "My call", start, organizer=ann.user.email, attendees=("client@customer.test",))
    put_event(ann, "auto-internal", "Stand-up", start, organizer=_colleague_address(ann), attendees=(ann.user.email,))
    put_event(ann, "auto-robot", "Webinar", start, organizer="noreply@robots.test", attendees=(ann.user.email,))
    session = _synced(ann)
    [event] = e2e.emu.records(ann.sf_org, "Event")
    assert (event["Subject"], event["WhoId"], event["WhatId"]) == ("Their demo", contact, account)
    assert session["counts"]["calendar"]["skipped_because"] == {
        MEETING_DIRECTION["inbound"]: 1, MEETING_NO_EXTERNAL: 1, MEETING_BLOCKED: 1}
    _synced(ann)
    assert len(e2e.emu.records(ann.sf_org, "Event")) == 1


def test_office365_auto_save_backfills_the_chosen_window_then_saves_new_inbox_and_sent_mail_once(e2e, factory):
    ann = _office365_user(e2e, factory)
    mail, address, now = e2e.graph.store.mail, ann.user.email, datetime.now(UTC)
    for message_id, days in (("<old-6@customer.test>", 10), ("<recent-6@customer.test>", 3)):
        mail.deliver(address, "inbox", subject="Hello", sender="client@customer.test", to=(address,),
                     internet_message_id=message_id, sent=now - timedelta(days=days))
    _synced(ann)                                    # auto-save off: nothing saved
    assert _emails(ann) == {}
    _set(ann, save_all_new_mail="both", auto_save_backfill_days=5)
    mail.deliver(address, "inbox", subject="Hi", sender="client@customer.test", to=(address,),
                 internet_message_id="<in-6@customer.test>")
    mail.deliver(address, "inbox", subject="Lunch", sender=_colleague_address(ann), to=(address,),
                 internet_message_id="<internal-6@contoso.test>")
    mail.deliver(address, "sentitems", subject="Offer", sender=address, to=("client@customer.test",),
                 internet_message_id="<out-6@contoso.test>")
    session = _synced(ann)
    assert set(_emails(ann)) == {"<recent-6@customer.test>", "<in-6@customer.test>", "<out-6@contoso.test>"}
    assert session["counts"]["mail"]["skipped_because"] == {NO_EXTERNAL: 1}
    assert _synced(ann)["counts"]["mail"]["created"] == 0
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 3


def test_gmail_auto_save_backfills_the_chosen_window_then_saves_new_inbox_and_sent_mail_once(e2e, factory):
    ann = _workspace_user(e2e, factory)
    gmail, address, now = e2e.google.store.gmail, ann.user.email, datetime.now(UTC)

    def headers(message_id: str, sender: str = "client@customer.test", to: str = address) -> dict:
        return {"From": sender, "To": to, "Subject": "Hello", "Message-ID": message_id}

    gmail.add_message(address, headers("<old-7@customer.test>"), sent_at=now - timedelta(days=10))
    gmail.add_message(address, headers("<recent-7@customer.test>"), sent_at=now - timedelta(days=3))
    _synced(ann)                                    # auto-save off: nothing saved
    assert _emails(ann) == {}
    _set(ann, save_all_new_mail="both", auto_save_backfill_days=5)
    gmail.add_message(address, headers("<in-7@customer.test>"))
    gmail.add_message(address, headers("<internal-7@example.test>", sender=_colleague_address(ann)))
    gmail.add_message(address, headers("<out-7@example.test>", sender=address, to="client@customer.test"),
                      labels=("SENT",))
    session = _synced(ann)
    assert set(_emails(ann)) == {"<recent-7@customer.test>", "<in-7@customer.test>", "<out-7@example.test>"}
    assert session["counts"]["mail"]["skipped_because"] == {NO_EXTERNAL: 1}
    assert _synced(ann)["counts"]["mail"]["created"] == 0
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 3


def test_an_org_default_switched_on_by_the_admin_backfills_each_users_window_once(e2e, factory):
    ann = sign_up(e2e, factory)
    _append(ann, "<recent-8@customer.test>", "client@customer.test", ann.user.email, when=NOW - timedelta(days=3))
    _synced(ann)
    response = e2e.app.test_client().patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                                           json={"save_all_new_mail": "inbound", "auto_save_backfill_days": 5})
    assert response.status_code == 200, response.json
    _synced(ann)
    _synced(ann)
    assert set(_emails(ann)) == {"<recent-8@customer.test>"}
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 1
