"""Re-export: Dovecot start/stop lives in product code (`app.sandbox.mailservers`)."""
from app.sandbox.mailservers.dovecot import DovecotServer, ImapAccount, dovecot_unavailable_reason

__all__ = ["DovecotServer", "ImapAccount", "dovecot_unavailable_reason"]
