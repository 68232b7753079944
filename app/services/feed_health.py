"""Whether Salesforce changes are reaching an org's mailboxes, for their dashboards.

Once an org has a change loop, a mailbox session reads only what the org's poll routed to it; if
the poll stops (its org-wide connection broken and no other admin connected), every session would
still "succeed" while nothing arrives from Salesforce. This says so, with what fixes it.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import OrgFeedState, SalesforceConnection

STALE_AFTER = timedelta(minutes=10)       # the poll runs every minute


def feed_health(session: Session, org_id: int, now: datetime | None = None) -> dict:
    """``receiving`` is false once the org has a feed and its poll has stopped (``reason`` says why)."""
    now = now or datetime.now(UTC)
    conn = session.scalar(select(SalesforceConnection).where(SalesforceConnection.org_id == org_id,
                                                             SalesforceConnection.is_org_default.is_(True)))
    polled = session.scalar(select(func.max(OrgFeedState.polled_at)).where(OrgFeedState.org_id == org_id))
    polled = polled.replace(tzinfo=UTC) if polled is not None and polled.tzinfo is None else polled
    connection = conn.status if conn is not None else "none"
    reason = None
    if polled is not None and connection != "connected":
        reason = (f"the org-wide Salesforce connection is {connection}"
                  f"{f' ({conn.status_reason})' if conn is not None and conn.status_reason else ''}: Salesforce "
                  "changes reach no mailbox until an admin signs in with Salesforce")
    elif polled is not None and now - polled > STALE_AFTER:
        reason = f"Salesforce has not been polled for changes since {polled.isoformat()} (is the scheduler running?)"
    return {"receiving": reason is None, "last_poll_at": polled, "connection": connection, "reason": reason}
