"""The Google adapter against the loopback Google fake (real HTTPS, real google-auth and googleapiclient)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.google import GoogleSettings, build_google_mailbox
from sandbox.google import GoogleFake
from tests.realservers.fixtures import LOOPBACK_POLICY

_users = itertools.count(1)
NOW = datetime.now(UTC).replace(microsecond=0)
WINDOW = (NOW - timedelta(days=14), NOW + timedelta(days=60))


@pytest.fixture(scope="module")
def google_fake():
    fake = GoogleFake().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def service_key(google_fake) -> dict:
    return google_fake.store.register_service_account(token_uri="https://oauth2.googleapis.com/token")


def google_settings(fake: GoogleFake, key: dict, **overrides) -> GoogleSettings:
    values = dict(service_account=key, api_root=fake.api_root, token_uri=fake.token_uri, ca_file=fake.ca_path,
                  host_policy=LOOPBACK_POLICY)
    return GoogleSettings(**{**values, **overrides})


@pytest.fixture
def google_user(google_fake) -> str:
    return google_fake.store.add_user(f"ann{next(_users)}@example.test")


@pytest.fixture
def google_mailbox(google_fake, service_key, google_user):
    mailbox = build_google_mailbox(google_settings(google_fake, service_key), google_user, WINDOW)
    yield mailbox
    mailbox.close()
