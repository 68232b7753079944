"""The bench's users: one Salesforce org, Syncline user and mailbox each (calendar, tasks,
address book, IMAP inbox), and the edits they make on both sides while faults run.

Every item the bench creates carries a token `fm-<mailbox>-<n>` in its subject or name, so
reconciliation can find each item's counterparts however the sync renamed or re-serialised it.
"""
from __future__ import annotations

import json
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from imapclient import IMAPClient

from app.models import Mailbox, SalesforceConnection, ServerProfile
from app.services.settings import DEFAULT_ORG_SETTINGS
from app.services.users import find_or_create_org, find_or_create_user
from bench.fault_matrix.world import FaultWorld
from sandbox.mailservers import DavAccount, ImapAccount

KINDS = ("calendar", "tasks", "contacts")
TOKEN = re.compile(r"fm-\d+-\d+")
SF_TYPE = {"calendar": "Event", "tasks": "Task", "contacts": "Contact"}
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class BenchMailbox:
    """One user's two sides, and what the bench created there."""

    index: int
    mailbox_id: int
    sf_org: str
    sf_user: str
    dav: DavAccount
    imap: ImapAccount | None
    created: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    dav_made: dict[str, str] = field(default_factory=dict)      # token → kind, for items the bench PUT
    message_ids: set[str] = field(default_factory=set)
    serial: int = 0

    def new_token(self) -> str:
        self.serial += 1
        return f"fm-{self.index}-{self.serial}"


def register(world: FaultWorld, index: int) -> BenchMailbox:
    """Emulator org and user, DAV and IMAP accounts, Syncline org (interval shortened), user,
    Salesforce connection and mailbox pointing at the DAV fault proxy."""
    emu, rt = world.emu, world.rt
    sf_org = emu.create_org(name=f"Fault Bench {index}")
    email = f"user{index}@{sf_org.lower()}.test"
    sf_user = emu.create_user(sf_org, email=email, admin=True)
    tokens = emu.issue_tokens(sf_org, sf_user)
    dav = _dav_account(world, f"fmuser{index}")
    imap = world.dovecot.add_user(dav.username, dav.password) if world.dovecot else None
    endpoints: dict = {"caldav_url": world.proxy.base_url + "/", "carddav_url": world.proxy.base_url + "/"}
    if imap is not None:
        endpoints.update(imap_host=imap.host, imap_port=imap.port, imap_tls=False)
    with rt.db.session_scope() as s:
        org = find_or_create_org(s, sf_org, f"Fault Bench {index}", tokens["instance_url"])
        org.settings = {"sync_interval_minutes": world.scale.sync_interval_minutes}
        user = find_or_create_user(s, org, sf_user_id=sf_user, email=email, sf_admin=True)
        s.add(SalesforceConnection(org_id=org.id, user=user, instance_url=tokens["instance_url"], status="connected",
                                   is_org_default=True, access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                   refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
        profile = ServerProfile(org_id=org.id, name="bench servers", kind="imap", endpoints=endpoints)
        s.add(profile)
        s.flush()
        mailbox = Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address=email,
                          username=dav.username, credentials_enc=rt.secrets.encrypt(json.dumps({"password": dav.password})))
        s.add(mailbox)
        s.flush()
        return BenchMailbox(index, mailbox.id, sf_org, sf_user, dav, imap)


def _dav_account(world: FaultWorld, username: str) -> DavAccount:
    dav = world.radicale.add_user(username, f"pw-{username}-bench")
    dav.make_calendar("calendar", ("VEVENT",))
    dav.make_calendar("tasks", ("VTODO",))
    dav.make_addressbook("contacts")
    return dav


# ---- the user's edits -----------------------------------------------------------------------------
def _vcalendar(component: str, lines: list[str]) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Syncline//Fault bench//EN",
                        f"BEGIN:{component}", *lines, f"END:{component}", "END:VCALENDAR"]) + "\r\n"


