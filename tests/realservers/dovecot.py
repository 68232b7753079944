"""A private Dovecot IMAP server on a free loopback port, with throwaway users.

Config per shared/TESTING.md: self-contained, plaintext on 127.0.0.1 only, passwd-file users
whose mail belongs to ``nobody`` (uid ≥ 500), login/internal users set when run as root.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.realservers.process import ServerProcess, ServerUnavailable, free_port

MAIL_UID = 65534  # nobody: Dovecot refuses mail uids below first_valid_uid (500)

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 500
# tests log in wrongly on purpose: no failure delay, and no per-IP auth penalty (below)
auth_failure_delay = 0
{root_users}
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
    """Login of one throwaway mailbox user."""

    host: str
    port: int
    username: str
    password: str


def dovecot_unavailable_reason() -> str | None:
    """Why Dovecot cannot run here, or None when it can."""
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        return "dovecot is not installed (run scripts/install-test-servers.sh as root)"
    return None


class DovecotServer:
    """Dovecot master in the foreground (``-F``): the PID we hold is the server itself."""

    def __init__(self) -> None:
        reason = dovecot_unavailable_reason()
        if reason:
            raise ServerUnavailable(reason)
        self.root = Path(tempfile.mkdtemp(prefix="syncline-dovecot-"))
        os.chmod(self.root, 0o755)  # login processes run as dovenull and must traverse it
        self.port = free_port()
        self.host = "127.0.0.1"
        (self.root / "users").mkdir()  # one passwd-file per user: a new file is never a stale cache
        conf = self.root / "dovecot.conf"
        conf.write_text(CONFIG.format(root=self.root, port=self.port, root_users=_root_users()))
        self.server = ServerProcess("dovecot", ["dovecot", "-F", "-c", str(conf)], self.root / "stdout.log")
        self.server.wait_until(self._banner_ok, timeout=20)

    def _banner_ok(self) -> bool:
        """The port accepts before logins work: wait for the ``* OK`` greeting."""
        with socket.create_connection((self.host, self.port), timeout=1) as sock:
            sock.settimeout(1)
            return sock.recv(256).startswith(b"* OK")

    def create_user(self, prefix: str = "user") -> ImapAccount:
        """A new user with a random password, in its own passwd-file (Dovecot caches by mtime)."""
        username = f"{prefix}{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        hashed = subprocess.run(["doveadm", "-c", str(self.root / "dovecot.conf"), "pw", "-s", "SHA512-CRYPT",
                                 "-p", password], check=True, capture_output=True, text=True).stdout.strip()
        home = self.root / "home" / username
        home.mkdir(parents=True)
        os.chown(home.parent, MAIL_UID, MAIL_UID)
        os.chown(home, MAIL_UID, MAIL_UID)
        (self.root / "users" / username).write_text(f"{username}:{hashed}:{MAIL_UID}:{MAIL_UID}::{home}::\n")
        return ImapAccount(self.host, self.port, username, password)

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _root_users() -> str:
    """As root, Dovecot's login process dies unless told which unprivileged users to use."""
    if os.geteuid() != 0:
        return ""
    return "default_login_user = dovenull\ndefault_internal_user = dovecot"
