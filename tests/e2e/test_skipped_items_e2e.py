"""Skipped items one by one (worker, Dovecot, Radicale, the emulator): each session lists what it
skipped — the mailbox item, its subject, its date and the reason — for mail and meetings alike,
bounded to the session's last 200 while the counts still cover every one; echoes of Syncline's
own writes are counted, never listed; another org's session is not found."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.sync.auto_save import MEETING_DIRECTION, NO_EXTERNAL
from app.sync.skipped_items import MAX_SKIPPED_ITEMS
from tests.e2e.helpers import NOW, Person, put_event, sign_up
from tests.e2e.test_auto_save_e2e import _colleague_address, _set, _synced
from tests.e2e.test_email_saves_e2e import _append


def _skipped(person: Person, session_id: int, viewer: Person | None = None):
    return person.e2e.app.test_client().get(
        f"/api/v1/mailboxes/{person.mailbox_id}/sessions/{session_id}/skipped-items",
        headers=(viewer or person).headers)


def test_each_skipped_mail_and_meeting_is_listed_with_its_subject_date_and_reason(e2e, factory):
    ann = sign_up(e2e, factory)
    _set(ann, save_all_new_mail="inbound", save_all_new_meetings="inbound")
    _append(ann, "<internal-s1@acme.test>", _colleague_address(ann), ann.user.email)
    start = NOW + timedelta(days=2)
    put_event(ann, "skip-own", "My call", start, organizer=ann.user.email, attendees=("client@customer.test",))
    session = _synced(ann)
    response = _skipped(ann, session["id"])
    assert response.status_code == 200, response.json
    listed = response.json
    [mail] = [i for i in listed if i["kind"] == "mail"]
    assert (mail["subject"], mail["reason"], mail["side"]) == ("Proposal", NO_EXTERNAL, "mailbox")
    assert mail["item"] and abs(datetime.fromisoformat(mail["when"]) - datetime.now(UTC)) < timedelta(hours=1)
    [meeting] = [i for i in listed if i["kind"] == "calendar"]
    assert (meeting["subject"], meeting["reason"], meeting["side"]) == ("My call", MEETING_DIRECTION["inbound"],
                                                                         "mailbox")
    assert meeting["item"].endswith("skip-own.ics") and meeting["when"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    counted = sum(sum(k.get("skipped_because", {}).values()) for k in session["counts"].values())
    assert counted == len(listed) == 2
    assert "skipped_items" not in session["counts"]        # the dashboard's counts stay counts


def test_the_list_is_bounded_while_the_counts_cover_every_skip(e2e, factory):
    ann = sign_up(e2e, factory)
    _set(ann, save_all_new_mail="inbound")
    colleague = _colleague_address(ann)
    for n in range(MAX_SKIPPED_ITEMS + 5):
        _append(ann, f"<internal-b{n}@acme.test>", colleague, ann.user.email)
    session = _synced(ann)
    assert session["counts"]["mail"]["skipped_because"] == {NO_EXTERNAL: MAX_SKIPPED_ITEMS + 5}
    listed = _skipped(ann, session["id"]).json
    assert len(listed) == MAX_SKIPPED_ITEMS and {i["reason"] for i in listed} == {NO_EXTERNAL}


def test_another_orgs_session_and_an_unknown_session_are_not_found(e2e, factory):
    ann = sign_up(e2e, factory)
    eve = sign_up(e2e, factory)
    session = _synced(ann)
    assert _skipped(ann, session["id"], viewer=eve).status_code == 404
    assert _skipped(eve, session["id"]).status_code == 404      # eve's mailbox never ran that session
    spec = e2e.app.test_client().get("/api/openapi.json").json
    assert "/api/v1/mailboxes/{mailbox_id}/sessions/{session_id}/skipped-items" in spec["paths"]
