"""At connect time the IMAP and DAV adapters reach only checked hosts, and every failure to
reach one reads the same, so the product cannot be used to map our network or its ports.

The TCP servers here are real sockets on loopback; only DNS (an outside service) is faked,
by answering ``socket.getaddrinfo`` for made-up names.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from app.providers.host_guard import ForbiddenHost, HostPolicy
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.webdav import DavSession
from app.sync.errors import InvalidData, SyncError
from app.sync.items import FolderKind
from tests.realservers import free_port
from tests.realservers.fixtures import LOOPBACK_POLICY
from tests.realservers.recording import HTTP_404, SSH_BANNER, RecordingServer

REAL_GETADDRINFO = socket.getaddrinfo
PUBLIC = "93.184.215.14"


@pytest.fixture
def servers() -> Iterator[list[RecordingServer]]:
    started: list[RecordingServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def fake_dns(monkeypatch):
    """``answers[name]`` is a list of address lists, one per lookup (the last one repeats)."""
    answers: dict[str, list[list[str]]] = {}

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        if host not in answers:
            return REAL_GETADDRINFO(host, port, family, type, proto, flags)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _imap(host: str, port: int, policy: HostPolicy = HostPolicy(), timeout: float = 5.0):
    return build_mailbox({"imap_host": host, "imap_port": port, "imap_tls": False}, "ann", "hunter2-secret",
                         MailboxOptions(allow_plaintext=True, host_policy=policy, timeout=timeout))


def _dav(url: str, policy: HostPolicy = HostPolicy(), timeout: float = 5.0):
    return build_mailbox({"caldav_url": url}, "ann", "hunter2-secret",
                         MailboxOptions(allow_plaintext=True, host_policy=policy, timeout=timeout))


def _failure(mailbox, kind: FolderKind) -> SyncError:
    try:
        with pytest.raises(SyncError) as caught:
            mailbox.changes_since(kind, None)
        return caught.value
    finally:
        mailbox.close()


@pytest.mark.parametrize("kind", [FolderKind.MAIL, FolderKind.CALENDAR])
def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(kind, servers, fake_dns):
    server = RecordingServer(greeting=b"* OK IMAP4rev1 ready\r\n" if kind is FolderKind.MAIL else b"")
    servers.append(server)
    fake_dns["mail.attacker.test"] = [["127.0.0.1"]]
    mailbox = (_imap("mail.attacker.test", server.port) if kind is FolderKind.MAIL
               else _dav(f"http://mail.attacker.test:{server.port}/dav/"))
    error = _failure(mailbox, kind)
    assert isinstance(error, InvalidData)
    assert str(error) == ("could not connect to mail.attacker.test: mail.attacker.test resolves to a loopback "
                          "address, which mailbox hosts may not use")
    assert server.connections == 0


def test_imap_refuses_a_dns_rebind_before_sending_the_password(servers, fake_dns):
    server = RecordingServer(greeting=b"* OK IMAP4rev1 ready\r\n", imap=True)
    servers.append(server)
    fake_dns["mail.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]  # checked answer, then the connection's answer
    error = _failure(_imap("mail.rebind.test", server.port), FolderKind.MAIL)
    assert "answered from an address that was not checked" in str(error)
    assert server.connections == 1 and b"CAPABILITY" in server.received  # it did connect to the rebound host…
    assert b"LOGIN" not in server.received and b"hunter2-secret" not in server.received  # …but sent no password


def test_dav_refuses_a_dns_rebind_before_sending_anything(servers, fake_dns):
    server = RecordingServer(reply=HTTP_404)
    servers.append(server)
    fake_dns["dav.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    error = _failure(_dav(f"http://dav.rebind.test:{server.port}/"), FolderKind.CALENDAR)
    assert "answered from an address that was not checked" in str(error)
    assert server.received == b""


def test_every_redirect_hop_is_guarded(servers):
    target = RecordingServer(host="127.0.0.2", reply=HTTP_404)  # loopback too, but not allow-listed
    redirector = RecordingServer(reply=(f"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.2:{target.port}/dav/\r\n"
                                        "Content-Length: 0\r\n\r\n").encode())
    servers.extend([target, redirector])
    dav = DavSession(f"http://127.0.0.1:{redirector.port}/", "ann", "hunter2-secret", RequestCounter(),
                     host_policy=LOOPBACK_POLICY)
    with pytest.raises(ForbiddenHost, match="127.0.0.2 is a loopback address"):
        dav.http.get(dav.url("/"), allow_redirects=True, timeout=5)
    error = _failure(_dav(f"http://127.0.0.1:{redirector.port}/", LOOPBACK_POLICY), FolderKind.CALENDAR)
    assert str(error) == "could not connect to 127.0.0.1"
    assert target.connections == 0 and redirector.connections == 2


def _answering(kind: FolderKind, servers: list[RecordingServer]) -> dict[str, int]:
    """Ports that answer in some other protocol, stay silent, or are closed."""
    ssh = RecordingServer(greeting=SSH_BANNER)
    web = RecordingServer(reply=HTTP_404, wait_for_request=kind is not FolderKind.MAIL)
    silent = RecordingServer()
    servers.extend([ssh, web, silent])
    return {"closed": free_port(), "ssh": ssh.port, "web": web.port, "silent": silent.port}


@pytest.mark.parametrize("kind", [FolderKind.MAIL, FolderKind.CALENDAR])
def test_connection_errors_never_tell_an_open_port_from_a_closed_one(kind, servers):
    texts = {}
    for what, port in _answering(kind, servers).items():
        mailbox = (_imap("127.0.0.1", port, LOOPBACK_POLICY, timeout=1) if kind is FolderKind.MAIL
                   else _dav(f"http://127.0.0.1:{port}/", LOOPBACK_POLICY, timeout=1))
        error = _failure(mailbox, kind)
        texts[what] = f"{type(error).__name__}: {error}"
    assert set(texts.values()) == {"TemporaryFailure: could not connect to 127.0.0.1"}, texts
