"""Generated requests over every documented operation, as admin, user and anonymous caller.

Each case schemathesis builds from `/api/openapi.json` (its coverage phase: boundary values,
wrong types, NULs; then fuzzing) is sent through the WSGI app (no network) once per caller:
no answer may be a server error, and every answer must be documented (status, content type,
body schema). One seeded app serves the whole module so operations reach real rows; it runs on
PostgreSQL where one answers (it refuses NUL, over-long strings and int4 overflows that SQLite keeps).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.config import Config
from app.models import ComposeSave, MeetingSave
from tests.conftest import _clean, emulator_overrides, make_test_config
from tests.factories import Factory


@schemathesis.check
def status_documented_explicitly(ctx, response, case) -> None:
    """Stricter than `status_code_conformance`: the catch-all `default` response does not count."""
    documented = set(case.operation.definition.raw.get("responses", {})) - {"default"}
    if str(response.status_code) not in documented:
        raise AssertionError(f"{case.operation.label} answered {response.status_code}, documented only "
                             f"{sorted(documented)}: {response.text[:200]}")


CHECKS = [not_a_server_error, status_code_conformance, status_documented_explicitly, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 5
# Methods an operation does not have are answered by Flask's router (405); probing them for every
# operation would triple the run for nothing the product decides.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"unexpected-methods": []}}})


def _documented_api() -> dict:
    """The OpenAPI document, read at collection time from an app that never touches its stores."""
    app = create_app(Config(env="test", instance_dir=Path(tempfile.mkdtemp(prefix="syncline-spec-")),
                            database_url="sqlite://", redis_url="redis://127.0.0.1:1/0",
                            secret_keys=(Fernet.generate_key().decode(),), flask_secret_key="spec"))
    return app.test_client().get("/api/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_documented_api(), config=CONFIG)


@pytest.fixture(scope="module")
def api(tmp_path_factory, migrated_databases, redis_url, salesforce_emulator):
    """The app (PostgreSQL, else SQLite; Salesforce sign-in pointed at the emulator) with an org, an admin and a
    user, each with a mailbox, plus pending compose and meeting saves; the callers' headers."""
    urls = migrated_databases[0]
    database_url = urls.get("postgresql") or urls["sqlite"]     # the stricter store where there is one
    app = create_app(make_test_config(tmp_path_factory.mktemp("schemathesis"), database_url, redis_url,
                                      **emulator_overrides(salesforce_emulator)))
    _clean(app)
    factory = Factory(app)
    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    for owner in (admin, user):
        factory.mailbox(owner)
    with app.extensions["syncline"].db.session_scope() as s:
        s.add(ComposeSave(org_id=org.id, user_id=user.id, marker="6f1c2d3e-0000-4000", message_id="<a@b.example>"))
        s.add(MeetingSave(org_id=org.id, user_id=user.id, ical_uid="uid-1@acme.example"))
    yield app, {"admin": factory.auth(admin), "user": factory.auth(user), "anonymous": {}}
    app.extensions["syncline"].db.dispose()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, api):
    app, callers = api
    for headers in callers.values():
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)
