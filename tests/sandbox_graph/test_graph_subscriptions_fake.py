"""The Graph fake's subscriptions behave as Microsoft Learn documents: the validation request
before 201 (and 400 when the webhook does not echo the token), the per-resource maximum
lifetime, change notifications with clientState/subscriptionId/resource/changeType, renewal,
deletion, and lifecycle notifications to the lifecycle URL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask import Flask, Response, request

from sandbox.salesforce.server import TlsServer


class Webhook:
    """An HTTPS receiver that echoes validation tokens (unless told not to) and keeps every batch."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, dict]] = []
        self.echo = True
        self.lock = threading.Lock()
        app = Flask("webhook")

        @app.post("/<kind>")
        def receive(kind: str) -> Response:
            token = request.args.get("validationToken")
            if token is not None:
                return Response(token if self.echo else "nope", 200, content_type="text/plain")
            with self.lock:
                self.batches.append((kind, request.get_json()))
            return Response(status=202)

        self.server = TlsServer(app)
        self.server.start()
        self.url = f"https://127.0.0.1:{self.server.port}"

    def notes(self, kind: str) -> list[dict]:
        return [n for k, body in self.batches if k == kind for n in body["value"]]


@pytest.fixture(scope="module")
def webhook(fake):
    hook = Webhook()
    fake.store.push.ca_file = hook.server.ca_path
    yield hook
    hook.server.stop()


