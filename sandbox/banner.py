"""The block `syncline up` prints once the sandbox's API answers: where to look and how.

Only the sandbox's own throwaway secrets appear (its API token and mailbox password); no
key, Salesforce token or operator setting is ever printed.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from sandbox import seed_data as data
from sandbox.environment import SandboxEnvironment
from sandbox.seed import SandboxSeed

DASHBOARD_PATH = "/api/v1/mailboxes/mine/dashboard"


def sandbox_banner(api_url: str, env: SandboxEnvironment, seed: SandboxSeed) -> str:
    """Docs, dashboard, token, a ready curl line, and the calendar account for a real client."""
    token = seed.rows.api_token
    mail = (f"IMAP 127.0.0.1:{env.dovecot.port} (no TLS), same user and password" if env.dovecot
            else env.dovecot_note or "no IMAP")
    lines = [
        "",
        "=== Syncline sandbox: no accounts needed, everything runs on this machine ===",
        f"Salesforce    emulator at {env.emulator.base_url}, org \"{data.ORG_NAME}\", user {data.ADMIN['email']}",
        f"API docs      {api_url}/api/docs",
        f"Dashboard     {api_url}{DASHBOARD_PATH}",
        f"API token     {token}",
        f"Try           curl -H 'Authorization: Bearer {token}' {api_url}{DASHBOARD_PATH}",
        f"Sign in       {api_url}/api/v1/auth/salesforce/login  (approves as {data.ADMIN['email']})",
        f"Calendar      CalDAV/CardDAV {seed.dav.principal_url}  user {seed.dav.username}"
        f"  password {seed.dav.password}",
        f"Mail          {mail}",
        f"First sync    queued now; then every {data.SYNC_INTERVAL_MINUTES} minutes."
        f" Sandbox data: {env.directory}",
        "",
    ]
    return "\n".join(lines)


def announce_when_ready(api_url: str, text: str, echo: Callable[[str], None], timeout: float = 60.0) -> None:
    """Print ``text`` from a daemon thread once ``/api/v1/health`` answers (or after ``timeout``)."""
    def wait_then_print() -> None:
        session = requests.Session()
        session.trust_env = False  # a proxy from the environment must not see loopback calls
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if session.get(f"{api_url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        echo(text)

    threading.Thread(target=wait_then_print, name="sandbox-banner", daemon=True).start()
