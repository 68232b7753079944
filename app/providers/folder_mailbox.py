"""A ``MailboxPort`` made of one folder object per kind, for the vendor-API adapters (Graph, Google):
each call goes to its kind's folder; a kind with no folder raises FolderUnavailable naming the
service, so a session syncs the kinds that have one and shows the rest as not yet supported."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from app.sync.errors import FolderUnavailable
from app.sync.items import FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult


class Folder(Protocol):
    """The MailboxPort operations of one folder kind (calendar, contacts, tasks, mail)."""

    def changes_since(self, cursor: str | None) -> MailboxChanges: ...
    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]: ...
    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]: ...
    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]: ...
    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]: ...
    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]: ...


class FolderMailbox:
    """Subclasses set ``service`` (shown in the message) and define ``close``."""

    service = ""

    def __init__(self, folders: Mapping[FolderKind, Folder]) -> None:
        self.folders: dict[FolderKind, Folder] = dict(folders)

    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        return self._folder(kind).changes_since(cursor)

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        return self._folder(kind).get_items(item_ids)

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return self._folder(kind).create_items(items)

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return self._folder(kind).update_items(patches)

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        return self._folder(kind).delete_items(item_ids)

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return self._folder(kind).find_by_sync_keys(keys)

    def _folder(self, kind: FolderKind) -> Folder:
        folder = self.folders.get(kind)
        if folder is None:
            raise FolderUnavailable(f"{kind.value} is not yet supported on {self.service}")
        return folder
