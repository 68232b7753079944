"""Discovered collections kept between sessions, so an idle session skips principal → home →
listing (most of its requests) and goes straight to the collection's sync report.

The provider holds no storage: the caller hands the last state in (``build_mailbox(...,
discovered=...)``) and takes it back out (``ImapDavMailbox.discovered()``) to keep it with the
cursors. Each entry carries a fingerprint of what was asked (URL, user, component, name), so a
changed server profile is discovered afresh rather than read from a stale entry.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.providers.imap_dav.davsync import CollectionClient, ResourceType
from app.providers.imap_dav.discovery import DavCollection
from app.providers.imap_dav.webdav import DavSession

Collections = tuple[DavCollection | None, ...]


def fingerprint(*parts: str | None) -> str:
    """A short stable digest of what a discovery was asked for."""
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:16]


def collection_to_json(collection: DavCollection | None) -> dict[str, Any] | None:
    if collection is None:
        return None
    return {"href": collection.href, "name": collection.name, "components": sorted(collection.components),
            "sync": collection.supports_sync, "owner": sorted(collection.owner_addresses)}


def collection_from_json(data: Mapping[str, Any] | None) -> DavCollection | None:
    if data is None:
        return None
    return DavCollection(str(data["href"]), str(data.get("name") or ""), frozenset(data.get("components") or ()),
                         bool(data.get("sync")), frozenset(data.get("owner") or ()))


class DiscoveryCache:
    """Per folder kind: the collections found last time, valid only for the same fingerprint.

    ``changed`` says whether anything was found afresh (the caller then stores ``state()``)."""

    def __init__(self, state: Mapping[str, Any] | None = None) -> None:
        self._entries: dict[str, dict[str, Any]] = {}
        for key, entry in (state or {}).items():
            if isinstance(entry, Mapping) and isinstance(entry.get("collections"), list):
                self._entries[str(key)] = dict(entry)
        self.changed = False

    def get(self, key: str, print_: str) -> Collections | None:
        entry = self._entries.get(key)
        if entry is None or entry.get("fp") != print_:
            return None
        try:
            return tuple(collection_from_json(c) for c in entry["collections"])
        except (KeyError, TypeError, ValueError):   # an entry of an older shape: discover again
            return None

    def put(self, key: str, print_: str, collections: Sequence[DavCollection | None]) -> None:
        self._entries[key] = {"fp": print_, "collections": [collection_to_json(c) for c in collections]}
        self.changed = True

    def forget(self, key: str) -> None:
        if self._entries.pop(key, None) is not None:
            self.changed = True

    def state(self) -> dict[str, Any]:
        """The JSON-able state to hand back next session."""
        return {k: dict(v) for k, v in self._entries.items()}


class CachedFinder:
    """One folder kind's collections: from the cache when it has them, else discovered (and cached).

    ``from_cache`` tells the folder whether a 404/403/410 or an expired cursor may mean the cached
    collection moved, so discovery is worth re-doing."""

    def __init__(self, cache: DiscoveryCache, key: str, print_: str, discover: Callable[[], Collections],
                 forget_answers: Callable[[], None] = lambda: None) -> None:
        self.cache, self.key, self.print_ = cache, key, print_
        self._discover = discover
        self._forget_answers = forget_answers   # the server's discovery answers this session remembers
        self.from_cache = False

    def find(self, fresh: bool = False) -> Collections:
        if not fresh:
            cached = self.cache.get(self.key, self.print_)
            if cached is not None:
                self.from_cache = True
                return cached
        self.from_cache = False
        self.cache.forget(self.key)   # should discovery fail now, the stale entry must not be kept
        if fresh:
            self._forget_answers()
        found = self._discover()
        self.cache.put(self.key, self.print_, found)
        return found


class CollectionSource:
    """A folder kind's collection client, built from what the finder returns; ``from_cache``
    is the finder's (see ``DavFolder``'s re-discovery)."""

    def __init__(self, finder: CachedFinder, build: Callable[[Collections], CollectionClient]) -> None:
        self.finder, self._build = finder, build

    @property
    def from_cache(self) -> bool:
        return self.finder.from_cache

    def client(self, fresh: bool = False) -> CollectionClient:
        return self._build(self.finder.find(fresh))


class SharedClients:
    """One client per collection per session, so calendar and tasks in one collection share its
    remembered reads (one sync report, one multiget)."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], CollectionClient] = {}

    def builder(self, session: DavSession, rtype: ResourceType) -> Callable[[Collections], CollectionClient]:
        """Builds a folder's client from plain discovery's one collection."""
        return lambda found: self.one_for(session, found[0], rtype)

    def one_for(self, session: DavSession, collection: DavCollection | None, rtype: ResourceType) -> CollectionClient:
        assert collection is not None  # plain discovery raises rather than return nothing
        key = (collection.href.rstrip("/"), rtype.extension)
        if key not in self._clients:
            self._clients[key] = CollectionClient(session, collection, rtype)
        return self._clients[key]
