"""The org's Salesforce change loop driving real sessions: a worker, Radicale and the emulator.

After its first session a mailbox runs no per-mailbox SystemModstamp query: an edit made in
Salesforce reaches its calendar through the org poll, which queues the session itself."""
from __future__ import annotations

from datetime import timedelta

from app.providers.salesforce.connect import connect_org
from app.services.org_change_loop import poll_org_changes
from tests.e2e.helpers import NOW, dashboard, force_sync, put_event, sign_up, wait_for_session


def _soql_since(e2e, sf_org: str, offset: int) -> str:
    return e2e.emu.requests_text(sf_org)[offset:]


def test_salesforce_edit_reaches_the_mailbox_through_the_org_poll(e2e, factory):
    ann = sign_up(e2e, factory)
    put_event(ann, "loop-roadmap", "Roadmap", NOW + timedelta(days=2))
    assert force_sync(ann)["status"] == "succeeded"          # first session: the owner's full listing
    assert poll_org_changes(e2e.rt, ann.user.org_id).status == "opened"
    assert force_sync(ann)["status"] == "succeeded"          # moves the mailbox onto routed changes

    [event] = e2e.emu.records(ann.sf_org, "Event")
    connect_org(e2e.rt, ann.user.org_id).restful(f"sobjects/Event/{event['Id']}", "PATCH",
                                                 json={"Subject": "Roadmap (moved)"})
    before = max(s["id"] for s in dashboard(ann)["sessions"])
    report = poll_org_changes(e2e.rt, ann.user.org_id)
    assert report.mailboxes == [ann.mailbox_id]
    session = wait_for_session(ann, before)                  # queued by the poll, not by the schedule
    assert (session["status"], session["trigger"]) == ("succeeded", "push"), session
    assert [i.subject for i in ann.calendar_items()] == ["Roadmap (moved)"]

    offset = len(e2e.emu.requests_text(ann.sf_org))
    assert force_sync(ann)["status"] == "succeeded"          # idle: nothing routed, nothing queried
    assert "SystemModstamp >=" not in _soql_since(e2e, ann.sf_org, offset)
