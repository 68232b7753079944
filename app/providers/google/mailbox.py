"""Google Workspace behind the core's ``MailboxPort`` (calendar and mail), server-side through
domain-wide delegation: the org's service account acts as each user (``subject``) with the Calendar scope.

Endpoints are the admin's (API root, token URI) plus the operator's CA bundle; both pass the host
guard before any key is used, and every connection is guarded again at connect time
(transport.py). The client is google-api-python-client built from the discovery document the
package ships (no network discovery). Mail (gmail.py) is added when the session asks for it. Tasks and contacts raise FolderUnavailable ("not yet
supported on Google Workspace") so a session syncs the calendar alone.
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
from app.providers.google.gmail import GMAIL_SCOPES, GmailMail, GmailOptions
from app.providers.google.transport import GuardedGoogleHttp
from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import HostPolicy
from app.providers.vendor_edge import check_https_endpoint
from app.sync.errors import InvalidData
from app.sync.items import FolderKind

API_ROOT = "https://www.googleapis.com/"            # the discovery document's rootUrl
TOKEN_URI = "https://oauth2.googleapis.com/token"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_PATH = "calendar/v3/"                       # the discovery document's servicePath
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


class GoogleMailbox(FolderMailbox):
    """One user's Google Workspace account."""

    service = "Google Workspace"

    def __init__(self, folders: Mapping[FolderKind, Folder], http: GuardedGoogleHttp) -> None:
        super().__init__(folders)
        self.http = http

    def close(self) -> None:
        self.http.close()


def build_google_mailbox(settings: GoogleSettings, user: str, window: tuple[datetime, datetime],
                         mail: GmailOptions | None = None) -> GoogleMailbox:
    """A MailboxPort acting as ``user`` (their primary email); nothing connects until first use. With
    ``mail``, Gmail gets its own token with only the Gmail scopes (a missing grant fails mail alone).

    Raises InvalidData for a missing or unusable service-account key or an endpoint that is not
    https or that the host guard refuses."""
    for url in (settings.api_root, settings.token_uri):
        check_https_endpoint(url, settings.host_policy, "Google")
    key = dict(settings.service_account)
    if key.get("type") != "service_account" or not key.get("client_email") or not key.get("private_key"):
        raise InvalidData("the Google Workspace server profile has no usable service-account key")
    try:
        credentials = service_account.Credentials.from_service_account_info(
            {**key, "token_uri": settings.token_uri}, scopes=[CALENDAR_SCOPE], subject=user)
    except (ValueError, KeyError) as exc:
        raise InvalidData(f"the service-account key cannot be read: {exc}") from exc
    session = guarded_session(settings.host_policy, settings.ca_file or True)
    session.max_redirects = 0
    http = GuardedGoogleHttp(session, credentials, settings.timeout)
    service = build("calendar", "v3", http=http, static_discovery=True, cache_discovery=False,
                    client_options={"api_endpoint": urljoin(_root(settings.api_root), CALENDAR_PATH)})
    calendar = GoogleCalendar(service, GoogleBatch(http, _root(settings.api_root)), window)
    folders: dict[FolderKind, Folder] = {FolderKind.CALENDAR: calendar}
    if mail is not None:
        folders[FolderKind.MAIL] = _gmail(settings, GuardedGoogleHttp(session, credentials.with_scopes(
            list(GMAIL_SCOPES)), settings.timeout), mail)
    return GoogleMailbox(folders, http)


def _gmail(settings: GoogleSettings, http: GuardedGoogleHttp, options: GmailOptions) -> GmailMail:
    """Gmail v1 (rootUrl + ``gmail/v1/``, servicePath ""), batches at the discovery batchPath of ≤ 50 parts."""
    service = build("gmail", "v1", http=http, static_discovery=True, cache_discovery=False,
                    client_options={"api_endpoint": _root(settings.api_root)})
    return GmailMail(service, GoogleBatch(http, _root(settings.api_root), GMAIL_BATCH_PATH, 50, "Gmail"), options)


def _root(url: str) -> str:
    return url if url.endswith("/") else url + "/"
