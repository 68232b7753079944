"""Scenarios every mailbox world runs the same way (Graph's Office365User, Google's GoogleUser): the
user object offers ``meeting``, ``sync``, ``sf_events``, ``assert_no_invitation_from_the_product``."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.salesforce_side import SF_FMT


def wrote_nothing(session: dict) -> bool:
    """No write either way (``recorded``/``skipped`` are ID-map bookkeeping, not writes)."""
    return not any(kind.get(n) for kind in session["counts"].values() for n in ("created", "updated", "deleted",
                                                                             "failed"))


def force_sync_and_suspend_resume(ann: Any, start: datetime) -> None:
    """A suspended mailbox refuses a forced sync (409) and syncs nothing; resumed, it catches up."""
    client = ann.e2e.app.test_client()
    ann.meeting("Before the pause", start)
    ann.sync()
    suspended = client.post(f"/api/v1/mailboxes/{ann.mailbox_id}/suspend", headers=ann.headers,
                            json={"reason": "on holiday"})
    assert suspended.status_code == 200 and suspended.json["status"] == "suspended", suspended.json
    ann.meeting("During the pause", start + timedelta(days=1))
    refused = client.post(f"/api/v1/mailboxes/{ann.mailbox_id}/sync", headers=ann.headers)
    assert refused.status_code == 409 and "resume it" in refused.json["message"], refused.json
    assert [e["Subject"] for e in ann.sf_events()] == ["Before the pause"]
    resumed = client.post(f"/api/v1/mailboxes/{ann.mailbox_id}/resume", headers=ann.headers)
    assert resumed.status_code == 200 and resumed.json["status"] == "active", resumed.json
    ann.sync()
    assert sorted(e["Subject"] for e in ann.sf_events()) == ["Before the pause", "During the pause"]
    ann.assert_no_invitation_from_the_product()


def salesforce_series_with_exceptions(ann: Any, after: datetime) -> list[str]:
    """A weekly Salesforce series (Tuesdays 10:00 Berlin, four occurrences) whose second occurrence is
    retitled and third deleted; returns the Event ids left (master included)."""
    berlin = ZoneInfo("Europe/Berlin")
    day = after.astimezone(berlin).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    first = datetime(day.year, day.month, day.day, 10, tzinfo=berlin)
    master = ann.sf_event("Pipeline call", first.astimezone(UTC), IsRecurrence=True,
                          RecurrenceStartDateTime=first.astimezone(UTC).strftime(SF_FMT),
                          RecurrenceEndDateOnly=(first + timedelta(weeks=3)).date().isoformat(),
                          RecurrenceType="RecursWeekly", RecurrenceInterval=1, RecurrenceDayOfWeekMask=4,
                          RecurrenceTimeZoneSidKey="Europe/Berlin")
    kids = sorted((e for e in ann.sf_events() if e.get("RecurrenceActivityId") == master),
                  key=lambda e: e["StartDateTime"])
    ann.e2e.emu.update(ann.sf_org, "Event", kids[1]["Id"], {"Subject": "Pipeline call (prep)"})
    ann.sf_delete(kids[2]["Id"])
    return sorted(e["Id"] for e in ann.sf_events())
