"""Pub/Sub push tokens: the fake signs them as Google does and serves its certificates; the product's
check (app/providers/google/push_tokens.py) accepts only Google's, for our audience and sender,
unexpired, and fetches the keys once however many pushes arrive."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from app.providers.google.push_tokens import CERTS, CertSource, PushRefused, verified_sender
from app.providers.host_guard import HostPolicy
from sandbox.google.push import Signer

AUDIENCE, SENDER = "https://syncline.test/api/v1/google/gmail-notifications", "push@project.iam.gserviceaccount.com"


@pytest.fixture
def source(fake) -> Iterator[CertSource]:
    CERTS.clear()
    yield CertSource(fake.certs_url, HostPolicy.from_entries(["127.0.0.1"]), fake.ca_path)
    CERTS.clear()


def _bearer(fake, **claims) -> str:
    return "Bearer " + fake.store.push.signer.token(claims.pop("aud", AUDIENCE), claims.pop("email", SENDER), **claims)


def test_a_token_google_signed_for_us_is_accepted_with_one_key_fetch(fake, source):
    for _ in range(3):
        claims = verified_sender(_bearer(fake), source, AUDIENCE, SENDER)
        assert claims["email"] == SENDER and claims["iss"] == "https://accounts.google.com"
    assert CERTS.fetches == 1


@pytest.mark.parametrize("bearer, why", [
    ("", "no bearer token"),
    ("Bearer not.a.jwt", "not valid"),
])
def test_a_missing_or_garbled_token_is_refused(fake, source, bearer, why):
    with pytest.raises(PushRefused, match=why):
        verified_sender(bearer, source, AUDIENCE, SENDER)


def test_expired_foreign_issuer_and_unverified_sender_are_refused(fake, source):
    with pytest.raises(PushRefused, match="not valid"):
        verified_sender(_bearer(fake, exp=1, iat=0), source, AUDIENCE, SENDER)
    with pytest.raises(PushRefused, match="issuer"):
        verified_sender(_bearer(fake, iss="https://evil.test"), source, AUDIENCE, SENDER)
    with pytest.raises(PushRefused, match="not the profile's push service account"):
        verified_sender(_bearer(fake, email_verified=False), source, AUDIENCE, SENDER)
    with pytest.raises(PushRefused, match="names no push service account"):
        verified_sender(_bearer(fake), source, AUDIENCE, "")


def test_an_unknown_key_id_refetches_at_most_once_a_minute(fake, source):
    verified_sender(_bearer(fake), source, AUDIENCE, SENDER)
    stranger = Signer()
    for _ in range(5):
        with pytest.raises(PushRefused, match="not valid"):
            verified_sender("Bearer " + stranger.token(AUDIENCE, SENDER), source, AUDIENCE, SENDER)
    assert CERTS.fetches == 1      # fetched within the last minute: forged key ids cost no fetch


def test_the_certs_endpoint_serves_pem_certificates_by_key_id_with_a_max_age(fake):
    answer = requests.get(fake.certs_url, verify=fake.ca_path, timeout=10)
    assert answer.status_code == 200 and "max-age=" in answer.headers["Cache-Control"]
    (key_id, pem), = answer.json().items()
    assert key_id == fake.store.push.signer.key_id and pem.startswith("-----BEGIN CERTIFICATE-----")
