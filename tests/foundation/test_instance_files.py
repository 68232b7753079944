"""Instance files are private: the database (+ WAL), key file and Redis dump are 0600 in a 0700 folder."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.config import Config
from app.migrate import upgrade
from app.state.connection import RedisProvider


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The common default umask, under which new files are world-readable (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _embedded_config(instance: Path, redis_url: str) -> Config:
    """The embedded defaults: SQLite and the generated key file in the instance folder."""
    return Config(env="development", instance_dir=instance, database_url=f"sqlite:///{instance / 'syncline.db'}",
                  redis_url=redis_url, key_file=instance / "secret.key")


def test_a_fresh_instance_folder_is_private_after_start_up(tmp_path, redis_url, loose_umask):
    instance = tmp_path / "instance"
    app = create_app(_embedded_config(instance, redis_url))
    rt = app.extensions["syncline"]
    upgrade(rt.config.database_url)
    try:
        with rt.db.engine.connect() as conn:  # WAL mode: -wal and -shm exist while a connection is open
            conn.execute(text("CREATE TABLE IF NOT EXISTS mode_probe (x INTEGER)"))
            conn.execute(text("INSERT INTO mode_probe VALUES (1)"))
            conn.commit()
            files = {p.name: _mode(p) for p in instance.iterdir()}
            assert {"syncline.db", "syncline.db-wal", "syncline.db-shm", "secret.key"} <= set(files)
            assert files == {name: 0o600 for name in files}
        assert _mode(instance) == 0o700
    finally:
        rt.db.dispose()


def test_existing_world_readable_files_are_fixed_at_start_up(tmp_path, redis_url, loose_umask):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    for name in ("syncline.db", "syncline.db-wal", "secret.key", "redis.rdb"):
        (instance / name).write_bytes(b"")
        os.chmod(instance / name, 0o644)
    from cryptography.fernet import Fernet

    (instance / "secret.key").write_text(Fernet.generate_key().decode())
    (instance / "backup.sh").write_text("#!/bin/sh\n")
    os.chmod(instance / "backup.sh", 0o755)  # not ours: left as the operator made it
    app = create_app(_embedded_config(instance, redis_url))
    try:
        assert _mode(instance) == 0o700
        assert {p.name: _mode(p) for p in instance.iterdir()} == {
            "syncline.db": 0o600, "syncline.db-wal": 0o600, "secret.key": 0o600, "redis.rdb": 0o600,
            "backup.sh": 0o755}
    finally:
        app.extensions["syncline"].db.dispose()


def test_the_embedded_redis_writes_its_dump_owner_only(tmp_path, loose_umask):
    instance = tmp_path / "instance"
    provider = RedisProvider("", instance)
    try:
        provider.client.set("k", "v")
        provider.client.save()
    finally:
        provider.close()
    assert _mode(instance / "redis.rdb") == 0o600
    assert _mode(instance) == 0o700
