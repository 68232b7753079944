"""Mailbox hosts can never be turned against our own network (SSRF).

A server profile names hosts the worker connects to with a user's password. This module says
which hosts and addresses are refused (loopback, private, link-local, CGNAT, metadata,
multicast, reserved, non-canonical IP spellings) unless the operator's allow-list names them.
It is checked at registration (the literal host) and at connect time (every resolved address,
then the peer actually connected). Standard library only, so any adapter can use it.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]

METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254",
                                                                  "100.100.100.200"))
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Below 1024 only a protocol's own well-known ports: nobody runs IMAP on 22 or CalDAV on 25.
STANDARD_PORTS = {"imap": frozenset({143, 993}), "http": frozenset({80, 443})}
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

_RULES: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("a cloud metadata address", lambda a: a in METADATA_ADDRESSES),
    ("a loopback address", lambda a: a.is_loopback),
    ("an unspecified address", lambda a: a.is_unspecified),
    ("a link-local address", lambda a: a.is_link_local),
    ("a multicast address", lambda a: a.is_multicast),
    ("a shared (CGNAT) address", lambda a: a in CGNAT),
    ("a private address", lambda a: a.is_private),
    ("a reserved address", lambda a: a.is_reserved or not a.is_global),
)


class ForbiddenHost(ValueError):
    """A mailbox host, URL or address the policy refuses; the message says why and is safe to show."""


@dataclass(frozen=True)
class HostPolicy:
    """The operator's allow-list (names, addresses, CIDRs) and whether DAV must use https."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    require_https: bool = False

    @classmethod
    def from_entries(cls, entries: Iterable[str], require_https: bool = False) -> HostPolicy:
        """Parse ``SYNCLINE_ALLOWED_MAIL_HOSTS`` entries; raises ValueError naming a bad one."""
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().strip("[]").rstrip(".").lower()
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not _is_dns_name(entry):
                    raise ValueError(f"{raw!r} is neither a host name, an IP address nor a CIDR") from None
                names.add(entry)
        return cls(frozenset(names), tuple(networks), require_https)

    def allows_name(self, name: str) -> bool:
        return name in self.names

    def allows_address(self, address: IPAddress) -> bool:
        plain = _unmapped(address)
        return any(plain.version == net.version and plain in net for net in self.networks)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why an address may not be a mailbox host (None: a public unicast address)."""
    plain = _unmapped(address)
    for candidate in (plain, _embedded_ipv4(plain)):
        if candidate is None:
            continue
        for reason, matches in _RULES:
            if matches(candidate):
                return reason
    return None


def check_host(host: str, policy: HostPolicy) -> str | IPAddress:
    """The host as a canonical IP address or lower-case DNS name; raises ForbiddenHost if refused."""
    text = host.strip()
    literal = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        return _check_name(literal.rstrip(".").lower(), host, policy)
    reason = None if policy.allows_address(address) else forbidden_reason(address)
    if reason:
        raise ForbiddenHost(f"{host} is {reason}, which mailbox hosts may not use")
    return address


def check_port(port: int, service: str, host: str, policy: HostPolicy) -> None:
    """Ports 1–65535; below 1024 only the protocol's standard ports unless the host is allow-listed."""
    if not 1 <= port <= 65535:
        raise ForbiddenHost(f"port {port} is not between 1 and 65535")
    standard = STANDARD_PORTS.get(service, frozenset())
    if port < 1024 and port not in standard and not _allow_listed(host, policy):
        allowed = ", ".join(str(p) for p in sorted(standard)) or "none"
        raise ForbiddenHost(f"port {port} is refused: below 1024 only {service}'s standard ports ({allowed}) "
                            "are allowed")


def check_url(url: str, policy: HostPolicy) -> None:
    """A DAV (or other HTTP) endpoint: http(s) only, https when required, no credentials, a safe host and port."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ForbiddenHost("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise ForbiddenHost("the URL must not contain credentials")
    if not parts.hostname:
        raise ForbiddenHost("the URL has no host")
    host = parts.hostname
    check_host(host, policy)
    if parts.scheme == "http" and policy.require_https and not _allow_listed(host, policy):
        raise ForbiddenHost("https is required (plain http only for allow-listed hosts)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ForbiddenHost("the URL's port is not between 1 and 65535") from None
    check_port(port, "http", host, policy)


def resolve_checked(host: str, port: int, policy: HostPolicy,
                    resolver: Resolver | None = None) -> frozenset[IPAddress]:
    """Every address ``host`` resolves to, refusing if any is forbidden (raises OSError if none)."""
    resolver = resolver or socket.getaddrinfo  # looked up per call, like the connection's own lookup
    checked = check_host(host, policy)
    if not isinstance(checked, str):
        return frozenset({_unmapped(checked)})
    found = frozenset(_unmapped(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
                      for info in resolver(checked, port, type=socket.SOCK_STREAM))
    if not found:
        raise OSError(f"{host} has no address")
    if policy.allows_name(checked):
        return found
    for address in sorted(found, key=str):
        reason = None if policy.allows_address(address) else forbidden_reason(address)
        if reason:
            raise ForbiddenHost(f"{host} resolves to {reason}, which mailbox hosts may not use")
    return found


def check_peer(sock: socket.socket, checked: frozenset[IPAddress], host: str, policy: HostPolicy) -> None:
    """The address actually connected must be one that was checked (a DNS rebind is refused)."""
    peer = _unmapped(ipaddress.ip_address(str(sock.getpeername()[0]).split("%", 1)[0]))
    if peer not in checked:
        raise ForbiddenHost(f"{host} answered from an address that was not checked")
    reason = None if policy.allows_address(peer) or _allow_listed(host, policy) else forbidden_reason(peer)
    if reason:
        raise ForbiddenHost(f"{host} answered from {reason}, which mailbox hosts may not use")


def _check_name(name: str, original: str, policy: HostPolicy) -> str:
    labels = name.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):  # 127.1, 0x7f000001, 2130706433, 0177.0.0.1 …
        raise ForbiddenHost(f"{original} is not a canonical IP address (write it as a.b.c.d)")
    if not _is_dns_name(name):
        raise ForbiddenHost(f"{original} is not a valid host name")
    if policy.allows_name(name):
        return name
    if name == "localhost" or name.endswith(".localhost"):
        raise ForbiddenHost(f"{original} is a loopback name, which mailbox hosts may not use")
    return name


def _is_dns_name(name: str) -> bool:
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def _allow_listed(host: str, policy: HostPolicy) -> bool:
    literal = host.strip().strip("[]").rstrip(".").lower()
    try:
        return policy.allows_address(ipaddress.ip_address(literal))
    except ValueError:
        return policy.allows_name(literal)


def _unmapped(address: IPAddress) -> IPAddress:
    """``::ffff:a.b.c.d`` is the IPv4 address a.b.c.d."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside a 6to4, NAT64 or IPv4-compatible IPv6 address, judged on its own too."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or int(address) >> 32 == 0:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
