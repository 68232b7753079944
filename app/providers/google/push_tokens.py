"""Is a Pub/Sub push really from Google? Its ``Authorization: Bearer`` OIDC token is checked
("Authentication for push subscriptions", Pub/Sub docs): RS256-signed by a key Google publishes
(``SYNCLINE_GOOGLE_CERTS_URL``, default https://www.googleapis.com/oauth2/v1/certs), the expected
``aud``, ``iss`` accounts.google.com, unexpired, and ``email`` the push subscription's service
account (``email_verified``). google-auth's ``jwt.decode`` checks signature, times and audience.

The published keys are cached per process for the answer's ``Cache-Control: max-age`` (an hour by
default) and fetched again early only for an unknown key id, at most once a minute: a flood of
forged tokens never turns into a flood of fetches.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from google.auth import jwt

from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import HostPolicy
from app.sync.errors import TemporaryFailure

ISSUERS = ("accounts.google.com", "https://accounts.google.com")
DEFAULT_MAX_AGE, REFETCH_GAP = 3600.0, 60.0
_MAX_AGE = re.compile(r"max-age=(\d+)")


class PushRefused(Exception):
    """The push's token is missing, forged, expired, or for another audience or sender."""


@dataclass(frozen=True)
class CertSource:
    url: str
    host_policy: HostPolicy
    ca_file: str | None = None
    timeout: float = 10.0


class _CertCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._certs: dict[str, tuple[float, float, dict[str, str]]] = {}   # url → (fresh until, fetched at, certs)
        self.fetches = 0

    def certs(self, source: CertSource, key_id: str | None) -> dict[str, str]:
        with self._lock:
            now = time.monotonic()
            fresh_until, fetched_at, certs = self._certs.get(source.url, (0.0, 0.0, {}))
            unknown_key = key_id is not None and key_id not in certs and now - fetched_at > REFETCH_GAP
            if now < fresh_until and not unknown_key:
                return certs
            certs, max_age = _fetch(source)
            self.fetches += 1
            self._certs[source.url] = (now + max_age, now, certs)
            return certs

    def clear(self) -> None:
        """Forget every key and the fetch count (tests; an operator who rotated a stand-in's keys)."""
        with self._lock:
            self._certs.clear()
            self.fetches = 0


CERTS = _CertCache()


def verified_sender(authorization: str, source: CertSource, audience: str, sender: str | None) -> Mapping[str, Any]:
    """The token's claims when it is Google's, for ``audience``, from ``sender`` (None: any sender); else PushRefused.
    TemporaryFailure when the keys cannot be fetched (Pub/Sub retries the push)."""
    token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else ""
    if not token:
        raise PushRefused("no bearer token: the push subscription must send an OIDC token")
    try:
        key_id = jwt.decode_header(token).get("kid")
        claims = jwt.decode(token, certs=CERTS.certs(source, key_id), audience=audience)
    except (ValueError, auth_exceptions.GoogleAuthError) as exc:
        raise PushRefused(f"the push token is not valid: {exc}") from exc
    if claims.get("iss") not in ISSUERS:
        raise PushRefused(f"the push token's issuer {claims.get('iss')!r} is not Google")
    if sender is not None and not sender:
        raise PushRefused("the profile names no push service account (endpoints.gmail_push_service_account)")
    if sender is not None and (str(claims.get("email") or "").lower() != sender.lower() or not claims.get("email_verified")):
        raise PushRefused(f"the push token was issued to {claims.get('email')!r}, not the profile's push "
                          "service account")
    return claims


def _fetch(source: CertSource) -> tuple[dict[str, str], float]:
    session = guarded_session(source.host_policy, source.ca_file or True)
    try:
        answer = session.get(source.url, timeout=source.timeout, allow_redirects=False)
        body = answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError) as exc:
        raise TemporaryFailure(f"Google's signing keys could not be fetched ({type(exc).__name__})") from exc
    finally:
        session.close()
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise TemporaryFailure(f"Google's signing keys could not be read (HTTP {answer.status_code})")
    found = _MAX_AGE.search(answer.headers.get("Cache-Control", ""))
    return dict(body), float(found.group(1)) if found else DEFAULT_MAX_AGE
