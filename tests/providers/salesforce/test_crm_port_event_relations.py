"""EventRelation writes are batched: the API calls of a session do not grow with the number of Events.

Each test runs the real `run_sync` with `SalesforceCrmPort` against the HTTPS emulator and counts the
calls the emulator saw (one Composite of ≤ 5 Collections of ≤ 200 rows is one call).
"""
from __future__ import annotations

import pytest

from app.sync import Attendee, EventRelations, EventRelationSpec, ResponseStatus
from tests.providers.salesforce.test_crm_port_world import CAL, PortWorld, meeting


@pytest.fixture
def pw(world) -> PortWorld:
    return PortWorld(world)


def _contacts(pw: PortWorld) -> dict[str, str]:
    emails = ("carol@client.com", "dan@client.com", "erin@client.com")
    return {e: pw.sf.emu.insert(pw.sf.org, "Contact", {"LastName": e.split("@")[0], "Email": e}) for e in emails}


def _invite(n: int, prefix: str) -> object:
    return meeting(f"{prefix} call {n}", days=2 + n % 20, uid=f"{prefix}-{n}", attendees=(
        Attendee("carol@client.com", response=ResponseStatus.ACCEPTED), Attendee("dan@client.com"),
        Attendee("erin@client.com", response=ResponseStatus.DECLINED)))


def _session_calls(pw: PortWorld, count: int, prefix: str) -> tuple[int, int]:
    """(calls of a first session creating `count` invites, calls of a second one editing all their attendees)."""
    mailbox, session = pw.second_mailbox(prefix, pw.sf.user)
    items = [mailbox.put(CAL, _invite(n, prefix)) for n in range(count)]
    before = pw.calls()
    assert pw.sync(mailbox, session).ok
    created = pw.calls() - before
    for item in items:       # Carol accepts no more (removed), Dan accepts
        mailbox.edit(CAL, item.item_id, attendees=(Attendee("dan@client.com", response=ResponseStatus.ACCEPTED),
                                                   Attendee("erin@client.com", response=ResponseStatus.DECLINED)))
    before = pw.calls()
    assert pw.sync(mailbox, session).ok
    return created, pw.calls() - before


def test_relation_calls_do_not_grow_with_the_number_of_events(pw):
    people = _contacts(pw)
    pw.port()._meta("Account")  # the org's describe is cached 12 h: warm it as any earlier session would
    few = _session_calls(pw, 2, "few")
    many = _session_calls(pw, 40, "many")
    assert many == few          # 40 Events cost what 2 cost: one relation read, one write per kind
    events = [e for e in pw.events() if e["Subject"].startswith("many")]
    assert len(events) == 40
    wanted = {(people["dan@client.com"], "Accepted"), (people["erin@client.com"], "Declined")}
    assert all({(r["RelationId"], r["Status"]) for r in pw.relations(e["Id"])} == wanted for e in events)


def test_a_bad_relation_fails_only_its_own_event(pw):
    people = _contacts(pw)
    port = pw.port()
    first, second = (pw.sf.emu.insert(pw.sf.org, "Event", {"Subject": s, "OwnerId": pw.sf.user,
                                                           "StartDateTime": "2030-01-01T10:00:00.000Z",
                                                           "EndDateTime": "2030-01-01T11:00:00.000Z"})
                     for s in ("Good", "Bad"))
    carol = EventRelationSpec(people["carol@client.com"], "carol@client.com", "accepted")
    gone = EventRelationSpec("003000000000000AAA", "gone@client.com")    # no such Contact
    results = port.replace_event_relations([EventRelations(first, (carol,)), EventRelations(second, (carol, gone))])
    assert [(r.ok, r.target_id) for r in results] == [(True, first), (False, second)]
    assert results[1].error_code == "invalid"
    assert [(r["RelationId"], r["Status"]) for r in pw.relations(first)] == [(carol.relation_id, "Accepted")]
