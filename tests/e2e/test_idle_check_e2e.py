"""The batched idle check through a real worker, Radicale and the emulator.

A due CalDAV/CardDAV mailbox is asked for its collections' sync tokens; only a change (in the
mailbox, or routed from Salesforce), failed items or a full session older than a day make it
run a full session. Unchanged, it gets its next slot and a "checked, nothing changed" record.
"""
from __future__ import annotations

import time
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from app.models import IdMapRow, Mailbox, SyncSessionRecord
from app.models.base import utcnow
from app.providers.salesforce.connect import connect_org
from app.services import idle_check
from app.services.idle_check import check_mailboxes
from app.services.org_change_loop import poll_org_changes
from app.services.sync_queue import enqueue_checks, pending_job
from app.state import keys
from bench.idle_cycle import clone_settled_mailbox
from sandbox.mailservers import DavFaultProxy
from tests.e2e.helpers import (
    NOW,
    Person,
    append_tagged_mail,
    dashboard,
    force_sync,
    metric_value,
    put_event,
    scrape_metrics,
    sign_up,
    wait_until,
)
from tests.e2e.test_contacts_e2e import put_card


def dav_only(e2e, factory, dav_url: str | None = None) -> Person:
    """A signed-up person whose server profile has CalDAV/CardDAV only (no IMAP): checkable."""
    person = sign_up(e2e, factory)
    url = dav_url or e2e.radicale.base_url + "/"
    with e2e.rt.db.session_scope() as s:
        s.get(Mailbox, person.mailbox_id).server_profile.endpoints = {"caldav_url": url, "carddav_url": url}
    return person


def settled(e2e, factory, dav_url: str | None = None) -> Person:
    """A CalDAV/CardDAV mailbox with one meeting, settled (see ``settle``)."""
    return settle(dav_only(e2e, factory, dav_url))


def settle(person: Person) -> Person:
    """One meeting, synced past its first listing and onto the org's routed changes."""
    put_event(person, "idle-roadmap", "Roadmap", NOW + timedelta(days=2))
    assert force_sync(person)["status"] == "succeeded"
    poll_org_changes(person.e2e.rt, person.user.org_id)
    assert force_sync(person)["status"] == "succeeded"
    poll_org_changes(person.e2e.rt, person.user.org_id)     # the session's own writes come back routed
    assert force_sync(person)["status"] == "succeeded"
    quiet(person)           # a force pressed while the routed change's session ran is followed by one more
    return person


def quiet(person: Person, timeout: float = 60) -> None:
    """Until no session of the mailbox is queued, running or to follow the running one (a check
    leaves a busy mailbox to it)."""
    deadline = time.monotonic() + timeout
    while busy(person.e2e.rt, person.mailbox_id):
        assert time.monotonic() < deadline, "a session of the mailbox is still queued, running or to follow"
        time.sleep(0.1)


def busy(rt, mailbox_id: int) -> bool:
    """A session of the mailbox is queued or running, or a follow-up waits to queue one."""
    if pending_job(rt, mailbox_id) is not None or rt.redis.client.exists(keys.mailbox_lock(mailbox_id)):
        return True
    try:
        followup = Job.fetch(keys.push_followup_job_id(mailbox_id), connection=rt.redis.client)
    except NoSuchJobError:
        return False
    return followup.get_status() in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.STARTED)


def tick(person: Person, attempts: int = 3) -> dict:
    """Make the mailbox due, let the tick hand it to a check job, and return the record the check
    left (its "checked" record, or the session it queued: both scheduled).

    A session can start between ``quiet`` and the check (an org poll's routed change, say): the
    check then rightly leaves the mailbox to it, and the tick is tried again once it is over."""
    for _ in range(attempts):
        quiet(person)         # e.g. the session an org poll queued: it would hold the mailbox
        before = max((s["id"] for s in dashboard(person)["sessions"]), default=0)
        busy = checks_left_busy(person.e2e)
        with person.e2e.rt.db.session_scope() as s:
            s.get(Mailbox, person.mailbox_id).next_sync_at = utcnow() - timedelta(minutes=1)
        assert enqueue_checks(person.e2e.rt, [person.mailbox_id]) == 1
        record = wait_until(lambda: scheduled_record(person, before) or checks_left_busy(person.e2e) > busy,
                            "the check's record or its busy answer", person.e2e)
        if record is not True:
            return record
    raise AssertionError(f"the mailbox was busy at each of {attempts} checks: {dashboard(person)}")


