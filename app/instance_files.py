"""Instance files are private: 0600 files in a 0700 folder.

The embedded defaults keep the SQLite database (and its -wal/-shm), the generated key file and
the embedded Redis dump in the instance folder; a default umask would make them world-readable.
Modes are set at creation and fixed again at every start-up, so older installs are mended too.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from app.config import Config

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# Only files we put there: the folder may be one an operator shares with other things.
EMBEDDED_FILES = ("secret.key", "redis.rdb", "redis.rdb.settings")


def secure_instance(config: Config) -> None:
    """Create the instance folder 0700 when the embedded defaults need it; make our files 0600
    (the SQLite files are handled by ``secure_sqlite`` wherever they live).

    A folder others may only search (``o+x`` without read/write, as the sandbox's Dovecot needs
    when run as root) keeps that bit; any other group/other access is removed.
    """
    folder = config.instance_dir
    if not folder.exists() and _uses_instance(config):
        with private_umask():
            folder.mkdir(parents=True, exist_ok=True)
    if folder.is_dir():
        mode = stat.S_IMODE(folder.stat().st_mode)
        search_only = mode & 0o011 if not mode & 0o066 else 0
        os.chmod(folder, PRIVATE_DIR | search_only)
        for name in EMBEDDED_FILES:
            _make_private(folder / name)
    if config.key_file is not None:
        _make_private(config.key_file)


def secure_sqlite(url: str) -> None:
    """Create a file-backed SQLite database 0600 before SQLite does (its -wal/-shm copy that mode)."""
    database = sqlite_path(url)
    if database is None or not database.parent.is_dir():
        return
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for suffix in SQLITE_COMPANIONS:
        _make_private(database.with_name(database.name + suffix))


def sqlite_path(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL (None for other backends and in-memory databases)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    if str(parsed.database).startswith("file:"):
        return None
    return Path(str(parsed.database))


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside (also by child processes started here) are owner-only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _make_private(path: Path) -> None:
    """0600 for a regular file we own (symlinks and folders are left alone)."""
    if path.is_file() and not path.is_symlink() and path.stat().st_uid == os.geteuid():
        os.chmod(path, PRIVATE_FILE)


def _uses_instance(config: Config) -> bool:
    database = sqlite_path(config.database_url)
    in_folder = database is not None and config.instance_dir in database.parents
    return config.embedded_redis or not config.secret_keys or in_folder
