"""The host guard refuses every spelling of an internal address, and only what the operator allows passes."""
from __future__ import annotations

import ipaddress
import socket

import pytest

from app.providers.host_guard import (
    ForbiddenHost,
    HostPolicy,
    check_host,
    check_peer,
    check_port,
    check_url,
    forbidden_reason,
    resolve_checked,
)

STRICT = HostPolicy()

HOSTILE_HOSTS = [
    ("169.254.169.254", "cloud metadata"),
    ("100.100.100.200", "cloud metadata"),
    ("fd00:ec2::254", "cloud metadata"),
    ("[fd00:ec2::254]", "cloud metadata"),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("localhost", "loopback name"),
    ("LOCALHOST.", "loopback name"),
    ("db.localhost", "loopback name"),
    ("[::1]", "loopback"),
    ("::1", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback"),
    ("::ffff:169.254.169.254", "cloud metadata"),
    ("::ffff:10.0.0.1", "private"),
    ("::127.0.0.1", "reserved"),
    ("2002:7f00:1::", "loopback"),            # 6to4 wrapping 127.0.0.1
    ("2002:a00:1::", "private"),              # 6to4 wrapping 10.0.0.1
    ("64:ff9b::a9fe:a9fe", "reserved"),       # NAT64 wrapping 169.254.169.254
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("224.0.0.251", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "address"),
    ("255.255.255.255", "address"),
    ("0x7f000001", "not a canonical IP"),
    ("2130706433", "not a canonical IP"),
    ("0177.0.0.1", "not a canonical IP"),
    ("127.1", "not a canonical IP"),
    ("0x7f.0.0.1", "not a canonical IP"),
    ("017700000001", "not a canonical IP"),
    ("10.0.0.1.", "not a canonical IP"),
    ("mail.example.123", "not a canonical IP"),
    ("mail example.com", "not a valid host name"),
    ("mail..example.com", "not a valid host name"),
    ("-mail.example.com", "not a valid host name"),
    ("exämple.com", "not a valid host name"),
]


@pytest.mark.parametrize(("host", "why"), HOSTILE_HOSTS)
def test_every_hostile_host_form_is_refused_with_the_reason(host, why):
    with pytest.raises(ForbiddenHost, match=why):
        check_host(host, STRICT)


@pytest.mark.parametrize("host", ["imap.fastmail.com", "8.8.8.8", "2606:4700:4700::1111", "[2606:4700::1]",
                                  "Mail.Example.COM."])
def test_public_hosts_pass(host):
    check_host(host, STRICT)


@pytest.mark.parametrize(("entries", "host"), [
    (["127.0.0.1"], "127.0.0.1"),
    (["127.0.0.0/8"], "127.0.0.2"),
    (["10.0.0.0/8"], "[::ffff:10.1.1.1]"),
    (["::1"], "[::1]"),
    (["localhost"], "localhost"),
    (["mail.corp.internal"], "MAIL.corp.internal"),
])
def test_the_operator_allow_list_admits_what_it_names(entries, host):
    check_host(host, HostPolicy.from_entries(entries))


def test_an_allow_list_names_only_what_it_names():
    policy = HostPolicy.from_entries(["127.0.0.1", "mail.corp.internal"])
    for host in ("127.0.0.2", "localhost", "169.254.169.254", "0x7f000001"):
        with pytest.raises(ForbiddenHost):
            check_host(host, policy)


def test_a_bad_allow_list_entry_is_named():
    with pytest.raises(ValueError, match="'http://x'"):
        HostPolicy.from_entries(["http://x"])


@pytest.mark.parametrize(("url", "policy", "why"), [
    ("ftp://dav.example.com/", STRICT, "only http and https"),
    ("file:///etc/passwd", STRICT, "only http and https"),
    ("gopher://127.0.0.1:6379/_INFO", STRICT, "only http and https"),
    ("https://user:pw@dav.example.com/", STRICT, "credentials"),
    ("https:///nohost", STRICT, "no host"),
    ("http://169.254.169.254/latest/meta-data/", STRICT, "cloud metadata"),
    ("http://[::1]:6379/", STRICT, "loopback"),
    ("http://0x7f000001/", STRICT, "not a canonical IP"),
    ("http://2130706433:8080/", STRICT, "not a canonical IP"),
    ("https://dav.example.com:99999/", STRICT, "port"),
    ("https://dav.example.com:22/", STRICT, "port 22 is refused"),
    ("http://dav.example.com/", HostPolicy(require_https=True), "https is required"),
])
def test_hostile_urls_are_refused(url, policy, why):
    with pytest.raises(ForbiddenHost, match=why):
        check_url(url, policy)


def test_allow_listed_loopback_dav_over_http_passes_even_where_https_is_required():
    check_url("http://127.0.0.1:5232/", HostPolicy.from_entries(["127.0.0.1"], require_https=True))
    check_url("https://dav.example.com:8443/dav/", HostPolicy(require_https=True))


def test_system_ports_are_only_the_protocols_own():
    check_port(993, "imap", "imap.example.com", STRICT)
    check_port(1143, "imap", "imap.example.com", STRICT)
    for port in (0, 22, 25, 80, 65536):
        with pytest.raises(ForbiddenHost):
            check_port(port, "imap", "imap.example.com", STRICT)


class Resolver:
    """A DNS fake (an outside service): names to the addresses it answers, like getaddrinfo."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    def __call__(self, host, port, type=0):  # noqa: A002 — getaddrinfo's own keyword
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in self.answers[host]]


def test_a_name_resolving_to_any_forbidden_address_is_refused():
    dns = Resolver({"mail.attacker.test": ["93.184.215.14", "127.0.0.1"],
                    "meta.attacker.test": ["169.254.169.254"]})
    with pytest.raises(ForbiddenHost, match="resolves to a loopback address"):
        resolve_checked("mail.attacker.test", 993, STRICT, dns)
    with pytest.raises(ForbiddenHost, match="resolves to a cloud metadata address"):
        resolve_checked("meta.attacker.test", 443, STRICT, dns)


def test_a_public_name_resolves_to_its_checked_addresses():
    dns = Resolver({"mail.example.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    found = resolve_checked("mail.example.test", 993, STRICT, dns)
    assert found == {ipaddress.ip_address("93.184.215.14"),
                     ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c")}


def test_an_allow_listed_name_may_resolve_to_a_private_address():
    dns = Resolver({"mail.corp.internal": ["10.0.0.5"]})
    policy = HostPolicy.from_entries(["mail.corp.internal"])
    assert resolve_checked("mail.corp.internal", 993, policy, dns) == {ipaddress.ip_address("10.0.0.5")}


def test_the_connected_peer_must_be_a_checked_address():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as sock:
            with pytest.raises(ForbiddenHost, match="not checked"):
                check_peer(sock, frozenset({ipaddress.ip_address("93.184.215.14")}), "mail.example.test", STRICT)
            with pytest.raises(ForbiddenHost, match="loopback"):
                check_peer(sock, frozenset({ipaddress.ip_address("127.0.0.1")}), "mail.example.test", STRICT)
            check_peer(sock, frozenset({ipaddress.ip_address("127.0.0.1")}), "127.0.0.1",
                       HostPolicy.from_entries(["127.0.0.1"]))


def test_public_addresses_have_no_reason_to_be_refused():
    assert forbidden_reason(ipaddress.ip_address("93.184.215.14")) is None
    assert forbidden_reason(ipaddress.ip_address("::ffff:93.184.215.14")) is None
