"""The CLI creates orgs, users and tokens without a browser; failures are one sentence."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _env(tmp_path, redis_url) -> dict:
    return {**os.environ, "SYNCLINE_INSTANCE_DIR": str(tmp_path / "inst"), "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}


def _run(env, *args, ok=True):
    done = subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True, timeout=60)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def cli_env(tmp_path, redis_url):
    env = _env(tmp_path, redis_url)
    _run(env, "db", "upgrade")
    return env


def test_org_user_token_then_the_token_works_against_the_api(cli_env, tmp_path):
    _run(cli_env, "org", "create", "--sf-org-id", "00D000000000001AAA", "--name", "Acme")
    out = _run(cli_env, "user", "create", "--org", "00D000000000001AAA", "--email", "ann@acme.test", "--admin").stdout
    assert "role admin" in out
    token = _run(cli_env, "token", "create", "--email", "ann@acme.test").stdout.strip()
    assert token.startswith("slk_")

    from app import create_app
    from app.config import Config

    os_env = {k: v for k, v in cli_env.items()}
    client = create_app(Config.from_env(os_env)).test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "ann@acme.test" and me["role"] == "admin"


@pytest.mark.parametrize("args, sentence", [
    (("org", "create", "--sf-org-id", "nope", "--name", "X"), "is not a Salesforce org id"),
    (("user", "create", "--org", "00D000000000009AAA", "--email", "a@b.c"), "no org with Salesforce org id"),
    (("token", "create", "--email", "ghost@acme.test"), "no user with email"),
    (("user", "create", "--org", "00D000000000001AAA", "--email", "not-an-email"), "is not an email address"),
])
def test_bad_cli_input_exits_1_with_a_sentence(cli_env, args, sentence):
    done = _run(cli_env, *args, ok=False)
    assert done.returncode == 1
    assert sentence in done.stderr
    assert "Traceback" not in done.stderr


def test_duplicate_org_is_refused(cli_env):
    _run(cli_env, "org", "create", "--sf-org-id", "00D000000000001AAA", "--name", "Acme")
    done = _run(cli_env, "org", "create", "--sf-org-id", "00D000000000001AAA", "--name", "Acme", ok=False)
    assert done.returncode == 1 and "already exists" in done.stderr


@pytest.mark.parametrize("url", [
    "https://127.0.0.1\\.salesforce.com", "https://acme.my.site.com", "http://acme.my.salesforce.com",
    "https://169.254.169.254", "https://acme.lightning.force.com",
])
def test_org_create_refuses_an_instance_url_the_salesforce_guard_refuses(cli_env, url):
    done = _run(cli_env, "org", "create", "--sf-org-id", "00D000000000001AAA", "--name", "Acme",
                "--instance-url", url, ok=False)
    assert done.returncode == 1 and "--instance-url refused" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "no org with" in _run(cli_env, "user", "create", "--org", "00D000000000001AAA",
                                 "--email", "a@acme.test", ok=False).stderr     # nothing was stored


def test_org_create_stores_the_normalised_origin_of_a_salesforce_instance(cli_env):
    out = _run(cli_env, "org", "create", "--sf-org-id", "00D000000000001AAA", "--name", "Acme",
               "--instance-url", "https://Acme.My.Salesforce.com/").stdout
    assert "created" in out
