"""Sign-in for the sidebar: where the callback may send the browser back to, with the API token.

The token travels in the redirect's fragment, so `return_to` is checked against an allow-list
(the configured Chrome extensions' `https://<id>.chromiumapp.org/syncline` and the API's own
`/sidebar/` pages) and kept server-side with the OAuth state; the callback never reads it
from the request again.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlsplit

from app.config import Config
from app.runtime import Runtime
from app.state import keys

CHROME_REDIRECT_PATH = "/syncline"


def extension_ids(config: Config) -> set[str]:
    """Chrome extension ids from the configured `chrome-extension://<id>` origins."""
    return {o.split("://", 1)[1] for o in config.extension_origins if o.startswith("chrome-extension://")}


def allowed_return_to(config: Config, url: str) -> bool:
    """Exactly a configured extension's chromiumapp.org redirect, or a page under {public_url}/sidebar/."""
    try:
        parts, home = urlsplit(url), urlsplit(config.public_url)
    except ValueError:
        return False
    if parts.fragment or parts.username or parts.password or "\\" in url or any(ord(c) < 33 for c in url):
        return False
    chrome_ids = extension_ids(config)
    if parts.scheme == "https" and parts.hostname and parts.hostname.endswith(".chromiumapp.org"):
        return (parts.hostname[:-len(".chromiumapp.org")] in chrome_ids and parts.path == CHROME_REDIRECT_PATH
                and not parts.query and parts.port is None)
    same_origin = (parts.scheme, parts.netloc.lower()) == (home.scheme, home.netloc.lower())
    sidebar = home.path.rstrip("/") + "/sidebar/"
    return same_origin and parts.path.startswith(sidebar) and ".." not in parts.path


def remember(rt: Runtime, authorize_url: str, return_to: str) -> None:
    """Attach `return_to` to the sign-in's server-side state (same lifetime)."""
    state = parse_qs(urlsplit(authorize_url).query)["state"][0]
    key = keys.oauth_state(state)
    pending = json.loads(rt.redis.client.get(key))
    rt.redis.client.set(key, json.dumps({**pending, "return_to": return_to}), keepttl=True)


def recall(rt: Runtime, state: str) -> str | None:
    """The `return_to` stored for this state, if the sign-in started with one."""
    raw = rt.redis.client.get(keys.oauth_state(state))
    return json.loads(raw).get("return_to") if raw else None


def forget(rt: Runtime, state: str) -> None:
    """A refused sign-in ends here: its state cannot be used again."""
    rt.redis.client.delete(keys.oauth_state(state))


def with_token(return_to: str, token: str) -> str:
    return f"{return_to}#token={quote(token, safe='')}"


def with_error(return_to: str, code: str, description: str) -> str:
    return f"{return_to}#error={quote(code, safe='')}&error_description={quote(description, safe='')}"
