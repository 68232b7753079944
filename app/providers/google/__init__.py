"""Google Workspace (calendar and contacts): domain-wide delegation through google-auth, Calendar v3 and People v1 through
google-api-python-client over the guarded transport."""
from app.providers.google.contact_groups import GroupScope
from app.providers.google.mailbox import API_ROOT, TOKEN_URI, GoogleMailbox, GoogleSettings, build_google_mailbox

__all__ = ["API_ROOT", "TOKEN_URI", "GoogleMailbox", "GroupScope", "GoogleSettings", "build_google_mailbox"]
