"""The sandbox's own first sync, run as the worker runs it: it links Maria's card to her seeded
Contact and must not blank anything either side holds (issue 11, point 5)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.models import SyncSessionRecord
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.runtime import Runtime
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from app.sync.items import FolderKind
from sandbox import seed_data as data
from tests.realservers.fixtures import LOOPBACK_MAIL_HOSTS, LOOPBACK_POLICY


@pytest.fixture(scope="module")
def first_sync(sandbox):
    """The worker's runtime (trusting the sandbox's emulator and mail servers) and its first session."""
    emu = sandbox.env.emulator
    config = sandbox.rt.config.with_overrides(
        salesforce_login_url=emu.base_url, salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,),
        salesforce_ca_bundle=str(emu.ca_path), allowed_mail_hosts=LOOPBACK_MAIL_HOSTS)
    rt = Runtime.build(config)
    try:
        status = run_session(rt, sandbox.seed.rows.mailbox_id, "forced", default_ports)
        with rt.db.session_scope() as s:
            record = s.scalars(select(SyncSessionRecord).order_by(SyncSessionRecord.id.desc())).first()
            yield status, record.errors, record.conflicts
    finally:
        rt.db.dispose()


def _card(sandbox, email):
    port = build_mailbox(sandbox.env.endpoints(), sandbox.seed.dav.username, sandbox.seed.dav.password,
                         MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    try:
        return next(c for c in port.changes_since(FolderKind.CONTACTS, None).items if c.email == email)
    finally:
        port.close()


def test_first_sync_keeps_the_seeded_contacts_phone_and_title_and_the_card_gains_them(sandbox, first_sync):
    status, errors, _ = first_sync
    assert status in ("succeeded", "partial"), errors
    seeded = data.CONTACTS["maria"][1]
    [maria] = [c for c in sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Contact")
               if c["Email"] == seeded["Email"]]
    assert (maria["Phone"], maria["Title"]) == (seeded["Phone"], seeded["Title"])
    card = _card(sandbox, seeded["Email"])
    assert (card.business_phone, card.job_title) == (seeded["Phone"], seeded["Title"])


def test_first_sync_records_no_conflict_without_real_modification_times(first_sync):
    _, _, conflicts = first_sync
    for conflict in conflicts:
        assert conflict["mailbox_modified_at"] and conflict["salesforce_modified_at"], conflict
        assert "modified last" not in conflict["reason"] or None not in (
            conflict["mailbox_modified_at"], conflict["salesforce_modified_at"]), conflict
