"""Cyrus IMAP's CalDAV/CardDAV server (Debian ``cyrus-caldav``): the one real server here that
implements RFC 6638 implicit scheduling, i.e. sends invitations when a client writes an event
with attendees. Tests count what it sends to prove the product's writes send nothing.

Tests only (the sandbox never runs it). One private instance per session: ``master`` in the
foreground on free loopback ports, every file under one /tmp folder, stopped by its PID.
Outgoing iMIP goes through ``capture-sendmail.py`` (Cyrus speaks SMTP to ``sendmail -bs``)
into ``mail-out/``, synchronously within the PUT/DELETE; local attendees get an item in their
scheduling Inbox instead of mail. Traps handled here: the services refuse root and each needs
its own ``-C``; every parent folder must be traversable by ``cyrus``; a user needs an INBOX
(one LMTP delivery) and their calendars exist only after their own first DAV request; events
older than ``caldav_historical_age`` are never scheduled (the config disables that cut-off);
there is no syslog here, so a broken capture shows only as ``SCHEDULE-STATUS=5.1``.
Never install Debian's ``cyrus-imapd``: it conflicts with ``dovecot-imapd``.
"""
from __future__ import annotations

import email
import os
import pwd
import secrets
import shutil
import smtplib
import subprocess
import tempfile
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from string import Template

import requests

from app.providers.imap_dav.webdav import parse_multistatus
from sandbox.mailservers.process import ServerProcess, ServerUnavailable, free_port
from sandbox.mailservers.radicale import MKCALENDAR_BODY, MKCOL_ADDRESSBOOK_BODY, DavAccount

HERE = Path(__file__).resolve().parent / "cyrus"
MASTER = Path("/usr/lib/cyrus/bin/master")
SASLPASSWD = "saslpasswd2"
MAIL_DOMAIN = "example.com"  # calendar_user_address_set: user X is mailto:X@example.com
INSTALL_HINT = "run scripts/install-test-deps.sh (Debian cyrus-caldav and sasl2-bin)"


def cyrus_unavailable_reason() -> str | None:
    """Why Cyrus cannot run here, or None."""
    if not MASTER.exists():
        return f"Cyrus CalDAV is not installed ({MASTER} missing): {INSTALL_HINT}"
    if shutil.which(SASLPASSWD) is None:
        return f"{SASLPASSWD} is not installed: {INSTALL_HINT}"
    if os.geteuid() != 0:
        return "Cyrus's master must start as root (it switches to the cyrus user itself)"
    try:
        pwd.getpwnam("cyrus")
    except KeyError:
        return f"there is no cyrus system user: {INSTALL_HINT}"
    return None


@dataclass(frozen=True)
class CyrusAccount(DavAccount):
    """A Cyrus user: calendars under ``/dav/calendars/user/<name>/``, address books under
    ``/dav/addressbooks/user/<name>/``; ``Default`` of each exists from the first request."""

    collections: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def principal_url(self) -> str:
        return f"{self.base_url}/dav/principals/user/{self.username}/"

    @property
    def address(self) -> str:
        """The user's calendar user address (what ORGANIZER/ATTENDEE name)."""
        return f"{self.username}@{MAIL_DOMAIN}"

    @property
    def calendar_home(self) -> str:
        return f"/dav/calendars/user/{self.username}/"

    @property
    def addressbook_home(self) -> str:
        return f"/dav/addressbooks/user/{self.username}/"

    @property
    def inbox_path(self) -> str:
        """The RFC 6638 scheduling Inbox, where Cyrus delivers iTIP messages to local users."""
        return self.calendar_home + "Inbox/"

    def collection_path(self, name: str) -> str:
        return self.collections.get(name) or f"{self.calendar_home}{name}/"

    def make_calendar(self, name: str, components: tuple[str, ...] = ("VEVENT", "VTODO"),
                      display_name: str | None = None) -> str:
        comps = "".join(f'<C:comp name="{c}"/>' for c in components)
        return self._make(name, self.calendar_home, "MKCALENDAR",
                          MKCALENDAR_BODY.format(name=display_name or name, components=comps))

    def make_addressbook(self, name: str, display_name: str | None = None) -> str:
        return self._make(name, self.addressbook_home, "MKCOL", MKCOL_ADDRESSBOOK_BODY.format(name=display_name or name))

    def has_collection(self, name: str) -> bool:
        response = self.session().request("PROPFIND", self.base_url + self.collection_path(name), headers={"Depth": "0"})
        return response.status_code == 207

    def _make(self, name: str, home: str, method: str, body: str) -> str:
        path = f"{home}{name}/"
        response = self.session().request(method, self.base_url + path, data=body,
                                          headers={"Content-Type": "application/xml; charset=utf-8"})
        if response.status_code not in (201, 405):  # 405: exists already
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        self.collections[name] = path
        return self.base_url + path

    def inbox(self) -> list[str]:
        """The iCalendar text of every item in this user's scheduling Inbox."""
        session = self.session()
        response = session.request("PROPFIND", self.base_url + self.inbox_path, headers={"Depth": "1", "Content-Type": "application/xml"},
                                   data='<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>')
        assert response.status_code == 207, response.text
        hrefs = [m.href for m in parse_multistatus(response.content).members if m.href.rstrip("/") != self.inbox_path.rstrip("/")]
        return [session.get(self.base_url + href).text for href in sorted(hrefs)]


