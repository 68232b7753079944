"""Quota on the wire, against the Google fake: every call is charged before it is sent (a batch as its
parts), a spent budget sends nothing, and a quota error inside a batch part carries Google's
Retry-After through the adapter's one error table."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.providers.google import build_google_mailbox
from app.providers.google.quota import GoogleQuota
from app.sync.errors import TemporaryFailure
from app.sync.items import FolderKind
from tests.integration.google_workspace.conftest import NOW, WINDOW, google_settings

CAL = FolderKind.CALENDAR


def _events(store, user: str, count: int) -> list[str]:
    start = NOW + timedelta(days=2)
    return [store.insert_event(user, {"summary": f"Meeting {n}",
                                      "start": {"dateTime": (start + timedelta(hours=n)).isoformat()},
                                      "end": {"dateTime": (start + timedelta(hours=n + 1)).isoformat()}})["id"]
            for n in range(count)]


class _Spent:
    def spend(self, requests: int) -> None:
        raise TemporaryFailure("budget spent", retry_after=50)


@pytest.mark.parametrize(("status", "reason"), [(403, "userRateLimitExceeded"), (429, "rateLimitExceeded")])
def test_a_quota_error_in_a_batch_part_carries_its_retry_after(google_fake, google_mailbox, google_user, status,
                                                               reason):
    ids = _events(google_fake.store, google_user, 3)
    google_fake.store.throttle(1, status=status, reason=reason, retry_after=42, after=1)   # the second part
    try:
        with pytest.raises(TemporaryFailure, match=reason) as caught:
            google_mailbox.get_items(CAL, ids)
    finally:
        google_fake.store.throttle(0)
    assert caught.value.retry_after == 42
    assert len(google_mailbox.get_items(CAL, ids)) == 3


def test_every_call_is_charged_and_a_batch_as_its_parts(google_fake, service_key, google_user):
    ids = _events(google_fake.store, google_user, 7)
    quota = GoogleQuota()
    mailbox = build_google_mailbox(google_settings(google_fake, service_key), google_user, WINDOW, quota=quota)
    try:
        mailbox.changes_since(CAL, None)
        listed = quota.spent["calendar"]
        assert listed == mailbox.calls >= 1
        mailbox.get_items(CAL, ids)
        assert quota.spent["calendar"] == listed + 7          # one batch request, seven parts
        assert mailbox.calls == listed + 1
    finally:
        mailbox.close()


def test_a_spent_budget_sends_nothing(google_fake, service_key, google_user):
    mailbox = build_google_mailbox(google_settings(google_fake, service_key), google_user, WINDOW,
                                   quota=GoogleQuota({"calendar": _Spent()}, sleep=lambda s: pytest.fail("slept")))
    before = google_fake.store.requests
    try:
        with pytest.raises(TemporaryFailure) as caught:
            mailbox.changes_since(CAL, None)
    finally:
        mailbox.close()
    assert caught.value.retry_after == 50 and google_fake.store.requests == before
