"""Shared fixtures: real Redis, real SQLite and PostgreSQL, the app and its client."""
from __future__ import annotations

import pytest
import redis as redis_lib
from cryptography.fernet import Fernet
from sqlalchemy import text

from app import create_app
from app.config import Config
from app.migrate import upgrade
from app.models import Base
from tests import servers
from tests.factories import Factory

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = servers.PrivateRedis(str(tmp_path_factory.mktemp("redis")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory):
    """One migrated database per backend for the whole run; tests truncate, never re-create."""
    urls: dict[str, str] = {}
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(sqlite_url)
    urls["sqlite"] = sqlite_url
    reason = servers.postgres_unavailable_reason()
    if reason is None:
        urls["postgresql"] = servers.create_postgres_database()
        upgrade(urls["postgresql"])
    yield urls, reason
    if "postgresql" in urls:
        servers.drop_postgres_database(urls["postgresql"])


def _database_url(request, migrated_databases) -> str:
    urls, reason = migrated_databases
    backend = getattr(request, "param", "sqlite")
    if backend not in urls:
        pytest.skip(reason)
    return urls[backend]


def make_test_config(tmp_path, database_url: str, redis_url: str, **overrides) -> Config:
    base = Config(env="test", instance_dir=tmp_path / "instance", database_url=database_url,
                  redis_url=redis_url, secret_keys=(Fernet.generate_key().decode(),),
                  flask_secret_key="test", public_url="http://localhost")
    return base.with_overrides(**overrides)


def _clean(app) -> None:
    rt = app.extensions["syncline"]
    with rt.db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))
    redis_lib.Redis.from_url(rt.config.redis_url).flushdb()


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path, migrated_databases, redis_url):
    """The app on each SQL backend (PostgreSQL skips with the reason where absent)."""
    application = create_app(make_test_config(tmp_path, _database_url(request, migrated_databases), redis_url))
    _clean(application)
    yield application
    application.extensions["syncline"].db.dispose()


@pytest.fixture
def sqlite_app(tmp_path, migrated_databases, redis_url):
    """For tests whose subject is not the SQL backend: SQLite only, to keep the suite quick."""
    application = create_app(make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url))
    _clean(application)
    yield application
    application.extensions["syncline"].db.dispose()


@pytest.fixture(scope="session")
def salesforce_emulator():
    """One HTTPS Salesforce emulator for the run; tests create their own orgs in it."""
    from sandbox.salesforce import SalesforceEmulator

    emu = SalesforceEmulator()
    emu.start(host="127.0.0.1", port=0)
    yield emu
    emu.stop()


def emulator_overrides(emu) -> dict:
    from urllib.parse import urlsplit

    return {"salesforce_client_id": "syncline-test", "salesforce_client_secret": "test-secret",
            "salesforce_login_url": emu.base_url, "salesforce_allowed_hosts": (urlsplit(emu.base_url).netloc,),
            "salesforce_ca_bundle": emu.ca_path}


@pytest.fixture
def sf_app(tmp_path, migrated_databases, redis_url, salesforce_emulator):
    """The app (SQLite) configured to trust the emulator as its Salesforce."""
    application = create_app(make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                                              **emulator_overrides(salesforce_emulator)))
    _clean(application)
    yield application
    application.extensions["syncline"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    return Factory(app)
