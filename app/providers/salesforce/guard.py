"""Instance-URL guard (SSRF): only Salesforce's API instance hosts, plus hosts allowed by config.

Salesforce hands us `instance_url` and identity URLs in OAuth responses, and admins type one
into `syncline org create`; we never send a token to a host that is not provably one of
Salesforce's API hosts (or one an operator allowed on purpose). The host is parsed strictly
and must be the very host urllib3 (under requests) would connect to, so parser differentials
such as `https://127.0.0.1\\.salesforce.com` cannot smuggle another target past the check.
Customer-controlled Salesforce domains (Experience Cloud `*.my.site.com`, Visualforce and
Lightning `*.force.com`, Sites) are refused: they serve customer content, not the API.
"""
from __future__ import annotations

import re

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

_URL = re.compile(r"^https://(?P<host>[A-Za-z0-9.-]+?)\.?(?::(?P<port>[0-9]{1,5}))?(?P<rest>[/?#][^\\\s%@]*)?$",
                  re.ASCII)
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.ASCII)
_CLASSIC_INSTANCE = re.compile(r"^[a-z]{2,5}[0-9]{1,4}(?:-s)?$", re.ASCII)     # na1, cs42, eu5, usa77, gs0
# My Domain login hosts: `name.my.<suffix>` and the partitioned `name.<partition>.my.<suffix>`
# (Salesforce Help, "My Domain URL Formats" and "Partitioned Domains").
MY_DOMAIN_SUFFIXES = ("salesforce.com", "salesforce.mil", "sfcrmproducts.cn")   # commercial, Gov Defense, China
MY_DOMAIN_PARTITIONS = ("sandbox", "develop", "scratch", "demo", "patch", "trailblaze", "free")
GENERIC_LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")


class UntrustedInstanceUrl(ValueError):
    """A URL Syncline refuses to talk to with Salesforce credentials."""


def check_instance_url(url: str, allowed_hosts: tuple[str, ...] = ()) -> str:
    """Return the normalised origin `https://host[:port]` or raise UntrustedInstanceUrl."""
    host, port = _strict_host_port(url)
    netloc = f"{host}:{port}" if port else host
    if netloc in allowed_hosts or (port is None and host in allowed_hosts):
        return f"https://{netloc}"
    if port not in (None, 443):
        raise UntrustedInstanceUrl(f"port {port} is not allowed for {host}")
    if is_salesforce_api_host(host):
        return f"https://{host}"
    raise UntrustedInstanceUrl(f"{host} is not a Salesforce host: only API instance domains are trusted "
                               "(set SALESFORCE_ALLOWED_HOSTS to allow another on purpose)")


def is_salesforce_api_host(host: str) -> bool:
    """My Domain (incl. sandbox/develop/scratch… partitions), classic instances, login/test."""
    if host in GENERIC_LOGIN_HOSTS:
        return True
    labels = host.split(".")
    for suffix in MY_DOMAIN_SUFFIXES:
        tail = ["my", *suffix.split(".")]
        if labels[-len(tail):] != tail:
            continue
        head = labels[:-len(tail)]
        # `name--sandbox.cs42.my.salesforce.com`: sandboxes from before enhanced domains (Winter '24)
        return len(head) == 1 or (len(head) == 2 and (head[1] in MY_DOMAIN_PARTITIONS
                                                      or bool(_CLASSIC_INSTANCE.match(head[1]))))
    return len(labels) == 3 and labels[1:] == ["salesforce", "com"] and bool(_CLASSIC_INSTANCE.match(labels[0]))


def _strict_host_port(url: str) -> tuple[str, int | None]:
    """(lower-case DNS host, port) of an https URL with no userinfo, escapes, backslashes or IPs."""
    match = _URL.match(url) if isinstance(url, str) else None
    if match is None:
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise UntrustedInstanceUrl(f"Salesforce URLs must use https: {str(url)[:80]!r}")
        raise UntrustedInstanceUrl(f"not a plain https://host[:port] URL (no credentials, escapes or "
                                   f"backslashes): {url[:80]!r}")
    host = match.group("host").lower()
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise UntrustedInstanceUrl(f"{host!r} is not a DNS host name (IP addresses are refused)")
    port = int(match.group("port")) if match.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise UntrustedInstanceUrl(f"port {port} is out of range")
    _same_as_http_library(url, host, port)
    return host, port


def _same_as_http_library(url: str, host: str, port: int | None) -> None:
    """The host and port requests/urllib3 would connect to must be the ones we checked."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise UntrustedInstanceUrl(f"not a valid URL: {url[:80]!r}") from None
    if (parsed.host or "").lower().rstrip(".") != host or parsed.port != port or parsed.auth:
        raise UntrustedInstanceUrl(f"the HTTP library reads another host in {url[:80]!r}")
