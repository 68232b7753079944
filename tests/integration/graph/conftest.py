"""The Graph adapter against the loopback Graph fake (real HTTPS, real msal)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.graph import GraphSettings, build_graph_mailbox
from sandbox.graph import GraphFake
from tests.realservers.fixtures import LOOPBACK_POLICY

_users = itertools.count(1)
NOW = datetime.now(UTC)
WINDOW = (NOW - timedelta(days=14), NOW + timedelta(days=60))


@pytest.fixture(scope="module")
def graph_fake():
    fake = GraphFake().start()
    fake.store.register_client("app-1", "app-secret")
    yield fake
    fake.stop()


def graph_settings(fake: GraphFake, **overrides) -> GraphSettings:
    values = dict(tenant_id="contoso-tenant", client_id="app-1", client_secret="app-secret",
                  authority_url=fake.authority_url, graph_url=fake.graph_url, ca_file=fake.ca_path,
                  host_policy=LOOPBACK_POLICY)
    return GraphSettings(**{**values, **overrides})


@pytest.fixture
def graph_user(graph_fake) -> str:
    return graph_fake.store.add_user(f"ann{next(_users)}@contoso.test")


@pytest.fixture
def graph_mailbox(graph_fake, graph_user):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW)
    yield mailbox
    mailbox.close()
