"""The sidebar's Gmail message ref → the RFC 822 Message-ID, through the user's own Google mailbox.

In Gmail the sidebar only knows Gmail's message id (extension/API.md); the sync engine knows mail
by its Message-ID. Resolving the ref before a save (or an "already saved?" check) makes a sidebar
save and an engine save of the same message one SavedEmail and one Salesforce record, in either
order (a message without a Message-ID gets the same stand-in either way). A user without a
Google mailbox keeps the ref as key.
"""
from __future__ import annotations

from app.models import Mailbox, User
from app.providers.google import build_gmail_refs
from app.runtime import Runtime
from app.services.google_accounts import session_settings
from app.services.google_quota import google_quota
from app.sync.errors import SyncError


def google_mailbox_of(user: User) -> Mailbox | None:
    """The user's mailbox when it is a Google Workspace one (whatever its status)."""
    mailbox = user.mailbox
    if mailbox is None or mailbox.server_profile is None or mailbox.server_profile.kind != "gmail":
        return None
    return mailbox


def with_message_id(rt: Runtime, user: User, item: dict) -> dict:
    """``item`` with ``message_id`` filled from Gmail when only a ``message_ref`` came.

    Raises the core's errors (NotFound: Gmail has no such message for this user; AuthFailure,
    TemporaryFailure, …) so the save is refused rather than keyed twice."""
    if item.get("message_id") or not item.get("message_ref"):
        return item
    mailbox = google_mailbox_of(user)
    if mailbox is None:
        return item
    settings, user_name = session_settings(rt, mailbox), mailbox.username or mailbox.address
    refs = build_gmail_refs(settings, user_name, google_quota(rt, settings, user_name))
    try:
        found = refs.message_id(item["message_ref"])
    finally:
        refs.close()
    return {**item, "message_id": found} if found else item


def with_message_id_if_known(rt: Runtime, user: User, item: dict) -> dict:
    """The same for a read-only check ("already saved?"): any failure leaves the item as it came."""
    try:
        return with_message_id(rt, user, item)
    except SyncError:
        return item
