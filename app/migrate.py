"""Schema migrations (Alembic) run from code: `syncline db upgrade` and the test fixtures.

Production paths never call `create_all`: the schema is what the migrations say.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def autogenerate(database_url: str, message: str) -> None:
    """Developer aid: write a new revision from the difference between models and schema."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
