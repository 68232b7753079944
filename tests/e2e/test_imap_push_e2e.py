"""IMAP+DAV push end to end: a REAL `python -m app push-watcher` process IDLEs on Dovecot and polls
Radicale, and the REAL worker's session carries the change to the Salesforce emulator — no scheduler
runs and nobody forces a session. Also: a burst makes one session, the watcher reconnects after
Dovecot drops it, and the dashboard shows push live with the mailbox's freshness."""
from __future__ import annotations

import json
import secrets
import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import select

from app.models import SavedEmail
from app.services.push_share import owner
from app.services.sync_queue import pending_job
from tests.e2e.conftest import E2E, WorkerProcess
from tests.e2e.helpers import NOW, Person, dashboard, metric_value, put_event, scrape_metrics, sign_up, wait_until

WATCHER_ARGS = ["--dav-interval", "0.5", "--reconcile-interval", "0.5", "--debounce", "1.5", "--folder-refresh", "0.5"]


class WatcherProcess(WorkerProcess):
    """The `python -m app push-watcher` subprocess; ``lines`` reads its JSON log records."""

    def __init__(self, env: dict[str, str], log_path: Path, *more_args: str) -> None:
        super().__init__(env, log_path, ("push-watcher", *WATCHER_ARGS, *more_args), ready="push watcher started")

    def records(self, message: str) -> list[dict]:
        """The watcher's JSON log records with this message."""
        found = []
        for line in self.log().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("msg") == message:
                found.append(record)
        return found

    def lines(self, message: str, mailbox_id: int) -> list[dict]:
        """The watcher's log records with this message for this mailbox."""
        return [r for r in self.records(message) if r.get("mailbox_id") == mailbox_id]


@pytest.fixture(scope="module")
def watcher(e2e) -> Iterator[WatcherProcess]:
    process = WatcherProcess(e2e.env, e2e.tmp / f"push-watcher-{secrets.token_hex(3)}.log")
    yield process
    process.stop()


def _wait(check, what: str, e2e: E2E, watcher: WatcherProcess, timeout: float = 90):
    return wait_until(check, what, e2e, timeout, watcher)


def _imap(person: Person) -> IMAPClient:
    client = IMAPClient("127.0.0.1", person.e2e.dovecot.port, ssl=False)
    client.login(person.dav.username, person.dav.password)
    return client


def _raw(person: Person, message_id: str, subject: str) -> bytes:
    return (f"From: client@customer.test\r\nTo: {person.user.email}\r\nSubject: {subject}\r\n"
            f"Date: {NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: {message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find our offer.\r\n").encode()


def _watched(person: Person, watcher: WatcherProcess, folder: str | None = None) -> dict:
    """Wait until the watcher holds the mailbox (with ``folder`` among its folders) and shows push live."""
    def ready():
        watching = [r for r in watcher.lines("push watching", person.mailbox_id)
                    if folder is None or folder in r.get("folders", [])]
        push = dashboard(person)["push"]
        return push if watching and push["live"] else None
    return _wait(ready, "push going live", person.e2e, watcher)


def _saved(person: Person, *message_ids: str) -> bool:
    with person.e2e.rt.db.session_scope() as s:
        rows = s.scalars(select(SavedEmail).where(SavedEmail.message_id.in_(message_ids),
                                                  SavedEmail.org_id == person.user.org_id))
        return {r.message_id for r in rows if r.status == "saved"} == set(message_ids)


def _push_sessions(person: Person) -> list[dict]:
    sessions = dashboard(person)["sessions"]
    assert {s["trigger"] for s in sessions} <= {"push"}, sessions    # nothing scheduled, nothing forced
    return sessions


