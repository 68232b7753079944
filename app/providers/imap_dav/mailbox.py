"""The standards-based mailbox: IMAP for mail, CalDAV for calendar and tasks, CardDAV for
contacts, behind the core's ``MailboxPort``. ``build_mailbox`` is the one way to make one.
"""
from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from app.providers.host_guard import ForbiddenHost, HostPolicy, check_host, check_port, check_url
from app.providers.imap_dav.codecs import ContactCodec, EventCodec, TaskCodec
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.dav_folder import DavFolder
from app.providers.imap_dav.davsync import ICALENDAR, VCARD, CollectionClient
from app.providers.imap_dav.discovery import find_collection, find_scope_books
from app.providers.imap_dav.discovery_cache import (
    CachedFinder,
    Collections,
    CollectionSource,
    DiscoveryCache,
    SharedClients,
    fingerprint,
)
from app.providers.imap_dav.errors import forbidden_host
from app.providers.imap_dav.imap_mail import ImapMail, MailOptions, MailRules
from app.providers.imap_dav.imap_session import ImapSession
from app.providers.imap_dav.scope_books import ScopeBooks
from app.providers.imap_dav.webdav import DavSession
from app.providers.imap_dav.webdav_push import dont_notify_headers
from app.sync.errors import FolderUnavailable, InvalidData
from app.sync.items import FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, MailboxListing, WriteResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailboxOptions:
    """Per-org settings; ``allow_plaintext`` must be set explicitly for non-TLS servers (tests).

    ``host_policy`` is the operator's allow-list: without it, loopback and private hosts are refused.
    """

    category: str = "Salesforce"
    salesforce_folder: str = "Salesforce"
    watched_folders: tuple[str, ...] = ("INBOX",)
    mail_rules: MailRules = MailRules()
    calendar_name: str | None = None
    tasks_name: str | None = None
    addressbook_name: str | None = None
    # The seeds' contact scope: also read the address book named so (if any), flag its cards, create there.
    scope_book_name: str | None = None
    allow_plaintext: bool = False
    ca_file: str | None = None
    timeout: float = 30.0
    host_policy: HostPolicy = HostPolicy()
    extra: Mapping[str, Any] = field(default_factory=dict)
    timezone: str = "UTC"  # the owner's zone: floating iCalendar times and task due days are read in it
    # This mailbox's WebDAV-Push registration URLs: named on its writes so they are not pushed back to it.
    push_registrations: tuple[str, ...] = ()


