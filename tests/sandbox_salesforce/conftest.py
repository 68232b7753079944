"""One HTTPS emulator per test session; every test gets its own fresh org (tenant)."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:   # lets plain `pytest` import `app` without packaging
    sys.path.insert(0, str(ROOT))

from simple_salesforce import Salesforce  # noqa: E402

from sandbox.salesforce import SalesforceEmulator  # noqa: E402

API = "/services/data/v62.0"


def trusted_session(ca_path: str) -> requests.Session:
    """A session that trusts only the emulator's CA (REQUESTS_CA_BUNDLE is ignored)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_path
    return session


@dataclass
class Tenant:
    """A fresh org with an admin user, tokens, a simple-salesforce client and raw HTTP."""

    emu: SalesforceEmulator
    org: str
    user: str
    tokens: dict[str, Any]
    sf: Salesforce
    http: requests.Session

    def url(self, path: str) -> str:
        return f"{self.emu.base_url}{API}{path}"

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.url(path), **kw)

    def send(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, self.url(path), **kw)


@pytest.fixture(scope="session")
def emulator() -> Iterator[SalesforceEmulator]:
    emu = SalesforceEmulator()
    emu.start(host="127.0.0.1", port=0)
    yield emu
    emu.stop()


def make_tenant(emu: SalesforceEmulator, name: str = "Acme") -> Tenant:
    org = emu.create_org(name=name)
    domain = f"{name.lower()}{len(emu.orgs)}.test"
    user = emu.create_user(org, email=f"ann@{domain}", admin=True, first_name="Ann",
                           last_name="Admin")
    tokens = emu.issue_tokens(org, user)
    sf = Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"],
                    session=trusted_session(emu.ca_path or ""), version="62.0")
    http = trusted_session(emu.ca_path or "")
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return Tenant(emu, org, user, tokens, sf, http)


@pytest.fixture
def tenant(emulator: SalesforceEmulator) -> Iterator[Tenant]:
    yield make_tenant(emulator)
    emulator.faults.clear()
    emulator.oauth.rotate_refresh_tokens = False
