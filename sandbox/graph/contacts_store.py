"""The fake's Outlook contacts: one default Contacts folder per mailbox, child contact folders,
contacts with extended properties, and per-folder delta state.

Shapes follow Microsoft Learn's ``contact`` and ``contactFolder`` resources
(https://learn.microsoft.com/en-us/graph/api/resources/contact): ``displayName`` is generated from
the names when a create or update leaves it out; every change bumps the tenant's one counter (the
same one events use) so a folder's delta token returns exactly what changed after it; a deleted
contact leaves a tombstone its folder's delta reports as ``@removed``.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.graph.push_kinds import contact_changed
from sandbox.graph.store_times import stamp

if TYPE_CHECKING:
    from sandbox.graph.store import GraphStore

Contact = dict[str, Any]


@dataclass
class ContactDeltaState:
    """What a contacts delta or skip token stands for: one folder of one mailbox."""

    user: str
    folder_id: str
    since: int
    pending: list[Contact] = field(default_factory=list)
    upto: int = 0


@dataclass
class ContactBook:
    """One mailbox's contacts; ``folders`` holds the default folder too (``default_id``)."""

    default_id: str
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)
    removed: dict[str, tuple[str, int]] = field(default_factory=dict)   # contact id → (folder id, counter)


class ContactStore:
    """Contacts of the fake tenant's mailboxes, sharing the tenant's lock, counter and token table
    (so ``GraphStore.expire_delta_tokens`` expires contact delta tokens too)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.books: dict[str, ContactBook] = {}

    def book(self, user: str) -> ContactBook | None:
        """The mailbox's contacts (None for an unknown user); the default folder exists from the start."""
        with self.store.lock:
            if self.store.mailbox(user) is None:
                return None
            key = user.lower()
            if key not in self.books:
                default_id = _new_id("AQMkADAw")
                self.books[key] = ContactBook(default_id, {default_id: {
                    "id": default_id, "displayName": "Contacts", "parentFolderId": _new_id("AQMkADAw")}})
            return self.books[key]

    def child_folders(self, user: str) -> list[dict[str, Any]]:
        """What ``GET /users/{id}/contactFolders`` lists: the folders under the default one."""
        book = self._book(user)
        return [f for f in book.folders.values() if f["parentFolderId"] == book.default_id]

    def create_folder(self, user: str, name: str, parent_id: str | None = None) -> dict[str, Any]:
        with self.store.lock:
            book = self._book(user)
            folder = {"id": _new_id("AQMkADAw"), "displayName": name, "parentFolderId": parent_id or book.default_id}
            book.folders[folder["id"]] = folder
            return folder

    def create_contact(self, user: str, body: Contact, folder_id: str | None = None) -> Contact:
        """What a user (or a POST) adds to a folder (the default one when ``folder_id`` is None)."""
        with self.store.lock:
            book = self._book(user)
            now = stamp(self.store.clock())
            contact: Contact = {"givenName": "", "surname": "", "displayName": "", "emailAddresses": [],
                                "businessPhones": [], "homePhones": [], "mobilePhone": None, "companyName": None,
                                "jobTitle": None, "department": None, "businessAddress": {}, "categories": [],
                                "personalNotes": "", "birthday": None, "singleValueExtendedProperties": [],
                                **body, "id": _new_id("AAMkAGI2"), "createdDateTime": now,
                                "parentFolderId": folder_id or book.default_id}
            if not body.get("displayName"):
                contact["displayName"] = _generated_name(contact)
            self._touch(book, contact)
            book.contacts[contact["id"]] = contact
            contact_changed(self.store.push, user, contact, "created")
            return contact

    def update_contact(self, user: str, contact_id: str, changes: Contact) -> Contact | None:
        with self.store.lock:
            book = self._book(user)
            contact = book.contacts.get(contact_id)
            if contact is None:
                return None
            props = {p["id"].lower(): p for p in contact.get("singleValueExtendedProperties") or []}
            for prop in changes.get("singleValueExtendedProperties") or []:
                props[prop["id"].lower()] = prop
            contact.update({k: v for k, v in changes.items() if k != "singleValueExtendedProperties"})
            contact["singleValueExtendedProperties"] = list(props.values())
            if ({"givenName", "surname"} & changes.keys()) and "displayName" not in changes:
                contact["displayName"] = _generated_name(contact)   # as documented: pass it to keep it
            self._touch(book, contact)
            contact_changed(self.store.push, user, contact, "updated")
            return contact

    def delete_contact(self, user: str, contact_id: str) -> bool:
        with self.store.lock:
            book = self._book(user)
            contact = book.contacts.pop(contact_id, None)
            if contact is None:
                return False
            book.changed_at.pop(contact_id, None)
            book.removed[contact_id] = (contact["parentFolderId"], next(self.store.counter))
            contact_changed(self.store.push, user, contact, "deleted")
            return True

    def collect(self, state: ContactDeltaState) -> list[Contact]:
        """Every change in the folder after ``state.since``: current contacts, ``@removed`` for deleted ones."""
        with self.store.lock:
            book = self._book(state.user)
            out = [dict(book.contacts[i]) for i, seq in sorted(book.changed_at.items(), key=lambda kv: kv[1])
                   if seq > state.since and book.contacts[i]["parentFolderId"] == state.folder_id]
            if state.since:
                out += [{"@odata.type": "#microsoft.graph.contact", "id": i, "@removed": {"reason": "deleted"}}
                        for i, (folder, seq) in sorted(book.removed.items(), key=lambda kv: kv[1][1])
                        if seq > state.since and folder == state.folder_id]
            state.upto = next(self.store.counter)
            return out

    def _touch(self, book: ContactBook, contact: Contact) -> None:
        contact["changeKey"] = secrets.token_urlsafe(12)
        contact["lastModifiedDateTime"] = stamp(self.store.clock())
        contact["@odata.etag"] = f'W/"{contact["changeKey"]}"'
        book.changed_at[contact["id"]] = next(self.store.counter)

    def _book(self, user: str) -> ContactBook:
        book = self.book(user)
        if book is None:
            raise KeyError(user)
        return book


def _generated_name(contact: Contact) -> str:
    return " ".join(p for p in (contact.get("givenName"), contact.get("surname")) if p)


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex + uuid.uuid4().hex[:8]
