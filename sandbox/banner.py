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
SYNC_VIEW_PATH = "/sidebar/#view=dashboard&token="  # the web sidebar keeps the token, then drops it from the URL
SALESFORCE_API_VERSION = "v62.0"
RECORDS_QUERY = "SELECT+Id,Name,Email,Phone,Title+FROM+Contact"


def sandbox_banner(api_url: str, env: SandboxEnvironment, seed: SandboxSeed) -> str:
    """Pages to open (docs, the sidebar's Sync view), the token with a ready curl line, how to read the
    emulator's records with Salesforce's own REST API, and the calendar account for a real client."""
    token = seed.rows.api_token
    mail = (f"IMAP 127.0.0.1:{env.dovecot.port} (no TLS), same user and password" if env.dovecot
            else env.dovecot_note or "no IMAP")
    lines = [
        "",
        "=== Syncline sandbox: no accounts needed, everything runs on this machine ===",
        f"Salesforce    emulator at {env.emulator.base_url}, org \"{data.ORG_NAME}\", user {data.ADMIN['email']}",
        f"Records       {salesforce_records_command(env, seed)}",
        f"API docs      {api_url}/api/docs  (open in a browser)",
        f"Sync view     {api_url}{SYNC_VIEW_PATH}{token}  (the sidebar's Sync page: sessions and errors)",
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


def salesforce_records_command(env: SandboxEnvironment, seed: SandboxSeed) -> str:
    """A curl line listing the emulator's Contacts through Salesforce's REST query API, with a fresh
    emulator token for the sandbox user (change the SOQL for Accounts, Leads, Events…)."""
    access = env.emulator.issue_tokens(seed.sf_org_id, seed.sf_user_id)["access_token"]
    return (f"curl --cacert {env.emulator.ca_path} -H 'Authorization: Bearer {access}' "
            f"'{env.emulator.base_url}/services/data/{SALESFORCE_API_VERSION}/query?q={RECORDS_QUERY}'")


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
