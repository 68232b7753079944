"""Which host a typed-in website is on: the one rule for "this Account's website is on that domain"."""
from __future__ import annotations

from urllib.parse import urlsplit


def website_host(website: str | None) -> str:
    """`https://www.Globex.example/about` → `globex.example` (scheme optional, `www.` dropped)."""
    raw = (website or "").strip().lower()
    try:
        host = (urlsplit(raw if "//" in raw else "//" + raw).hostname or "").rstrip(".")
    except ValueError:            # an unparsable port or bracket: not a website we can match
        return ""
    return host[4:] if host.startswith("www.") else host


def website_matches(website: str | None, domain: str) -> bool:
    """`https://www.globex.example/` is on `globex.example` (a LIKE hit on `notglobex.example` is not)."""
    host = website_host(website)
    return bool(host) and (host == domain or host.endswith("." + domain))
