"""The per-process runtime: config, database, Redis, secrets, metrics.

Built by `create_app()` and by the worker entry points; nothing here runs at import time.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy.orm import Session

from app.config import Config
from app.db import Database
from app.instance_files import secure_instance
from app.metrics import Metrics
from app.models.salesforce_tokens import SqlTokenStore
from app.providers.salesforce.stores import SalesforceStores
from app.security.secret_box import SecretBox, secret_box_for
from app.state.connection import RedisProvider
from app.state.salesforce_cache import RedisBudgetStore, RedisDescribeCache, RedisRefreshLock


@dataclass
class Runtime:
    config: Config
    db: Database
    redis: RedisProvider
    secrets: SecretBox
    metrics: Metrics

    @classmethod
    def build(cls, config: Config) -> Runtime:
        config.check()
        secure_instance(config)
        return cls(
            config=config,
            db=Database(config.database_url),
            redis=RedisProvider(config.redis_url, config.instance_dir),
            secrets=secret_box_for(config),
            metrics=Metrics(),
        )

    @property
    def salesforce_stores(self) -> SalesforceStores:
        """The storage the Salesforce adapter reaches through its own interfaces (it imports none)."""
        client = self.redis.client
        return SalesforceStores(tokens=SqlTokenStore(self.db, self.secrets), refresh_lock=RedisRefreshLock(client),
                                budget=RedisBudgetStore(client), describes=RedisDescribeCache(client))

    def close(self) -> None:
        self.redis.close()
        self.db.dispose()


def runtime() -> Runtime:
    return current_app.extensions["syncline"]


def db_session() -> Session:
    """The request's session: opened on first use, closed (and rolled back if left open) at teardown."""
    if "db_session" not in g:
        g.db_session = runtime().db.sessions()
    return g.db_session


def close_db_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
