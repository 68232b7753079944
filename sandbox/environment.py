"""The sandbox's servers: the Salesforce emulator, Radicale and (when installed) Dovecot.

`syncline up` starts them in its own process before the API, worker and scheduler, so they
outlive restarts of those children, and stops them after the children on Ctrl-C. Everything
they store lives under ``<instance>/sandbox/`` and is reused on the next start.
"""
from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sandbox.mailservers import (
    DovecotServer,
    RadicaleServer,
    ServerUnavailable,
    dovecot_unavailable_reason,
    reusable_port,
)
from sandbox.salesforce import SalesforceEmulator
from sandbox.state_file import SandboxState

log = logging.getLogger("syncline.sandbox")

SANDBOX_CLIENT_ID = "syncline-sandbox"
CALLBACK_PATH = "/api/v1/auth/salesforce/callback"


@dataclass
class SandboxEnvironment:
    """Running sandbox servers; ``dovecot`` is None when IMAP is unavailable (``dovecot_note`` says why)."""

    directory: Path
    state: SandboxState
    emulator: SalesforceEmulator
    radicale: RadicaleServer
    dovecot: DovecotServer | None
    dovecot_note: str | None = None

    @classmethod
    def start(cls, directory: Path, public_url: str) -> SandboxEnvironment:
        """Start every server on loopback (saved ports when still free); stops what started if one fails."""
        _private(directory)
        state = SandboxState.load(directory)
        with contextlib.ExitStack() as undo:
            emulator = _start_emulator(_private(directory / "salesforce"), state, public_url)
            undo.callback(emulator.stop)
            radicale = RadicaleServer(_private(directory / "radicale"), reusable_port(state.ports.get("radicale")))
            undo.callback(radicale.stop)
            dovecot, note = _start_dovecot(directory / "dovecot", state.ports.get("imap"))
            if dovecot is not None:
                undo.callback(dovecot.stop)
            state.ports = {"salesforce": urlsplit(emulator.base_url).port, "radicale": radicale.port,
                           **({"imap": dovecot.port} if dovecot else {})}
            state.save(directory)
            undo.pop_all()
        return cls(directory, state, emulator, radicale, dovecot, note)

    def save_state(self) -> None:
        self.state.save(self.directory)

    @property
    def dav_url(self) -> str:
        """The CalDAV/CardDAV server root (clients discover the user's collections from it)."""
        return self.radicale.base_url + "/"

    def endpoints(self) -> dict:
        """The imap-kind ServerProfile endpoints: plaintext loopback IMAP and http DAV."""
        found: dict = {"caldav_url": self.dav_url, "carddav_url": self.dav_url}
        if self.dovecot is not None:
            found.update(imap_host=self.dovecot.host, imap_port=self.dovecot.port, imap_tls=False)
        return found

    def salesforce_env(self) -> dict[str, str]:
        """What the API/worker/scheduler need to talk to the emulator (sign-in included)."""
        return {
            "SALESFORCE_LOGIN_URL": self.emulator.base_url,
            "SALESFORCE_ALLOWED_HOSTS": urlsplit(self.emulator.base_url).netloc,
            "SALESFORCE_CA_BUNDLE": str(self.emulator.ca_path),
            "SALESFORCE_CLIENT_ID": SANDBOX_CLIENT_ID,
            "SALESFORCE_CLIENT_SECRET": self.state.client_secret,
        }

    def mail_env(self) -> dict[str, str]:
        """The product refuses loopback mail hosts unless allow-listed: these servers are ours."""
        operator_list = os.environ.get("SYNCLINE_ALLOWED_MAIL_HOSTS", "")
        return {"SYNCLINE_ALLOWED_MAIL_HOSTS": ",".join(filter(None, (operator_list, "127.0.0.1")))}

    def stop(self) -> None:
        """Stop the servers we started (mail servers first; the emulator saves its state last)."""
        if self.dovecot is not None:
            self.dovecot.stop()
        self.radicale.stop()
        self.emulator.stop()


def _private(path: Path) -> Path:
    """A folder only this user can read: it holds tokens and plaintext sandbox passwords."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _searchable_by_mail_processes(sandbox_dir: Path) -> None:
    """As root, Dovecot's mail processes run as nobody and must pass through the (0700) instance
    folder and the sandbox folder: give others search only (0711), never read; files stay 0600."""
    if os.geteuid() == 0 and dovecot_unavailable_reason() is None:
        for folder in (sandbox_dir.parent, sandbox_dir):
            os.chmod(folder, 0o711)


def _start_emulator(state_dir: Path, state: SandboxState, public_url: str) -> SalesforceEmulator:
    """The emulator serving HTTPS in threads of this process, with the sandbox's connected app."""
    emulator = SalesforceEmulator(state_dir=str(state_dir))
    emulator.register_client(SANDBOX_CLIENT_ID, state.client_secret, [public_url.rstrip("/") + CALLBACK_PATH])
    return emulator.start("127.0.0.1", reusable_port(state.ports.get("salesforce")))


def _start_dovecot(root: Path, port: int | None) -> tuple[DovecotServer | None, str | None]:
    """Dovecot when it can run here; otherwise None and the one-line reason."""
    _searchable_by_mail_processes(root.parent)
    try:
        return DovecotServer(root, reusable_port(port)), None
    except ServerUnavailable as exc:
        return None, f"no IMAP in this sandbox: {exc}; running CalDAV/CardDAV only"
    except (RuntimeError, OSError) as exc:
        log.warning("dovecot did not start", extra={"ctx": {"error": str(exc)[:500]}})
        return None, f"no IMAP in this sandbox: Dovecot did not start (see {root}/dovecot.log); " \
                     "running CalDAV/CardDAV only"
