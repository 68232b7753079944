"""Can DATABASE_URL and REDIS_URL be used? One sentence saying what is wrong, never a traceback.

A process says "ready" only after these checks really connected. A mistake in a URL (it does not
parse, names an unknown host or driver, carries the wrong user, password or database) stops every
command at once. A server that is configured right but does not answer is an outage: commands
stop with a sentence, except the worker and scheduler, which wait for Redis (workers/reconnect.py).
Passwords never appear in a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

from app.config import DATABASE_URL_SHAPE, REDIS_URL_SHAPE
from app.db import make_engine

CONNECT_TIMEOUT_SECONDS = 5
_UNKNOWN_HOST = re.compile(r"Name or service not known|could not translate host name|failed to resolve host|"
                           r"nodename nor servname|Temporary failure in name resolution|Error -[23] connecting",
                           re.IGNORECASE)
_BAD_LOGIN = re.compile(r"password authentication failed|authentication failed|no password supplied|"
                        r"role \S+ does not exist|invalid username-password|WRONGPASS|NOAUTH", re.IGNORECASE)
_NO_DATABASE = re.compile(r"database \S+ does not exist", re.IGNORECASE)
_NO_ANSWER = re.compile(r"connection refused|timeout|timed out|no such file|server closed the connection|"
                        r"the database system is (starting up|shutting down)", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """Why a URL cannot be used; ``outage`` when the URL is right but the server did not answer."""

    sentence: str
    outage: bool = False


def database_problem(url: str) -> Problem | None:
    """None when DATABASE_URL parses and a ``SELECT 1`` succeeds; else what is wrong."""
    try:
        engine = make_engine(url, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        return Problem(database_url_sentence(exc))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        return classify_database_error(exc, url)
    finally:
        engine.dispose()
    return None


def database_url_sentence(exc: BaseException) -> str:
    """DATABASE_URL does not parse, or names a driver this install lacks."""
    what = "names a database driver this install does not have" if isinstance(exc, NoSuchModuleError | ImportError) \
        else "is not a database URL"
    return f"DATABASE_URL {what}; write it like {DATABASE_URL_SHAPE}."


def classify_database_error(exc: BaseException, url: str) -> Problem:
    """A driver's connection error as one sentence naming where (never the password)."""
    detail = _first_line(getattr(exc, "orig", None) or exc)
    where = _database_where(url)
    if _UNKNOWN_HOST.search(detail):
        return Problem(f"DATABASE_URL names a host that does not resolve ({where}); check the host name.")
    if _BAD_LOGIN.search(detail):
        return Problem(f"the database at {where} refused the user name or password in DATABASE_URL.")
    if _NO_DATABASE.search(detail):
        return Problem(f"the database named in DATABASE_URL does not exist on {where}; create it first.")
    if "unable to open database file" in detail:
        return Problem(f"the SQLite file {where} cannot be opened; check that its folder exists and is writable.")
    if _NO_ANSWER.search(detail):
        return Problem(f"nothing answers at {where} ({detail.rstrip('.')}); is the database server running?",
                       outage=True)
    return Problem(f"the database at {where} failed: {detail.rstrip('.')}.")


def redis_problem(url: str) -> Problem | None:
    """None when REDIS_URL parses and PING answers; else what is wrong."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                      socket_timeout=CONNECT_TIMEOUT_SECONDS)
    except ValueError as exc:
        return Problem(f"REDIS_URL is not a Redis URL ({_first_line(exc).rstrip('.')}); write it like {REDIS_URL_SHAPE}.")
    try:
        client.ping()
    except redis.RedisError as exc:
        return classify_redis_error(exc, url)
    finally:
        client.close()
    return None


def classify_redis_error(exc: BaseException, url: str) -> Problem:
    """A redis-py error as one sentence naming where (never the password)."""
    detail, where = _first_line(exc), _redis_where(url)
    if isinstance(exc, redis.AuthenticationError) or _BAD_LOGIN.search(detail):
        return Problem(f"Redis at {where} refused the password (or user) in REDIS_URL.")
    if _UNKNOWN_HOST.search(detail):
        return Problem(f"REDIS_URL names a host that does not resolve ({where}); check the host name.")
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return Problem(f"nothing answers at {where} ({detail.rstrip('.')}); is the Redis server running?",
                       outage=True)
    return Problem(f"Redis at {where} failed: {detail.rstrip('.')}.")


def _first_line(exc: BaseException | object) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def _database_where(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "DATABASE_URL"
    if parsed.drivername.startswith("sqlite"):
        return str(parsed.database or ":memory:")
    return f"{parsed.host or 'localhost'}{f':{parsed.port}' if parsed.port else ''}/{parsed.database or ''}"


def _redis_where(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    try:
        return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
    except ValueError:
        return "REDIS_URL"


def failure_sentence(exc: BaseException, database_url: str, redis_url: str) -> str | None:
    """The sentence for a database or Redis failure a command met on its way; None for anything else (a bug)."""
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return database_url_sentence(exc)
    if isinstance(exc, OperationalError | InterfaceError):
        return classify_database_error(exc, database_url).sentence
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return classify_redis_error(exc, redis_url).sentence
    return None
