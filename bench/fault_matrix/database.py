"""The bench's SQL database: a throwaway PostgreSQL database when one answers (so connection
loss can be injected with pg_terminate_backend), else a SQLite file."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.migrate import upgrade
from tests import servers

BENCH_APPLICATION = "syncline-fault-bench"     # the bench's own connections, spared by connection loss


class BenchDatabase:
    """`url` for the product's processes, `bench_url` for the bench's own reads and writes."""

    def __init__(self, directory: Path, prefer_postgres: bool = True) -> None:
        self.reason = servers.postgres_unavailable_reason() if prefer_postgres else "SQLite asked for (--sqlite)"
        if self.reason is None:
            self.backend, self.url = "postgresql", servers.create_postgres_database()
            self.bench_url = f"{self.url}?application_name={BENCH_APPLICATION}"
        else:
            self.backend, self.url = "sqlite", f"sqlite:///{directory / 'bench.db'}"
            self.bench_url = self.url
        upgrade(self.url)

    @property
    def can_lose_connections(self) -> bool:
        return self.backend == "postgresql"

    def terminate_connections(self) -> int:
        """pg_terminate_backend on every connection of the product's processes; returns how many."""
        engine = sa.create_engine(servers.POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return len(conn.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db "
                    "AND pid <> pg_backend_pid() AND application_name <> :bench"),
                    {"db": self.url.rsplit("/", 1)[1], "bench": BENCH_APPLICATION}).all())
        finally:
            engine.dispose()

    def drop(self) -> None:
        if self.backend == "postgresql":
            servers.drop_postgres_database(self.url)