def checks_left_busy(e2e) -> float:
    """How many mailboxes idle checks have left to a session already queued or running."""
    return metric_value(scrape_metrics(e2e), "syncline_sync_idle_checks_total", result="busy")


def scheduled_record(person: Person, after_id: int) -> dict | None:
    """The newest finished record after ``after_id`` that a check left (a push session is not one)."""
    return next((s for s in dashboard(person)["sessions"]
                 if s["id"] > after_id and s["finished_at"] and s["trigger"] == "scheduled"), None)


def test_an_unchanged_mailbox_is_checked_and_moved_to_its_next_slot(e2e, factory):
    ann = settled(e2e, factory)
    offset = len(e2e.emu.requests_text(ann.sf_org))
    def checked_unchanged() -> float:
        return metric_value(scrape_metrics(e2e), "syncline_sync_idle_checks_total", result="unchanged")

    before = checked_unchanged()
    record = tick(ann)
    assert checked_unchanged() == before + 1, "the worker's check is counted where the API's /metrics shows it"
    assert (record["checked_only"], record["status"], record["trigger"]) == (True, "succeeded", "scheduled")
    assert all(set(c) <= {"unavailable"} for c in record["counts"].values()) and record["errors"] == []
    assert dashboard(ann)["mailbox"]["next_sync_at"] > utcnow().isoformat()
    assert e2e.emu.requests_text(ann.sf_org)[offset:] == "", "a check asks Salesforce nothing"
    assert dashboard(ann)["folders"]["mail"]["state"] == "not available on this server"


