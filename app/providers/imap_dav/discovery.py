"""Finding the user's calendar, task list and address book: principal → home set → collections.

A configured URL that already is a matching collection is used as is; otherwise the named
collection (display name or last path segment) or the first one offering the component.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from app.providers.imap_dav.errors import HostRefused, unreachable
from app.providers.imap_dav.webdav import DavMember, DavSession, normalize_href, prop_xml, xml_document
from app.sync.errors import AuthFailure, FolderUnavailable, NotFound, SyncError

CALENDAR_TAG = "{urn:ietf:params:xml:ns:caldav}calendar"
ADDRESSBOOK_TAG = "{urn:ietf:params:xml:ns:carddav}addressbook"
ADDRESS_SET_PROP = "c:calendar-user-address-set"
# No sync-token or getctag here: a server may hash every member to answer them (Radicale takes
# 0.5 s per listing of a 5,000-item calendar, 4 ms without); the chosen collection is asked for
# its token alone when its report set does not name sync-collection (see ``_sync_checked``).
COLLECTION_PROPS = ("d:resourcetype", "d:displayname", "d:supported-report-set",
                    "c:supported-calendar-component-set")


@dataclass(frozen=True)
class DavCollection:
    """A calendar or address book; ``supports_sync`` says whether RFC 6578 tokens work here."""

    href: str
    name: str
    components: frozenset[str]
    supports_sync: bool
    owner_addresses: frozenset[str] = frozenset()


def find_collection(session: DavSession, start_href: str, home_prop: str, component: str,
                    wanted_name: str | None = None) -> DavCollection:
    """The collection holding ``component`` (VEVENT, VTODO or VCARD) for this user."""
    here = _probe(session, start_href)
    own = here[0] if here else None
    if own is not None and _offers(_as_collection(own), component) and not wanted_name:
        principal = _href_prop(own, "{DAV:}current-user-principal")
        addresses = _principal_addresses(session, principal) if component == "VEVENT" else frozenset()
        return replace(_sync_checked(session, _as_collection(own)), owner_addresses=addresses)
    principal = _href_prop(own, "{DAV:}current-user-principal") or start_href
    home_members = _propfind(session, principal, "0", (home_prop, ADDRESS_SET_PROP))
    home = _href_prop(home_members[0] if home_members else None, _clark(home_prop)) or principal
    candidates = [_as_collection(m) for m in _propfind(session, home, "1", COLLECTION_PROPS)]
    offering = [c for c in candidates if _offers(c, component)]
    if not offering:   # e.g. a calendar server without task lists, or a CardDAV URL that has no address book
        raise FolderUnavailable(f"not available on this server: no collection offering {component} under {home}")
    if wanted_name:
        offering = [c for c in offering if _named(c, wanted_name)]
        if not offering:
            raise NotFound(f"no collection named {wanted_name!r} offering {component} under {home}")
    return replace(_sync_checked(session, offering[0]),
                   owner_addresses=_addresses(home_members[0] if home_members else None))


def find_scope_books(session: DavSession, start_href: str, home_prop: str, component: str,
                     scope_name: str) -> tuple[DavCollection | None, DavCollection | None]:
    """(the collection named ``scope_name`` if the account has one, the default one if there is
    another): the seeds' contact scope reads both, the Salesforce book whole and the default book's
    tagged cards. The default is the configured URL when it is a collection, else the first one."""
    here = _probe(session, start_href)
    own = here[0] if here else None
    own_book = [_as_collection(own)] if own is not None and _offers(_as_collection(own), component) else []
    principal = _href_prop(own, "{DAV:}current-user-principal") or start_href
    home = principal
    try:
        home_members = _propfind(session, principal, "0", (home_prop,))
        home = _href_prop(home_members[0] if home_members else None, _clark(home_prop)) or principal
        listed = [_as_collection(m) for m in _propfind(session, home, "1", COLLECTION_PROPS)]
    except AuthFailure:
        raise
    except SyncError:
        if not own_book:
            raise
        listed = []   # the configured book is usable even where the home cannot be listed
    offering = own_book + [c for c in listed if _offers(c, component)]
    if not offering:
        raise FolderUnavailable(f"not available on this server: no collection offering {component} under {home}")
    named = next((c for c in offering if _named(c, scope_name)), None)
    default = next((c for c in offering if named is None or c.href.rstrip("/") != named.href.rstrip("/")), None)
    return (_sync_checked(session, named) if named else None), (_sync_checked(session, default) if default else None)


def _sync_checked(session: DavSession, collection: DavCollection) -> DavCollection:
    """A collection whose report set does not name sync-collection still syncs by token when it has
    one (one PROPFIND of that collection alone); a server that will not say leaves the ETag fallback."""
    if collection.supports_sync:
        return collection
    try:
        members = _propfind(session, collection.href, "0", ("d:sync-token",))
    except AuthFailure:
        raise
    except SyncError:
        return collection
    token = members[0].text("{DAV:}sync-token") if members else ""
    return replace(collection, supports_sync=bool(token))


def _principal_addresses(session: DavSession, principal: str | None) -> frozenset[str]:
    """The addresses of a principal (one PROPFIND); none when the server will not say."""
    if not principal:
        return frozenset()
    try:
        members = _propfind(session, principal, "0", (ADDRESS_SET_PROP,))
    except AuthFailure:
        raise
    except SyncError:
        return frozenset()
    return _addresses(members[0] if members else None)


def _addresses(principal: DavMember | None) -> frozenset[str]:
    """The principal's calendar user addresses (RFC 6638 §2.4.1), ``mailto:`` and case dropped:
    what ORGANIZER says when the owner organised a meeting."""
    element = principal.props.get(_clark(ADDRESS_SET_PROP)) if principal is not None else None
    hrefs = [(h.text or "").strip() for h in element.iter("{DAV:}href")] if element is not None else []
    return frozenset(h[7:].lower() if h.lower().startswith("mailto:") else h.lower() for h in hrefs if h)


def _named(collection: DavCollection, wanted: str) -> bool:
    """Chosen by display name, last path segment, path or full URL (names compared case-insensitively)."""
    wanted = wanted.strip()
    path = urlsplit(wanted).path if "://" in wanted else wanted
    if "/" in path.strip("/"):
        return unquote(path).rstrip("/") == unquote(collection.href).rstrip("/")
    names = (collection.name, unquote(collection.href.rstrip("/").rsplit("/", 1)[-1]))
    return path.strip("/").casefold() in {n.casefold() for n in names if n}


def _probe(session: DavSession, start_href: str) -> list[DavMember]:
    """The first request to the server: anything but a WebDAV answer (or 401) reads "could not
    connect", so a port that answers in another protocol looks like a closed one."""
    try:
        return _propfind(session, start_href, "0", COLLECTION_PROPS + ("d:current-user-principal",))
    except (AuthFailure, HostRefused):
        raise
    except SyncError as exc:
        raise unreachable(session.host) from exc


