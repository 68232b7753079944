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


@pytest.fixture
def world(tmp_path, migrated_databases, redis_url, salesforce_emulator, graph_fake):
    """One org, user and Office 365 mailbox on the fake, through the API (see ``World``)."""
    from app import create_app
    from tests.conftest import _clean, emulator_overrides, make_test_config
    from tests.integration.graph.session_world import World

    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                              **emulator_overrides(salesforce_emulator)).with_overrides(
        graph_ca_bundle=graph_fake.ca_path, allowed_mail_hosts=("127.0.0.1",))
    app = create_app(config)
    _clean(app)
    yield World(app, salesforce_emulator, graph_fake)
    app.extensions["syncline"].db.dispose()
