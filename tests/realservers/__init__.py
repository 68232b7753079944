"""Real servers for integration and end-to-end tests: Dovecot (IMAP), Radicale, Xandikos and
Cyrus (DAV; Cyrus implements RFC 6638 scheduling and captures the iMIP it would send).

Dovecot and Radicale live in product code (`sandbox.mailservers`, which the sandbox runs);
these modules re-export them so tests keep one import path.

Import from here in any conftest; each class starts its server on a free loopback port in
its own temp folder, and ``stop()`` ends exactly the PID it started.
"""
from tests.realservers.cyrus import CyrusAccount, CyrusServer
from tests.realservers.dav import DavAccount, RadicaleServer, XandikosServer
from tests.realservers.dovecot import DovecotServer, ImapAccount, dovecot_unavailable_reason
from tests.realservers.process import ServerProcess, ServerUnavailable, free_port

__all__ = [
    "CyrusAccount", "CyrusServer", "DavAccount", "DovecotServer", "ImapAccount", "RadicaleServer", "ServerProcess",
    "ServerUnavailable", "XandikosServer", "dovecot_unavailable_reason", "free_port",
]
