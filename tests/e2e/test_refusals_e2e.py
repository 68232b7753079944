"""Refusals reported the same way everywhere, through the whole product (API → worker → Radicale →
Salesforce emulator).

Items the product refuses before any write (a series it cannot expand, a card Salesforce would
refuse) are failed items like any other: listed by GET …/failed-items with the reason, replayed by
POST …/failed-items/replay (tried again, listed again while still refused), gone once the item syncs.
Salesforce refusing one of Syncline's own fields after the pre-session check is the session's setup
problem, in the check's one sentence, and the next session checks again."""
from __future__ import annotations

from datetime import timedelta

from app.state import keys
from tests.e2e.helpers import NOW, Person, dashboard, force_sync, put_event, sign_up
from tests.recurrence_corpus import vcalendar


def failed_items(person: Person) -> list[dict]:
    response = person.e2e.app.test_client().get(f"/api/v1/mailboxes/{person.mailbox_id}/failed-items",
                                                headers=person.headers)
    assert response.status_code == 200, response.json
    return response.json


def replay(person: Person) -> int:
    response = person.e2e.app.test_client().post(f"/api/v1/mailboxes/{person.mailbox_id}/failed-items/replay",
                                                 headers=person.headers)
    assert response.status_code == 200, response.json
    return response.json["replayed"]


def put(person: Person, path: str, text: str, content_type: str) -> None:
    response = person.dav.session().put(f"{person.dav.principal_url}{path}", data=text.encode(),
                                        headers={"Content-Type": f"{content_type}; charset=utf-8"})
    assert response.status_code in (201, 204), response.text


def assert_listed_again_after_replay(person: Person, item: dict) -> None:
    """Replay gives the item fresh attempts; the next session refuses it again and lists it again."""
    assert replay(person) == 1
    assert [(i["sync_key"], i["attempts"]) for i in failed_items(person)] == [(item["sync_key"], 0)]
    assert force_sync(person)["status"] == "partial"
    [again] = failed_items(person)
    assert (again["sync_key"], again["error"], again["will_retry"]) == (item["sync_key"], item["error"], False)


def series(uid: str, rule: str) -> str:
    start = (NOW + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    return vcalendar(f"""
UID:{uid}
SUMMARY:Sensor check
DTSTART:{start}
DURATION:PT10M
RRULE:{rule}
""")


def test_a_series_the_product_cannot_expand_is_a_failed_item_replayed_and_cleared_once_fixed(e2e, factory):
    ann = sign_up(e2e, factory)
    put(ann, "calendar/refused-hourly.ics", series("refused-hourly", "FREQ=HOURLY"), "text/calendar")
    assert force_sync(ann)["status"] == "partial"
    [item] = failed_items(ann)
    assert item["kind"] == "calendar" and item["mailbox_item_id"].endswith("refused-hourly.ics")
    assert item["error"].startswith("unsupported_recurrence: Sensor check: ") and item["will_retry"] is False
    assert e2e.emu.records(ann.sf_org, "Event") == []

    assert_listed_again_after_replay(ann, item)

    put(ann, "calendar/refused-hourly.ics", series("refused-hourly", "FREQ=DAILY;COUNT=3"), "text/calendar")
    assert force_sync(ann)["status"] == "succeeded"
    assert failed_items(ann) == []
    assert len(e2e.emu.records(ann.sf_org, "Event")) == 3


def card(*lines: str) -> str:
    return "\r\n".join(("BEGIN:VCARD", "VERSION:3.0", "UID:refused-card", *lines, "END:VCARD")) + "\r\n"


def test_a_card_salesforce_would_refuse_is_a_failed_item_replayed_and_cleared_once_fixed(e2e, factory):
    ann = sign_up(e2e, factory)
    put(ann, "contacts/blank.vcf", card("N:;;;;", "FN:", "NOTE:met at the fair", "CATEGORIES:Salesforce"), "text/vcard")
    assert force_sync(ann)["status"] == "partial"
    [item] = failed_items(ann)
    assert item["kind"] == "contacts" and item["mailbox_item_id"].endswith("blank.vcf")
    assert item["error"] == ("invalid: Salesforce requires LastName on Contact, and this item has nothing to "
                             "fill it with") and item["will_retry"] is False
    assert e2e.emu.records(ann.sf_org, "Contact") == []

    assert_listed_again_after_replay(ann, item)

    put(ann, "contacts/blank.vcf", card("N:Fairweather;Fay;;;", "FN:Fay Fairweather", "EMAIL:fay@fair.test",
                                        "NOTE:met at the fair", "CATEGORIES:Salesforce"), "text/vcard")
    assert force_sync(ann)["status"] == "succeeded"
    assert failed_items(ann) == []
    assert [c["LastName"] for c in e2e.emu.records(ann.sf_org, "Contact")] == ["Fairweather"]


def _field_check_remembered(person: Person) -> bool:
    from app.models import SalesforceConnection

    with person.e2e.rt.db.session_scope() as s:
        [connection_id] = [c.id for c in s.query(SalesforceConnection).filter_by(user_id=person.user.id)]
    return person.e2e.rt.redis.client.get(keys.salesforce_fields_verified(connection_id)) is not None


def test_a_syncline_field_lost_after_the_check_fails_the_session_naming_it_and_is_checked_again(e2e, factory):
    ann = sign_up(e2e, factory)
    put_event(ann, "lost-field-before", "Before", NOW + timedelta(days=2))
    assert force_sync(ann)["status"] == "succeeded"
    assert _field_check_remembered(ann)       # the pre-session check passed and is not repeated for 12 h

    e2e.emu.revoke_field(ann.sf_org, "Event", "Syncline_Key__c")     # the user loses access to it
    put_event(ann, "lost-field-after", "After", NOW + timedelta(days=3))
    failed = force_sync(ann)
    assert failed["status"] == "failed" and failed["errors"] == [], failed
    reason = failed["failure"]
    assert reason.startswith(f"SetupRequired: Salesforce setup is incomplete for {ann.user.email}: "
                             "Event.Syncline_Key__c is missing or hidden by field-level security from this user; "
                             f"an admin runs `syncline salesforce setup-fields --org {ann.sf_org}`"), reason
    assert "INVALID_FIELD" not in reason and "No such column" not in reason
    assert dashboard(ann)["mailbox"]["status"] == "suspended"
    assert not _field_check_remembered(ann)   # the next session checks again before writing

    response = e2e.app.test_client().post(f"/api/v1/orgs/{ann.user.org_id}/salesforce/fields", headers=ann.headers)
    assert response.status_code == 200 and response.json["resumed_mailboxes"] == [ann.mailbox_id], response.json
    assert force_sync(ann)["status"] == "succeeded"
    assert sorted(e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")) == ["After", "Before"]