def test_a_mail_moved_into_the_salesforce_folder_is_saved_through_idle(e2e, factory, watcher):
    ann = sign_up(e2e, factory, save_emails_as="Task")
    push = _watched(ann, watcher)
    assert push["mode"] == "imap-idle+dav-poll" and push["last_change_at"] is None
    client = _imap(ann)
    try:
        client.create_folder("Salesforce")            # made after the watcher listed the folders
        _watched(ann, watcher, folder="Salesforce")
        _wait(lambda: dashboard(ann)["push"]["mode"] == "imap-notify+dav-poll",
              "Inbox and Salesforce folder on one NOTIFY connection", e2e, watcher)
        [listing] = [w for w in watcher.lines("push watching", ann.mailbox_id) if "Salesforce" in w["folders"]][-1:]
        assert listing["connections"] == 1, listing
        client.append("INBOX", _raw(ann, "<moved-1@customer.test>", "Moved proposal"))
        client.select_folder("INBOX")
        client.move(client.search(["HEADER", "Message-ID", "moved-1@customer.test"]), "Salesforce")
    finally:
        client.logout()
    _wait(lambda: _saved(ann, "moved-1@customer.test"), "the moved mail reaching Salesforce", e2e, watcher)
    tasks = [t for t in e2e.emu.records(ann.sf_org, "Task") if t.get("Subject") == "Email: Moved proposal"]
    assert len(tasks) == 1
    assert _push_sessions(ann)


def test_a_caldav_event_change_reaches_salesforce_through_polling(e2e, factory, watcher):
    bob = sign_up(e2e, factory)
    _watched(bob, watcher)
    put_event(bob, "push-ev-1", "Pushed CalDAV meeting", NOW + timedelta(days=2))
    events = _wait(lambda: [e for e in e2e.emu.records(bob.sf_org, "Event")
                            if e["Subject"] == "Pushed CalDAV meeting"], "the event reaching Salesforce", e2e, watcher)
    assert len(events) == 1
    put_event(bob, "push-ev-1", "Moved CalDAV meeting", NOW + timedelta(days=3))
    _wait(lambda: [e for e in e2e.emu.records(bob.sf_org, "Event") if e["Subject"] == "Moved CalDAV meeting"],
          "the changed event reaching Salesforce", e2e, watcher)
    assert len(e2e.emu.records(bob.sf_org, "Event")) == 1
    assert _push_sessions(bob)


def test_a_burst_of_changes_yields_one_session(e2e, factory, watcher):
    cat = sign_up(e2e, factory, save_emails_as="Task")
    _watched(cat, watcher)
    ids = [f"burst-{n}@customer.test" for n in range(5)]
    client = _imap(cat)
    try:
        for n, message_id in enumerate(ids):
            client.append("INBOX", _raw(cat, f"<{message_id}>", f"Burst {n}"), flags=["Salesforce"])
    finally:
        client.logout()
    _wait(lambda: _saved(cat, *ids), "the burst reaching Salesforce", e2e, watcher)
    _wait(lambda: pending_job(e2e.rt, cat.mailbox_id) is None and dashboard(cat)["push"]["synced"],
          "the session ending", e2e, watcher)
    asked = watcher.lines("push asked for a session", cat.mailbox_id)
    sessions = _push_sessions(cat)
    assert len(asked) == 1 and asked[0]["outcome"] == "queued", asked
    assert len(sessions) == 1 and sessions[0]["status"] == "succeeded", sessions
    assert len([t for t in e2e.emu.records(cat.sf_org, "Task") if t["Subject"].startswith("Email: Burst")]) == 5


def test_the_watcher_reconnects_after_the_server_drops_it_and_the_dashboard_shows_freshness(e2e, factory, watcher):
    dan = sign_up(e2e, factory, save_emails_as="Task")
    _watched(dan, watcher)
    kicked = subprocess.run(["doveadm", "-c", str(e2e.dovecot.config_path), "kick", dan.dav.username],
                            capture_output=True, text=True, check=True)
    assert dan.dav.username in kicked.stdout
    _wait(lambda: watcher.lines("push reconnected", dan.mailbox_id), "the watcher reconnecting", e2e, watcher)
    assert watcher.lines("push connection lost; reconnecting", dan.mailbox_id)
    _watched(dan, watcher)
    client = _imap(dan)
    try:
        client.append("INBOX", _raw(dan, "<after-kick@customer.test>", "After the drop"), flags=["Salesforce"])
    finally:
        client.logout()
    _wait(lambda: _saved(dan, "after-kick@customer.test"), "the mail after the drop reaching Salesforce", e2e, watcher)
    push = _wait(lambda: (p := dashboard(dan)["push"])["synced"] and p, "the dashboard showing it synced", e2e, watcher)
    assert push["live"] is True and push["mode"] == "imap-idle+dav-poll"
    assert push["last_change_at"] is not None and push["last_sync_at"] >= push["last_change_at"]
    assert push["lag_seconds"] is not None and push["lag_seconds"] >= 0
    assert metric_value(scrape_metrics(e2e), "syncline_push_connections", kind="imap") >= 1
    assert _push_sessions(dan)


