"""Standards-based mailbox provider: IMAP (mail), CalDAV (calendar, tasks), CardDAV (contacts)."""
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.mailbox import ImapDavMailbox, MailboxOptions, build_mailbox

__all__ = ["ImapDavMailbox", "MailboxOptions", "RequestCounter", "build_mailbox"]
