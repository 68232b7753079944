"""`syncline up --graph`: Olivia's Office 365-style mailbox on the Graph fake, seeded once, kept across
restarts, and synced by a real session into the emulator without a single invitation mailed."""
from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from sandbox.mailservers import free_port
from sandbox.office365 import USER, GraphSandbox, banner_lines, seed_graph_mailbox
from tests.sandbox.conftest import make_instance, worker_runtime
from tests.sandbox.test_up import UpProcess, _first_finished_session


@pytest.fixture(scope="module")
def office(sandbox):
    graph = GraphSandbox.start(sandbox.env.directory / "graph")
    seed = seed_graph_mailbox(sandbox.rt, sandbox.env, graph, sandbox.seed.sf_org_id)
    yield graph, seed
    graph.stop()


def test_olivia_gets_a_graph_mailbox_with_meetings_and_a_banner(sandbox, office):
    graph, seed = office
    with sandbox.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, seed.mailbox_id)
        assert (mailbox.address, mailbox.server_profile.kind) == (USER.email, "graph")
        assert mailbox.server_profile.endpoints["graph_url"] == graph.fake.graph_url
        assert mailbox.user.connection.is_org_default is False       # Ann's stays the org's
    assert len(graph.fake.store.mailbox(USER.email).events) == 3
    text = "\n".join(banner_lines("http://127.0.0.1:5000", seed))
    assert graph.fake.graph_url in text and seed.api_token in text and USER.email in text


def test_a_real_session_brings_olivias_meetings_to_salesforce_without_mailing_anyone(sandbox, office):
    graph, seed = office
    outbox_before = len(graph.fake.store.outbox)
    rt = worker_runtime(sandbox, graph_ca_bundle=graph.fake.ca_path)
    try:
        assert run_session(rt, seed.mailbox_id, "forced", default_ports) == "succeeded"
    finally:
        rt.db.dispose()
    subjects = {e["Subject"] for e in sandbox.env.emulator.records(sandbox.seed.sf_org_id, "Event")}
    assert {"Globex contract review", "Northwind quarterly business review", "Initech discovery call"} <= subjects
    assert len(graph.fake.store.outbox) == outbox_before


def test_a_restart_keeps_the_tenant_port_and_token_and_seeds_nothing_twice(sandbox, office):
    graph, seed = office
    ids = sorted(graph.fake.store.mailbox(USER.email).events)
    graph.stop()
    again = GraphSandbox.start(graph.directory)
    try:
        second = seed_graph_mailbox(sandbox.rt, sandbox.env, again, sandbox.seed.sf_org_id)
        assert sorted(again.fake.store.mailbox(USER.email).events) == ids
        assert (second.mailbox_id, second.api_token, second.graph_url) == (
            seed.mailbox_id, seed.api_token, seed.graph_url)
        with sandbox.rt.db.session_scope() as s:
            assert len(s.scalars(select(ServerProfile).where(ServerProfile.kind == "graph")).all()) == 1
    finally:
        graph.fake = again.fake           # the fixture stops the running one


def test_up_with_graph_syncs_olivias_mailbox_in_the_real_process_tree():
    instance = make_instance()
    port = free_port()
    up = UpProcess(instance, port, "--graph")
    try:
        line = up.wait_for_line(re.compile(r"^Olivia\s+token (slk_\S+);"), timeout=40)
        assert up.wait_for_line(re.compile(r"^Office 365\s+Graph fake https://127\.0\.0\.1:\d+/v1\.0"), timeout=5)
        session = _first_finished_session(f"http://127.0.0.1:{port}", line.group(1), timeout=90)
        assert session["status"] == "succeeded", session
        assert session["counts"]["calendar"]["created"] >= 3
    finally:
        up.stop()
        shutil.rmtree(instance.parent, ignore_errors=True)
