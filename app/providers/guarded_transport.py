"""An HTTP transport for any adapter (DAV, Graph): every connection, redirects included, goes to checked hosts.

``requests`` resolves and connects inside urllib3, so the guard sits at the connection: each
new socket's host is resolved and checked first, then the peer actually connected must be one
of the checked addresses (a DNS answer that changes in between is refused).
"""
from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection

from app.providers.host_guard import HostPolicy, check_peer, resolve_checked


class _PeerChecked:
    """Mixin for urllib3 connections: resolve-and-check, connect, then check the peer."""

    host: str
    port: int
    _dns_host: str

    def __init__(self, *args: Any, host_policy: HostPolicy, **kwargs: Any) -> None:
        self.host_policy = host_policy
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> Any:
        checked = resolve_checked(self._dns_host, self.port, self.host_policy)
        sock = super()._new_conn()  # type: ignore[misc]
        try:
            check_peer(sock, checked, self.host, self.host_policy)
        except BaseException:
            sock.close()
            raise
        return sock


class GuardedHTTPConnection(_PeerChecked, HTTPConnection):
    pass


class GuardedHTTPSConnection(_PeerChecked, HTTPSConnection):
    pass


class _GuardedPoolManager(PoolManager):
    def __init__(self, host_policy: HostPolicy, **kwargs: Any) -> None:
        self.host_policy = host_policy
        super().__init__(**kwargs)

    def _new_pool(self, scheme: str, host: str, port: int,
                  request_context: dict[str, Any] | None = None) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.ConnectionCls = GuardedHTTPSConnection if scheme == "https" else GuardedHTTPConnection
        pool.conn_kw["host_policy"] = self.host_policy
        return pool


class GuardedAdapter(HTTPAdapter):
    """Mount on a ``requests.Session`` for http:// and https://; no proxies (the session ignores the environment)."""

    def __init__(self, host_policy: HostPolicy) -> None:
        self.host_policy = host_policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        self.poolmanager = _GuardedPoolManager(self.host_policy, num_pools=connections, maxsize=maxsize,
                                               block=block, **pool_kwargs)


def guarded_session(host_policy: HostPolicy, verify: bool | str = True) -> requests.Session:
    """A ``requests.Session`` with the guard on http:// and https:// and nothing (proxies, CA bundle) from the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    adapter = GuardedAdapter(host_policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
