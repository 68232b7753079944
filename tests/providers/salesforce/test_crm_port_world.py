"""`run_sync` with the real `SalesforceCrmPort` against the HTTPS emulator and in-memory mailbox."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.describe import describe
from app.providers.salesforce.org_schema import core_describe
from app.sync import (
    EVENT_MAPPING,
    CalendarItem,
    FolderKind,
    SyncOutcome,
    SyncPolicy,
    SyncSession,
    bind_mapping,
    run_sync,
)
from tests.fakes.crm_memory import InMemoryCursorStore, InMemoryIdMapStore
from tests.fakes.expander import with_expander
from tests.fakes.mailbox_memory import InMemoryMailbox
from tests.providers.salesforce.conftest import SfWorld

CAL = FolderKind.CALENDAR
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def meeting(subject: str, days: int = 2, hours: float = 1, **changes: Any) -> CalendarItem:
    start = NOW + timedelta(days=days)
    return CalendarItem(item_id="", uid=changes.pop("uid", f"uid-{subject}"), subject=subject, start=start,
                        end=start + timedelta(hours=hours), timezone="UTC", **changes)


@dataclass
class PortWorld:
    """One emulator org + user, an in-memory mailbox and stores; `sync()` runs one session."""

    sf: SfWorld
    policy: SyncPolicy = SyncPolicy()
    mailbox: InMemoryMailbox = field(default_factory=lambda: InMemoryMailbox(name="alice"))
    id_map: InMemoryIdMapStore = field(default_factory=InMemoryIdMapStore)
    cursors: InMemoryCursorStore = field(default_factory=InMemoryCursorStore)

    def __post_init__(self) -> None:
        self.admin = self.sf.client()
        self.mapping = bind_mapping(EVENT_MAPPING, core_describe(describe(self.admin, "Event")))
        self.session = SyncSession(self.sf.org, "alice", self.sf.user, "ann@acme.test", "UTC", NOW)

    def port(self, owner: str | None = None) -> SalesforceCrmPort:
        return SalesforceCrmPort(self.sf.client(), owner or self.sf.user)

    def sync(self, mailbox: InMemoryMailbox | None = None, session: SyncSession | None = None) -> SyncOutcome:
        session = session or self.session
        return run_sync(session, mailbox or self.mailbox, self.port(session.owner_id), self.id_map, self.cursors,
                        with_expander(self.policy), [self.mapping])

    def calls(self) -> int:
        return self.sf.emu.api_calls(self.sf.org)

    def events(self) -> list[dict]:
        return self.sf.emu.records(self.sf.org, "Event")

    def relations(self, event_id: str) -> list[dict]:
        return [r for r in self.sf.emu.records(self.sf.org, "EventRelation") if r["EventId"] == event_id]

    def calendar(self, mailbox: InMemoryMailbox | None = None) -> list[CalendarItem]:
        return list((mailbox or self.mailbox).items[CAL].values())

    def edit_in_salesforce(self, record_id: str, **values: Any) -> None:
        self.admin.restful(f"sobjects/Event/{record_id}", "PATCH", json=values)

    def delete_in_salesforce(self, record_id: str) -> None:
        self.admin.restful(f"sobjects/Event/{record_id}", "DELETE")

    def second_mailbox(self, name: str, owner: str) -> tuple[InMemoryMailbox, SyncSession]:
        return InMemoryMailbox(name=name), replace(self.session, mailbox_id=name, owner_id=owner)
