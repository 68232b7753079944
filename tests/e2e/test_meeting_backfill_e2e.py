"""Auto-saved meetings' backfill (real worker, Radicale, the Salesforce emulator), as mail has it:
switching "save all new meetings" on with ``auto_save_backfill_days`` N saves the qualifying meetings
that started in the last N days, once, and every new one after; older ones are skipped with the
reason. Off and on again with a wider window lists the calendar again (its cursor is past those
meetings) and still never saves one twice."""
from __future__ import annotations

from datetime import timedelta

from app.models import User
from app.services.auto_save import WINDOWS
from app.sync.auto_save import MEETING_BEFORE, MEETING_NO_EXTERNAL
from tests.e2e.helpers import NOW, Person, put_event, sign_up
from tests.e2e.test_auto_save_e2e import _colleague_address, _set, _synced
from tests.e2e.test_skipped_items_e2e import _skipped


def _events(person: Person) -> list[str]:
    return sorted(e["Subject"] for e in person.e2e.emu.records(person.sf_org, "Event"))


def _window(person: Person) -> dict:
    with person.e2e.rt.db.session_scope() as s:
        return ((s.get(User, person.user.id).settings or {}).get(WINDOWS) or {}).get("save_all_new_meetings")


def _meeting(person: Person, uid: str, subject: str, days: float, organizer: str = "client@customer.test") -> None:
    put_event(person, uid, subject, NOW + timedelta(days=days), organizer=organizer,
              attendees=(person.user.email, organizer))


def test_switching_meetings_on_saves_the_backfill_window_once_and_skips_older_ones(e2e, factory):
    ann = sign_up(e2e, factory, sync_calendar="off")
    _meeting(ann, "bf-old", "Old review", -10)
    _meeting(ann, "bf-recent", "Recent review", -3)
    _meeting(ann, "bf-internal", "Internal sync", -2, organizer=_colleague_address(ann))
    _meeting(ann, "bf-next", "Next demo", 2)
    _synced(ann)                                    # nothing auto-saved yet, calendar sync off
    assert _events(ann) == []
    _set(ann, save_all_new_meetings="inbound", auto_save_backfill_days=5)
    assert _window(ann)["backfill"] is True
    session = _synced(ann)
    assert _events(ann) == ["Next demo", "Recent review"]
    assert session["counts"]["calendar"]["skipped_because"] == {MEETING_BEFORE: 1, MEETING_NO_EXTERNAL: 1}
    reasons = {i["subject"]: i["reason"] for i in _skipped(ann, session["id"]).json if i["kind"] == "calendar"}
    assert reasons == {"Old review": MEETING_BEFORE, "Internal sync": MEETING_NO_EXTERNAL}
    assert _window(ann)["backfill"] is False        # once: later sessions read the calendar's changes only
    _meeting(ann, "bf-later", "Later call", 3)
    _synced(ann)
    _synced(ann)
    assert _events(ann) == ["Later call", "Next demo", "Recent review"]


def test_off_and_on_again_with_a_backfill_relists_past_the_cursor_and_saves_nothing_twice(e2e, factory):
    ann = sign_up(e2e, factory, sync_calendar="off")
    _meeting(ann, "re-recent", "Recent review", -3)
    _meeting(ann, "re-next", "Next demo", 2)
    _set(ann, save_all_new_meetings="both", auto_save_backfill_days=0)
    session = _synced(ann)                          # no backfill: only meetings from now on
    assert _events(ann) == ["Next demo"]
    assert session["counts"]["calendar"]["skipped_because"] == {MEETING_BEFORE: 1}
    _set(ann, save_all_new_meetings="off")
    _synced(ann)
    _set(ann, save_all_new_meetings="both", auto_save_backfill_days=5)
    _synced(ann)
    _synced(ann)
    assert _events(ann) == ["Next demo", "Recent review"]
