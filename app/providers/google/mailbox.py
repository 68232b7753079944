"""Google Workspace behind the core's ``MailboxPort`` (calendar, tasks, contacts and mail), server-side through
domain-wide delegation (the org's service account acts as each user, ``subject``, with each kind's own
scope) or through each user's own OAuth grant.

Endpoints are the admin's (API root, token URI) plus the operator's CA bundle; both pass the host
guard before any key is used, and every connection is guarded again at connect time
(transport.py). The client is google-api-python-client built from the discovery document the
package ships (no network discovery). Tasks, contacts and mail use their own delegated credentials
(their scopes): a domain whose admin did not grant them syncs the calendar and shows those kinds as
unavailable. Kinds with no folder raise FolderUnavailable ("not yet supported on Google Workspace").
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from google.oauth2 import service_account
from googleapiclient.discovery import build

from app.providers.folder_mailbox import Folder, FolderMailbox
from app.providers.google.batch import GoogleBatch
from app.providers.google.calendar import GoogleCalendar
from app.providers.google.contact_groups import GroupScope
from app.providers.google.contacts import CONTACTS_SCOPE, GoogleContacts
from app.providers.google.gmail import GMAIL_SCOPES, GmailMail, GmailOptions
from app.providers.google.message_refs import GmailMessageRefs
from app.providers.google.quota import GoogleQuota
from app.providers.google.tasks import TASKS_SCOPE, GoogleTasks
from app.providers.google.transport import GuardedGoogleHttp
from app.providers.google.user_oauth import KeptCredentials, UserGrant
from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import HostPolicy
from app.providers.vendor_edge import check_https_endpoint
from app.sync.errors import InvalidData
from app.sync.items import FolderKind

API_ROOT = "https://www.googleapis.com/"            # the discovery document's rootUrl
TOKEN_URI = "https://oauth2.googleapis.com/token"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_PATH = "calendar/v3/"                       # the discovery document's servicePath
PEOPLE_ROOT = "https://people.googleapis.com/"       # people.v1's rootUrl (its servicePath is empty)
TASKS_ROOT = "https://tasks.googleapis.com/"         # tasks.v1's rootUrl (servicePath empty, batchPath "batch")
GMAIL_BATCH_PATH = "batch"          # gmail.v1.json batchPath (the batch guide's older /batch/gmail/v1 also works)


@dataclass(frozen=True)
class GoogleSettings:
    """One Workspace service account (its JSON key) and where Google answers."""

    service_account: Mapping[str, Any] = field(default_factory=dict)
    api_root: str = API_ROOT
    token_uri: str = TOKEN_URI
    ca_file: str | None = None
    host_policy: HostPolicy = HostPolicy()
    timeout: float = 30.0
    people_root: str | None = None   # None: people.googleapis.com, or api_root when that is not Google's
    tasks_root: str | None = None    # None: tasks.googleapis.com, or api_root when that is not Google's
    user_grant: UserGrant | None = None     # per-user OAuth (user_oauth.py) instead of the service account


class GoogleMailbox(FolderMailbox):
    """One user's Google Workspace account."""

    service = "Google Workspace"

    def __init__(self, folders: Mapping[FolderKind, Folder], http: GuardedGoogleHttp,
                 *more_http: GuardedGoogleHttp) -> None:
        super().__init__(folders)
        self.http, self.more_http = http, more_http
        self.quota = http.quota       # one per user, shared by every API's connection

    @property
    def calls(self) -> int:
        """Requests sent to Google by every API's connection (a batch is one)."""
        return sum(h.calls for h in (self.http, *self.more_http))

    def close(self) -> None:
        for http in (self.http, *self.more_http):
            http.close()


