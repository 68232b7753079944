"""Secrets at rest: encrypted, rotatable, key file 0600, production refuses to start without keys."""
from __future__ import annotations

import json
import logging
import os
import stat

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app import create_app
from app.config import Config, ConfigError
from app.models import SalesforceConnection
from app.security.secret_box import SecretBox, SecretDecryptError, secret_box_for


def test_rotation_new_key_encrypts_old_key_still_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = SecretBox([old]).encrypt("refresh-token-value")
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(stored) == "refresh-token-value"
    rotated = rotated_box.rotate(stored)
    assert SecretBox([new]).decrypt(rotated) == "refresh-token-value"
    with pytest.raises(SecretDecryptError) as err:
        SecretBox([new]).decrypt(stored)
    assert "refresh-token-value" not in str(err.value)


def test_embedded_default_creates_a_0600_key_file_once(tmp_path):
    config = Config(env="development", instance_dir=tmp_path, key_file=tmp_path / "secret.key")
    box = secret_box_for(config)
    mode = stat.S_IMODE((tmp_path / "secret.key").stat().st_mode)
    assert mode == 0o600
    assert secret_box_for(config).decrypt(box.encrypt("x")) == "x"


def test_production_refuses_to_start_without_keys(tmp_path):
    env = {"SYNCLINE_ENV": "production", "DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r",
           "SECRET_KEY": "s", "SYNCLINE_INSTANCE_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="SYNCLINE_SECRET_KEYS"):
        create_app(Config.from_env(env))
    assert not (tmp_path / "secret.key").exists()


def test_bad_key_is_a_sentence_not_a_traceback():
    with pytest.raises(ConfigError, match="Fernet keys"):
        SecretBox(["not-a-key"])


def test_tokens_and_oauth_secrets_never_stored_in_plaintext(sqlite_app):
    from tests.factories import Factory

    factory = Factory(sqlite_app)
    user = factory.user(factory.org())
    api_token = factory.token(user)
    rt = sqlite_app.extensions["syncline"]
    with rt.db.session_scope() as s:
        s.add(SalesforceConnection(org_id=user.org_id, user_id=user.id, instance_url="https://x.my.salesforce.com",
                                   access_token_enc=rt.secrets.encrypt("00DACCESS!secret-access"),
                                   refresh_token_enc=rt.secrets.encrypt("secret-refresh")))
    with rt.db.engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for t in ("api_tokens", "salesforce_connections", "audit_events")
                           for r in conn.execute(text(f"SELECT * FROM {t}"))])
    for secret in (api_token, "secret-access", "secret-refresh"):
        assert secret not in dump


def test_no_secret_in_responses_or_logs(sqlite_app, caplog):
    from tests.factories import Factory

    factory = Factory(sqlite_app)
    user = factory.user(factory.org())
    token = factory.token(user)
    client = sqlite_app.test_client()
    caplog.set_level(logging.DEBUG)
    handler = logging.getLogger().handlers[-1]
    bodies = [client.get(path, headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
              for path in ("/api/v1/me", "/api/v1/auth/tokens")]
    bodies.append(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"}).get_data(as_text=True))
    rendered = "\n".join(handler.format(r) for r in caplog.records)
    assert token not in "\n".join(bodies)
    assert token[8:] not in rendered
    assert "request" in rendered  # the request lines were captured at all


def test_log_redaction_masks_secret_shapes():
    from app.logs import redact

    line = redact('Authorization: Bearer abc.def refresh_token=xyz123 "password": "hunter2" slk_ABCDEFGHIJKLMNOP')
    for secret in ("abc.def", "xyz123", "hunter2", "ABCDEFGHIJKLMNOP"):
        assert secret not in line


def test_dotenv_file_configures_a_local_run_without_overriding_the_environment(tmp_path, monkeypatch):
    key = Fernet.generate_key().decode()
    (tmp_path / ".env").write_text(f"SYNCLINE_SECRET_KEYS={key}\nLOG_LEVEL=WARNING\n"
                                   f"SYNCLINE_INSTANCE_DIR={tmp_path / 'inst'}\n"
                                   f"DATABASE_URL=sqlite:///{tmp_path / 'dotenv.db'}\n")
    monkeypatch.chdir(tmp_path)
    for name in ("SYNCLINE_SECRET_KEYS", "SYNCLINE_INSTANCE_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")  # the real environment wins over .env
    try:
        config = create_app().extensions["syncline"].config
    finally:  # load_dotenv wrote these into os.environ: keep them from leaking into other tests
        for name in ("SYNCLINE_SECRET_KEYS", "SYNCLINE_INSTANCE_DIR", "DATABASE_URL"):
            os.environ.pop(name, None)
    assert config.secret_keys == (key,) and config.database_url.endswith("dotenv.db")
    assert config.log_level == "ERROR"
    assert not (tmp_path / "inst" / "secret.key").exists()
