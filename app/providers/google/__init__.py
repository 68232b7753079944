"""Google Workspace: domain-wide delegation or per-user OAuth through google-auth; Calendar v3, People v1
and Gmail v1 through google-api-python-client over the guarded transport."""
from app.providers.google.contact_groups import GroupScope
from app.providers.google.gmail import GmailOptions
from app.providers.google.mailbox import (
    API_ROOT,
    TOKEN_URI,
    GoogleMailbox,
    GoogleSettings,
    build_gmail_refs,
    build_google_mailbox,
)

__all__ = ["API_ROOT", "TOKEN_URI", "GmailOptions", "GoogleMailbox", "GroupScope", "GoogleSettings",
           "build_gmail_refs", "build_google_mailbox"]
