"""A real org's first contact: without Syncline's custom fields (or with one hidden by field-level
security) a session fails once, before writing anything, with one sentence naming the field and the
fix; the admin endpoint / CLI creates and grants the fields (idempotently) and the mailbox resumes."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from tests.e2e.conftest import ROOT
from tests.e2e.helpers import NOW, dashboard, force_sync, put_event, sign_up


def _fields(person, method: str = "GET"):
    client = person.e2e.app.test_client()
    response = client.open(f"/api/v1/orgs/{person.user.org_id}/salesforce/fields", method=method,
                           headers=person.headers)
    assert response.status_code == 200, response.json
    return response.json


def _events(person) -> list[dict]:
    return person.e2e.emu.records(person.sf_org, "Event")


def test_without_the_fields_a_session_fails_once_naming_them_and_setup_makes_it_succeed(e2e, factory):
    ann = sign_up(e2e, factory, syncline_fields=False)
    put_event(ann, "setup-kickoff", "Kick-off", NOW + timedelta(days=2))
    failed = force_sync(ann)
    assert failed["status"] == "failed" and failed["errors"] == []
    reason = failed["failure"]
    assert "Salesforce setup is incomplete" in reason and "Event.Syncline_Key__c is missing" in reason
    assert f"syncline salesforce setup-fields --org {ann.sf_org}" in reason
    assert f"/api/v1/orgs/{ann.user.org_id}/salesforce/fields" in reason
    assert "INVALID_FIELD" not in reason and _events(ann) == []
    mailbox = dashboard(ann)["mailbox"]
    assert mailbox["status"] == "suspended" and mailbox["status_reason"].startswith("Salesforce setup is incomplete")

    before = _fields(ann)
    assert before["ready"] is False and not any(f["defined"] for f in before["fields"])
    setup = _fields(ann, "POST")
    assert {"Activity.Syncline_Key__c", "Contact.Syncline_Key__c", "EmailMessage.Syncline_Key__c",
            "Activity.Syncline_Cancelled__c", "Activity.Syncline_Manual_Save__c",
            "EmailMessage.Syncline_Manual_Save__c"} == set(setup["created"])
    assert "Event.Syncline_Key__c" in setup["granted"] and "Task.Syncline_Key__c" in setup["granted"]
    assert setup["assigned"] == [ann.user.email] and setup["resumed_mailboxes"] == [ann.mailbox_id]
    again = _fields(ann, "POST")
    assert again == {"created": [], "granted": [], "assigned": [], "resumed_mailboxes": [], "changed": False}
    after = _fields(ann)
    assert after["ready"] is True and after["users_without_permission_set"] == []
    assert all(f["defined"] and f["writable"] for f in after["fields"])

    assert dashboard(ann)["mailbox"]["status"] == "active"
    assert force_sync(ann)["status"] == "succeeded"
    [event] = _events(ann)
    assert event["Subject"] == "Kick-off" and event["Syncline_Key__c"]


def test_a_field_hidden_by_field_level_security_is_reported_for_the_user_and_fixed_by_the_cli(e2e, factory):
    ann = sign_up(e2e, factory)
    e2e.emu.revoke_field(ann.sf_org, "Contact", "Syncline_Key__c")
    failed = force_sync(ann)
    assert failed["status"] == "failed" and failed["errors"] == []
    assert "Contact.Syncline_Key__c is missing or hidden by field-level security from this user" in failed["failure"]
    status = _fields(ann)
    contact_key = next(f for f in status["fields"] if f["object"] == "Contact" and f["field"] == "Syncline_Key__c")
    assert contact_key["defined"] is True and contact_key["visible"] is False and status["ready"] is False

    result = _cli(e2e, "salesforce", "setup-fields", "--org", ann.sf_org)
    assert result.returncode == 0, result.stderr
    assert "created" not in result.stdout and "Contact.Syncline_Key__c" in result.stdout
    assert f"resumed mailboxes: {ann.mailbox_id}" in result.stdout
    again = _cli(e2e, "salesforce", "setup-fields", "--org", ann.sf_org)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    status = _cli(e2e, "salesforce", "fields", "--org", ann.sf_org)
    assert "Contact.Syncline_Key__c: ok" in status.stdout and status.stdout.strip().endswith("ready")
    assert force_sync(ann)["status"] == "succeeded"


def test_the_cli_names_an_unknown_org_in_one_sentence(e2e):
    result = _cli(e2e, "salesforce", "setup-fields", "--org", "00Dnope")
    assert result.returncode == 1 and "no org with Salesforce org id '00Dnope'" in result.stderr
    assert "Traceback" not in result.stderr


def _cli(e2e, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], env=e2e.env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
