"""The sidebar services on the sidebar port: the in-memory fake and the Salesforce adapter on the
HTTPS emulator answer the same scenarios alike (a contract test), plus the save's shape."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from app.models import SalesforceConnection
from app.providers.salesforce.connect import connect
from app.providers.salesforce.sidebar import SalesforceSidebarPort
from app.services import records, save_writes
from app.services.blocklists import Blocklist
from app.services.related_records import find_related
from app.sync.email_links import BCC, FROM, TO
from app.sync.email_plan import task_fields
from app.sync.policy import SyncSession
from app.sync.sidebar_ports import SidebarCrmPort
from tests.factories import Factory
from tests.fakes.sidebar_memory import InMemorySidebarCrm

SESSION = SyncSession(sf_org_id="00D000000000001AAA", mailbox_id="sidebar", owner_id="005000000000001AAA",
                      owner_email="uma@acme.example")


@dataclass
class World:
    crm: SidebarCrmPort
    add: Any            # add(object_type, **fields) -> record id
    rows: Any           # rows(object_type) -> list of field dicts
    session: SyncSession = SESSION


@pytest.fixture(params=["memory", "emulator"])
def world(request) -> World:
    if request.param == "memory":
        fake = InMemorySidebarCrm()
        return World(fake, fake.add, fake.all)
    app, emu = request.getfixturevalue("sf_app"), request.getfixturevalue("salesforce_emulator")
    user, sf_org, sf_user = Factory(app).salesforce_user(emu)
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        connection_id = s.query(SalesforceConnection.id).filter_by(user_id=user.id).scalar()
    return World(SalesforceSidebarPort(connect(rt, connection_id, essential=True)),
                 lambda t, **fields: emu.insert(sf_org, t, fields), lambda t: emu.records(sf_org, t),
                 replace(SESSION, sf_org_id=sf_org, owner_id=sf_user))


def _item(**changes: Any) -> dict:
    item = {"kind": "email", "message_id": "<m1@globex.example>", "message_ref": "r1", "thread_id": "t1",
            "subject": "Renewal", "from_": {"email": "jane@globex.example", "name": "Jane Doe"},
            "to": [{"email": "uma@acme.example", "name": "Uma"}, {"email": "sam@globex.example", "name": "Sam"}],
            "cc": [], "attendees": [], "date": datetime(2026, 3, 3, 8, 15, tzinfo=UTC), "body_text": "Hi",
            "body_html": "<p onclick='x()'>Hi</p><script>alert(1)</script>"}
    return {**item, **changes}


def _globex(world: World) -> dict[str, str]:
    account = world.add("Account", Name="Globex Corporation", Website="https://www.globex.example")
    return {"account": account,
            "jane": world.add("Contact", LastName="Doe", FirstName="Jane", Email="jane@globex.example",
                              AccountId=account),
            "sam": world.add("Contact", LastName="Lee", FirstName="Sam", Email="sam@globex.example",
                             AccountId=account),
            "deal": world.add("Opportunity", Name="Globex renewal", StageName="Prospecting",
                              CloseDate="2026-12-31", AccountId=account),
            "lead": world.add("Lead", LastName="Patel", Company="Initech", Email="raj@initech.example")}


def test_related_records_come_grouped_with_why_and_links(world):
    ids = _globex(world)
    found = find_related(world.crm, _item(), "uma@acme.example", Blocklist(frozenset(), frozenset()))
    groups = found["groups"]
    assert {h["id"] for h in groups["Contact"]} == {ids["jane"], ids["sam"]}
    [jane] = [h for h in groups["Contact"] if h["id"] == ids["jane"]]
    assert jane["reasons"] == [{"kind": "address_match", "detail": "jane@globex.example"}]
    assert jane["account_name"] == "Globex Corporation" and jane["url"] == world.crm.record_url(ids["jane"])
    [account] = groups["Account"]
    assert account["id"] == ids["account"] and {"kind": "domain_account", "detail": "globex.example"} \
        in account["reasons"]
    assert [h["id"] for h in groups["Opportunity"]] == [ids["deal"]] and groups["Lead"] == []


def test_search_takes_the_users_words_literally(world):
    for name in ("Smith AND Jones LLP", "Smith Jones", "Jones Smith Ltd"):
        world.add("Account", Name=name)
    assert [h["name"] for h in records.search_records(world.crm, "Smith AND Jones", ["Account"])] \
        == ["Smith AND Jones LLP"]
    assert records.search_records(world.crm, "Jones OR Ltd", ["Account"]) == []


def test_a_known_email_is_a_duplicate_across_contacts_and_leads(world):
    ids = _globex(world)
    dupes = records.find_duplicates(world.crm, "Lead", {"LastName": "X", "Email": "JANE@globex.example"})
    assert [(d["id"], d["type"]) for d in dupes] == [(ids["jane"], "Contact")]
    assert records.find_duplicates(world.crm, "Contact", {"LastName": "X", "Email": "new@else.example"}) == []


def _save(world: World, object_type: str, who_ids: list[str], what_id: str | None, key: str = "k" * 40):
    save_writes.check_what_type(what_id)
    found = world.crm.check_links(object_type, key, who_ids, what_id)
    save_writes.check_links(found, who_ids, what_id)
    if found.existing_id:
        return found.existing_id, False
    item = _item()
    save = save_writes.activity_save(world.session, object_type, item, {"subject": "Renewal", "description": "Hi"}, key,
                                     (who_ids, what_id, found), [])
    saved = world.crm.save_activity(save)
    return saved.record_id, saved.created


def test_an_email_message_gets_one_relation_per_chosen_person_with_the_engines_roles(world):
    ids = _globex(world)
    outsider = world.add("Contact", LastName="Out", Email="out@globex.example")
    record_id, created = _save(world, "EmailMessage", [ids["jane"], ids["sam"], outsider], ids["account"])
    assert created
    [saved] = [r for r in world.rows("EmailMessage") if r["Id"] == record_id]
    assert saved["RelatedToId"] == ids["account"] and saved["Syncline_Manual_Save__c"] is True
    assert "script" not in saved["HtmlBody"] and "onclick" not in saved["HtmlBody"]
    roles = {(r["RelationId"], r["RelationType"]) for r in world.rows("EmailMessageRelation")
             if r["EmailMessageId"] == record_id}
    assert roles == {(ids["jane"], FROM), (ids["sam"], TO), (outsider, BCC)}
    assert _save(world, "EmailMessage", [ids["jane"]], None) == (record_id, False)
    assert len(world.rows("EmailMessage")) == 1


def test_a_task_has_the_engines_shape_and_shares_further_contacts(world):
    ids = _globex(world)
    record_id, _ = _save(world, "Task", [ids["jane"], ids["sam"]], ids["deal"])
    [task] = [r for r in world.rows("Task") if r["Id"] == record_id]
    message = save_writes.sidebar_message(_item(), {"subject": "Renewal", "description": "Hi"})
    expected = task_fields(message, world.session, {})
    assert {k: task[k] for k in ("Subject", "Description", "Status", "TaskSubtype", "ActivityDate")} \
        == {k: expected[k] for k in ("Subject", "Description", "Status", "TaskSubtype", "ActivityDate")}
    assert (task["WhoId"], task["WhatId"], task["OwnerId"]) == (ids["jane"], ids["deal"], world.session.owner_id)
    assert [r["RelationId"] for r in world.rows("TaskRelation") if r["TaskId"] == record_id
            and r["RelationId"] != ids["jane"]] == [ids["sam"]]


@pytest.mark.parametrize("who, what, bad", [
    (["lead", "jane"], None, "lead"),         # one Lead alone, or Contacts only
    (["jane"], "jane", "jane"),               # Related To must be an Account, Opportunity or Case
    (["jane", "003000000000000AAA"], None, "003000000000000AAA"),
])
def test_bad_links_are_refused_before_anything_is_written(world, who, what, bad):
    ids = _globex(world)
    pick = (lambda v: ids.get(v, v))
    with pytest.raises(save_writes.InvalidLinks) as refused:
        _save(world, "EmailMessage", [pick(w) for w in who], pick(what) if what else None)
    assert pick(bad) in refused.value.ids
    assert world.rows("EmailMessage") == []


def test_fields_are_checked_against_the_describe_before_creating():
    crm = InMemorySidebarCrm(describes={"Contact": {"name": "Contact", "fields": [
        {"name": "LastName", "createable": True}, {"name": "Email", "createable": True},
        {"name": "IsDeleted", "createable": False}]}})
    assert records.checked_fields(crm, "Contact", {"lastname": " Doe ", "EMAIL": "d@x.example"}) \
        == {"LastName": "Doe", "Email": "d@x.example"}
    with pytest.raises(records.InvalidFields) as unknown:
        records.checked_fields(crm, "Contact", {"Shoe_Size__c": "44"})
    assert unknown.value.names == ["Shoe_Size__c"]
    with pytest.raises(records.InvalidFields):
        records.checked_fields(crm, "Contact", {"IsDeleted": True})