def build_google_mailbox(settings: GoogleSettings, user: str, window: tuple[datetime, datetime],
                         contacts: GroupScope = GroupScope(), mail: GmailOptions | None = None,
                         task_list: str | None = None, quota: GoogleQuota | None = None
                         ) -> GoogleMailbox:
    """A MailboxPort acting as ``user`` (their primary email); nothing connects until first use. With
    ``mail``, Gmail is served too (its own token with only the Gmail scopes under domain-wide delegation).
    Tasks come from ``task_list`` (a list title) or the user's default list.
    ``quota``: the user's shared budgets, charged by every call of every API (none: counted only).

    Raises InvalidData for a missing or unusable service-account key or an endpoint that is not
    https or that the host guard refuses."""
    people_root, tasks_root = people_api_root(settings), tasks_api_root(settings)
    for url in (settings.api_root, settings.token_uri, people_root, tasks_root):
        check_https_endpoint(url, settings.host_policy, "Google")
    quota = quota or GoogleQuota()
    if settings.user_grant is not None:   # one signed-in grant carries every scope its owner consented to
        http = _guarded(settings, KeptCredentials(settings.user_grant, settings.token_uri), quota)
        people_http = mail_http = tasks_http = http
    else:
        key = _service_key(settings)
        http = _guarded(settings, _delegated(settings, key, CALENDAR_SCOPE, user), quota)
        people_http = _guarded(settings, _delegated(settings, key, CONTACTS_SCOPE, user), quota)
        mail_http = _guarded(settings, _delegated(settings, key, GMAIL_SCOPES, user), quota)
        tasks_http = _guarded(settings, _delegated(settings, key, TASKS_SCOPE, user), quota)
    service = build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False,
                    client_options={"api_endpoint": urljoin(_root(settings.api_root), CALENDAR_PATH)})
    calendar = GoogleCalendar(service, GoogleBatch(http, _root(settings.api_root)), window)
    people = build("people", "v1", http=people_http, static_discovery=True, cache_discovery=False,
                   client_options={"api_endpoint": people_root})
    tasks = build("tasks", "v1", http=tasks_http, static_discovery=True, cache_discovery=False,
                  client_options={"api_endpoint": tasks_root})
    folders: dict[FolderKind, Folder] = {
        FolderKind.CALENDAR: calendar, FolderKind.CONTACTS: GoogleContacts(people, contacts),
        FolderKind.TASKS: GoogleTasks(tasks, GoogleBatch(tasks_http, tasks_root, "batch", 50, "Tasks"), task_list)}
    if mail is not None:
        folders[FolderKind.MAIL] = _gmail(settings, mail_http, mail)
    return GoogleMailbox(folders, http, *[h for h in (people_http, mail_http, tasks_http) if h is not http])


def build_gmail_refs(settings: GoogleSettings, user: str, quota: GoogleQuota | None = None) -> GmailMessageRefs:
    """Message-ID look-ups in ``user``'s Gmail (the sidebar's message refs), guarded like the mailbox.

    Raises InvalidData for an unusable key or an endpoint the host guard refuses."""
    for url in (settings.api_root, settings.token_uri):
        check_https_endpoint(url, settings.host_policy, "Google")
    quota = quota or GoogleQuota()
    if settings.user_grant is not None:
        http = _guarded(settings, KeptCredentials(settings.user_grant, settings.token_uri), quota)
    else:
        http = _guarded(settings, _delegated(settings, _service_key(settings), GMAIL_SCOPES, user), quota)
    return GmailMessageRefs(_gmail_service(settings, http), http)


def _gmail_service(settings: GoogleSettings, http: GuardedGoogleHttp) -> Any:
    """Gmail v1 (rootUrl + ``gmail/v1/``, servicePath "") from the shipped discovery document."""
    return build("gmail", "v1", http=http, static_discovery=True, cache_discovery=False,
                 client_options={"api_endpoint": _root(settings.api_root)})


def _gmail(settings: GoogleSettings, http: GuardedGoogleHttp, options: GmailOptions) -> GmailMail:
    """Gmail saves, batched at the discovery batchPath in ≤ 50 parts."""
    return GmailMail(_gmail_service(settings, http), GoogleBatch(http, _root(settings.api_root), GMAIL_BATCH_PATH, 50, "Gmail"), options)


def people_api_root(settings: GoogleSettings) -> str:
    """Where the People API answers: the configured root, else Google's own host - or, for an API root
    that is not Google's (one emulator serving every API), that root."""
    if settings.people_root:
        return _root(settings.people_root)
    return PEOPLE_ROOT if _root(settings.api_root) == API_ROOT else _root(settings.api_root)


def tasks_api_root(settings: GoogleSettings) -> str:
    """Where the Tasks API answers, chosen as ``people_api_root`` chooses."""
    if settings.tasks_root:
        return _root(settings.tasks_root)
    return TASKS_ROOT if _root(settings.api_root) == API_ROOT else _root(settings.api_root)


def _guarded(settings: GoogleSettings, credentials: Any, quota: GoogleQuota) -> GuardedGoogleHttp:
    """A guarded HTTP layer (host guard, CA bundle, no redirects) signing with ``credentials``."""
    session = guarded_session(settings.host_policy, settings.ca_file or True)
    session.max_redirects = 0
    return GuardedGoogleHttp(session, credentials, settings.timeout, quota)


def _service_key(settings: GoogleSettings) -> dict[str, Any]:
    key = dict(settings.service_account)
    if key.get("type") != "service_account" or not key.get("client_email") or not key.get("private_key"):
        raise InvalidData("the Google Workspace server profile has no usable service-account key")
    return key


def _delegated(settings: GoogleSettings, key: dict[str, Any], scopes: str | tuple[str, ...],
               user: str) -> service_account.Credentials:
    """The service account acting as ``user`` with ``scopes`` alone (domain-wide delegation)."""
    wanted = [scopes] if isinstance(scopes, str) else list(scopes)
    try:
        return service_account.Credentials.from_service_account_info(
            {**key, "token_uri": settings.token_uri}, scopes=wanted, subject=user)
    except (ValueError, KeyError) as exc:
        raise InvalidData(f"the service-account key cannot be read: {exc}") from exc


def _root(url: str) -> str:
    return url if url.endswith("/") else url + "/"
