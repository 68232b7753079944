"""Private CalDAV/CardDAV servers: Radicale 3.9 (multi-user, htpasswd) and Xandikos (single user).

Both run as ``python -m …`` children of the test run on free loopback ports; collections are
made the way a user's client makes them (MKCALENDAR, extended MKCOL for address books).
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

from tests.realservers.process import ServerProcess, ServerUnavailable, free_port

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

    def make_calendar(self, name: str, components: tuple[str, ...] = ("VEVENT", "VTODO")) -> str:
        """MKCALENDAR under the user's home; returns the collection URL."""
        url = f"{self.principal_url}{name}/"
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        response = self.session().request("MKCALENDAR", url, data=MKCALENDAR_BODY.format(name=name, components=comps))
        if response.status_code not in (201, 405):  # 405: exists already
            raise RuntimeError(f"MKCALENDAR {url}: {response.status_code} {response.text[:300]}")
        return url

    def make_addressbook(self, name: str) -> str:
        """Extended MKCOL (RFC 5689): Radicale needs it before any vCard PUT."""
        url = f"{self.principal_url}{name}/"
        response = self.session().request("MKCOL", url, data=MKCOL_ADDRESSBOOK_BODY.format(name=name),
                                          headers={"Content-Type": "application/xml; charset=utf-8"})
        if response.status_code not in (201, 405):
            raise RuntimeError(f"MKCOL {url}: {response.status_code} {response.text[:300]}")
        return url


def _require_module(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ServerUnavailable(f"{package} is not installed in this venv (pip install {package})")


class RadicaleServer:
    """Radicale with htpasswd (plain) auth; ``create_user`` appends to the live htpasswd file."""

    def __init__(self) -> None:
        _require_module("radicale", "radicale==3.9.0")
        self.root = Path(tempfile.mkdtemp(prefix="syncline-radicale-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.htpasswd = self.root / "htpasswd"
        self.htpasswd.write_text("")
        argv = [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{self.port}",
                "--storage-filesystem-folder", str(self.root / "collections"),
                "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(self.htpasswd),
                "--auth-htpasswd-encryption", "plain", "--logging-level", "warning"]
        self.server = ServerProcess("radicale", argv, self.root / "radicale.log")
        self.server.wait_until(self._answers, timeout=20)

    def _answers(self) -> bool:
        return requests.get(self.base_url + "/.web/", timeout=1).status_code < 500

    def create_user(self, prefix: str = "user") -> DavAccount:
        username, password = f"{prefix}{secrets.token_hex(4)}", secrets.token_urlsafe(12)
        with open(self.htpasswd, "a") as users:
            users.write(f"{username}:{password}\n")
        return DavAccount(self.base_url, username, password)

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class XandikosServer:
    """Xandikos (no auth, single user ``user``); ``--defaults`` makes a calendar and address book."""

    CALENDAR_PATH = "/user/calendars/calendar/"
    ADDRESSBOOK_PATH = "/user/contacts/addressbook/"

    def __init__(self) -> None:
        _require_module("xandikos", "xandikos==0.4.10")
        self.root = Path(tempfile.mkdtemp(prefix="syncline-xandikos-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "xandikos.web", "-d", str(self.root / "data"), "--defaults",
                "-l", "127.0.0.1", "-p", str(self.port)]
        self.server = ServerProcess("xandikos", argv, self.root / "xandikos.log")
        self.server.wait_until(self._answers, timeout=20)

    def _answers(self) -> bool:
        return requests.request("PROPFIND", self.base_url + "/user/", headers={"Depth": "0"},
                                timeout=1).status_code == 207

    def account(self) -> DavAccount:
        return DavAccount(self.base_url, "user", "unused")

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)
