"""A small world for engine tests: one org, in-memory ports, one shared clock."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.sync import (
    CONTACT_MAPPING,
    EVENT_MAPPING,
    TASK_MAPPING,
    BoundMapping,
    CalendarItem,
    FolderKind,
    SyncOutcome,
    SyncPolicy,
    SyncSession,
    bind_mapping,
    run_sync,
)
from tests.fakes.crm_memory import InMemoryCrm, InMemoryCursorStore, InMemoryIdMapStore
from tests.fakes.expander import with_expander
from tests.fakes.mailbox_memory import InMemoryMailbox, TickingClock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OWNER = "005000000000001"


def event_describe(**lengths: int) -> dict[str, Any]:
    """A trimmed Event describe: the fields the default table uses."""
    text = {"Subject": 255, "Location": 255, "Description": 32000, **lengths}
    fields = [{"name": n, "type": "textarea" if n == "Description" else "string", "length": l,
               "updateable": True, "createable": True} for n, l in text.items()]
    fields += [{"name": n, "type": t, "updateable": True, "createable": True} for n, t in (
        ("IsAllDayEvent", "boolean"), ("StartDateTime", "datetime"), ("EndDateTime", "datetime"),
        ("ActivityDate", "date"), ("DurationInMinutes", "int"), ("IsPrivate", "boolean"),
        ("Syncline_Cancelled__c", "boolean"), ("Type", "picklist"))]
    fields += [{"name": n, "type": t, "updateable": n != "RecurrenceActivityId", "createable": True} for n, t in (
        ("IsRecurrence", "boolean"), ("RecurrenceActivityId", "reference"), ("RecurrenceType", "picklist"),
        ("RecurrenceInterval", "int"), ("RecurrenceDayOfWeekMask", "int"), ("RecurrenceDayOfMonth", "int"),
        ("RecurrenceInstance", "picklist"), ("RecurrenceMonthOfYear", "picklist"),
        ("RecurrenceStartDateTime", "datetime"), ("RecurrenceEndDateOnly", "date"),
        ("RecurrenceTimeZoneSidKey", "picklist"))]
    fields.append({"name": "ShowAs", "type": "picklist", "updateable": True, "createable": True,
                   "picklistValues": [{"value": v, "active": True} for v in ("Busy", "Free", "OutOfOffice")]})
    return {"name": "Event", "fields": fields}


def meeting(subject: str = "Quarterly review", start: datetime | None = None, hours: float = 1,
            **changes: Any) -> CalendarItem:
    start = start or NOW + timedelta(days=2)
    return CalendarItem(item_id="", uid=changes.pop("uid", f"uid-{subject}"), subject=subject, start=start,
                        end=start + timedelta(hours=hours), timezone=changes.pop("timezone", "UTC"), **changes)


@dataclass
class World:
    """Everything ``run_sync`` needs; ``sync()`` runs one session for ``mailbox``."""

    policy: SyncPolicy = SyncPolicy()
    describe: dict = field(default_factory=event_describe)
    clock: TickingClock = field(default_factory=lambda: TickingClock(NOW))

    def __post_init__(self) -> None:
        self.crm = InMemoryCrm(self.clock, {"Event": self.describe})
        self.mailbox = InMemoryMailbox(self.clock, "alice")
        self.id_map = InMemoryIdMapStore()
        self.cursors = InMemoryCursorStore()
        self.session = SyncSession("org1", "alice", OWNER, "alice@example.com", "Europe/Berlin", NOW)
        self.mappings: Sequence[BoundMapping] = (
            bind_mapping(EVENT_MAPPING, self.describe), bind_mapping(TASK_MAPPING), bind_mapping(CONTACT_MAPPING))

    def sync(self, mailbox: InMemoryMailbox | None = None, session: SyncSession | None = None) -> SyncOutcome:
        return run_sync(session or self.session, mailbox or self.mailbox, self.crm, self.id_map, self.cursors,
                        with_expander(self.policy), self.mappings)

    def events(self) -> list:
        return self.crm.all("Event")

    def calendar(self, mailbox: InMemoryMailbox | None = None) -> list[CalendarItem]:
        return list((mailbox or self.mailbox).items[FolderKind.CALENDAR].values())

    def second_mailbox(self, name: str, owner: str) -> tuple[InMemoryMailbox, SyncSession]:
        return InMemoryMailbox(self.clock, name), replace(self.session, mailbox_id=name, owner_id=owner)
