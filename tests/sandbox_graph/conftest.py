"""One Graph fake per module, a registered app and a mailbox per test."""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests

from sandbox.graph import GraphFake

_users = itertools.count(1)


@pytest.fixture(scope="module")
def fake() -> Iterator[GraphFake]:
    graph = GraphFake().start()
    graph.store.register_client("client-1", "s3cret")
    yield graph
    graph.stop()


@pytest.fixture
def user(fake: GraphFake) -> str:
    return fake.store.add_user(f"user{next(_users)}@contoso.test")


@pytest.fixture
def http(fake: GraphFake) -> requests.Session:
    """A client holding an access token from the fake's token endpoint."""
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    answer = session.post(f"{fake.authority_url}/tenant-1/oauth2/v2.0/token",
                          data={"grant_type": "client_credentials", "client_id": "client-1",
                                "client_secret": "s3cret", "scope": "https://graph.microsoft.com/.default"})
    answer.raise_for_status()
    session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
    return session