class CyrusServer:
    """A private Cyrus (httpd + lmtpd under ``master``); ``create_user`` makes ready DAV users."""

    def __init__(self) -> None:
        reason = cyrus_unavailable_reason()
        if reason:
            raise ServerUnavailable(reason)
        # mkdtemp is 0700 and so is pytest's tmp root: cyrus must traverse every parent, so /tmp directly
        self.root = Path(tempfile.mkdtemp(prefix="syncline-cyrus-", dir="/tmp"))
        self.root.chmod(0o711)
        self.http_port, self.lmtp_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.http_port}"
        self.mail_out = self.root / "mail-out"
        for sub in ("run/conf/socket", "run/spool", "run/proc", "run/lock", "run/socket", "mail-out"):
            (self.root / sub).mkdir(parents=True)
        values = {"base": str(self.root), "http_port": self.http_port, "lmtp_port": self.lmtp_port}
        for name in ("imapd.conf", "cyrus.conf"):
            text = Template((HERE / f"{name}.template").read_text()).substitute(values)
            (self.root / name).write_text(text)
            (self.root / name).chmod(0o644)
        shutil.copy(HERE / "capture-sendmail.py", self.root / "capture-sendmail.py")
        (self.root / "capture-sendmail.py").chmod(0o755)
        self.admin_password = secrets.token_urlsafe(12)
        self._set_password("admin", self.admin_password)
        argv = [str(MASTER), "-D", "-C", str(self.root / "imapd.conf"), "-M", str(self.root / "cyrus.conf"),
                "-p", str(self.root / "run" / "master.pid")]
        self.server = ServerProcess("cyrus", argv, self.root / "master.log")
        self.server.wait_until(self._answers, timeout=20)

    def _answers(self) -> bool:
        if requests.request("OPTIONS", self.base_url + "/dav/", timeout=1).status_code >= 500:
            return False
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=1):
            return True

    def _set_password(self, username: str, password: str) -> None:
        sasldb = self.root / "run" / "sasldb2"
        subprocess.run([SASLPASSWD, "-p", "-c", "-f", str(sasldb), "-u", "localhost", username],
                       input=password.encode(), check=True, capture_output=True)
        # cyrus (not root) runs the services: they must read the database and own the spool
        self._chown_spool()

    def _chown_spool(self) -> None:
        """chown -R while Cyrus runs: a database file it renames away mid-walk fails the walk with
        "No such file or directory"; walk again (the renamed-to file is then there to chown)."""
        for _ in range(5):
            done = subprocess.run(["chown", "-R", "cyrus:mail", str(self.root / "run"), str(self.mail_out)],
                                  capture_output=True, text=True)
            if done.returncode == 0:
                return
            if any("No such file or directory" not in line for line in done.stderr.splitlines() if line):
                break
        raise RuntimeError(f"chown of the Cyrus spool failed: {done.stderr.strip()}")

    def create_user(self, prefix: str = "user") -> CyrusAccount:
        """A new user with a random name, an INBOX (an LMTP delivery creates it) and, after one DAV
        request of their own, a Default calendar, address book and scheduling Inbox/Outbox."""
        username, password = f"{prefix}{secrets.token_hex(4)}", secrets.token_urlsafe(12)
        self._set_password(username, password)
        with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10) as lmtp:
            lmtp.login("admin", self.admin_password)
            lmtp.sendmail("setup@localhost", [username], f"Subject: welcome\r\nTo: {username}\r\n\r\nhello\r\n")
        account = CyrusAccount(self.base_url, username, password)
        # Cyrus's own collections, by the names the tests use for "the" calendar and address book
        account.collections.update({"calendar": account.calendar_home + "Default/",
                                    "contacts": account.addressbook_home + "Default/"})
        response = account.session().request("PROPFIND", self.base_url + account.calendar_home, headers={"Depth": "0"})
        if response.status_code != 207:
            raise RuntimeError(f"provisioning {username}: PROPFIND {response.status_code} {response.text[:300]}")
        return account

    def imip_messages(self) -> list[Message]:
        """Every iMIP message Cyrus has sent so far (oldest first), as parsed mail."""
        names = sorted(p for p in self.mail_out.iterdir() if p.suffix == ".eml")
        return [email.message_from_bytes(p.read_bytes()) for p in names]

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def imip_method(message: Message) -> str:
    """The iTIP METHOD (REQUEST, CANCEL, REPLY) of an iMIP message's text/calendar part."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method") or "").upper()
    return ""