def test_a_meeting_added_between_checks_is_synced_by_a_full_session(e2e, factory):
    ann = settled(e2e, factory)
    assert tick(ann)["checked_only"] is True
    put_event(ann, "idle-kickoff", "Kickoff", NOW + timedelta(days=3))
    record = tick(ann)
    assert (record["checked_only"], record["status"]) == (False, "succeeded"), record
    assert record["counts"]["calendar"]["created"] == 1
    assert sorted(e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")) == ["Kickoff", "Roadmap"]


def test_a_routed_salesforce_change_whose_session_was_lost_is_synced_by_the_check(e2e, factory):
    ann = settled(e2e, factory)
    [event] = e2e.emu.records(ann.sf_org, "Event")
    e2e.worker.stop()                                    # the org poll's own session job is lost below
    try:
        connect_org(e2e.rt, ann.user.org_id).restful(f"sobjects/Event/{event['Id']}", "PATCH",
                                                     json={"Subject": "Roadmap (moved)"})
        assert poll_org_changes(e2e.rt, ann.user.org_id).mailboxes == [ann.mailbox_id]
        Job.fetch(keys.sync_job_id(ann.mailbox_id), connection=e2e.rt.redis.client).delete()
    finally:
        e2e.start_worker()
    record = tick(ann)
    assert (record["checked_only"], record["status"]) == (False, "succeeded"), record
    assert [i.subject for i in ann.calendar_items()] == ["Roadmap (moved)"]


def test_failed_items_an_old_full_session_and_new_settings_still_get_a_full_session(e2e, factory):
    ann = settled(e2e, factory)
    with e2e.rt.db.session_scope() as s:                 # a failure the next session will retry
        s.execute(update(IdMapRow).where(IdMapRow.mailbox_id == ann.mailbox_id)
                  .values(last_error="UNABLE_TO_LOCK_ROW", attempts=1))
    assert tick(ann)["checked_only"] is False
    with e2e.rt.db.session_scope() as s:
        s.execute(update(IdMapRow).where(IdMapRow.mailbox_id == ann.mailbox_id).values(last_error=None, attempts=0))
        s.execute(update(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == ann.mailbox_id)
                  .values(finished_at=utcnow() - timedelta(hours=25)))
    assert tick(ann)["checked_only"] is False, "a day without a full session: the window may have moved"
    assert tick(ann)["checked_only"] is True
    response = e2e.app.test_client().patch(f"/api/v1/orgs/{ann.user.org_id}/settings",
                                           json={"calendar_days_ahead": 90}, headers=ann.headers)
    assert response.status_code == 200, response.json
    assert tick(ann)["checked_only"] is False, "a widened window is listed at once, not within a day"


def test_a_failing_mailbox_is_not_checked_but_synced(e2e, factory):
    ann = settled(e2e, factory)
    with e2e.rt.db.session_scope() as s:
        s.get(Mailbox, ann.mailbox_id).consecutive_failures = 1
    record = tick(ann)
    assert (record["checked_only"], record["status"]) == (False, "succeeded")


def test_one_check_job_asks_many_mailboxes_at_once_within_the_per_server_cap(e2e, factory):
    proxy = DavFaultProxy(e2e.radicale.base_url)
    try:
        ann = settled(e2e, factory, proxy.base_url + "/")
        clones = clone_settled_mailbox(e2e.rt, ann.mailbox_id, 3 * idle_check.PER_HOST)
        proxy.latency_ms, proxy.max_in_flight = 100, 0
        started = utcnow()
        report = check_mailboxes(e2e.rt, clones, "test-batch")
        assert (report.unchanged, report.sessions, report.busy) == (len(clones), 0, 0)
        assert 1 < proxy.max_in_flight <= idle_check.PER_HOST
        with e2e.rt.db.session_scope() as s:
            checked = s.scalars(select(SyncSessionRecord.mailbox_id).where(
                SyncSessionRecord.mailbox_id.in_(clones), SyncSessionRecord.job_id == "check:test-batch")).all()
            slots = s.scalars(select(Mailbox.next_sync_at).where(Mailbox.id.in_(clones))).all()
        assert sorted(checked) == sorted(clones)
        assert all(slot > started for slot in slots), "each moved on to its next slot"
    finally:
        proxy.stop()


def test_imap_folders_are_checked_by_status_and_a_tagged_email_is_saved(e2e, factory):
    ann = settle(sign_up(e2e, factory))                 # IMAP (Dovecot) + CalDAV/CardDAV (Radicale)
    assert tick(ann)["checked_only"] is True
    append_tagged_mail(ann, "<idle-check-1@customer.test>", subject="Order form")
    record = tick(ann)
    assert (record["checked_only"], record["status"]) == (False, "succeeded"), record
    saved = [r for kind in ("Task", "EmailMessage") for r in e2e.emu.records(ann.sf_org, kind)
             if "Order form" in str(r.get("Subject"))]
    assert len(saved) == 1, record
    assert tick(ann)["checked_only"] is True


def test_a_mailbox_moved_to_a_profile_that_adds_carddav_gets_a_full_session_at_its_next_check(e2e, factory):
    url = e2e.radicale.base_url + "/"
    ann = dav_only(e2e, factory)
    with e2e.rt.db.session_scope() as s:
        s.get(Mailbox, ann.mailbox_id).server_profile.endpoints = {"caldav_url": url}     # CalDAV only
    settle(ann)
    assert tick(ann)["checked_only"] is True
    put_card(ann, "contacts", "maria.vcf", "N:Anders;Maria;;;", "FN:Maria Anders", "EMAIL:maria@northwind.test",
             "CATEGORIES:Salesforce")
    client = e2e.app.test_client()
    profile = client.post(f"/api/v1/orgs/{ann.user.org_id}/server-profiles", headers=ann.headers, json={
        "name": "CalDAV and CardDAV", "kind": "imap", "endpoints": {"caldav_url": url, "carddav_url": url}})
    assert profile.status_code == 201, profile.json
    moved = client.patch(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers,
                         json={"server_profile_id": profile.json["id"]})
    assert moved.status_code == 200, moved.json
    record = tick(ann)
    assert (record["checked_only"], record["status"]) == (False, "succeeded"), record
    assert [c["Email"] for c in e2e.emu.records(ann.sf_org, "Contact")] == ["maria@northwind.test"]
    assert tick(ann)["checked_only"] is True, "listed once, the address book is checked like the rest"
