"""What an e2e test does as a user: accounts on the real servers, iCalendar PUTs, tagged
mail, forcing a sync through the API and waiting on the dashboard."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from imapclient import IMAPClient

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.sync.errors import TemporaryFailure
from app.sync.items import CalendarItem, FolderKind
from sandbox.mailservers.radicale import DavAccount
from tests.e2e.conftest import E2E
from tests.factories import Factory
from tests.realservers.fixtures import LOOPBACK_POLICY

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class Person:
    """A Syncline user signed in to an emulator org, with IMAP + CalDAV accounts and a mailbox."""

    e2e: E2E
    user: Any
    sf_org: str
    sf_user: str
    dav: DavAccount
    headers: dict
    mailbox_id: int

    @property
    def endpoints(self) -> dict:
        return endpoints(self.e2e)

    def calendar_items(self, attempts: int = 3) -> list[CalendarItem]:
        """The calendar as the server holds it now; the test's own read is tried again when Radicale,
        loaded by the worker beside it, resets the connection (what the product retries too)."""
        for attempt in range(attempts):
            port = build_mailbox(self.endpoints, self.dav.username, self.dav.password,
                                 MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
            try:
                return list(port.changes_since(FolderKind.CALENDAR, None).items)
            except TemporaryFailure:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)
            finally:
                port.close()
        raise AssertionError("unreachable")


def endpoints(e2e: E2E, caldav_port: int | None = None) -> dict:
    dav = f"http://127.0.0.1:{caldav_port}/" if caldav_port else e2e.radicale.base_url + "/"
    return {"imap_host": "127.0.0.1", "imap_port": e2e.dovecot.port, "imap_tls": False,
            "caldav_url": dav, "carddav_url": dav}


def sign_up(e2e: E2E, factory: Factory, sf_org: str | None = None, password: str | None = None,
            caldav_port: int | None = None, syncline_fields: bool = True, **org_settings: Any) -> Person:
    """A new user (a fresh org unless `sf_org` is given) with a registered mailbox."""
    username, secret = f"u{secrets.token_hex(4)}", secrets.token_urlsafe(10)
    dav = e2e.radicale.add_user(username, secret)
    e2e.dovecot.add_user(username, secret)
    dav.make_calendar("calendar")
    dav.make_addressbook("contacts")
    if sf_org is None:
        user, sf_org, sf_user = factory.salesforce_user(e2e.emu, syncline_fields=syncline_fields)
    else:
        user, sf_user = _colleague(e2e, factory, sf_org)
    headers = factory.auth(user)
    client = e2e.app.test_client()
    if org_settings:
        response = client.patch(f"/api/v1/orgs/{user.org_id}/settings", json=org_settings, headers=headers)
        assert response.status_code == 200, response.json
    mailbox = factory.mailbox(user, "imap", endpoints(e2e, caldav_port), password=password or secret)
    response = client.patch(f"/api/v1/mailboxes/{mailbox.id}", json={"username": username}, headers=headers)
    assert response.status_code == 200, response.json
    return Person(e2e, user, sf_org, sf_user, dav, headers, mailbox.id)


def _colleague(e2e: E2E, factory: Factory, sf_org: str) -> tuple[Any, str]:
    """A second user of an existing org, with their own Salesforce connection."""
    from app.models import Org, SalesforceConnection
    from app.services.users import find_or_create_user

    email = f"colleague{secrets.token_hex(3)}@{sf_org.lower()}.test"
    sf_user = e2e.emu.create_user(sf_org, email=email)
    tokens = e2e.emu.issue_tokens(sf_org, sf_user)
    rt = e2e.rt
    with rt.db.session_scope() as s:
        org = s.query(Org).filter_by(sf_org_id=sf_org).one()
        user = find_or_create_user(s, org, sf_user_id=sf_user, email=email)
        s.add(SalesforceConnection(org_id=org.id, user=user, instance_url=tokens["instance_url"], status="connected",
                                   access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                   refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
        s.flush()
        return user, sf_user


def ics(uid: str, subject: str, start: datetime, hours: float = 1, organizer: str = "",
        attendees: tuple[str, ...] = ()) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    people = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n" for a in attendees)
    org = f"ORGANIZER:mailto:{organizer}\r\n" if organizer else ""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:{NOW.strftime(stamp)}\r\nDTSTART:{start.strftime(stamp)}\r\n"
            f"DTEND:{(start + timedelta(hours=hours)).strftime(stamp)}\r\nSUMMARY:{subject}\r\n"
            f"LOCATION:Room 7\r\n{org}{people}END:VEVENT\r\nEND:VCALENDAR\r\n")


def put_event(person: Person, uid: str, subject: str, start: datetime, **kwargs: Any) -> None:
    url = f"{person.dav.principal_url}calendar/{uid}.ics"
    response = person.dav.session().put(url, data=ics(uid, subject, start, **kwargs).encode(),
                                        headers={"Content-Type": "text/calendar; charset=utf-8"})
    assert response.status_code in (201, 204), response.text


def delete_event(person: Person, uid: str) -> None:
    response = person.dav.session().delete(f"{person.dav.principal_url}calendar/{uid}.ics")
    assert response.status_code in (200, 204), response.text


def append_tagged_mail(person: Person, message_id: str, subject: str = "Proposal",
                       login: tuple[str, str] | None = None) -> None:
    """``login``: the IMAP user and password where they differ from the DAV account's."""
    raw = (f"From: client@customer.test\r\nTo: {person.user.email}\r\nSubject: {subject}\r\n"
           f"Date: {NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: {message_id}\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find our offer.\r\n").encode()
    append_raw(person, raw, login=login)


