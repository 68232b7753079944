"""POST /saved-emails (Read-mode Save) against the HTTPS Salesforce emulator: once per email per org."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from app.models import Org, SavedEmail, SavedEmailSaver
from app.sync.email_saves import email_key
from app.sync.items import EmailMessage
from tests.api.test_sidebar_related import EMAIL
from tests.browser.salesforce_seed import seed_globex, signed_in_user
from tests.factories import Factory


@pytest.fixture
def world(sf_app, salesforce_emulator):
    user, sf_org, sf_user = signed_in_user(sf_app, salesforce_emulator)
    return {"headers": Factory(sf_app).auth(user), "ids": seed_globex(salesforce_emulator, sf_org), "sf_org": sf_org,
            "user": user, "client": sf_app.test_client(), "emu": salesforce_emulator, "app": sf_app}


def save(world, headers=None, **changes):
    body = {"item": EMAIL, "who_ids": [world["ids"]["contact"]], "what_id": world["ids"]["account"],
            "subject": "Invoice 00001026", "description": "Hi Uma", "attachments": [], **changes}
    return world["client"].post("/api/v1/saved-emails", json=body, headers=headers or world["headers"])


def records(world, sobject="EmailMessage"):
    return world["emu"].records(world["sf_org"], sobject)


def test_save_creates_one_manual_email_message_keyed_like_the_sync_engine(world):
    response = save(world)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "saved" and body["record_type"] == "EmailMessage"
    [record] = records(world)
    assert body["record_id"] == record["Id"] and body["url"].endswith("/" + record["Id"])
    assert record["Syncline_Key__c"] == email_key(world["sf_org"], EmailMessage(item_id="", message_id=EMAIL["message_id"]))
    assert record["Syncline_Manual_Save__c"] is True and record["Subject"] == "Invoice 00001026"
    assert record["RelatedToId"] == world["ids"]["account"] and record["TextBody"] == "Hi Uma"
    assert record["MessageIdentifier"] == EMAIL["message_id"] and record["FromAddress"] == "jane.doe@globex.example"
    [relation] = records(world, "EmailMessageRelation")
    assert relation["RelationId"] == world["ids"]["contact"] and relation["RelationType"] == "FromAddress"


def test_a_save_into_an_org_whose_field_is_hidden_names_the_field_and_the_fix(world):
    world["emu"].revoke_field(world["sf_org"], "EmailMessage", "Syncline_Manual_Save__c")
    response = save(world)
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["errors"] == {"salesforce": ["setup_required"]}
    assert body["message"].startswith("Salesforce setup is incomplete for ")
    assert "EmailMessage.Syncline_Manual_Save__c is missing or hidden by field-level security" in body["message"]
    assert "syncline salesforce setup-fields --org" in body["message"] and records(world) == []


def test_saving_twice_answers_already_saved_with_the_same_record(world):
    first = save(world).get_json()
    again = save(world, subject="changed")
    assert again.status_code == 200
    assert again.get_json() | {"status": "saved"} == {k: v for k, v in first.items() if k not in ("attachments_stored", "autoresolved")} \
        | {"status": "saved"}
    assert len(records(world)) == 1 and records(world)[0]["Subject"] == "Invoice 00001026"
    shown = world["client"].post("/api/v1/related-records", json={"item": EMAIL}, headers=world["headers"]).get_json()
    assert shown["saved"] == {**again.get_json(), "status": "already_saved"}


def test_two_users_saving_the_same_email_make_one_record_and_two_relations(world):
    colleague, _, _ = signed_in_user(world["app"], world["emu"], email="vic@acme.example", first="Vic",
                                     sf_org=world["sf_org"], admin=False)
    first = save(world).get_json()
    second = save(world, headers=Factory(world["app"]).auth(colleague))
    assert second.status_code == 200 and second.get_json()["record_id"] == first["record_id"]
    assert len(records(world)) == 1
    with world["app"].extensions["syncline"].db.session_scope() as s:
        row = s.scalar(select(SavedEmail))
        savers = s.scalars(select(SavedEmailSaver.user_id).where(SavedEmailSaver.saved_email_id == row.id)).all()
        assert sorted(savers) == sorted([world["user"].id, colleague.id]) and row.manual


def test_an_email_the_sync_engine_already_saved_is_not_saved_again(world):
    key = email_key(world["sf_org"], EmailMessage(item_id="", message_id=EMAIL["message_id"]))
    existing = world["emu"].insert(world["sf_org"], "EmailMessage", {"Subject": "by sync", "Syncline_Key__c": key})
    response = save(world)
    assert response.status_code == 200 and response.get_json()["record_id"] == existing
    assert len(records(world)) == 1


def test_save_as_task_links_several_contacts_as_shared_activity(world):
    with world["app"].extensions["syncline"].db.session_scope() as s:
        s.get(Org, world["user"].org_id).settings = {"save_emails_as": "Task"}
    other = world["emu"].insert(world["sf_org"], "Contact", {"LastName": "Roe", "Email": "roe@globex.example"})
    response = save(world, who_ids=[world["ids"]["contact"], other], what_id=world["ids"]["opportunity"])
    assert response.status_code == 201, response.get_json()
    [task] = records(world, "Task")
    assert response.get_json()["record_type"] == "Task" and task["Id"] == response.get_json()["record_id"]
    assert task["WhoId"] == world["ids"]["contact"] and task["WhatId"] == world["ids"]["opportunity"]
    assert task["Status"] == "Completed" and task["Syncline_Manual_Save__c"] is True
    assert {r["RelationId"] for r in records(world, "TaskRelation")} >= {other}


def test_unknown_record_id_is_400_naming_it_and_nothing_is_saved(world):
    ghost = world["ids"]["contact"][:-6] + "ZZZAAA"
    response = save(world, who_ids=[ghost])
    assert response.status_code == 400 and ghost in response.get_json()["message"]
    assert response.get_json()["errors"]["ids"] == [ghost]
    assert records(world) == []
    assert save(world).status_code == 201     # the failed attempt does not block a correct one


def test_another_orgs_records_are_not_linkable(world):
    _, other_org, _ = signed_in_user(world["app"], world["emu"], email="x@other.example", org_name="Other")
    foreign = world["emu"].insert(other_org, "Account", {"Name": "Not yours"})
    response = save(world, what_id=foreign)
    assert response.status_code == 400 and foreign in response.get_json()["message"]


def test_a_lead_with_contacts_is_refused(world):
    response = save(world, who_ids=[world["ids"]["contact"], world["ids"]["lead"]])
    assert response.status_code == 400 and "one Lead" in response.get_json()["message"]


def test_more_than_50_whos_is_refused(world):
    response = save(world, who_ids=[world["ids"]["contact"]] * 51)
    assert response.status_code == 400 and "50" in response.get_json()["message"]


def test_oversize_attachments_are_413_and_bad_base64_400(world):
    big = base64.b64encode(b"x" * (10 * 1024 * 1024 + 1)).decode()
    response = save(world, attachments=[{"filename": "big.bin", "content_base64": big}])
    assert response.status_code == 413 and "10 MB" in response.get_json()["message"]
    bad = save(world, attachments=[{"filename": "x.pdf", "content_base64": "not base64!"}])
    assert bad.status_code == 400 and "x.pdf" in bad.get_json()["message"]
    assert records(world) == []


def test_attachments_become_salesforce_files_shared_with_the_saved_record(world):
    pdf = base64.b64encode(b"%PDF-1.4 quote").decode()
    response = save(world, attachments=[{"filename": "quote.pdf", "content_type": "application/pdf",
                                         "content_base64": pdf}])
    assert response.status_code == 201 and response.get_json()["attachments_stored"] == ["quote.pdf"]
    emu, org = world["emu"], world["sf_org"]
    record_id = response.get_json()["record_id"]
    links = [l for l in emu.records(org, "ContentDocumentLink") if l["LinkedEntityId"] == record_id]
    assert len(links) == 1
    [version] = [v for v in emu.records(org, "ContentVersion") if v["ContentDocumentId"] == links[0]["ContentDocumentId"]]
    assert version["PathOnClient"] == "quote.pdf" and base64.b64decode(version["VersionData"]) == b"%PDF-1.4 quote"


def test_html_body_is_sanitised_before_it_is_stored(world):
    html = '<p onclick="x()">Hi <b>Uma</b></p><script>alert(1)</script><img src=x onerror="steal()">'
    assert save(world, item={**EMAIL, "body_html": html}).status_code == 201
    stored = records(world)[0]["HtmlBody"]
    assert "<b>Uma</b>" in stored and "script" not in stored and "onerror" not in stored and "onclick" not in stored


def test_gmail_items_without_message_id_are_saved_by_their_ref(world):
    item = {**EMAIL, "message_id": None}
    assert save(world, item=item).status_code == 201
    assert save(world, item=item).get_json()["status"] == "already_saved"
    shown = world["client"].post("/api/v1/related-records", json={"item": item}, headers=world["headers"]).get_json()
    assert shown["saved"]["status"] == "already_saved"


@pytest.mark.parametrize("changes, field", [
    ({"item": {"subject": "no id"}}, "message_id"),
    ({"item": {**EMAIL, "kind": "meeting"}}, "kind"),
    ({"who_ids": ["not-an-id"]}, "who_ids"),
    ({"what_id": 7}, "what_id"),
])
def test_bad_save_requests_are_400(world, changes, field):
    response = save(world, **changes)
    assert response.status_code == 400 and field in str(response.get_json()["errors"])


def test_a_key_field_lost_after_the_describe_was_cached_is_409_naming_it_not_a_refused_record(world):
    assert save(world).status_code == 201          # the org's describe is now cached (12 h)
    world["emu"].revoke_field(world["sf_org"], "EmailMessage", "Syncline_Key__c")
    response = save(world, item={**EMAIL, "message_id": "<other-1@globex.example>"})
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["errors"] == {"salesforce": ["setup_required"]}
    assert body["message"].startswith(f"Salesforce setup is incomplete for {world['user'].email}: EmailMessage."
                                      "Syncline_Key__c is missing or hidden by field-level security from this user")
    assert f"syncline salesforce setup-fields --org {world['sf_org']}" in body["message"]
    assert "INVALID_FIELD" not in body["message"] and len(records(world)) == 1


def test_a_save_still_saves_but_does_not_link_a_blocklisted_name(world):
    response = world["client"].put("/api/v1/me/blocklist", json={"entries": [r"/^jane\.doe@/"]},
                                   headers=world["headers"])
    assert response.status_code == 200, response.get_json()
    response = save(world)
    assert response.status_code == 201, response.get_json()
    [record] = records(world)
    assert record["RelatedToId"] == world["ids"]["account"]
    assert [r for r in records(world, "EmailMessageRelation") if r["RelationId"] == world["ids"]["contact"]] == []
