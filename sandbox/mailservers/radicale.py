"""A private Radicale 3.9 CalDAV/CardDAV server on loopback, with htpasswd (plain) users.

Runs as ``python -m radicale`` child; collections are made the way a user's client makes them
(MKCALENDAR, extended MKCOL for address books). With a ``root`` folder the data persists there
(the sandbox); without one it lives in a temp folder that ``stop()`` removes (tests).
"""
from __future__ import annotations

import importlib.util
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests

from sandbox.mailservers.process import ServerProcess, ServerUnavailable, free_port

MKCALENDAR_BODY = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>{name}</D:displayname>
<C:supported-calendar-component-set>{components}</C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"""

MKCOL_ADDRESSBOOK_BODY = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
<D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
<D:displayname>{name}</D:displayname>
</D:prop></D:set></D:mkcol>"""


@dataclass(frozen=True)
class DavAccount:
    """One DAV user: base URL (the server root), credentials and a ``requests`` session for setup."""

    base_url: str
    username: str
    password: str

    @property
    def principal_url(self) -> str:
        return f"{self.base_url}/{self.username}/"

    def session(self) -> requests.Session:
        """A raw HTTP client playing the user's own calendar/contacts app."""
        session = requests.Session()
        session.trust_env = False
        session.auth = (self.username, self.password)
        return session

    def collection_path(self, name: str) -> str:
        """The path of the user's collection called ``name`` (Radicale keeps them under the principal)."""
        return f"/{self.username}/{name}/"

    def make_calendar(self, name: str, components: tuple[str, ...] = ("VEVENT", "VTODO"),
                      display_name: str | None = None) -> str:
        """MKCALENDAR under the user's home; returns the collection URL (existing is fine)."""
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        return self._create(name, "MKCALENDAR", MKCALENDAR_BODY.format(name=display_name or name, components=comps))

    def make_addressbook(self, name: str, display_name: str | None = None) -> str:
        """Extended MKCOL (RFC 5689): Radicale needs it before any vCard PUT."""
        return self._create(name, "MKCOL", MKCOL_ADDRESSBOOK_BODY.format(name=display_name or name))

    def has_collection(self, name: str) -> bool:
        """Whether the user's home already holds a collection called ``name``."""
        response = self.session().request("PROPFIND", f"{self.principal_url}{name}/", headers={"Depth": "0"})
        return response.status_code == 207

    def _create(self, name: str, method: str, body: str) -> str:
        url = f"{self.principal_url}{name}/"
        response = self.session().request(method, url, data=body,
                                          headers={"Content-Type": "application/xml; charset=utf-8"})
        if response.status_code not in (201, 405):  # 405: exists already
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")
        return url


def require_module(module: str, package: str) -> None:
    """Raise ServerUnavailable naming the pip requirement when ``module`` is not importable."""
    if importlib.util.find_spec(module) is None:
        raise ServerUnavailable(f"{package} is not installed in this venv (pip install {package})")


class RadicaleServer:
    """Radicale with htpasswd (plain) auth; users can be added while it runs."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        require_module("radicale", "radicale==3.9.0")
        self._owns_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="syncline-radicale-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.htpasswd = self.root / "htpasswd"
        if not self.htpasswd.exists():
            self.htpasswd.write_text("")
        self.htpasswd.chmod(0o600)
        argv = [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{self.port}",
                "--storage-filesystem-folder", str(self.root / "collections"),
                "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(self.htpasswd),
                "--auth-htpasswd-encryption", "plain", "--logging-level", "warning"]
        self.server = ServerProcess("radicale", argv, self.root / "radicale.log")
        self.server.wait_until(self._answers, timeout=20)

    def _answers(self) -> bool:
        return requests.get(self.base_url + "/.web/", timeout=1).status_code < 500

    def create_user(self, prefix: str = "user") -> DavAccount:
        """A new user with a random name and password."""
        return self.add_user(f"{prefix}{secrets.token_hex(4)}", secrets.token_urlsafe(12))

    def add_user(self, username: str, password: str) -> DavAccount:
        """Idempotent: the user exists with exactly this password afterwards (Radicale re-reads the file)."""
        lines = [line for line in self.htpasswd.read_text().splitlines()
                 if line and line.split(":", 1)[0] != username]
        self.htpasswd.write_text("".join(f"{line}\n" for line in [*lines, f"{username}:{password}"]))
        return DavAccount(self.base_url, username, password)

    def stop(self) -> None:
        """Stop our Radicale PID; a temp root is removed, a given root is kept."""
        self.server.stop()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)