def append_raw(person: Person, raw: bytes, flags: tuple[str, ...] = ("Salesforce",),
               login: tuple[str, str] | None = None) -> None:
    """Put one raw RFC 5322 message in the person's INBOX with these flags."""
    client = IMAPClient("127.0.0.1", person.e2e.dovecot.port, ssl=False)
    try:
        client.login(*(login or (person.dav.username, person.dav.password)))
        client.append("INBOX", raw, flags=list(flags))
    finally:
        client.logout()


def dashboard(person: Person) -> dict:
    response = person.e2e.app.test_client().get(f"/api/v1/mailboxes/{person.mailbox_id}/dashboard?sessions=5",
                                                headers=person.headers)
    assert response.status_code == 200, response.json
    return response.json


def force_sync(person: Person, timeout: float = 60) -> dict:
    """POST …/sync, then poll the dashboard until a session newer than before has finished."""
    before = max((s["id"] for s in dashboard(person)["sessions"]), default=0)
    response = person.e2e.app.test_client().post(f"/api/v1/mailboxes/{person.mailbox_id}/sync",
                                                 headers=person.headers)
    assert response.status_code == 202, response.json
    return wait_for_session(person, before, timeout)


def wait_for_session(person: Person, after_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = [s for s in dashboard(person)["sessions"] if s["id"] > after_id and s["finished_at"]]
        if sessions:
            return sessions[0]
        time.sleep(0.1)
    worker = person.e2e.worker.log()[-3000:] if person.e2e.worker else ""
    raise AssertionError(f"no session finished within {timeout}s: {dashboard(person)}\n{worker}")


def wait_until(check, what: str, e2e: E2E, timeout: float = 60, *others: Any):
    """Poll ``check`` until it returns something truthy; on timeout, fail with the worker's log tail
    (and that of any other process given with a ``log()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    logs = "\n".join(p.log()[-3000:] for p in (e2e.worker, *others) if p is not None)
    raise AssertionError(f"{what} did not happen within {timeout}s\n{logs}")


def scrape_metrics(e2e) -> dict[tuple[str, tuple], float]:
    """One scrape of the API's /metrics: (sample name, sorted labels) → value."""
    from prometheus_client.parser import text_string_to_metric_families

    body = e2e.app.test_client().get("/metrics").get_data(as_text=True)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


def metric_value(scrape, name: str, **labels) -> float:
    """A sample of ``scrape_metrics``; 0 when the series is absent."""
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)
