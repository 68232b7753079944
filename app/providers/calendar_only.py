"""A ``MailboxPort`` for a service whose adapter syncs the calendar alone so far (Graph, Google):
calendar calls go to its calendar folder, every other kind raises FolderUnavailable naming the service,
so a session syncs the calendar and shows the rest as not yet supported."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.sync.errors import FolderUnavailable
from app.sync.items import FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult


class CalendarFolder(Protocol):
    def changes_since(self, cursor: str | None) -> MailboxChanges: ...
    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]: ...
    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]: ...
    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]: ...
    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]: ...
    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]: ...


class CalendarOnlyMailbox:
    """Subclasses set ``service`` (shown in the message) and ``calendar``, and define ``close``."""

    service = ""
    calendar: CalendarFolder

    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        return self._calendar(kind).changes_since(cursor)

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        return self._calendar(kind).get_items(item_ids)

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return self._calendar(kind).create_items(items)

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return self._calendar(kind).update_items(patches)

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        return self._calendar(kind).delete_items(item_ids)

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return self._calendar(kind).find_by_sync_keys(keys)

    def _calendar(self, kind: FolderKind) -> CalendarFolder:
        if kind is not FolderKind.CALENDAR:
            raise FolderUnavailable(f"{kind.value} is not yet supported on {self.service}: only the calendar syncs")
        return self.calendar
