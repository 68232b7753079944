"""A private Dovecot IMAP server on a loopback port, with its own users.

Config per shared/TESTING.md: self-contained, plaintext on 127.0.0.1 only, passwd-file users
whose mail belongs to ``nobody`` (uid ≥ 500) when run as root. With a ``root`` folder users and
mail persist there (the sandbox); without one everything is a temp folder ``stop()`` removes.
"""
from __future__ import annotations

import getpass
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.mailservers.process import ServerProcess, ServerUnavailable, free_port

NOBODY_UID = 65534  # Dovecot refuses mail uids below first_valid_uid (500), and root always

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {run_dir}
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = {first_valid_uid}
# tests log in wrongly on purpose: no failure delay, and no per-IP auth penalty (below)
auth_failure_delay = 0
{service_users}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {root}/users/%u
}}
userdb {{
  driver = passwd-file
  args = {root}/users/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


@dataclass(frozen=True)
class ImapAccount:
    """Login of one mailbox user."""

    host: str
    port: int
    username: str
    password: str


def dovecot_unavailable_reason() -> str | None:
    """Why Dovecot cannot run here, or None when it can."""
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        return "dovecot is not installed (Debian: apt-get install dovecot-imapd, or scripts/install-test-servers.sh)"
    return None


def _mail_uid() -> int:
    """As root mail belongs to ``nobody``; otherwise to ourselves (Dovecot runs unprivileged)."""
    return NOBODY_UID if os.geteuid() == 0 else os.geteuid()


def _unsearchable_parent(path: Path) -> Path | None:
    """The first folder above ``path`` that ``nobody`` cannot enter (mail processes must), if any."""
    if os.geteuid() != 0:
        return None
    for folder in reversed(path.resolve().parents):
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


class DovecotServer:
    """Dovecot master in the foreground (``-F``): the PID we hold is the server itself."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        reason = dovecot_unavailable_reason()
        if reason:
            raise ServerUnavailable(reason)
        self._owns_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="syncline-dovecot-"))
        blocked = _unsearchable_parent(self.root)
        if blocked:
            raise ServerUnavailable(f"{blocked} is not searchable by other users, and Dovecot's mail "
                                    "processes run as nobody (chmod o+x it, or move the instance folder)")
        (self.root / "users").mkdir(parents=True, exist_ok=True)  # one passwd-file per user
        os.chmod(self.root, 0o755)  # login processes run as dovenull and must traverse it
        # sockets live in a short temp path: AF_UNIX paths are limited to 108 bytes
        self.run_dir = Path(tempfile.mkdtemp(prefix="syncline-dovecot-run-"))
        os.chmod(self.run_dir, 0o755)
        self.host, self.port = "127.0.0.1", port or free_port()
        self.config_path = self.root / "dovecot.conf"
        self.config_path.write_text(CONFIG.format(root=self.root, run_dir=self.run_dir, port=self.port,
                                                  first_valid_uid=min(500, _mail_uid()),
                                                  service_users=_service_users()))
        try:
            self.server = ServerProcess("dovecot", ["dovecot", "-F", "-c", str(self.config_path)],
                                        self.root / "stdout.log")
            self.server.wait_until(self._banner_ok, timeout=20)
        except RuntimeError:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            raise

    def _banner_ok(self) -> bool:
        """The port accepts before logins work: wait for the ``* OK`` greeting."""
        with socket.create_connection((self.host, self.port), timeout=1) as sock:
            sock.settimeout(1)
            return sock.recv(256).startswith(b"* OK")

    def create_user(self, prefix: str = "user") -> ImapAccount:
        """A new user with a random name and password."""
        return self.add_user(f"{prefix}{secrets.token_hex(4)}", secrets.token_urlsafe(12))

    def add_user(self, username: str, password: str) -> ImapAccount:
        """Idempotent: the user exists with this password afterwards; existing mail is kept.

        Each user has its own passwd-file, rewritten here: Dovecot re-reads it by mtime.
        """
        hashed = subprocess.run(["doveadm", "-c", str(self.config_path), "pw", "-s", "SHA512-CRYPT", "-p", password],
                                check=True, capture_output=True, text=True).stdout.strip()
        uid = _mail_uid()
        home = self.root / "home" / username
        home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(home.parent, uid, uid)
            os.chown(home, uid, uid)
        (self.root / "users" / username).write_text(f"{username}:{hashed}:{uid}:{uid}::{home}::\n")
        return ImapAccount(self.host, self.port, username, password)

    def stop(self) -> None:
        """Stop our Dovecot PID (~2 s); a temp root is removed, a given root is kept."""
        self.server.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)


def _service_users() -> str:
    """Which users Dovecot's login/internal processes run as: its own ones as root, else ourselves."""
    if os.geteuid() == 0:
        return "default_login_user = dovenull\ndefault_internal_user = dovecot"
    me = getpass.getuser()
    return f"default_login_user = {me}\ndefault_internal_user = {me}"
