"""One HTTPS Salesforce emulator per session; each test gets a fresh org, DB rows and Redis keys."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import redis as redis_lib
from sqlalchemy import text

from app.models import Base
from app.models.org import Org, SalesforceConnection
from app.models.user import User
from app.providers.salesforce.budget import ApiBudget
from app.providers.salesforce.client import RetryPolicy, SalesforceClient
from app.providers.salesforce.connect import api_budget, connect
from app.runtime import Runtime
from sandbox.salesforce import SalesforceEmulator
from tests.conftest import make_test_config

FAST_RETRY = RetryPolicy(attempts=4, initial_s=0.01, max_wait_s=0.05, max_total_s=10)


@pytest.fixture(scope="session")
def sf_emulator() -> Iterator[SalesforceEmulator]:
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    yield emu
    emu.stop()


@dataclass
class SfWorld:
    """A fresh emulator org, its admin user, and the Syncline rows that point at it."""

    emu: SalesforceEmulator
    rt: Runtime
    org: str            # Salesforce org id (00D…)
    user: str           # Salesforce user id (005…)
    tokens: dict
    connection_id: int
    org_pk: int         # Syncline Org.id (names the org's Redis keys)

    def client(self, **kwargs) -> SalesforceClient:
        kwargs.setdefault("retry", FAST_RETRY)
        return connect(self.rt, self.connection_id, **kwargs)

    def budget(self) -> ApiBudget:
        return api_budget(self.rt, self.org_pk)

    def connection(self) -> SalesforceConnection:
        with self.rt.db.session_scope() as s:
            return s.get(SalesforceConnection, self.connection_id)


def _clean(rt: Runtime) -> None:
    with rt.db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))
    redis_lib.Redis.from_url(rt.config.redis_url).flushdb()


@pytest.fixture
def sf_runtime(tmp_path, migrated_databases, redis_url, sf_emulator) -> Iterator[Runtime]:
    host = urlsplit(sf_emulator.base_url).netloc
    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                              salesforce_allowed_hosts=(host,), salesforce_ca_bundle=sf_emulator.ca_path,
                              salesforce_login_url=sf_emulator.base_url, salesforce_client_id="syncline-sandbox")
    rt = Runtime.build(config)
    _clean(rt)
    yield rt
    rt.db.dispose()


def make_world(emu: SalesforceEmulator, rt: Runtime, instance_url: str | None = None) -> SfWorld:
    org = emu.create_org(name="Acme")
    user = emu.create_user(org, email=f"ann.admin@{org.lower()}.test", admin=True, first_name="Ann")
    tokens = emu.issue_tokens(org, user)
    with rt.db.session_scope() as s:
        row = Org(sf_org_id=org, name="Acme", instance_url=tokens["instance_url"], settings={})
        person = User(org=row, sf_user_id=user, email="ann@acme.test", name="Ann", sf_admin=True)
        conn = SalesforceConnection(org=row, user=person, instance_url=instance_url or tokens["instance_url"],
                                    access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                    refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"]),
                                    status="connected", is_org_default=True)
        s.add_all([row, person, conn])
        s.flush()
        ids = (conn.id, row.id)
    return SfWorld(emu, rt, org, user, tokens, ids[0], ids[1])


@pytest.fixture
def world(sf_emulator, sf_runtime) -> Iterator[SfWorld]:
    yield make_world(sf_emulator, sf_runtime)
    sf_emulator.faults.clear()
    sf_emulator.oauth.rotate_refresh_tokens = False
