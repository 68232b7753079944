"""CalDAV/CardDAV servers for tests: Radicale (re-exported from product code, the sandbox runs
it too) and Xandikos (tests only: single user, a second implementation to catch differences).
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import requests

from sandbox.mailservers.process import ServerProcess, free_port
from sandbox.mailservers.radicale import DavAccount, RadicaleServer, require_module

__all__ = ["DavAccount", "RadicaleServer", "XandikosServer"]


class XandikosServer:
    """Xandikos (no auth, single user ``user``); ``--defaults`` makes a calendar and address book."""

    CALENDAR_PATH = "/user/calendars/calendar/"
    ADDRESSBOOK_PATH = "/user/contacts/addressbook/"

    def __init__(self) -> None:
        require_module("xandikos", "xandikos==0.4.10")
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
