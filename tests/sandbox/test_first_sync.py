"""The sandbox's own first sync, run as the worker runs it: it links Maria's card to her seeded
Contact and must not blank anything either side holds (issue 11, point 5)."""
from __future__ import annotations

from dataclasses import dataclass, fields
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

SYNCED_OBJECTS = ("Contact", "Event", "Task")
SYSTEM_FIELDS = frozenset({"LastModifiedDate", "SystemModstamp", "LastModifiedById"})
MAILBOX_BOOKKEEPING = frozenset({"version", "modified_at", "sync_key"})


@dataclass(frozen=True)
class FirstSync:
    status: str
    errors: list
    conflicts: list
    records_before: dict[str, dict]
    items_before: dict[str, object]


@pytest.fixture(scope="module")
def first_sync(sandbox):
    """The worker's runtime (trusting the sandbox's emulator and mail servers) and its first session,
    with both sides as they were just before it."""
    emu = sandbox.env.emulator
    config = sandbox.rt.config.with_overrides(
        salesforce_login_url=emu.base_url, salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,),
        salesforce_ca_bundle=str(emu.ca_path), allowed_mail_hosts=LOOPBACK_MAIL_HOSTS)
    rt = Runtime.build(config)
    records_before, items_before = _records(sandbox), _items(sandbox)
    try:
        status = run_session(rt, sandbox.seed.rows.mailbox_id, "forced", default_ports)
        with rt.db.session_scope() as s:
            record = s.scalars(select(SyncSessionRecord).order_by(SyncSessionRecord.id.desc())).first()
            yield FirstSync(status, record.errors, record.conflicts, records_before, items_before)
    finally:
        rt.db.dispose()


def _records(sandbox) -> dict[str, dict]:
    emu, org = sandbox.env.emulator, sandbox.seed.sf_org_id
    return {r["Id"]: r for kind in SYNCED_OBJECTS for r in emu.records(org, kind)}


def _items(sandbox) -> dict[str, object]:
    port = build_mailbox(sandbox.env.endpoints(), sandbox.seed.dav.username, sandbox.seed.dav.password,
                         MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    try:
        return {i.item_id: i for kind in (FolderKind.CALENDAR, FolderKind.TASKS, FolderKind.CONTACTS)
                for i in port.changes_since(kind, None).items}
    finally:
        port.close()


def _card(sandbox, email):
    return next(c for c in _items(sandbox).values() if getattr(c, "email", None) == email)


def test_first_sync_keeps_the_seeded_contacts_phone_and_title_and_the_card_gains_them(sandbox, first_sync):
    assert first_sync.status == "succeeded", first_sync.errors
    seeded = data.CONTACTS["maria"][1]
    [maria] = [c for c in sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Contact")
               if c["Email"] == seeded["Email"]]
    assert (maria["Phone"], maria["Title"]) == (seeded["Phone"], seeded["Title"])
    card = _card(sandbox, seeded["Email"])
    assert (card.business_phone, card.job_title) == (seeded["Phone"], seeded["Title"])


def test_first_sync_changes_no_value_either_side_held(sandbox, first_sync):
    after = _records(sandbox)
    for record_id, before in first_sync.records_before.items():
        kept = {k: v for k, v in before.items() if v not in (None, "") and k not in SYSTEM_FIELDS}
        assert {k: after[record_id].get(k) for k in kept} == kept, record_id
    items = _items(sandbox)
    for item_id, before in first_sync.items_before.items():
        kept = {f.name: getattr(before, f.name) for f in fields(before)
                if getattr(before, f.name) not in (None, "", ()) and f.name not in MAILBOX_BOOKKEEPING}
        assert {k: getattr(items[item_id], k) for k in kept} == kept, item_id


def test_first_sync_records_no_conflict_without_real_modification_times(first_sync):
    for conflict in first_sync.conflicts:
        assert conflict["mailbox_modified_at"] and conflict["salesforce_modified_at"], conflict
        assert "modified last" not in conflict["reason"] or None not in (
            conflict["mailbox_modified_at"], conflict["salesforce_modified_at"]), conflict
