"""Push for a mailbox connected by delegated sign-in, Graph fake ⇄ API over HTTPS ⇄ REAL worker ⇄
Salesforce emulator: the sign-in alone subscribes the mailbox (with the user's own token, never the
app's), an Outlook change is POSTed to the API and reaches Salesforce; lifecycle events are answered
by the worker with the user's token (reauthorise, recreate, ``missed`` → delta); a revoked refresh
token marks the mailbox "needs re-authorisation" with no app-credential attempt, and a new sign-in
reauthorises the subscriptions it had."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
import requests
from sqlalchemy import select

from app.models import GraphSubscription, Mailbox
from app.models.base import utcnow
from app.services import graph_subscriptions
from sandbox.graph.identity_routes import revoke_sign_ins
from tests.e2e.helpers import NOW, dashboard, wait_until
from tests.e2e.test_graph_worker_e2e import FMT, _office365_user
from tests.graph_webhook import public_api as serving_api
from tests.integration.graph.auth_helpers import browser_visit


@pytest.fixture
def public_api(e2e) -> Iterator[object]:
    """The API on HTTPS, and a worker that knows it as SYNCLINE_PUBLIC_URL (the sign-in job subscribes
    there); the shared worker is back afterwards."""
    with serving_api(e2e.rt.config, e2e.graph) as rt:
        shared = dict(e2e.env)
        e2e.env["SYNCLINE_PUBLIC_URL"] = rt.config.public_url
        e2e.start_worker()
        try:
            yield rt
        finally:
            e2e.env.clear()
            e2e.env.update(shared)
            e2e.start_worker()


def _delegated_user(e2e, factory):
    """An admin whose Office 365 profile has each mailbox sign in (auth_mode 'delegated')."""
    return _office365_user(e2e, factory, auth_mode="delegated")


def _callers(ann, subscription_ids: set[str]) -> list[tuple[str, str | None]]:
    """(method, whose token) of every /subscriptions request about this mailbox that reached Graph."""
    return [(method, who) for method, who, target in ann.e2e.graph.store.push.callers
            if ann.user.email in target or target in subscription_ids]


def _app_tokens(ann) -> list[dict]:
    """Every app-only (client credentials) token the fake ever issued to the mailbox's registration."""
    claims = [jwt.decode(t, options={"verify_signature": False}) for t in ann.e2e.graph.store.access_tokens]
    return [c for c in claims if c.get("appid") == ann.client_id and c.get("idtyp") == "app"]


def _sign_in(ann, api) -> None:
    """The owner's browser: start in the app, consent at the fake, Microsoft's form POST to the public API."""
    e2e = ann.e2e
    start = e2e.app.test_client().post(f"/api/v1/mailboxes/{ann.mailbox_id}/graph-sign-in", headers=ann.headers)
    assert start.status_code == 200, start.json
    e2e.graph.store.identity.browser_user = ann.user.email
    try:
        answer = browser_visit(start.json["authorize_url"], e2e.graph.ca_path)
    finally:
        e2e.graph.store.identity.browser_user = None
    done = requests.post(api.config.public_url + "/api/v1/auth/microsoft/callback", data=answer,
                         verify=e2e.graph.store.push.ca_file, timeout=30)
    assert done.status_code == 200 and done.json()["status"] == "active", done.text


def _rows(api, mailbox_id: int) -> dict[str, str]:
    """kind → Graph subscription id of the mailbox's subscriptions."""
    with api.db.session_scope() as s:
        return {r.kind: r.subscription_id for r in s.scalars(
            select(GraphSubscription).where(GraphSubscription.mailbox_id == mailbox_id))}


def _subscribed(ann, api) -> dict[str, str]:
    """Wait for the sign-in job's subscriptions, one per kind the mailbox syncs."""
    return wait_until(lambda: set(_rows(api, ann.mailbox_id)) == {"calendar", "contacts", "tasks", "mail"} and
                 _rows(api, ann.mailbox_id), "the subscriptions made by the sign-in job", ann.e2e)


def _outlook_event(ann, subject: str, days: int) -> None:
    start = NOW + timedelta(days=days)
    ann.e2e.graph.store.create_event(ann.user.email, {
        "subject": subject, "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"}})


