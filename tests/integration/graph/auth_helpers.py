"""Test-side helpers for Graph sign-in: a throwaway certificate and the browser's trip to /authorize."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def self_signed() -> tuple[str, str]:
    """(private key PEM, certificate PEM) as an admin would make for an app registration."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "syncline-app")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def browser_visit(authorize_url: str, ca_path: str) -> dict[str, str]:
    """Open the authorize URL as the signed-in browser does; the fields Microsoft sends back to the app
    (the auto-submitted form of ``response_mode=form_post``, else the redirect's query)."""
    session = requests.Session()
    session.trust_env, session.verify = False, ca_path
    answer = session.get(authorize_url, allow_redirects=False)
    if answer.status_code == 302:
        return dict(parse_qsl(urlsplit(answer.headers["Location"]).query))
    assert answer.status_code == 200 and 'method="POST"' in answer.text, answer.text
    return {html.unescape(k): html.unescape(v) for k, v in _HIDDEN.findall(answer.text)}


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)"/>')
