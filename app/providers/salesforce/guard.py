"""Instance-URL guard (SSRF): only Salesforce's own HTTPS hosts, plus hosts allowed by config.

Salesforce hands us `instance_url` and identity URLs in OAuth responses; we never send a
token to a host that is not provably Salesforce's (or one an operator allowed on purpose).
"""
from __future__ import annotations

from urllib.parse import urlsplit

SALESFORCE_DOMAINS = (
    "salesforce.com", "force.com", "my.salesforce.com", "salesforce-setup.com",
    "cloudforce.com", "database.com", "visualforce.com", "my.site.com", "salesforce.mil",
    "crmforce.mil", "sfcrmproducts.cn",
)


class UntrustedInstanceUrl(ValueError):
    """A URL Syncline refuses to talk to with Salesforce credentials."""


def check_instance_url(url: str, allowed_hosts: tuple[str, ...] = ()) -> str:
    """Return the normalised origin `https://host[:port]` or raise UntrustedInstanceUrl."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UntrustedInstanceUrl(f"not a valid URL: {url!r}") from None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https":
        raise UntrustedInstanceUrl(f"Salesforce URLs must use https, got {parts.scheme or 'none'!r}")
    if parts.username or parts.password or not host:
        raise UntrustedInstanceUrl("Salesforce URLs must not carry credentials and must name a host")
    netloc = f"{host}:{port}" if port else host
    if netloc in allowed_hosts or (port is None and host in allowed_hosts):
        return f"https://{netloc}"
    if port not in (None, 443):
        raise UntrustedInstanceUrl(f"port {port} is not allowed for {host}")
    if any(host == d or host.endswith("." + d) for d in SALESFORCE_DOMAINS):
        return f"https://{host}"
    raise UntrustedInstanceUrl(f"{host} is not a Salesforce host (set SALESFORCE_ALLOWED_HOSTS to allow it)")