class ImapDavMailbox:
    """One user's mailbox on standards servers; ``counter`` counts every request sent."""

    def __init__(self, mail: ImapMail | None, folders: Mapping[FolderKind, DavFolder], counter: RequestCounter,
                 closers: Sequence[Any] = (), discovery: DiscoveryCache | None = None) -> None:
        self.mail = mail
        self.folders = dict(folders)
        self.counter = counter
        self._closers = list(closers)
        self.discovery = discovery or DiscoveryCache()

    def discovered(self) -> dict[str, Any] | None:
        """The collections found this session, to hand back to ``build_mailbox`` next time;
        None when nothing was discovered afresh (the stored state still holds)."""
        return self.discovery.state() if self.discovery.changed else None

    def find_collections(self, kinds: Iterable[FolderKind]) -> None:
        """Discover the collections these kinds read, ahead of their reads (a first session runs
        this while it describes Salesforce). A failure is left for the kind's own read, which
        meets it again and reports it where the session expects it; nothing is raised here."""
        for kind in kinds:
            folder = self.folders.get(kind)
            if folder is None:
                continue
            try:
                folder.find()
            except Exception as exc:  # noqa: BLE001  (the read repeats discovery and raises it)
                log.info("collection discovery ahead of the session's reads failed: %s", type(exc).__name__)
                return

    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        return self._mail().changes_since(cursor) if kind is FolderKind.MAIL else self._dav(kind).changes_since(cursor)

    def list_changes(self, kind: FolderKind, cursor: str | None) -> MailboxListing | MailboxChanges:
        """DAV folders list by href; mail is not streamed (its changes come whole)."""
        return self._mail().changes_since(cursor) if kind is FolderKind.MAIL else self._dav(kind).list_changes(cursor)

    def read_chunks(self, kind: FolderKind, item_ids: Sequence[str], size: int) -> Iterator[list[MailboxItem]]:
        return self._dav(kind).read_chunks(item_ids, size)

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        return list(self._mail().get_items(item_ids)) if kind is FolderKind.MAIL else self._dav(kind).get_items(item_ids)

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return self._dav(kind).create_items(items) if kind is not FolderKind.MAIL else _read_only(len(items))

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        if kind is FolderKind.MAIL:  # only categories can change on a message
            return [self.set_categories(kind, p.item_id, p.changes["categories"]) if set(p.changes) == {"categories"}
                    else _read_only(1)[0] for p in patches]
        return self._dav(kind).update_items(patches)

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        return self._dav(kind).delete_items(item_ids) if kind is not FolderKind.MAIL else _read_only(len(item_ids))

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return {} if kind is FolderKind.MAIL else self._dav(kind).find_by_sync_keys(keys)

    def set_categories(self, kind: FolderKind, item_id: str, categories: Sequence[str]) -> WriteResult:
        if kind is FolderKind.MAIL:
            return self._mail().set_categories(item_id, categories)
        return self._dav(kind).set_categories(item_id, categories)

    def close(self) -> None:
        for closer in self._closers:
            closer.close()

    def _mail(self) -> ImapMail:
        if self.mail is None:
            raise FolderUnavailable("not available on this server: the server profile has no imap_host")
        return self.mail

    def _dav(self, kind: FolderKind) -> DavFolder:
        if kind not in self.folders:
            url_key = "carddav_url" if kind is FolderKind.CONTACTS else "caldav_url"
            raise FolderUnavailable(f"not available on this server: the server profile has no {url_key}")
        return self.folders[kind]


def _read_only(n: int) -> list[WriteResult]:
    return [WriteResult(False, error="mail is saved one-way: messages are read-only", error_code=InvalidData.code)] * n


def build_mailbox(endpoints: Mapping[str, Any], username: str, password: str,
                  options: MailboxOptions | None = None, dav_login: tuple[str, str] | None = None,
                  discovered: Mapping[str, Any] | None = None) -> ImapDavMailbox:
    """A MailboxPort for ``imap_host``/``imap_port``/``imap_tls``, ``caldav_url``, ``carddav_url``.

    Any part may be absent (an IMAP-only or a calendar-only account): its folder kinds raise
    FolderUnavailable. ``dav_login`` is the DAV user name and password where they differ from
    IMAP's (app passwords, separate accounts). ``discovered`` is the last session's
    ``ImapDavMailbox.discovered()``: collections found then are used without asking the server
    again (until it answers 404/403/410 or a cursor expires). Nothing connects until first use. Plaintext
    (``imap_tls`` false or an http URL) is refused unless ``options.allow_plaintext`` is set;
    hosts the host guard refuses too (each connection is checked again). Raises InvalidData
    for such configurations.
    """
    options = options or MailboxOptions()
    counter = RequestCounter()
    mail, closers = None, []
    session = imap_session(endpoints, username, password, options, counter)
    if session is not None:
        mail = ImapMail(session, mail_options(options))
        closers.append(session)
    folders: dict[FolderKind, DavFolder] = {}
    cache, shared, sessions = DiscoveryCache(discovered), SharedClients(), {}
    for kind, url_key, component, name, codec, rtype in (
            (FolderKind.CALENDAR, "caldav_url", "VEVENT", options.calendar_name,
             EventCodec(options.timezone, lambda: folders[FolderKind.CALENDAR].client.collection.owner_addresses),
             ICALENDAR),
            (FolderKind.TASKS, "caldav_url", "VTODO", options.tasks_name, TaskCodec(options.timezone), ICALENDAR),
            (FolderKind.CONTACTS, "carddav_url", "VCARD", options.addressbook_name,
             ContactCodec(lambda href: _in_scope_book(folders[FolderKind.CONTACTS].client, href)), VCARD)):
        url = endpoints.get(url_key)
        if url:
            _check_plaintext(str(url).startswith("http://"), options, url_key)
            with _refused_as_invalid(str(urlsplit(str(url)).hostname)):
                check_url(str(url), options.host_policy)
            dav_user, dav_password = dav_login or (username, password)
            if url not in sessions:   # one connection pool per server, shared by its folder kinds
                sessions[url] = DavSession(url, dav_user, dav_password, counter, options.ca_file or True,
                                           options.timeout, options.host_policy,
                                           dont_notify_headers(options.push_registrations))
            dav = sessions[url]
            scoped = kind is FolderKind.CONTACTS and options.scope_book_name
            print_ = fingerprint(str(url), dav_user, component, name, options.scope_book_name if scoped else None)
            if scoped:
                finder = CachedFinder(cache, kind.value, print_,
                                      _scope_discoverer(dav, url, str(options.scope_book_name)), dav.forget_discovery)
                source = _scope_source(dav, finder)
            else:
                finder = CachedFinder(cache, kind.value, print_, _discoverer(dav, url, component, name),
                                      dav.forget_discovery)
                source = CollectionSource(finder, shared.builder(dav, rtype))
            folders[kind] = DavFolder(kind, source, codec)
    return ImapDavMailbox(mail, folders, counter, closers, cache)


