"""The sandbox's servers and seed data, read back through real clients and the product's adapter."""
from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.models import ApiToken, Base, Mailbox, Org, SalesforceConnection, ServerProfile, User
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.security.api_tokens import hash_token
from app.sync.items import FolderKind
from sandbox import seed_data as data
from sandbox.salesforce.values import parse_datetime
from sandbox.seed import seed_sandbox
from tests.realservers.fixtures import LOOPBACK_POLICY
from tests.sandbox.conftest import make_instance, runtime_for, start_sandbox


@pytest.fixture
def mailbox(sandbox):
    port = build_mailbox(sandbox.env.endpoints(), sandbox.seed.dav.username, sandbox.seed.dav.password,
                         MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    yield port
    port.close()


def test_emulator_holds_sandbox_co_with_crm_records_and_an_upcoming_event(sandbox):
    emu, org = sandbox.env.emulator, sandbox.seed.sf_org_id
    assert emu.orgs[org].name == "Sandbox Co"
    counts = {kind: len(emu.records(org, kind)) for kind in ("Account", "Contact", "Lead", "Opportunity", "Event")}
    assert counts == {"Account": 2, "Contact": 3, "Lead": 2, "Opportunity": 1, "Event": 1}
    [event] = emu.records(org, "Event")
    start = parse_datetime(event["StartDateTime"])
    now = datetime.now(UTC)
    assert event["OwnerId"] == sandbox.seed.sf_user_id and now < start < now + timedelta(days=7)
    [user] = [u for u in emu.records(org, "User") if u["Id"] == sandbox.seed.sf_user_id]
    assert emu.identity(org, user["Id"])["email"] == data.ADMIN["email"]


def test_radicale_calendar_has_meetings_series_all_day_and_attendees_who_are_contacts(sandbox, mailbox):
    changes = mailbox.changes_since(FolderKind.CALENDAR, None)
    by_subject = {item.subject: item for item in changes.items}
    assert len(by_subject) == 4
    assert by_subject["Weekly pipeline review with Northwind"].rrule.startswith("FREQ=WEEKLY")
    assert by_subject["Northwind onsite visit"].all_day
    contact_emails = {c["Email"] for c in sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Contact")}
    attendees = {a.email for item in changes.items for a in item.attendees}
    assert attendees and attendees <= contact_emails


def test_radicale_has_two_tasks_and_two_contacts(mailbox):
    assert len(mailbox.changes_since(FolderKind.TASKS, None).items) == 2
    contacts = mailbox.changes_since(FolderKind.CONTACTS, None).items
    assert sorted(c.email for c in contacts) == ["maria.anders@northwind.test", "nina.becker@contoso.test"]


def test_imap_lists_the_tagged_and_the_foldered_email(sandbox, mailbox):
    if sandbox.env.dovecot is None:
        pytest.skip(sandbox.env.dovecot_note)
    mail = mailbox.changes_since(FolderKind.MAIL, None).items
    assert sorted((m.folder, m.subject) for m in mail) == [
        ("INBOX", "Re: 2026 renewal pricing"), ("Salesforce", "Globex demo – agenda")]


def test_syncline_rows_link_org_user_connection_profile_and_mailbox(sandbox):
    rt, seed = sandbox.rt, sandbox.seed
    with rt.db.session_scope() as s:
        org = s.scalar(select(Org).where(Org.sf_org_id == seed.sf_org_id))
        user = s.get(User, seed.rows.user_id)
        conn = s.scalar(select(SalesforceConnection).where(SalesforceConnection.user_id == user.id))
        mailbox = s.get(Mailbox, seed.rows.mailbox_id)
        profile = s.get(ServerProfile, mailbox.server_profile_id)
        assert (org.name, org.settings["sync_interval_minutes"]) == ("Sandbox Co", 5)
        assert user.org_id == org.id and user.sf_user_id == seed.sf_user_id and user.is_admin
        assert conn.is_org_default and conn.status == "connected" and conn.instance_url == sandbox.env.emulator.base_url
        assert sandbox.env.emulator.oauth.session(rt.secrets.decrypt(conn.access_token_enc)) is not None
        assert profile.kind == "imap" and profile.endpoints["caldav_url"].startswith("http://127.0.0.1:")
        if sandbox.env.dovecot is not None:
            assert profile.endpoints["imap_tls"] is False
        assert json.loads(rt.secrets.decrypt(mailbox.credentials_enc)) == {"password": seed.dav.password}
        assert s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(seed.rows.api_token))).user_id \
            == user.id


def test_database_file_holds_no_plaintext_secret(sandbox):
    rt = sandbox.rt
    with rt.db.session_scope() as s:
        conn = s.scalar(select(SalesforceConnection))
        secrets = [sandbox.seed.dav.password, sandbox.seed.rows.api_token, rt.secrets.decrypt(conn.access_token_enc),
                   rt.secrets.decrypt(conn.refresh_token_enc)]
    rt.db.dispose()  # everything on disk, nothing pending in a connection
    stored = b"".join(path.read_bytes() for path in sandbox.instance.glob("syncline.db*"))
    assert stored and not [secret for secret in secrets if secret.encode() in stored]


def _row_counts(rt) -> dict[str, int]:
    with rt.db.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in Base.metadata.sorted_tables}


def test_seeding_again_creates_nothing(sandbox, mailbox):
    before = (_row_counts(sandbox.rt), len(sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Contact")),
              len(mailbox.changes_since(FolderKind.CALENDAR, None).items))
    again = seed_sandbox(sandbox.rt, sandbox.env)
    after = (_row_counts(sandbox.rt), len(sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Contact")),
             len(mailbox.changes_since(FolderKind.CALENDAR, None).items))
    assert again == sandbox.seed and after == before


def test_restart_reuses_ports_token_and_data(redis_url):
    instance = make_instance()
    rt = runtime_for(instance, redis_url)
    try:
        first = start_sandbox(instance, rt)
        ports = dict(first.env.state.ports)
        first.env.stop()
        second = start_sandbox(instance, rt)
        second.env.stop()
        assert second.env.state.ports == ports and second.seed == first.seed
        with rt.db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM mailboxes")).scalar() == 1
    finally:
        rt.db.dispose()
        shutil.rmtree(instance.parent, ignore_errors=True)


def test_without_dovecot_the_sandbox_says_so_and_runs_dav_only(redis_url, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no dovecot binary on this PATH
    instance = make_instance()
    rt = runtime_for(instance, redis_url)
    try:
        started = start_sandbox(instance, rt)
        started.env.stop()
        assert started.env.dovecot is None and started.seed.imap is None
        assert "running CalDAV/CardDAV only" in started.env.dovecot_note and "\n" not in started.env.dovecot_note
        assert "imap_host" not in started.env.endpoints() and "imap" not in started.env.state.ports
    finally:
        rt.db.dispose()
        shutil.rmtree(instance.parent, ignore_errors=True)