def _in_salesforce(ann, subject: str) -> list[dict]:
    return wait_until(lambda: [e for e in ann.e2e.emu.records(ann.sf_org, "Event") if e["Subject"] == subject],
                 f"{subject!r} reaching Salesforce", ann.e2e)


def test_a_delegated_sign_in_subscribes_at_once_and_a_pushed_event_reaches_salesforce(e2e, factory, public_api):
    ann, push = _delegated_user(e2e, factory), e2e.graph.store.push
    _sign_in(ann, public_api)
    kinds = _subscribed(ann, public_api)
    calendar = push.get(kinds["calendar"])
    assert calendar.resource == f"users/{ann.user.email}/events" and calendar.creator == ann.user.email.lower()
    me = ann.user.email.lower()
    assert {who for _, who in _callers(ann, set(kinds.values()))} == {me} and _app_tokens(ann) == []

    _outlook_event(ann, "Pushed to a signed-in mailbox", days=2)
    assert len(_in_salesforce(ann, "Pushed to a signed-in mailbox")) == 1
    sessions = dashboard(ann)["sessions"]
    assert sessions and {s["trigger"] for s in sessions} == {"push"}, sessions


def test_lifecycle_and_renewal_use_the_user_token_and_a_revoked_sign_in_waits_for_a_new_one(e2e, factory,
                                                                                          public_api):
    ann, push = _delegated_user(e2e, factory), e2e.graph.store.push
    _sign_in(ann, public_api)
    made = _subscribed(ann, public_api)
    first, me, seen = made["calendar"], ann.user.email.lower(), set(made.values())
    push.callers.clear()

    with public_api.db.session_scope() as s:        # the maintenance pass renews within a day of expiry
        row = s.scalar(select(GraphSubscription).where(GraphSubscription.subscription_id == first))
        row.expires_at = utcnow() + timedelta(hours=3)
    assert graph_subscriptions.maintain(public_api).renewed >= 1
    assert _callers(ann, {first}) == [("PATCH", me)]            # renewed at Graph, with the user's token
    with public_api.db.session_scope() as s:
        renewed = s.scalar(select(GraphSubscription.expires_at).where(GraphSubscription.subscription_id == first))
    assert renewed - utcnow() > timedelta(days=6) and push.get(first).expires == renewed

    push.lifecycle(first, "reauthorizationRequired")         # answered by the worker, renewing
    wait_until(lambda: not push.get(first).needs_reauthorization, "the reauthorisation", e2e)
    push.lifecycle(first, "subscriptionRemoved")             # answered by the worker, recreating
    again = wait_until(lambda: _rows(public_api, ann.mailbox_id).get("calendar") not in (None, first) and
                  _rows(public_api, ann.mailbox_id)["calendar"], "the recreated subscription", e2e)
    seen.add(again)
    assert push.get(again).creator == me
    assert {("PATCH", me), ("POST", me)} <= set(_callers(ann, seen))
    assert {who for _, who in _callers(ann, seen)} == {me}, push.callers

    held = push.subscriptions.pop(again)                    # Graph misses a change, then says so
    _outlook_event(ann, "Missed by Graph", days=3)
    push.subscriptions[again] = held
    push.lifecycle(again, "missed")
    _in_salesforce(ann, "Missed by Graph")

    push.callers.clear()
    revoke_sign_ins(e2e.graph.store, ann.user.email)
    push.lifecycle(again, "reauthorizationRequired")
    wait_until(lambda: _status(public_api, ann.mailbox_id)[0] == "needs_reauth", "needs re-authorisation", e2e)
    assert "AADSTS50173" in _status(public_api, ann.mailbox_id)[1]
    graph_subscriptions.maintain(public_api)                  # a mailbox waiting for its user is left alone
    assert _callers(ann, seen) == [] and _app_tokens(ann) == []    # no fallback to the app's credentials

    _sign_in(ann, public_api)                                 # a new sign-in reauthorises what it had
    wait_until(lambda: not push.get(again).needs_reauthorization, "the reauthorisation after the new sign-in", e2e)
    assert {who for _, who in _callers(ann, seen)} == {me} and _app_tokens(ann) == []


def _status(api, mailbox_id: int) -> tuple[str, str]:
    with api.db.session_scope() as s:
        box = s.get(Mailbox, mailbox_id)
        return box.status, box.status_reason or ""
