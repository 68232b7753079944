"""Google push end to end: the product opens watches through the Google fake, which POSTs to a real
HTTPS API server - a Calendar channel notification, or a Gmail notification through a Pub/Sub push
signed with an OIDC token - and the REAL worker's session puts the change in Salesforce with no
scheduled run. Forged pushes (bad channel token, bad signature, wrong audience) are refused and
start nothing; renewal replaces a channel about to expire."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from app.models import GoogleWatch
from app.models.base import utcnow
from app.providers.google.push_tokens import CERTS
from app.services import google_watches
from app.services.sync_queue import pending_job
from app.state import queues
from sandbox.google.push import Signer
from tests.e2e.helpers import NOW, dashboard, force_sync
from tests.e2e.helpers import wait_until as _wait
from tests.e2e.test_gmail_e2e import _client_contact, _headers
from tests.e2e.test_google_worker_e2e import _event, _workspace_user
from tests.graph_webhook import public_api as serving_api

PUSHER = "gmail-push@project.iam.gserviceaccount.com"


@pytest.fixture
def public_api(e2e) -> Iterator[object]:
    config = e2e.rt.config.with_overrides(google_certs_url=e2e.google.certs_url)
    with serving_api(config, e2e.google) as rt:
        yield rt
    e2e.google.store.push.gmail_watches.clear()


def _watch(rt, mailbox_id: int, kind: str) -> GoogleWatch:
    with rt.db.session_scope() as s:
        row = s.scalar(select(GoogleWatch).where(GoogleWatch.mailbox_id == mailbox_id, GoogleWatch.kind == kind))
        s.expunge(row)
        return row


def _quiet(ann) -> None:
    """Nothing of ann's is waiting or running (so a refused push that queued one would show)."""
    rt = ann.e2e.rt
    _wait(lambda: pending_job(rt, ann.mailbox_id) is None, "ann's last session ending", ann.e2e)


def _nothing_started(ann, sessions_before: int) -> None:
    assert pending_job(ann.e2e.rt, ann.mailbox_id) is None
    assert Queue(queues.SYNC, connection=ann.e2e.rt.redis.client).count == 0
    assert len(dashboard(ann)["sessions"]) == sessions_before


def test_a_google_calendar_change_reaches_salesforce_through_a_channel(e2e, factory, public_api):
    ann = _workspace_user(e2e, factory)
    counts = google_watches.maintain(public_api)
    assert counts.created >= 1, counts      # (other tests' mailboxes share this world; some hold revoked keys)
    row = _watch(public_api, ann.mailbox_id, "calendar")
    channel = e2e.google.store.push.subscriptions[row.channel_id]
    assert channel.address == public_api.config.public_url + "/api/v1/google/calendar-notifications"
    assert channel.token and row.token_hash not in (channel.token, "") and channel.resource_id == row.resource_id
    e2e.google.store.push.drain()           # the channel's "sync" message: acknowledged, ignored
    assert e2e.google.store.push.deliveries[-1].status == 200
    assert dashboard(ann)["sessions"] == []

    e2e.google.store.insert_event(ann.user.email, _event("Pushed from Google", NOW + timedelta(days=2)))
    found = _wait(lambda: [e for e in e2e.emu.records(ann.sf_org, "Event") if e["Subject"] == "Pushed from Google"],
                  "the pushed event reaching Salesforce", e2e)
    assert len(found) == 1
    sessions = dashboard(ann)["sessions"]
    assert sessions and {s["trigger"] for s in sessions} == {"push"}, sessions
    push = dashboard(ann)["push"]       # the channel is live and its change shows in the freshness
    assert push["live"] and push["mode"] == "google" and push["last_change_at"] is not None, push

    _quiet(ann)
    before, push = len(dashboard(ann)["sessions"]), e2e.google.store.push
    seen = len(push.deliveries)
    forged = {"X-Goog-Channel-ID": row.channel_id, "X-Goog-Channel-Token": "guessed",
              "X-Goog-Resource-ID": row.resource_id, "X-Goog-Resource-State": "exists"}
    push.post(channel.address, forged, None)
    push.post(channel.address, {**forged, "X-Goog-Channel-Token": channel.token, "X-Goog-Resource-ID": "other"}, None)
    push.post(channel.address, {**forged, "X-Goog-Channel-ID": "never-made"}, None)
    push.drain()
    assert [d.status for d in push.deliveries[seen:]] == [403, 403, 404]
    _nothing_started(ann, before)