def dav_resource(kind: str, token: str, n: int, version: int) -> tuple[str, str, str]:
    """(collection, file name, body) of the bench's item `token` at `version`."""
    stamp = f"DTSTAMP:{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    if kind == "calendar":
        start = NOW + timedelta(days=1 + n % 20, hours=n % 8)
        return "calendar", f"{token}.ics", _vcalendar("VEVENT", [
            f"UID:{token}@fault-bench", stamp, f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}", f"SUMMARY:{token} Customer call v{version}"])
    if kind == "tasks":
        return "tasks", f"{token}.ics", _vcalendar("VTODO", [
            f"UID:{token}@fault-bench", stamp, f"SUMMARY:{token} Send the quote v{version}",
            f"DUE;VALUE=DATE:{NOW + timedelta(days=2 + n % 10):%Y%m%d}", "STATUS:NEEDS-ACTION"])
    return "contacts", f"{token}.vcf", "\r\n".join([
        "BEGIN:VCARD", "VERSION:3.0", f"UID:{token}@fault-bench", f"FN:Pat Buyer-{token}",
        f"N:Buyer-{token};Pat;;;", f"TITLE:Buyer v{version}", f"EMAIL;TYPE=WORK:{token}@customers.test",
        f"CATEGORIES:{DEFAULT_ORG_SETTINGS['salesforce_category']}", "END:VCARD"]) + "\r\n"   # in contact scope


def salesforce_values(kind: str, token: str, n: int, version: int) -> dict:
    if kind == "calendar":
        start = NOW + timedelta(days=2 + n % 20, hours=n % 8)
        return {"Subject": f"{token} Salesforce meeting v{version}", "StartDateTime": start.isoformat(),
                "EndDateTime": (start + timedelta(hours=1)).isoformat(), "DurationInMinutes": 60}
    if kind == "tasks":
        return {"Subject": f"{token} Call back v{version}", "Status": "Not Started", "Priority": "Normal",
                "ActivityDate": (NOW + timedelta(days=3 + n % 10)).date().isoformat()}
    return {"FirstName": "Sam", "LastName": f"Lead-{token}", "Title": f"Buyer v{version}",
            "Email": f"{token}@partners.test"}


class Editor:
    """The users' edits on both sides, drawn from a seeded random generator (thread-safe)."""

    def __init__(self, world: FaultWorld, mailboxes: list[BenchMailbox], rng: random.Random) -> None:
        self.world, self.mailboxes, self.rng = world, mailboxes, rng
        self.edits = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}

    def seed(self, box: BenchMailbox) -> None:
        """Before the first session: items on both sides of every kind and a tagged email."""
        for kind in KINDS:
            self.dav_create(box, kind)
            self.sf_create(box, kind)
        self.dav_create(box, "calendar")
        self.tagged_email(box)

    def random_edit(self) -> None:
        with self._lock:
            box = self.rng.choice(self.mailboxes)
            action = self.rng.choice(("dav_create", "dav_edit", "sf_create", "sf_edit", "sf_edit", "tagged_email"))
            kind = self.rng.choice(KINDS)
            try:
                if action == "tagged_email":
                    self.tagged_email(box)
                else:
                    getattr(self, action)(box, kind)
                self.edits += 1
            except Exception as exc:  # noqa: BLE001 — a user's edit failing is reported, not fatal
                self.errors.append(f"{action} {kind}: {type(exc).__name__}: {exc}"[:300])

    def dav_create(self, box: BenchMailbox, kind: str) -> None:
        token = box.new_token()
        self._put(box, kind, token, 1)
        box.created[kind].add(token)
        box.dav_made[token] = kind

    def dav_edit(self, box: BenchMailbox, kind: str) -> None:
        tokens = sorted(t for t, k in box.dav_made.items() if k == kind)
        if tokens:
            token = self.rng.choice(tokens)
            self._put(box, kind, token, self._bump(token))

    def _put(self, box: BenchMailbox, kind: str, token: str, version: int) -> None:
        collection, name, body = dav_resource(kind, token, box.serial, version)
        content_type = "text/vcard" if name.endswith(".vcf") else "text/calendar"
        url = f"{box.dav.principal_url}{collection}/{name}"
        response = box.dav.session().put(url, data=body.encode(), headers={"Content-Type": f"{content_type}; charset=utf-8"},
                                         timeout=30)
        if response.status_code not in (201, 204):
            raise RuntimeError(f"PUT {url}: {response.status_code}")

    def sf_create(self, box: BenchMailbox, kind: str) -> None:
        token = box.new_token()
        self.world.emu.insert(box.sf_org, SF_TYPE[kind], salesforce_values(kind, token, box.serial, 1), box.sf_user)
        box.created[kind].add(token)

    def sf_edit(self, box: BenchMailbox, kind: str) -> None:
        """A Salesforce user edits one of the bench's records (from either side) that is there."""
        records = [r for r in self.world.emu.records(box.sf_org, SF_TYPE[kind]) if _token_of(r, kind)]
        if not records:
            return
        record = self.rng.choice(sorted(records, key=lambda r: r["Id"]))
        token = _token_of(record, kind)
        field_name = "Title" if kind == "contacts" else "Subject"
        value = f"Buyer v{self._bump(token)}" if kind == "contacts" else \
            f"{token} edited in Salesforce v{self._bump(token)}"
        self.world.emu.update(box.sf_org, SF_TYPE[kind], record["Id"], {field_name: value}, box.sf_user)

    def tagged_email(self, box: BenchMailbox) -> None:
        if box.imap is None:
            return
        token = box.new_token()
        message_id = f"<{token}@customers.test>"
        raw = (f"From: client@customers.test\r\nTo: {box.imap.username}@bench.test\r\nSubject: {token} offer\r\n"
               f"Date: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}\r\nMessage-ID: {message_id}\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find our offer.\r\n").encode()
        client = IMAPClient(box.imap.host, box.imap.port, ssl=False, timeout=30)
        try:
            client.login(box.imap.username, box.imap.password)
            client.append("INBOX", raw, flags=[DEFAULT_ORG_SETTINGS["salesforce_category"]])
        finally:
            client.logout()
        box.message_ids.add(message_id)

    def _bump(self, token: str) -> int:
        self._versions[token] = self._versions.get(token, 1) + 1
        return self._versions[token]


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text)


def _token_of(record: dict, kind: str) -> str:
    found = tokens_in(str(record.get("LastName" if kind == "contacts" else "Subject") or ""))
    return found[0] if found else ""
