"""Encryption at rest for OAuth tokens and mailbox passwords (MultiFernet, rotatable).

The first key encrypts; every key decrypts, so a new key is put first and old ones stay
until `rotate_all` has re-encrypted the stored values.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.config import Config, ConfigError


class SecretDecryptError(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


class SecretBox:
    """Encrypts and decrypts short secrets; never logs or echoes them."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ConfigError("at least one encryption key is required")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError):
            raise ConfigError(
                "SYNCLINE_SECRET_KEYS must hold urlsafe-base64 32-byte Fernet keys, comma separated"
            ) from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretDecryptError("stored secret cannot be decrypted with the configured keys") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the primary key (no-op in meaning, new ciphertext)."""
        return self._fernet.rotate(token.encode()).decode()


def load_or_create_key_file(path: Path) -> str:
    """The embedded default: one local key, created once with 0600 permissions."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def secret_box_for(config: Config) -> SecretBox:
    """Keys from SYNCLINE_SECRET_KEYS; outside production, a generated key file is the fallback."""
    if config.secret_keys:
        return SecretBox(list(config.secret_keys))
    if config.is_production:
        raise ConfigError("production refuses to start without SYNCLINE_SECRET_KEYS")
    return SecretBox([load_or_create_key_file(config.key_file)])