def test_a_suspended_mailbox_is_no_longer_watched_and_a_resumed_one_is_again(e2e, factory, watcher):
    eve = sign_up(e2e, factory)
    _watched(eve, watcher)
    client = e2e.app.test_client()
    response = client.post(f"/api/v1/mailboxes/{eve.mailbox_id}/suspend", json={"reason": "holiday"},
                           headers=eve.headers)
    assert response.status_code == 200, response.json
    _wait(lambda: watcher.lines("push stopped watching", eve.mailbox_id) and not dashboard(eve)["push"]["live"],
          "the watcher letting the suspended mailbox go", e2e, watcher)
    response = client.post(f"/api/v1/mailboxes/{eve.mailbox_id}/resume", headers=eve.headers)
    assert response.status_code == 200, response.json
    _wait(lambda: len(watcher.lines("push watching", eve.mailbox_id)) >= 2 and dashboard(eve)["push"]["live"],
          "the watcher taking the resumed mailbox back", e2e, watcher)


def test_a_watcher_holds_no_more_connections_than_its_pool(e2e, factory, watcher):
    fay = sign_up(e2e, factory)
    _watched(fay, watcher)
    small = WatcherProcess(e2e.env, e2e.tmp / f"push-watcher-small-{secrets.token_hex(3)}.log",
                           "--max-connections", "3",      # one mailbox: Inbox, Sent and Salesforce folder
                           "--group", "small")           # its own group: it does not share with the module's watcher
    try:
        _wait(lambda: small.lines("push connection pool full; mailbox left to the schedule", fay.mailbox_id),
              "the small watcher refusing a mailbox", e2e, small)
        watching = {json.loads(line)["mailbox_id"] for line in small.log().splitlines()
                    if line.startswith("{") and json.loads(line)["msg"] == "push watching"}
        assert len(watching) <= 1 and fay.mailbox_id not in watching
    finally:
        small.stop()


def test_two_watchers_of_one_group_share_the_mailboxes_and_a_stopping_one_hands_back(e2e, factory, watcher):
    """A second watcher of the default group takes its share (the same rendezvous hash in every
    watcher): a mailbox it holds is watched by it alone and its change still arrives; once it stops,
    the first watcher takes the mailbox back."""
    second = WatcherProcess(e2e.env, e2e.tmp / f"push-watcher-second-{secrets.token_hex(3)}.log")
    try:
        host = socket.gethostname()
        first_name, second_name = f"{host}-{watcher.proc.pid}", f"{host}-{second.proc.pid}"
        _wait(lambda: (seen := watcher.records("push watchers")) and set(seen[-1]["members"]) == {first_name, second_name},
              "the first watcher seeing the second (and no one else)", e2e, watcher)
        for _ in range(30):                      # a mailbox the second holds (about one in two)
            gil = sign_up(e2e, factory)
            if owner(f"mailbox:{gil.mailbox_id}", [first_name, second_name]) == second_name:
                break
        else:
            pytest.fail("no new mailbox fell to the second watcher")
        _wait(lambda: second.lines("push watching", gil.mailbox_id) and dashboard(gil)["push"]["live"],
              "the second watcher holding the mailbox", e2e, second)
        assert not watcher.lines("push watching", gil.mailbox_id)
        put_event(gil, "shared-watch-1", "Meeting seen by the second watcher", NOW + timedelta(days=2))
        _wait(lambda: [e for e in e2e.emu.records(gil.sf_org, "Event")
                       if e["Subject"] == "Meeting seen by the second watcher"], "the event reaching Salesforce",
              e2e, second)
        assert second.lines("push asked for a session", gil.mailbox_id) and _push_sessions(gil)
    finally:
        second.stop()
    _wait(lambda: watcher.lines("push watching", gil.mailbox_id), "the first watcher taking the mailbox back",
          e2e, watcher)