def _expiry(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _subscribe(fake, http, webhook, user, minutes=4000, **extra):
    return http.post(fake.graph_url + "/subscriptions", json={
        "changeType": "created,updated,deleted", "notificationUrl": webhook.url + "/changes",
        "lifecycleNotificationUrl": webhook.url + "/lifecycle", "resource": f"users/{user}/events",
        "expirationDateTime": _expiry(minutes), "clientState": "s3cret-state", **extra})


def _event(subject: str) -> dict:
    return {"subject": subject, "start": {"dateTime": "2026-06-01T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-06-01T10:00:00", "timeZone": "UTC"}}


def test_a_subscription_is_validated_then_notifies_every_change_of_the_users_events(fake, http, webhook, user):
    before = len(fake.store.push.validations)
    created = _subscribe(fake, http, webhook, user)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["resource"] == f"users/{user}/events" and body["clientState"] == "s3cret-state"
    assert body["changeType"] == "created,updated,deleted" and body["expirationDateTime"].endswith("Z")
    assert fake.store.push.validations[before:] == [webhook.url + "/changes", webhook.url + "/lifecycle"]
    event, _ = fake.store.create_event(user, _event("Planning"))
    fake.store.update_event(user, event["id"], {"subject": "Planning (moved)"})
    fake.store.delete_event(user, event["id"])
    fake.store.create_event(fake.store.add_user("someone-else@contoso.test"), _event("Not theirs"))
    fake.store.push.drain()
    mine = [n for n in webhook.notes("changes") if n["subscriptionId"] == body["id"]]
    assert [n["changeType"] for n in mine] == ["created", "updated", "deleted"]
    assert {n["clientState"] for n in mine} == {"s3cret-state"}
    assert all(n["resource"].endswith("/" + event["id"]) and n["resourceData"]["id"] == event["id"] for n in mine)


def test_a_webhook_that_does_not_echo_the_token_gets_no_subscription(fake, http, webhook, user):
    webhook.echo = False
    try:
        refused = _subscribe(fake, http, webhook, user)
    finally:
        webhook.echo = True
    assert refused.status_code == 400
    assert "validation request failed" in refused.json()["error"]["message"]
    assert all(s["resource"] != f"users/{user}/events" for s in http.get(fake.graph_url + "/subscriptions").json()["value"])


@pytest.mark.parametrize("change, message", [
    ({"minutes": 10090}, "10080 minutes"),     # computed when the test runs, not when it is collected
    ({"notificationUrl": "http://127.0.0.1:9/changes"}, "must use https"),
    ({"resource": "users/nobody@contoso.test/events"}, "is invalid"),
    ({"changeType": "renamed"}, "changeType"),
])
def test_bad_subscription_requests_are_refused_with_a_reason(fake, http, webhook, user, change, message):
    refused = _subscribe(fake, http, webhook, user, **change)
    assert refused.status_code == 400 and message in refused.json()["error"]["message"], refused.json()


def test_renewal_deletion_and_lifecycle_notifications(fake, http, webhook, user):
    sub = _subscribe(fake, http, webhook, user, minutes=60).json()
    renewed = http.patch(f"{fake.graph_url}/subscriptions/{sub['id']}", json={"expirationDateTime": _expiry(10000)})
    assert renewed.status_code == 200 and renewed.json()["expirationDateTime"] > sub["expirationDateTime"]
    too_long = http.patch(f"{fake.graph_url}/subscriptions/{sub['id']}", json={"expirationDateTime": _expiry(20000)})
    assert too_long.status_code == 400
    fake.store.push.lifecycle(sub["id"], "missed")
    fake.store.push.lifecycle(sub["id"], "subscriptionRemoved")
    fake.store.push.drain()
    events = [n["lifecycleEvent"] for n in webhook.notes("lifecycle") if n["subscriptionId"] == sub["id"]]
    assert events == ["missed", "subscriptionRemoved"]
    assert http.get(f"{fake.graph_url}/subscriptions/{sub['id']}").status_code == 404
    other = _subscribe(fake, http, webhook, user).json()
    assert http.delete(f"{fake.graph_url}/subscriptions/{other['id']}").status_code == 204
    gone = http.delete(f"{fake.graph_url}/subscriptions/{other['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ResourceNotFound"


def _user_session(fake, user: str, scopes=frozenset({"Calendars.ReadWrite", "User.Read"})):
    """A client holding ``user``'s delegated token, as the authorization-code flow hands it out."""
    token = fake.store.identity.access_token("tenant-1", "client-1", user=user, scopes=frozenset(scopes))
    fake.store.access_tokens.add(token)
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    session.headers["Authorization"] = "Bearer " + token
    return session


def test_a_delegated_token_subscribes_its_own_mailbox_only_and_only_its_user_manages_it(fake, http, webhook, user):
    own = _user_session(fake, user)
    as_me = _subscribe(fake, own, webhook, user, resource="me/events")
    assert as_me.status_code == 201, as_me.json()
    mine = _subscribe(fake, own, webhook, user)
    assert mine.status_code == 201 and fake.store.push.get(mine.json()["id"]).creator == user.lower()
    fake.store.create_event(user, _event("Seen by both"))
    fake.store.push.drain()
    notified = {n["subscriptionId"] for n in webhook.notes("changes")}
    assert {as_me.json()["id"], mine.json()["id"]} <= notified

    other = fake.store.add_user("colleague@contoso.test")
    theirs = _subscribe(fake, own, webhook, other)
    assert theirs.status_code == 403 and theirs.json()["error"]["code"] == "ExtensionError"
    assert _subscribe(fake, http, webhook, user, resource="me/events").status_code == 400   # /me needs a user
    unscoped = _subscribe(fake, _user_session(fake, user, {"User.Read"}), webhook, user)
    assert unscoped.status_code == 403                                   # no Calendars.Read* in scp

    colleague = _user_session(fake, other)
    path = fake.graph_url + "/subscriptions/" + mine.json()["id"]
    assert colleague.patch(path, json={"expirationDateTime": _expiry(600)}).status_code == 403
    assert colleague.delete(path).status_code == 403
    assert [s["id"] for s in colleague.get(fake.graph_url + "/subscriptions").json()["value"]] == []
    assert own.patch(path, json={"expirationDateTime": _expiry(600)}).status_code == 200
    assert own.delete(path).status_code == 204
