"""One Google fake per module, a service account, a user per test and a client holding a token."""
from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Iterator

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from sandbox.google import GoogleFake

_users = itertools.count(1)
AUDIENCE = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/calendar.events"


@pytest.fixture(scope="module")
def fake() -> Iterator[GoogleFake]:
    google = GoogleFake().start()
    yield google
    google.stop()


@pytest.fixture(scope="module")
def key(fake: GoogleFake) -> dict:
    return fake.store.register_service_account()


@pytest.fixture
def user(fake: GoogleFake) -> str:
    return fake.store.add_user(f"user{next(_users)}@example.test")


def assertion(key: dict, **claims) -> str:
    """An RS256 JWT as a service account signs it (written out by hand, independent of google-auth)."""
    now = int(time.time())
    body = {"iss": key["client_email"], "scope": SCOPE, "aud": AUDIENCE, "iat": now, "exp": now + 3600, **claims}
    head = {"alg": "RS256", "typ": "JWT", "kid": key["private_key_id"]}
    signing = ".".join(_b64(json.dumps(part).encode()) for part in (head, body))
    private = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    signature = private.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return signing + "." + _b64(signature)


def token_answer(fake: GoogleFake, jwt: str) -> requests.Response:
    return requests.post(fake.token_uri, verify=fake.ca_path, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt})


@pytest.fixture
def http(fake: GoogleFake, key: dict, user: str) -> requests.Session:
    answer = token_answer(fake, assertion(key, sub=user))
    assert answer.status_code == 200, answer.text
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
    return session


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
