"""Graph's calls to the API, with real Redis and SQL: the validation handshake, clientState
checks (forged notifications are refused and never queue anything), unknown subscriptions
ignored, and one coalesced session per mailbox however many notifications arrive, plus one more
when a change arrives while a session runs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue
from rq.job import Job, JobStatus

from app.models import GraphSubscription, Mailbox
from app.models.base import utcnow
from app.services import push_triggers
from app.services.graph_subscriptions import client_state_hash
from app.state import keys, queues
from tests.session_jobs import finish_session_job, start_session_job

NOTIFY, LIFECYCLE = "/api/v1/graph/notifications", "/api/v1/graph/lifecycle"


@pytest.fixture
def rt(app):
    return app.extensions["syncline"]


def _subscribed(factory, rt, state: str = "the-state", email: str | None = None):
    user = factory.user(factory.org(), email=email)
    mailbox = factory.mailbox(user, kind="graph", endpoints={"tenant_id": "t", "client_id": "c"})
    sub_id = f"sub-{mailbox.id}"
    with rt.db.session_scope() as s:
        s.add(GraphSubscription(mailbox_id=mailbox.id, server_profile_id=mailbox.server_profile_id, kind="calendar",
                                subscription_id=sub_id, resource=f"users/{user.email}/events",
                                client_state_hash=client_state_hash(state), expires_at=utcnow() + timedelta(days=2)))
    return mailbox.id, sub_id


def _note(sub_id: str, state: str, change: str = "created", **extra) -> dict:
    return {"subscriptionId": sub_id, "clientState": state, "changeType": change, "tenantId": "t",
            "resource": "Users/x/Events/AAk=", "resourceData": {"id": "AAk=", "@odata.type": "#Microsoft.Graph.Event"},
            "subscriptionExpirationDateTime": "2030-01-01T00:00:00.0000000Z", **extra}


def _sync_jobs(rt) -> list[str]:
    return Queue(queues.SYNC, connection=rt.redis.client).job_ids


@pytest.mark.parametrize("path", [NOTIFY, LIFECYCLE])
def test_the_validation_handshake_echoes_the_token_as_plain_text(client, path):
    token = "Validation: Testing client application reachability for subscription Request-Id: 1 <b>&"
    answer = client.post(path, query_string={"validationToken": token}, data=b"",
                         headers={"Content-Type": "text/plain; charset=utf-8"})
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain" and answer.get_data(as_text=True) == token
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_valid_notification_queues_one_session_for_that_mailbox_only(client, factory, rt):
    mine, sub = _subscribed(factory, rt)
    other, _ = _subscribed(factory, rt)
    answer = client.post(NOTIFY, json={"value": [_note(sub, "the-state")]})
    assert answer.status_code == 202 and answer.get_data() == b""
    assert _sync_jobs(rt) == [keys.sync_job_id(mine)]
    assert Job.fetch(keys.sync_job_id(mine), connection=rt.redis.client).args == (mine, "push")
    assert keys.sync_job_id(other) not in _sync_jobs(rt)


def test_a_burst_of_notifications_coalesces_into_one_waiting_session(client, factory, rt):
    mailbox_id, sub = _subscribed(factory, rt)
    for change in ("created", "updated", "updated", "deleted"):
        batch = {"value": [_note(sub, "the-state", change), _note(sub, "the-state", "updated")]}
        assert client.post(NOTIFY, json=batch).status_code == 202
    assert _sync_jobs(rt) == [keys.sync_job_id(mailbox_id)]


def test_a_forged_notification_is_refused_and_queues_nothing(client, factory, rt):
    mailbox_id, sub = _subscribed(factory, rt)
    forged = client.post(NOTIFY, json={"value": [_note(sub, "guessed-state")]})
    assert forged.status_code == 403 and "clientState" in forged.get_json()["message"]
    assert client.post(NOTIFY, json={"value": [_note(sub, "")]}).status_code == 403
    assert _sync_jobs(rt) == []
    victim, victim_sub = _subscribed(factory, rt, state="victims-state")
    mixed = client.post(NOTIFY, json={"value": [_note(sub, "the-state"), _note(victim_sub, "the-state")]})
    assert mixed.status_code == 202
    assert _sync_jobs(rt) == [keys.sync_job_id(mailbox_id)]


def test_unknown_subscriptions_and_inactive_mailboxes_are_ignored(client, factory, rt):
    mailbox_id, sub = _subscribed(factory, rt)
    assert client.post(NOTIFY, json={"value": [_note("not-ours", "x")]}).status_code == 202
    with rt.db.session_scope() as s:
        s.get(Mailbox, mailbox_id).status = "suspended"
    assert client.post(NOTIFY, json={"value": [_note(sub, "the-state")]}).status_code == 202
    assert _sync_jobs(rt) == []


@pytest.mark.parametrize("body, expected", [
    (b"not json", "Invalid JSON body"),
    (b"{}", "validationToken"),
    (b'{"value": "x"}', "Not a valid list"),
    (b'{"value": [{"clientState": "x"}]}', "subscriptionId"),
])
def test_a_body_that_is_not_a_notification_batch_is_a_400_that_says_so(client, body, expected):
    answer = client.post(NOTIFY, data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.get_data()
    assert expected in str(answer.get_json()), answer.get_json()


def test_a_change_during_a_running_session_brings_exactly_one_more_session(client, factory, rt):
    mailbox_id, sub = _subscribed(factory, rt)
    assert push_triggers.notify(rt, mailbox_id) == push_triggers.QUEUED
    running = start_session_job(rt, mailbox_id)
    for _ in range(3):
        assert client.post(NOTIFY, json={"value": [_note(sub, "the-state", "updated")]}).status_code == 202
    followup = Job.fetch(keys.push_followup_job_id(mailbox_id), connection=rt.redis.client)
    assert followup.get_status() == JobStatus.DEFERRED and _sync_jobs(rt) == []
    assert push_triggers.notify(rt, mailbox_id) == push_triggers.COALESCED
    finish_session_job(rt, mailbox_id, running)
    assert _sync_jobs(rt) == [keys.push_followup_job_id(mailbox_id)]
    push_triggers.followup(rt, mailbox_id)               # the follow-up job's work
    assert keys.sync_job_id(mailbox_id) in _sync_jobs(rt)
    assert Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client).get_status() == JobStatus.QUEUED


def test_lifecycle_events_renew_recreate_or_sync_now(client, factory, rt):
    mailbox_id, sub = _subscribed(factory, rt)
    notes = [_note(sub, "the-state", lifecycleEvent=e) for e in ("reauthorizationRequired", "subscriptionRemoved")]
    assert client.post(LIFECYCLE, json={"value": notes}).status_code == 202
    refreshes = Queue(queues.DEFAULT, connection=rt.redis.client).jobs
    assert [(j.func_name, j.args[1]) for j in refreshes] == [("workers.jobs.refresh_graph_subscription", False),
                                                             ("workers.jobs.refresh_graph_subscription", True)]
    assert _sync_jobs(rt) == []
    missed = client.post(LIFECYCLE, json={"value": [_note(sub, "the-state", lifecycleEvent="missed")]})
    assert missed.status_code == 202 and _sync_jobs(rt) == [keys.sync_job_id(mailbox_id)]
    assert client.post(LIFECYCLE, json={"value": [_note(sub, "wrong", lifecycleEvent="missed")]}).status_code == 403


def test_a_follow_up_stranded_by_a_dead_worker_does_not_swallow_later_changes(factory, rt):
    mailbox_id, _ = _subscribed(factory, rt)
    push_triggers.notify(rt, mailbox_id)
    start_session_job(rt, mailbox_id)
    assert push_triggers.notify(rt, mailbox_id) == push_triggers.AFTER_RUNNING
    Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client).delete()   # its worker died; job swept
    rt.redis.client.delete(keys.mailbox_lock(mailbox_id))
    assert push_triggers.notify(rt, mailbox_id) == push_triggers.QUEUED
    start_session_job(rt, mailbox_id)
    assert push_triggers.notify(rt, mailbox_id) == push_triggers.AFTER_RUNNING    # a fresh follow-up, not the stranded one
    followup = Job.fetch(keys.push_followup_job_id(mailbox_id), connection=rt.redis.client)
    assert rt.redis.client.sismember(Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client).dependents_key,
                                     followup.id)
