"""A Salesforce series on a real CalDAV server (Radicale): one resource, RRULE + EXDATE + override."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("icalendar", reason="icalendar not installed")

from app.providers.imap_dav import MailboxOptions, build_mailbox  # noqa: E402
from app.sync.items import occurrence_id  # noqa: E402
from app.sync.ports import ItemPatch  # noqa: E402
from app.sync.transforms import format_sf_datetime, parse_sf_datetime  # noqa: E402
from tests.integration.imap_dav.dav_client import get_raw, vevents  # noqa: E402
from tests.providers.salesforce.test_crm_port_world import CAL, NOW, PortWorld  # noqa: E402
from tests.realservers.fixtures import *  # noqa: E402,F401,F403
from tests.realservers.fixtures import LOOPBACK_POLICY  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def caldav(dav_account):
    url = dav_account.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url, "carddav_url": url}, dav_account.username, dav_account.password,
                            MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    yield mailbox
    mailbox.close()


def _first_tuesday_10_berlin() -> datetime:
    day = (NOW + timedelta(days=1)).astimezone(BERLIN).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN)


def test_a_salesforce_series_is_one_caldav_resource_and_an_occurrence_edit_reaches_its_child(world, dav_account,
                                                                                         caldav):
    pw = PortWorld(world)
    first = _first_tuesday_10_berlin()
    master = pw.sf.emu.insert(pw.sf.org, "Event", {
        "Subject": "Pipeline call", "IsRecurrence": True, "StartDateTime": format_sf_datetime(first),
        "EndDateTime": format_sf_datetime(first + timedelta(minutes=30)),
        "RecurrenceStartDateTime": format_sf_datetime(first),
        "RecurrenceEndDateOnly": (first + timedelta(weeks=5)).date().isoformat(),
        "RecurrenceType": "RecursWeekly", "RecurrenceInterval": 1, "RecurrenceDayOfWeekMask": 4,
        "RecurrenceTimeZoneSidKey": "Europe/Berlin", "OwnerId": pw.sf.user})
    kids = sorted((e for e in pw.events() if e.get("RecurrenceActivityId") == master),
                  key=lambda e: e["StartDateTime"])
    assert len(kids) == 6
    pw.delete_in_salesforce(kids[3]["Id"])
    pw.edit_in_salesforce(kids[4]["Id"], Location="Berlin office")
    outcome = pw.sync(caldav)
    assert outcome.ok, outcome.errors
    [series] = caldav.changes_since(CAL, None).items
    [master_vevent, override] = sorted(vevents(get_raw(dav_account, series.item_id)),
                                       key=lambda v: "RECURRENCE-ID" in v)
    assert "FREQ=WEEKLY" in master_vevent["RRULE"].to_ical().decode() and "BYDAY=TU" in master_vevent[
        "RRULE"].to_ical().decode()
    assert master_vevent.decoded("DTSTART").astimezone(BERLIN).hour == 10
    exdates = [d.dt for ex in _as_list(master_vevent.get("EXDATE")) for d in ex.dts]
    assert [d.astimezone(BERLIN).date() for d in exdates] == [(first + timedelta(weeks=3)).date()]
    assert override.decoded("RECURRENCE-ID").astimezone(BERLIN).date() == (first + timedelta(weeks=4)).date()
    assert str(override["LOCATION"]) == "Berlin office"
    assert pw.sync(caldav).counts[CAL].created == 0 and len(pw.events()) == 6    # master + 5 children

    rid = parse_sf_datetime(kids[1]["StartDateTime"])
    caldav.update_items(CAL, [ItemPatch(occurrence_id(series.item_id, rid), {"subject": "Pipeline call (CFO)"})])
    assert pw.sync(caldav).ok
    subjects = {e["Id"]: e["Subject"] for e in pw.events()}
    assert subjects[kids[1]["Id"]] == "Pipeline call (CFO)"
    assert [subjects[k["Id"]] for k in kids if k["Id"] not in (kids[1]["Id"], kids[3]["Id"])] == ["Pipeline call"] * 4


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
