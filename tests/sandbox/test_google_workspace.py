"""`syncline up --google`: Gwen's Google Workspace-style mailbox on the Google fake, seeded once, kept across
restarts, and synced by a real session into the emulator without a single invitation mailed."""
from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from sandbox.google_workspace import USER, GoogleSandbox, banner_lines, seed_google_mailbox
from sandbox.mailservers import free_port
from tests.sandbox.conftest import make_instance, worker_runtime
from tests.sandbox.test_up import UpProcess, _first_finished_session


@pytest.fixture(scope="module")
def workspace(sandbox):
    google = GoogleSandbox.start(sandbox.env.directory / "google")
    seed = seed_google_mailbox(sandbox.rt, sandbox.env, google, sandbox.seed.sf_org_id)
    yield google, seed
    google.stop()


def test_gwen_gets_a_google_mailbox_with_meetings_contacts_mail_and_a_banner(sandbox, workspace):
    google, seed = workspace
    with sandbox.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, seed.mailbox_id)
        assert (mailbox.address, mailbox.server_profile.kind) == (USER.email, "gmail")
        assert mailbox.server_profile.endpoints["google_api_url"] == google.fake.api_root
        assert mailbox.user.connection.is_org_default is False       # Ann's stays the org's
    store = google.fake.store
    assert len(store.calendar(USER.email).events) == 3 and len(store.contacts.book(USER.email).people) == 2
    text = "\n".join(banner_lines("http://127.0.0.1:5000", seed))
    assert google.fake.api_root in text and seed.api_token in text and USER.email in text


def test_a_real_session_brings_gwens_google_data_to_salesforce_without_mailing_anyone(sandbox, workspace):
    google, seed = workspace
    outbox_before = len(google.fake.store.outbox)
    rt = worker_runtime(sandbox, google_ca_bundle=google.fake.ca_path)
    try:
        assert run_session(rt, seed.mailbox_id, "forced", default_ports) == "succeeded"
    finally:
        rt.db.dispose()
    emu, org = sandbox.env.emulator, sandbox.seed.sf_org_id
    assert {"Northwind renewal planning", "Globex security review", "Initech weekly sync"} <= {
        e["Subject"] for e in emu.records(org, "Event")}
    assert {"rosa.diaz@fabrikam.test", "theo.grant@contoso.test"} <= {c["Email"] for c in emu.records(org, "Contact")}
    assert "<renewal-quote@northwind.test>" in {m["MessageIdentifier"] for m in emu.records(org, "EmailMessage")}
    assert len(google.fake.store.outbox) == outbox_before


def test_a_restart_keeps_the_domain_port_and_token_and_seeds_nothing_twice(sandbox, workspace):
    google, seed = workspace
    ids = sorted(google.fake.store.calendar(USER.email).events)
    google.stop()
    again = GoogleSandbox.start(google.directory)
    try:
        second = seed_google_mailbox(sandbox.rt, sandbox.env, again, sandbox.seed.sf_org_id)
        assert sorted(again.fake.store.calendar(USER.email).events) == ids
        assert len(again.fake.store.contacts.book(USER.email).people) == 2
        assert (second.mailbox_id, second.api_token, second.api_root) == (seed.mailbox_id, seed.api_token,
                                                                          seed.api_root)
        with sandbox.rt.db.session_scope() as s:
            assert len(s.scalars(select(ServerProfile).where(ServerProfile.kind == "gmail")).all()) == 1
        rt = worker_runtime(sandbox, google_ca_bundle=again.fake.ca_path)
        try:                       # the first session after a restart resyncs and duplicates nothing
            assert run_session(rt, seed.mailbox_id, "forced", default_ports) == "succeeded"
        finally:
            rt.db.dispose()
        subjects = [e["Subject"] for e in sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Event")]
        assert subjects.count("Northwind renewal planning") == 1
    finally:
        google.fake = again.fake           # the fixture stops the running one


def test_up_with_google_syncs_gwens_mailbox_in_the_real_process_tree():
    instance = make_instance()
    port = free_port()
    up = UpProcess(instance, port, "--google")
    try:
        line = up.wait_for_line(re.compile(r"^Gwen\s+token (slk_\S+);"), timeout=40)
        assert up.wait_for_line(re.compile(r"^Google\s+Google fake https://127\.0\.0\.1:\d+/"), timeout=5)
        session = _first_finished_session(f"http://127.0.0.1:{port}", line.group(1), timeout=90)
        assert session["status"] == "succeeded", session
        assert session["counts"]["calendar"]["created"] >= 3
    finally:
        up.stop()
        shutil.rmtree(instance.parent, ignore_errors=True)
