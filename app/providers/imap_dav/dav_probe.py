"""The cheap "did this collection change?" question for push by polling: one PROPFIND at depth 0
asking for the collection's sync-token (RFC 6578) and CalendarServer's getctag; a server with
neither is answered by a digest of its members' ETags (one depth-1 PROPFIND, still no data).
"""
from __future__ import annotations

import hashlib

from app.providers.imap_dav.mailbox import ImapDavMailbox
from app.providers.imap_dav.webdav import DavSession, prop_xml, xml_document
from app.sync.items import FolderKind

DAV_KINDS = (FolderKind.CALENDAR, FolderKind.TASKS, FolderKind.CONTACTS)


def collection_versions(port: ImapDavMailbox) -> dict[str, str]:
    """{collection href: version} for every DAV collection the mailbox syncs (discovered through the
    port, from its cached discovery when given); a changed version means a change to sync."""
    return {href: collection_version(session, href) for href, session in dav_collections(port).items()}


def dav_collections(port: ImapDavMailbox) -> dict[str, DavSession]:
    """{collection href: its DAV session} for every DAV collection the mailbox syncs, once each."""
    found: dict[str, DavSession] = {}
    for kind in DAV_KINDS:
        folder = port.folders.get(kind)
        if folder is not None:
            found.setdefault(folder.client.collection.href, folder.client.session)
    return found


def collection_version(session: DavSession, href: str) -> str:
    """sync-token, else getctag, else a digest of the members' ETags."""
    body = xml_document("d:propfind", prop_xml(["d:sync-token", "cs:getctag"]))
    members = session.multistatus("PROPFIND", href, body, "0").members
    for member in members:
        for tag in ("{DAV:}sync-token", "{http://calendarserver.org/ns/}getctag"):
            if member.text(tag).strip():
                return f"{tag}={member.text(tag).strip()}"
    listing = session.multistatus("PROPFIND", href, xml_document("d:propfind", prop_xml(["d:getetag"])), "1")
    etags = sorted(f"{m.href} {m.etag}" for m in listing.members if m.href.rstrip("/") != href.rstrip("/"))
    return "etags=" + hashlib.sha256("\n".join(etags).encode("utf-8")).hexdigest()
