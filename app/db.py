"""The durable store: one SQLAlchemy engine per process and a session per unit of work.

Requests get a session bound to the Flask app context (committed by the view's service,
rolled back on any error); workers open `db.session_scope()` explicitly.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.instance_files import secure_sqlite


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys and let readers run beside one writer (WAL)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, connect_timeout: int | None = None) -> Engine:
    """The process's engine; ``connect_timeout`` (seconds) bounds a server that does not answer."""
    if url.startswith("sqlite"):
        secure_sqlite(url)  # the database holds encrypted secrets and tokens: owner-only
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True,
                         connect_args={"connect_timeout": connect_timeout} if connect_timeout else {})


class Database:
    """Owns the engine and the session factory for one process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
