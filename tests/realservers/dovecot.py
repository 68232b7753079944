"""Re-export: Dovecot start/stop lives in product code (`sandbox.mailservers`)."""
from sandbox.mailservers.dovecot import DovecotServer, ImapAccount, dovecot_unavailable_reason

__all__ = ["DovecotServer", "ImapAccount", "dovecot_unavailable_reason"]
