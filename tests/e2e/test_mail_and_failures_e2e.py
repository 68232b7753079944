"""Email saving survives replays and a SIGKILLed worker; repeated failures suspend a mailbox."""
from __future__ import annotations

import threading
import time

import pytest
from rq.job import Job

from app.state import keys
from sandbox.salesforce.app import EmulatorApp
from tests.e2e.helpers import append_tagged_mail, dashboard, force_sync, sign_up
from tests.realservers import free_port


def _saved(person, message_id: str) -> list[dict]:
    return [r for r in person.e2e.emu.records(person.sf_org, "EmailMessage")
            if r.get("MessageIdentifier") == message_id]


def test_tagged_email_is_saved_once_across_sessions(e2e, factory):
    ann = sign_up(e2e, factory)
    append_tagged_mail(ann, "<offer-1@customer.test>")
    first = force_sync(ann)
    assert first["status"] == "succeeded", first
    assert first["counts"]["mail"]["created"] == 1
    force_sync(ann)
    assert len(_saved(ann, "<offer-1@customer.test>")) == 1


@pytest.fixture
def slow_email_writes(monkeypatch):
    """The emulator answers EmailMessage writes only after `delay` s, AFTER applying them, so a
    kill lands between "Salesforce accepted" and "the ID map knows"; `written` is set then."""
    written, delay = threading.Event(), {"s": 8.0}
    route = EmulatorApp.route

    def slow_route(self, request):
        response = route(self, request)
        if request.method == "PATCH" and "EmailMessage" in request.path:
            written.set()
            time.sleep(delay["s"])
        return response

    monkeypatch.setattr(EmulatorApp, "route", slow_route)
    return written, delay


def test_worker_killed_mid_save_then_restarted_saves_the_email_exactly_once(e2e, factory, slow_email_writes):
    written, delay = slow_email_writes
    ann = sign_up(e2e, factory)
    append_tagged_mail(ann, "<offer-2@customer.test>")
    before = max((s["id"] for s in dashboard(ann)["sessions"]), default=0)
    response = e2e.app.test_client().post(f"/api/v1/mailboxes/{ann.mailbox_id}/sync", headers=ann.headers)
    assert response.status_code == 202
    assert written.wait(60), e2e.worker.log()[-3000:]
    e2e.worker.kill()                                   # Salesforce has the email; the ID map does not
    assert len(_saved(ann, "<offer-2@customer.test>")) == 1
    delay["s"] = 0
    # What production does by itself later: the session lease expires (300 s) and the dead job is dropped.
    redis = e2e.rt.redis.client
    redis.delete(keys.mailbox_lock(ann.mailbox_id))
    Job.fetch(keys.sync_job_id(ann.mailbox_id), connection=redis).delete()
    e2e.start_worker()
    session = force_sync(ann)
    assert session["id"] > before and session["status"] == "succeeded", session
    force_sync(ann)
    assert len(_saved(ann, "<offer-2@customer.test>")) == 1


def test_a_refused_mailbox_password_needs_reauthorisation_at_once_with_the_reason(e2e, factory):
    ann = sign_up(e2e, factory, password="wrong-password", suspend_after_failures=2)
    assert force_sync(ann)["status"] == "failed"
    mailbox = dashboard(ann)["mailbox"]
    assert mailbox["status"] == "needs_reauth", mailbox
    assert "refused the credentials" in mailbox["status_reason"]
    response = e2e.app.test_client().patch(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers,
                                           json={"password": ann.dav.password})
    assert response.status_code == 200 and response.json["status"] == "active"
    _wait_job_done(e2e, ann)
    assert force_sync(ann)["status"] == "succeeded"


def test_repeated_failures_suspend_the_mailbox_after_the_org_threshold(e2e, factory):
    ann = sign_up(e2e, factory, suspend_after_failures=2, caldav_port=free_port())
    first = force_sync(ann)
    assert first["status"] == "failed" and dashboard(ann)["mailbox"]["status"] == "active"
    assert dashboard(ann)["mailbox"]["next_sync_at"] is not None, "the next session is at its backoff time"
    _wait_job_done(e2e, ann)
    second = force_sync(ann)  # force after a failure is accepted (no RQ retry parks the job)
    assert second["status"] == "failed", second
    mailbox = dashboard(ann)["mailbox"]
    assert mailbox["status"] == "suspended", mailbox
    assert "2 consecutive failed sessions" in mailbox["status_reason"], mailbox


def _wait_job_done(e2e, person) -> None:
    """The session record closes a moment before RQ marks its job finished."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            job = Job.fetch(keys.sync_job_id(person.mailbox_id), connection=e2e.rt.redis.client)
        except Exception:   # noqa: BLE001 — gone already
            return
        if job.get_status() not in ("queued", "started"):
            return
        time.sleep(0.1)