def imap_session(endpoints: Mapping[str, Any], username: str, password: str, options: MailboxOptions,
                 counter: RequestCounter | None = None) -> ImapSession | None:
    """A lazily connected IMAP session for the profile's ``imap_host`` (None without one), checked
    as ``build_mailbox`` checks it (plaintext, host guard); raises InvalidData when refused."""
    if not endpoints.get("imap_host"):
        return None
    use_tls = bool(endpoints.get("imap_tls", True))
    _check_plaintext(not use_tls, options, "IMAP")
    host, port = str(endpoints["imap_host"]), int(endpoints.get("imap_port") or (993 if use_tls else 143))
    with _refused_as_invalid(host):
        check_host(host, options.host_policy)
        check_port(port, "imap", host, options.host_policy)
    context = ssl.create_default_context(cafile=options.ca_file) if use_tls else None
    return ImapSession(host, port, username, password, use_tls, counter or RequestCounter(), options.timeout,
                       context, options.host_policy)


def mail_options(options: MailboxOptions) -> MailOptions:
    """The mail listing's share of the mailbox options."""
    return MailOptions(options.category, options.salesforce_folder, options.watched_folders, options.mail_rules)


def _discoverer(dav: DavSession, url: str, component: str, name: str | None) -> Callable[[], Collections]:
    home_prop = "cr:addressbook-home-set" if component == "VCARD" else "c:calendar-home-set"
    path = urlsplit(url).path or "/"
    return lambda: (find_collection(dav, path, home_prop, component, name),)


def _scope_discoverer(dav: DavSession, url: str, scope_name: str) -> Callable[[], Collections]:
    return lambda: find_scope_books(dav, urlsplit(url).path or "/", "cr:addressbook-home-set", "VCARD", scope_name)


def _scope_source(dav: DavSession, finder: CachedFinder) -> CollectionSource:
    """The named book with the default one when the account has it; else the default book alone."""
    def build(found: Collections) -> CollectionClient:
        named, default = found
        if named is not None:
            return ScopeBooks(dav, named, default, VCARD)
        assert default is not None  # find_scope_books raises when there is no address book at all
        return CollectionClient(dav, default, VCARD)
    return CollectionSource(finder, build)


def _in_scope_book(client: CollectionClient, href: str) -> bool:
    """Is this path in the contact scope's address book (every card there syncs)?"""
    if isinstance(client, ScopeBooks):
        return client.in_scope_book(href)
    return False


@contextmanager
def _refused_as_invalid(host: str) -> Iterator[None]:
    """The host guard's refusal as the core's InvalidData, before anything connects."""
    try:
        yield
    except ForbiddenHost as exc:
        raise forbidden_host(host, exc) from exc


def _check_plaintext(plaintext: bool, options: MailboxOptions, what: str) -> None:
    if plaintext and not options.allow_plaintext:
        raise InvalidData(f"{what} without TLS is refused unless explicitly allowed")
