"""Private mail servers on loopback: Dovecot (IMAP) and Radicale (CalDAV/CardDAV).

The sandbox (`syncline up` without Salesforce credentials) runs them for a newcomer, and the
integration tests run them as real servers. Each class starts its server on a loopback port
and ``stop()`` ends exactly the PID it started.
"""
from sandbox.mailservers.dovecot import DovecotServer, ImapAccount, dovecot_unavailable_reason
from sandbox.mailservers.fault_proxy import DavFaultProxy
from sandbox.mailservers.process import ServerProcess, ServerUnavailable, free_port, reserve_port, reusable_port
from sandbox.mailservers.radicale import DavAccount, RadicaleServer, require_module

__all__ = [
    "DavAccount", "DavFaultProxy", "DovecotServer", "ImapAccount", "RadicaleServer", "ServerProcess", "ServerUnavailable",
    "dovecot_unavailable_reason", "free_port", "require_module", "reserve_port", "reusable_port",
]
