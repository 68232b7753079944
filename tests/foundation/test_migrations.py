"""The schema is what the Alembic migrations say, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db import make_engine
from app.migrate import downgrade, upgrade
from app.models import Base
from tests import servers


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    reason = servers.postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    url = servers.create_postgres_database()
    yield url
    servers.drop_postgres_database(url)


def test_migrations_match_models_and_round_trip(empty_database):
    upgrade(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    downgrade(empty_database, "base")
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)
    with engine.connect() as conn:
        assert {"orgs", "users", "mailboxes", "server_profiles", "api_tokens", "audit_events"} <= set(
            sa.inspect(conn).get_table_names())
    engine.dispose()


def test_enum_columns_reject_unknown_values(app):
    """Mailbox status is constrained in the database, not only in Python."""
    from app.models import Mailbox, ServerProfile
    from tests.factories import Factory

    factory = Factory(app)
    user = factory.user(org := factory.org())
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        profile = ServerProfile(org_id=org.id, name="imap", kind="imap", endpoints={})
        s.add(profile)
        s.flush()
        s.add(Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address="a@b.test"))
    with pytest.raises(sa.exc.IntegrityError):
        with rt.db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE mailboxes SET status = 'exploded'"))