def test_a_gmail_label_applied_is_pushed_and_saved(e2e, factory, public_api):
    topic = f"projects/project/topics/gmail-{secrets.token_hex(3)}"
    ann = _workspace_user(e2e, factory, endpoints={"gmail_push_topic": topic, "gmail_push_service_account": PUSHER})
    endpoint = public_api.config.public_url + "/api/v1/google/gmail-notifications"
    push = e2e.google.store.push
    push.add_topic(topic, endpoint, PUSHER)
    account, _ = _client_contact(ann)
    assert force_sync(ann)["status"] == "succeeded"      # the first session: the label and the history cursor
    gmail, address = e2e.google.store.gmail, ann.user.email
    message = gmail.add_message(address, _headers("Pushed offer", "<pushed-1@customer.test>"), text="Offer.")
    google_watches.maintain(public_api)
    watch = push.gmail_watches[address]
    assert watch["topic"] == topic and watch["labelIds"] == [gmail.label_id(address, "Salesforce")]
    CERTS.clear()

    gmail.add_labels(address, message["id"], ("Salesforce",))
    saved = _wait(lambda: [m for m in e2e.emu.records(ann.sf_org, "EmailMessage")
                           if m["MessageIdentifier"] == "<pushed-1@customer.test>"], "the pushed save", e2e)
    assert saved[0]["RelatedToId"] == account
    assert dashboard(ann)["sessions"][0]["trigger"] == "push"
    assert CERTS.fetches == 1

    _quiet(ann)
    before, seen = len(dashboard(ann)["sessions"]), len(push.deliveries)
    data = {"emailAddress": address, "historyId": 1}
    impostor = Signer()
    impostor.key_id = push.signer.key_id              # same key id, another key: the signature fails
    push.publish(topic, data, token=impostor.token(endpoint, PUSHER))
    push.publish(topic, data, token=push.signer.token("https://elsewhere.test/push", PUSHER))
    push.publish(topic, data, token=push.signer.token(endpoint, "someone@else.iam.gserviceaccount.com"))
    push.post(endpoint, {}, {"message": {"data": "bm90IGpzb24="}})     # no token: refused before the body is read
    push.post(endpoint, {"Authorization": "Bearer " + push.signer.token(endpoint, PUSHER)},
              {"message": {"data": "bm90IGpzb24="}})                 # Google's token, data not JSON
    push.drain()
    assert [d.status for d in push.deliveries[seen:]] == [403, 403, 403, 403, 400]
    _nothing_started(ann, before)
    assert CERTS.fetches == 1                          # the cached keys served every push


def test_renewal_replaces_a_channel_about_to_expire(e2e, factory, public_api):
    ann = _workspace_user(e2e, factory)
    assert google_watches.maintain(public_api).created >= 1
    old = _watch(public_api, ann.mailbox_id, "calendar")
    quiet = google_watches.maintain(public_api)
    assert quiet.created == 0 and _watch(public_api, ann.mailbox_id, "calendar").channel_id == old.channel_id

    later = google_watches.maintain(public_api, now=utcnow() + timedelta(days=6, hours=12))
    assert later.renewed >= 1, later    # other tests' mailboxes are renewed too (or fail: some hold revoked keys)
    new = _watch(public_api, ann.mailbox_id, "calendar")
    assert new.channel_id != old.channel_id and new.expires_at > old.expires_at - timedelta(minutes=1)
    channels = e2e.google.store.push.subscriptions
    assert old.channel_id not in channels and new.channel_id in channels    # the old one was stopped

    e2e.google.store.insert_event(ann.user.email, _event("After renewal", NOW + timedelta(days=4)))
    _wait(lambda: [e for e in e2e.emu.records(ann.sf_org, "Event") if e["Subject"] == "After renewal"],
          "a change pushed through the new channel", e2e)


def test_a_new_public_url_replaces_a_channel_at_once(e2e, factory, public_api):
    """A channel made under an earlier SYNCLINE_PUBLIC_URL is replaced at the next pass (not at its
    expiry, days later), and a change then arrives through the new address."""
    ann = _workspace_user(e2e, factory)
    google_watches.maintain(public_api)
    old = _watch(public_api, ann.mailbox_id, "calendar")
    assert old.push_root == public_api.config.public_url
    with serving_api(public_api.config, e2e.google) as moved:
        assert google_watches.maintain(moved).renewed >= 1
        new = _watch(moved, ann.mailbox_id, "calendar")
        channels = e2e.google.store.push.subscriptions
        assert new.channel_id != old.channel_id and new.push_root == moved.config.public_url
        assert old.channel_id not in channels and channels[new.channel_id].address.startswith(new.push_root + "/")
        e2e.google.store.insert_event(ann.user.email, _event("After the move", NOW + timedelta(days=4)))
        _wait(lambda: [e for e in e2e.emu.records(ann.sf_org, "Event") if e["Subject"] == "After the move"],
              "a change pushed to the new address", e2e)


def test_a_suspended_mailbox_loses_its_channel_at_google(e2e, factory, public_api):
    ann = _workspace_user(e2e, factory)
    google_watches.maintain(public_api)
    row = _watch(public_api, ann.mailbox_id, "calendar")
    assert row.channel_id in e2e.google.store.push.subscriptions
    suspended = e2e.app.test_client().post(f"/api/v1/mailboxes/{ann.mailbox_id}/suspend", headers=ann.headers,
                                           json={"reason": "on leave"})
    assert suspended.status_code == 200, suspended.json
    assert google_watches.maintain(public_api).stopped >= 1
    assert row.channel_id not in e2e.google.store.push.subscriptions
    with public_api.db.session_scope() as s:
        assert s.scalar(select(GoogleWatch).where(GoogleWatch.mailbox_id == ann.mailbox_id)) is None
