"""Auto-save activation: the window each user's "save all new mail/meetings" covers, kept in SQL.

Turning a setting on (the user's own, or the org default they inherit) stamps the window's start
(now minus the backfill days chosen then) and a pending backfill; the mail step lists that window
once and clears the flag, and so does the calendar mirror for "save all new meetings" (the meetings
starting in that window, once). Turning it off and on again re-lists mail already saved, which the
Message-ID dedup skips, so nothing is saved twice. The stamp lives in ``User.settings`` under
``WINDOWS`` (never accepted from the API: the settings schemas do not name it).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.sync.auto_save import MAX_BACKFILL_DAYS, AutoSaveRule, MeetingAutoSave
from app.sync.blocklist import AddressBlocklist

KINDS = ("save_all_new_mail", "save_all_new_meetings")
BACKFILL_SETTING = "auto_save_backfill_days"
WINDOWS = "auto_save_windows"


def effective(org: Mapping, user: Mapping, kind: str) -> str:
    """The user's own choice where the org allows overrides, else the org default."""
    own = user.get(kind)
    return own if own is not None and org.get("allow_user_overrides", True) else org.get(kind) or "off"


def stamp_activations(user: User, before: Mapping[str, str], after: Mapping[str, str], backfill_days: int,
                      now: datetime | None = None) -> None:
    """For each kind going from off to on, start its window ``backfill_days`` back with a pending backfill."""
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)   # IMAP arrival times have whole seconds
    windows = dict((user.settings or {}).get(WINDOWS) or {})
    for kind in KINDS:
        if before.get(kind, "off") == "off" and after.get(kind, "off") != "off":
            start = now - timedelta(days=min(max(backfill_days, 0), MAX_BACKFILL_DAYS))
            windows[kind] = {"from": start.isoformat(), "backfill": backfill_days > 0}
    if windows != (user.settings or {}).get(WINDOWS):
        user.settings = {**(user.settings or {}), WINDOWS: windows}


def users_of(session: Session, org_id: int) -> Iterable[User]:
    return session.scalars(select(User).where(User.org_id == org_id))


def mail_rule(user: User, org: Mapping, user_settings: Mapping) -> AutoSaveRule:
    """The session's auto-save rule; a setting on without a window (set before windows existed) starts now."""
    mode = effective(org, user_settings, "save_all_new_mail")
    if mode == "off":
        return AutoSaveRule()
    window = ((user.settings or {}).get(WINDOWS) or {}).get("save_all_new_mail")
    if window is None:
        stamp_activations(user, {}, {"save_all_new_mail": mode}, 0)
        window = user.settings[WINDOWS]["save_all_new_mail"]
    return AutoSaveRule(mode, datetime.fromisoformat(window["from"]), user.email,
                        frozenset(org.get("link_org_domains") or ()), bool(window.get("backfill")))


def meeting_rule(user: User, org: Mapping, user_settings: Mapping, blocked: AddressBlocklist) -> MeetingAutoSave:
    """The session's "save all new meetings" rule with its window (none stamped: every new meeting, as before)."""
    mode = effective(org, user_settings, "save_all_new_meetings")
    if mode == "off":
        return MeetingAutoSave()
    window = ((user.settings or {}).get(WINDOWS) or {}).get("save_all_new_meetings")
    return MeetingAutoSave(mode, user.email, frozenset(org.get("link_org_domains") or ()), blocked,
                           datetime.fromisoformat(window["from"]) if window else None,
                           bool(window and window.get("backfill")))


def backfill_done(session: Session, user_id: int, since: datetime | None, kind: str = "save_all_new_mail") -> None:
    """Clear the pending backfill of the window that started at ``since`` (a newer activation keeps its own)."""
    user = session.get(User, user_id)
    windows = dict(((user.settings or {}).get(WINDOWS) or {}) if user else {})
    window = windows.get(kind)
    if user is None or not window or since is None or window["from"] != since.isoformat():
        return
    windows[kind] = {**window, "backfill": False}
    user.settings = {**(user.settings or {}), WINDOWS: windows}
