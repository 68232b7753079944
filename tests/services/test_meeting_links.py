"""Meetings saved from the sidebar get the chosen Name/Related To once the sync mirrored them."""
from __future__ import annotations

from sqlalchemy import select

from app.models import IdMapRow
from app.models.sidebar_requests import MeetingSave
from app.providers.salesforce.connect import connect
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.services.meeting_links import link_saved_meetings
from tests.factories import Factory


def test_links_mirrored_meetings_and_waits_for_the_rest(sf_app, salesforce_emulator):
    emu, rt, factory = salesforce_emulator, sf_app.extensions["syncline"], Factory(sf_app)
    user, sf_org, _ = factory.salesforce_user(emu)
    mailbox = factory.mailbox(user)
    account = emu.insert(sf_org, "Account", {"Name": "Globex"})
    contact = emu.insert(sf_org, "Contact", {"LastName": "Doe", "Email": "jane@globex.test", "AccountId": account})
    event = emu.insert(sf_org, "Event", {"Subject": "Review", "StartDateTime": "2026-11-25T10:00:00.000+0000",
                                         "EndDateTime": "2026-11-25T11:00:00.000+0000"})
    with rt.db.session_scope() as s:
        s.add(IdMapRow(org_id=user.org_id, mailbox_id=mailbox.id, sync_key="k1", kind="calendar",
                       object_type="Event", uid="review@globex", crm_id=event))
        s.add_all([MeetingSave(org_id=user.org_id, user_id=user.id, ical_uid="review@globex",
                               who_ids=[contact], what_id=account),
                   MeetingSave(org_id=user.org_id, user_id=user.id, ical_uid="not-synced-yet@globex",
                               who_ids=[contact], what_id=None)])
    client = connect(rt, _connection_id(rt, user.id))
    result = link_saved_meetings(rt, SalesforceCrmPort(client), user.id, user.org_id)
    assert result["counts"]["meetings"] == {"updated": 1, "failed": 0}
    [stored] = [e for e in emu.records(sf_org, "Event") if e["Id"] == event]
    assert stored["WhoId"] == contact and stored["WhatId"] == account
    with rt.db.session_scope() as s:
        statuses = {m.ical_uid: m.status for m in s.scalars(select(MeetingSave))}
    assert statuses == {"review@globex": "linked", "not-synced-yet@globex": "pending"}
    assert link_saved_meetings(rt, SalesforceCrmPort(client), user.id, user.org_id) == {}, "nothing left to do: no API call"


def test_a_refused_link_is_reported_and_not_retried_forever(sf_app, salesforce_emulator):
    emu, rt, factory = salesforce_emulator, sf_app.extensions["syncline"], Factory(sf_app)
    user, sf_org, _ = factory.salesforce_user(emu)
    mailbox = factory.mailbox(user)
    event = emu.insert(sf_org, "Event", {"Subject": "Review", "StartDateTime": "2026-11-25T10:00:00.000+0000",
                                         "EndDateTime": "2026-11-25T11:00:00.000+0000"})
    with rt.db.session_scope() as s:
        s.add(IdMapRow(org_id=user.org_id, mailbox_id=mailbox.id, sync_key="k1", kind="calendar",
                       object_type="Event", uid="u1", crm_id=event))
        s.add(MeetingSave(org_id=user.org_id, user_id=user.id, ical_uid="u1", who_ids=["003000000000000AAA"]))
    result = link_saved_meetings(rt, SalesforceCrmPort(connect(rt, _connection_id(rt, user.id))), user.id, user.org_id)
    assert result["counts"]["meetings"]["failed"] == 1 and result["errors"][0]["item"] == event
    with rt.db.session_scope() as s:
        assert s.scalar(select(MeetingSave.status)) == "failed"


def _connection_id(rt, user_id):
    from app.models import SalesforceConnection

    with rt.db.session_scope() as s:
        return s.scalar(select(SalesforceConnection.id).where(SalesforceConnection.user_id == user_id))
