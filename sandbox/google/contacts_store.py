"""The fake's People API state: each user's contacts (``Person`` resources, ``people/c…``), their
contact groups, and sync tokens that expire, as https://developers.google.com/people/v1/contacts
and the people.v1 discovery document describe them.

A deleted contact stays as a tombstone (``metadata.deleted: true``) that only sync-token listings
report; ``expire_sync_tokens`` makes every token older than now answer 400 FAILED_PRECONDITION
``EXPIRED_SYNC_TOKEN`` (Google lets them expire after 7 days). Every change bumps the person's
etag; a write carrying a stale etag is refused as Google refuses it (400 FAILED_PRECONDITION).
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.google.store import ApiError

CONTACTS_SCOPES = frozenset({"https://www.googleapis.com/auth/contacts"})
# Person fields a contact holds that updatePersonFields may name (the subset the fake keeps).
PERSON_FIELDS = frozenset({"names", "emailAddresses", "phoneNumbers", "organizations", "addresses", "biographies",
                           "clientData", "memberships"})
MY_CONTACTS = "contactGroups/myContacts"


@dataclass
class Book:
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)


class ContactBooks:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.books: dict[str, Book] = {}
        self.epoch = 0                    # sync tokens from before the last expiry are refused
        self._seq = itertools.count(1)
        self.last_seq = 0
        self.batch_calls: list[str] = []  # batchCreate/Update/Delete calls received, for tests

    def book(self, user: str) -> Book:
        with self.lock:
            return self.books.setdefault(user, Book())

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.epoch += 1

    # --- people ----------------------------------------------------------------------------------
    def create(self, user: str, person: dict[str, Any]) -> dict[str, Any]:
        _check_fields(person)
        with self.lock:
            book = self.book(user)
            name = f"people/c{next(self._seq) + 1000}"
            stored = {k: copy.deepcopy(v) for k, v in person.items() if k in PERSON_FIELDS}
            stored.setdefault("memberships", [])
            if not any(_group_of(m) == MY_CONTACTS for m in stored["memberships"]):
                stored["memberships"].append(_membership(MY_CONTACTS))
            for membership in stored["memberships"]:
                self._group(book, _group_of(membership))
            stored.update(resourceName=name, metadata={"sources": [{"type": "CONTACT", "id": name[8:]}]})
            book.people[name] = stored
            self._touch(stored)
            return copy.deepcopy(stored)

    def get(self, user: str, name: str) -> dict[str, Any]:
        with self.lock:
            person = self.book(user).people.get(name)
            if person is None or person["metadata"].get("deleted"):
                raise ApiError(404, "notFound", "Requested entity was not found.")
            return copy.deepcopy(person)

    def update(self, user: str, name: str, person: dict[str, Any], update_fields: str) -> dict[str, Any]:
        wanted = [f for f in (update_fields or "").split(",") if f]
        if not wanted:
            raise ApiError(400, "badRequest", "updatePersonFields mask is required. Please specify one or more "
                           "valid paths.")
        unknown = sorted(set(wanted) - PERSON_FIELDS)
        if unknown:
            raise ApiError(400, "badRequest", f"Invalid updatePersonFields mask path: {unknown[0]}")
        with self.lock:
            current = self.book(user).people.get(name)
            if current is None or current["metadata"].get("deleted"):
                raise ApiError(404, "notFound", "Requested entity was not found.")
            if not person.get("etag"):
                raise ApiError(400, "badRequest", "Request must set person.etag.")
            if person["etag"] != current["etag"]:
                raise ApiError(400, "failedPrecondition", "Request person.etag is different than the current "
                               "person.etag. Clear local cache and get the latest person.")
            for name_ in wanted:
                current[name_] = copy.deepcopy(person.get(name_) or [])
                if name_ == "memberships":
                    for membership in current[name_]:
                        self._group(self.book(user), _group_of(membership))
            self._touch(current)
            return copy.deepcopy(current)

    def delete(self, user: str, name: str) -> None:
        with self.lock:
            person = self.book(user).people.get(name)
            if person is None or person["metadata"].get("deleted"):
                raise ApiError(404, "notFound", "Requested entity was not found.")
            self.book(user).people[name] = {"resourceName": name, "metadata": {"deleted": True}}
            self._touch(self.book(user).people[name])

    def listing(self, user: str, since: int | None) -> list[dict[str, Any]]:
        """Live contacts (full listing) or everything changed after ``since``, tombstones included."""
        with self.lock:
            people = sorted(self.book(user).people.values(), key=lambda p: p["_seq"])
            if since is None:
                return [copy.deepcopy(p) for p in people if not p["metadata"].get("deleted")]
            return [copy.deepcopy(p) for p in people if p["_seq"] > since]

    # --- groups ----------------------------------------------------------------------------------
    def create_group(self, user: str, name: str) -> dict[str, Any]:
        with self.lock:
            book = self.book(user)
            if not name.strip():
                raise ApiError(400, "badRequest", "Contact group name must not be empty.")
            if any(g.get("name") == name for g in book.groups.values()):
                raise ApiError(409, "alreadyExists", "Contact group name already exists.")
            resource = f"contactGroups/{hashlib.sha1(f'{user}/{name}'.encode()).hexdigest()[:12]}"
            book.groups[resource] = {"resourceName": resource, "etag": "g1", "name": name,
                                     "formattedName": name, "groupType": "USER_CONTACT_GROUP"}
            return copy.deepcopy(book.groups[resource])

    def groups(self, user: str) -> list[dict[str, Any]]:
        with self.lock:
            book = self.book(user)
            system = {"resourceName": MY_CONTACTS, "etag": "s1", "name": "myContacts", "formattedName": "My Contacts",
                      "groupType": "SYSTEM_CONTACT_GROUP"}
            return [system, *(copy.deepcopy(g) for g in book.groups.values())]

    def modify_members(self, user: str, group: str, add: list[str], remove: list[str]) -> None:
        with self.lock:
            book = self.book(user)
            self._group(book, group)
            for name in add + remove:
                person = book.people.get(name)
                if person is None or person["metadata"].get("deleted"):
                    continue
                kept = [m for m in person["memberships"] if _group_of(m) != group]
                person["memberships"] = kept + ([_membership(group)] if name in add else [])
                self._touch(person)

    # --- internals -------------------------------------------------------------------------------
    def _group(self, book: Book, resource: str) -> None:
        if resource != MY_CONTACTS and resource not in book.groups:
            raise ApiError(400, "badRequest", f"Contact group {resource} not found.")

    def _touch(self, person: dict[str, Any]) -> None:
        seq = next(self._seq)
        self.last_seq = max(self.last_seq, seq)
        person["_seq"] = seq
        person["etag"] = "%" + hashlib.sha1(f"{person['resourceName']}/{seq}".encode()).hexdigest()[:16]
        person["metadata"].setdefault("sources", [{"type": "CONTACT"}])[0]["etag"] = person["etag"]


def public(person: dict[str, Any], person_fields: frozenset[str]) -> dict[str, Any]:
    """What Google answers: resourceName, etag, metadata and the fields ``personFields`` asks for."""
    return {k: v for k, v in person.items() if k in ("resourceName", "etag", "metadata") or k in person_fields}


def _membership(group: str) -> dict[str, Any]:
    return {"contactGroupMembership": {"contactGroupId": group.split("/", 1)[1], "contactGroupResourceName": group}}


def _group_of(membership: dict[str, Any]) -> str:
    return str((membership.get("contactGroupMembership") or {}).get("contactGroupResourceName") or "")


def _check_fields(person: dict[str, Any]) -> None:
    for key, value in person.items():
        if key in PERSON_FIELDS and not isinstance(value, list):
            raise ApiError(400, "badRequest", f"Invalid JSON payload received. Invalid value at 'person.{key}'")
