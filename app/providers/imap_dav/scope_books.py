"""The contact scope's two address books read as one folder: the book named like the org's
Salesforce folder (every card syncs; new cards from Salesforce go there) and the account's
default book (only cards with the Salesforce category sync, which the core decides).

Items keep their resource paths as ids, so each request goes to the book holding the path;
the change cursor carries one cursor per book.
"""
from __future__ import annotations

from collections.abc import Sequence

from app.providers.imap_dav.davsync import (
    CollectionClient,
    CollectionDelta,
    Resource,
    ResourceType,
    decode_cursor,
    encode_cursor,
)
from app.providers.imap_dav.discovery import DavCollection
from app.providers.imap_dav.webdav import DavSession
from app.sync.errors import CursorExpired


class ScopeBooks(CollectionClient):
    """Behaves as the scope book's client (creates land there) and reads both books (or the
    scope book alone when the account has no other)."""

    def __init__(self, session: DavSession, scope_book: DavCollection, default_book: DavCollection | None,
                 rtype: ResourceType) -> None:
        super().__init__(session, scope_book, rtype)
        self.books = tuple(CollectionClient(session, b, rtype) for b in (scope_book, default_book) if b is not None)
        self._label = "+".join(b.collection.href for b in self.books)

    def delta(self, cursor: str | None, reader: str | None = None) -> CollectionDelta:
        parts = decode_cursor(cursor, self._label).get("parts") if cursor else [None] * len(self.books)
        if not isinstance(parts, list) or len(parts) != len(self.books):
            raise CursorExpired("cursor belongs to another set of address books")
        deltas = [book.delta(part) for book, part in zip(self.books, parts, strict=True)]
        return CollectionDelta(tuple(h for d in deltas for h in d.changed), tuple(h for d in deltas for h in d.removed),
                               encode_cursor(self._label, parts=[d.cursor for d in deltas]),
                               any(d.full for d in deltas))

    def fetch(self, hrefs: Sequence[str], reader: str | None = None) -> list[Resource]:
        found: list[Resource] = []
        for book in self.books:
            mine = [h for h in hrefs if self.book_of(h) is book]
            found += book.fetch(mine) if mine else []
        return found

    def fetch_chunk(self, hrefs: Sequence[str]) -> list[Resource]:
        found: list[Resource] = []
        for book in self.books:
            mine = [h for h in hrefs if self.book_of(h) is book]
            found += book.fetch_chunk(mine) if mine else []
        return found

    def forget_reads(self) -> None:
        super().forget_reads()
        for book in self.books:
            book.forget_reads()

    def book_of(self, href: str) -> CollectionClient:
        """The book holding this path (the scope book for a path in neither)."""
        return next((b for b in self.books if _inside(href, b.collection.href)), self.books[0])

    def in_scope_book(self, href: str) -> bool:
        return _inside(href, self.books[0].collection.href)


def _inside(href: str, collection: str) -> bool:
    return href.startswith(collection.rstrip("/") + "/")
