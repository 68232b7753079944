"""Reading and writing one DAV collection: changes by sync token (ctag/etag fallback), batched
multiget, and conditional PUT/DELETE so retries neither duplicate nor overwrite blindly.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from app.providers.imap_dav.discovery import DavCollection
from app.providers.imap_dav.errors import http_error
from app.providers.imap_dav.webdav import (
    XML_HEADERS,
    DavSession,
    Multistatus,
    expect_multistatus,
    parse_listing,
    prop_xml,
    quoted_path,
    xml_document,
)
from app.sync.errors import CursorExpired, InvalidData, NotFound

# Hrefs per multiget: hundreds, so a 20,000-item import is ~40 requests, not 200. A server that
# finds the body too large (413) gets the batch halved, down to MULTIGET_FLOOR.
MULTIGET_BATCH = 500
MULTIGET_FLOOR = 25


@dataclass(frozen=True)
class ResourceType:
    """What differs between iCalendar and vCard resources on the wire."""

    content_type: str
    extension: str
    multiget: str
    data_prop: str
    put_headers: tuple[tuple[str, str], ...] = ()
    delete_headers: tuple[tuple[str, str], ...] = ()


# Our calendar writes must never make the server schedule (see ical_scheduling): RFC 6638 §8.1's
# Schedule-Reply: F (deleting an attendee's copy sends no REPLY; SabreDAV — Nextcloud, Baïkal — skips all
# scheduling for a PUT or DELETE that carries it) and Cyrus's (Fastmail's) per-request switch.
NO_SCHEDULING = (("Schedule-Reply", "F"), ("Scheduling-Enabled", "F"))
ICALENDAR = ResourceType("text/calendar; charset=utf-8", ".ics", "c:calendar-multiget", "c:calendar-data",
                         NO_SCHEDULING, NO_SCHEDULING)
VCARD = ResourceType("text/vcard; charset=utf-8", ".vcf", "cr:addressbook-multiget", "cr:address-data")


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str
    data: str


@dataclass(frozen=True)
class CollectionDelta:
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    cursor: str
    full: bool


class CollectionClient:
    """One collection on one server; every method is a fixed, small number of requests.

    Reads are remembered until the next write so that folder kinds sharing the collection
    (calendar and tasks) read it once: a ``reader`` that asks what another reader already asked
    (same cursor, same hrefs) gets that answer; asking again itself, it asks the server."""

    def __init__(self, session: DavSession, collection: DavCollection, rtype: ResourceType) -> None:
        self.session = session
        self.collection = collection
        self.rtype = rtype
        self._deltas: dict[str | None, tuple[CollectionDelta, set[str]]] = {}
        self._fetched: tuple[tuple[str, ...], list[Resource], set[str]] | None = None
        self._components: dict[str, frozenset[str]] = {}
        self.multiget_size = MULTIGET_BATCH   # halved for the rest of the session by a 413

    def delta(self, cursor: str | None, reader: str | None = None) -> CollectionDelta:
        """Hrefs changed/removed since ``cursor``; None lists everything. Raises CursorExpired."""
        known = self._deltas.get(cursor)
        if reader is None or known is None or reader in known[1]:
            known = (self._delta(cursor), set())
            self._deltas[cursor] = known
        if reader is not None:
            known[1].add(reader)
        return known[0]

    def fetch(self, hrefs: Sequence[str], reader: str | None = None) -> list[Resource]:
        """Current data of these members (missing ones omitted)."""
        wanted = tuple(hrefs)
        known = self._fetched
        if reader is None or known is None or known[0] != wanted or reader in known[2]:
            known = (wanted, self._multiget(wanted), set())
            self._fetched = known
        if reader is not None:
            known[2].add(reader)
        return list(known[1])

    def fetch_chunk(self, hrefs: Sequence[str]) -> list[Resource]:
        """Current data of these members, not remembered (an import's chunk): only which
        components (VEVENT, VTODO…) each member holds is noted, see ``may_hold``."""
        found = self._multiget(hrefs)
        self._components.update((r.href, components_in(r.data)) for r in found)
        return found

    def may_hold(self, href: str, component: str | None) -> bool:
        """False only when a chunk read this session found no ``component`` in the member: a task
        list sharing the calendar's collection then skips re-reading every event. (Syncline's own
        writes never change which components a member holds.)"""
        known = self._components.get(href)
        return component is None or known is None or component in known

    def forget_reads(self) -> None:
        """After a write, the remembered answers are stale."""
        self._deltas.clear()
        self._fetched = None

    def _delta(self, cursor: str | None) -> CollectionDelta:
        state = decode_cursor(cursor, self.collection.href) if cursor else {}
        if self.collection.supports_sync and "e" not in state:
            return self._sync_delta(state.get("t", ""))
        return self._etag_delta(state.get("e") if cursor else None)

    def _sync_delta(self, token: str) -> CollectionDelta:
        full = not token
        changed: dict[str, None] = {}
        removed: dict[str, None] = {}
        while True:  # a 507 member on the collection means "truncated, ask again with the new token"
            result = self._sync_report(token)
            truncated = False
            for member in result.members:
                if member.href.rstrip("/") == self.collection.href.rstrip("/"):
                    truncated = member.status == 507
                elif member.status == 404:
                    removed[member.href] = changed.pop(member.href, None)
                else:
                    changed[member.href] = removed.pop(member.href, None)
            token = result.sync_token or token
            if not truncated:
                break
        return CollectionDelta(tuple(changed), tuple(removed), encode_cursor(self.collection.href, t=token), full)

    def _sync_report(self, token: str) -> Multistatus:
        body = xml_document("d:sync-collection", f"<d:sync-token>{escape(token)}</d:sync-token>"
                            f"<d:sync-level>1</d:sync-level>{prop_xml(['d:getetag'])}")
        response = self.session.request("REPORT", self.collection.href, body,
                                        {"Content-Type": "application/xml; charset=utf-8", "Depth": "1"})
        if response.status_code != 207:
            if token and (b"valid-sync-token" in response.content or response.status_code in (400, 403, 409, 412)):
                raise CursorExpired(f"sync token for {self.collection.href} no longer valid")
            raise http_error(response.status_code, f"sync-collection {self.collection.href}")
        try:
            return parse_listing(response.content)
        except etree.XMLSyntaxError as exc:
            raise InvalidData(f"sync-collection {self.collection.href}: the answer is not WebDAV XML") from exc

    def _etag_delta(self, known: dict[str, str] | None) -> CollectionDelta:
        """Fallback without RFC 6578: compare every member's ETag with the map in the cursor."""
        body = xml_document("d:propfind", prop_xml(["d:getetag", "d:resourcetype"]))
        listing = self.session.multistatus("PROPFIND", self.collection.href, body, "1")
        etags = {m.href: m.etag for m in listing.members
                 if m.status == 200 and m.href.rstrip("/") != self.collection.href.rstrip("/")}
        cursor = encode_cursor(self.collection.href, e=etags)
        if known is None:
            return CollectionDelta(tuple(etags), (), cursor, True)
        changed = tuple(h for h, tag in etags.items() if known.get(h) != tag)
        return CollectionDelta(changed, tuple(h for h in known if h not in etags), cursor, False)

    def _multiget(self, hrefs: Sequence[str]) -> list[Resource]:
        """Multigets of ``multiget_size`` hrefs; a 413 halves it (down to ``MULTIGET_FLOOR``) for this
        read and the session's later ones, so an import's chunks do not each meet the refusal again."""
        found: list[Resource] = []
        start = 0
        while start < len(hrefs):
            size = self.multiget_size
            batch = hrefs[start:start + size]
            refs = "".join(f"<d:href>{escape(quoted_path(h))}</d:href>" for h in batch)
            body = xml_document(self.rtype.multiget, prop_xml(["d:getetag", self.rtype.data_prop]) + refs)
            response = self.session.request("REPORT", self.collection.href, body, XML_HEADERS)
            if response.status_code == 413 and size > MULTIGET_FLOOR:
                self.multiget_size = max(MULTIGET_FLOOR, min(size, len(batch)) // 2)
                continue
            result = expect_multistatus(response, f"REPORT {self.collection.href}")
            data_tag = _clark(self.rtype.data_prop)
            found += [Resource(m.href, m.etag, m.text(data_tag)) for m in result.members
                      if m.status == 200 and data_tag in m.props]
            start += len(batch)
        return found

    def href_for(self, uid: str) -> str:
        return self.collection.href.rstrip("/") + "/" + resource_name(uid) + self.rtype.extension

    def put(self, href: str, data: str, etag: str | None) -> str | None:
        """Create (``etag`` None: If-None-Match *) or update (If-Match). None: it already exists."""
        headers = {"Content-Type": self.rtype.content_type, "Accept": self.rtype.content_type.split(";")[0],
                   **dict(self.rtype.put_headers)}
        headers.update({"If-Match": etag} if etag else {"If-None-Match": "*"})
        self.forget_reads()
        response = self.session.request("PUT", href, data.encode("utf-8"), headers)
        if response.status_code == 412 and etag is None:
            return None
        if response.status_code not in (200, 201, 204):
            raise http_error(response.status_code, f"PUT {href}")
        # a PUT the server altered (RFC 6638 adds SCHEDULE-STATUS; Cyrus on any meeting) carries no ETag
        return response.headers.get("ETag") or self._etag_of(href)

    def delete(self, href: str, etag: str | None) -> None:
        headers = {**dict(self.rtype.delete_headers), **({"If-Match": etag} if etag else {})}
        self.forget_reads()
        response = self.session.request("DELETE", href, None, headers)
        if response.status_code not in (200, 204):
            raise http_error(response.status_code, f"DELETE {href}")

    def _etag_of(self, href: str) -> str:
        body = xml_document("d:propfind", prop_xml(["d:getetag"]))
        members = self.session.multistatus("PROPFIND", href, body, "0").members
        if not members:
            raise NotFound(f"{href} vanished after PUT")
        return members[0].etag


COMPONENT_LINE = re.compile(r"^BEGIN:(V[A-Z]+)\s*$", re.IGNORECASE | re.MULTILINE)


def components_in(data: str) -> frozenset[str]:
    """The component names a resource's text begins (upper case): VCALENDAR, VEVENT, VTODO…"""
    return frozenset(name.upper() for name in COMPONENT_LINE.findall(data))


def resource_name(uid: str) -> str:
    """A path-safe file name for a UID: kept as is when already safe, hashed otherwise."""
    if uid and all(ch.isalnum() or ch in "-_.@" for ch in uid) and len(uid) <= 120:
        return uid
    return hashlib.sha256(uid.encode("utf-8")).hexdigest()


def _clark(prefixed: str) -> str:
    prefix, local = prefixed.split(":")
    return "{" + {"c": "urn:ietf:params:xml:ns:caldav", "cr": "urn:ietf:params:xml:ns:carddav",
                  "d": "DAV:"}[prefix] + "}" + local


def encode_cursor(collection: str, **state) -> str:
    raw = json.dumps({"c": collection, **state}, separators=(",", ":")).encode("utf-8")
    return "dav1." + base64.urlsafe_b64encode(zlib.compress(raw)).decode("ascii")


def decode_cursor(cursor: str, collection: str) -> dict:
    """The cursor's state; a foreign, corrupt or other-collection cursor means resync."""
    state = read_cursor(cursor)
    if state.get("c") != collection:
        raise CursorExpired("cursor belongs to another collection")
    return state


def read_cursor(cursor: str) -> dict:
    """The state of a cursor of this adapter, whichever collection it names; else CursorExpired."""
    try:
        state = json.loads(zlib.decompress(base64.urlsafe_b64decode(cursor.removeprefix("dav1.").encode())))
    except (ValueError, zlib.error) as exc:
        raise CursorExpired(f"unreadable DAV cursor: {exc}") from exc
    if not cursor.startswith("dav1.") or not isinstance(state, dict):
        raise CursorExpired("not a DAV cursor")
    return state