def _propfind(session: DavSession, href: str, depth: str, names: tuple[str, ...]) -> list[DavMember]:
    body = xml_document("d:propfind", prop_xml(names))
    return [m for m in session.discovery_propfind(href, body, depth).members if m.status == 200]


def _as_collection(member: DavMember) -> DavCollection:
    resourcetype = member.props.get("{DAV:}resourcetype")
    kinds = {child.tag for child in resourcetype} if resourcetype is not None else set()
    components: set[str] = set()
    if CALENDAR_TAG in kinds:
        comp_set = member.props.get("{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set")
        names = {c.get("name", "").upper() for c in comp_set} if comp_set is not None else set()
        components |= names or {"VEVENT", "VTODO"}  # absent set means "any" (RFC 4791 5.2.3)
    if ADDRESSBOOK_TAG in kinds:
        components.add("VCARD")
    reports = member.props.get("{DAV:}supported-report-set")
    sync = reports is not None and any(el.tag == "{DAV:}sync-collection" for el in reports.iter())
    sync = sync or bool(member.text("{DAV:}sync-token"))
    return DavCollection(member.href, member.text("{DAV:}displayname"), frozenset(components), sync)


def _offers(collection: DavCollection, component: str) -> bool:
    return component in collection.components


def _href_prop(member: DavMember | None, tag: str) -> str | None:
    element = member.props.get(tag) if member is not None else None
    href = element.findtext("{DAV:}href") if element is not None else None
    return normalize_href(href) if href else None


def _clark(prefixed: str) -> str:
    prefix, local = prefixed.split(":")
    namespaces = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav", "cr": "urn:ietf:params:xml:ns:carddav"}
    return f"{{{namespaces[prefix]}}}{local}"
