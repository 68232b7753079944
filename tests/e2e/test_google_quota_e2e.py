"""Quota storms on Google Workspace through the REAL worker: bursts of 429 and 403
``rateLimitExceeded``/``userRateLimitExceeded`` land at different points of a session (list calls, batch
parts, writes); each ends the session with Google's Retry-After as the next attempt's delay, and once
the storm passes every meeting and labelled email is in Salesforce and Google exactly once, with no
invitation mailed."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from tests.e2e.helpers import NOW, force_sync
from tests.e2e.test_gmail_e2e import _headers
from tests.e2e.test_google_worker_e2e import FMT, _event, _workspace_user

RETRY_AFTER = 240           # well beyond the first failure's own backoff (30 s)
STORMS = ((429, "rateLimitExceeded", 0), (403, "userRateLimitExceeded", 2), (429, "userRateLimitExceeded", 5),
          (403, "rateLimitExceeded", 9), (429, "rateLimitExceeded", 14))


def _seed(ann) -> None:
    store, address, start = ann.e2e.google.store, ann.user.email, NOW + timedelta(days=4)
    for n in range(8):
        store.insert_event(address, _event(f"Google meeting {n}", start + timedelta(hours=3 * n),
                                           attendees=[{"email": f"guest{n}@customer.test"}]))
    for n in range(6):
        store.gmail.add_message(address, _headers(f"Offer {n}", f"<offer-{n}@customer.test>"), text=f"Offer {n}.",
                                labels=("INBOX", "Salesforce"))
    for n in range(3):
        begin = start + timedelta(days=1, hours=2 * n)
        ann.e2e.emu.insert(ann.sf_org, "Event", {"Subject": f"Salesforce call {n}", "OwnerId": ann.sf_user,
                                                 "StartDateTime": begin.strftime(FMT + ".000+0000"),
                                                 "EndDateTime": (begin + timedelta(hours=1)).strftime(FMT + ".000+0000")})


def _seconds_until_next_sync(ann) -> float:
    mailbox = ann.e2e.app.test_client().get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json
    assert mailbox["status"] == "active", mailbox          # throttling never needs an admin
    due = datetime.fromisoformat(mailbox["next_sync_at"].replace("Z", "+00:00"))
    return (due - datetime.now(due.tzinfo)).total_seconds()


def test_quota_storms_back_off_by_retry_after_and_lose_or_duplicate_nothing(e2e, factory):
    ann = _workspace_user(e2e, factory)
    store = e2e.google.store
    assert force_sync(ann)["status"] == "succeeded"      # a new user's first session makes the Salesforce label
    _seed(ann)
    mailed, refused = len(store.outbox), store.throttled
    stormy = []
    for status, reason, after in STORMS:
        store.throttle(3, status=status, reason=reason, retry_after=RETRY_AFTER, after=after)
        try:
            session = force_sync(ann)
        finally:
            store.throttle(0)
        if session["status"] != "succeeded":
            stormy.append(session)
            assert reason in str(session), session
            assert _seconds_until_next_sync(ann) > RETRY_AFTER - 60, session   # Google's wait, not our 30 s
    assert stormy and store.throttled > refused
    calm = [force_sync(ann) for _ in range(2)]
    assert [s["status"] for s in calm] == ["succeeded", "succeeded"], calm
    in_salesforce = Counter(e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event"))
    in_google = Counter(e["summary"] for e in store.calendar(ann.user.email).events.values())
    expected = {*(f"Google meeting {n}" for n in range(8)), *(f"Salesforce call {n}" for n in range(3))}
    assert set(in_salesforce) == set(in_google) == expected
    assert set(in_salesforce.values()) == set(in_google.values()) == {1}
    saved = Counter(m["MessageIdentifier"] for m in e2e.emu.records(ann.sf_org, "EmailMessage"))
    assert saved == {f"<offer-{n}@customer.test>": 1 for n in range(6)}
    assert len(store.outbox) == mailed
