"""The SQL ID map and cursor store honour the same contract as the core's in-memory ones."""
from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from app.models import IdMapRow, Mailbox, ServerProfile
from app.models.sync_stores import _COPIED, SqlCursorStore, SqlIdMapStore
from app.sync.idmap import IdMapEntry, InPlay, PendingWrite
from app.sync.items import FolderKind
from tests.factories import Factory
from tests.fakes.crm_memory import InMemoryCursorStore, InMemoryIdMapStore


def _mailbox(app) -> tuple[int, int, str]:
    factory = Factory(app)
    org = factory.org()
    user = factory.user(org)
    with app.extensions["syncline"].db.session_scope() as s:
        profile = ServerProfile(org_id=org.id, name=f"p{user.id}", kind="imap", endpoints={})
        s.add(profile)
        s.flush()
        box = Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address="a@b.test")
        s.add(box)
        s.flush()
        return org.id, box.id, org.sf_org_id


@pytest.fixture(params=["memory", "sql"])
def stores(request, app):
    org_pk, mailbox_pk, sf_org_id = _mailbox(app)
    if request.param == "memory":
        return InMemoryIdMapStore(), InMemoryCursorStore(), str(mailbox_pk), sf_org_id
    db = app.extensions["syncline"].db
    return SqlIdMapStore(db, org_pk, sf_org_id), SqlCursorStore(db), str(mailbox_pk), sf_org_id


def _entry(sf_org_id, mailbox_id, key, **kw) -> IdMapEntry:
    return IdMapEntry(sf_org_id=sf_org_id, mailbox_id=mailbox_id, sync_key=key, kind=FolderKind.CALENDAR,
                      object_type="Event", **kw)


def test_put_then_entries_round_trips_every_field(stores):
    id_map, _, mailbox_id, sf_org_id = stores
    entry = _entry(sf_org_id, mailbox_id, "k1", mailbox_item_id="item-1", uid="uid@x", series_id="s",
                   crm_id="00U000000000001AAA", mailbox_version='"etag-1"', crm_version="2026-11-23T10:00:00.000+0000",
                   mailbox_hash="mh", crm_hash="ch", field_hashes={"subject": "h1"}, pending=PendingWrite.CREATE_IN_CRM,
                   pending_writes={"mailbox:subject": "h2"}, last_error="UNABLE_TO_LOCK_ROW", attempts=2,
                   synced_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    id_map.put([entry])
    assert id_map.entries(mailbox_id, FolderKind.CALENDAR) == [entry]
    assert id_map.entries(mailbox_id, FolderKind.TASKS) == []


def test_put_replaces_by_sync_key_and_remove_forgets(stores):
    id_map, _, mailbox_id, sf_org_id = stores
    first = _entry(sf_org_id, mailbox_id, "k1", pending=PendingWrite.CREATE_IN_CRM)
    id_map.put([first, _entry(sf_org_id, mailbox_id, "k2")])
    confirmed = replace(first, pending=None, crm_id="00U000000000001AAA", deleted=True)
    id_map.put([confirmed])
    entries = {e.sync_key: e for e in id_map.entries(mailbox_id, FolderKind.CALENDAR)}
    assert len(entries) == 2 and entries["k1"] == confirmed
    id_map.remove(mailbox_id, ["k2"])
    assert [e.sync_key for e in id_map.entries(mailbox_id, FolderKind.CALENDAR)] == ["k1"]


def test_sql_put_updates_many_rows_at_once_and_a_row_keeps_its_link_reasons_unless_new_ones_come(app):
    org_pk, mailbox_pk, sf_org_id = _mailbox(app)
    id_map, mailbox_id = SqlIdMapStore(app.extensions["syncline"].db, org_pk, sf_org_id), str(mailbox_pk)
    pending = [_entry(sf_org_id, mailbox_id, f"k{n}", pending=PendingWrite.CREATE_IN_CRM, link_reasons=("email",))
               for n in range(3)]
    id_map.put(pending)
    done = [replace(e, pending=None, crm_id=f"00U00000000000{n}AAA", field_hashes={"subject": f"h{n}"}, link_reasons=())
            for n, e in enumerate(pending)]
    done[2] = replace(done[2], link_reasons=("domain",))
    id_map.put(done)
    stored = {e.sync_key: e for e in id_map.entries(mailbox_id, FolderKind.CALENDAR)}
    assert [stored[f"k{n}"].crm_id for n in range(3)] == [e.crm_id for e in done]
    assert all(stored[e.sync_key].pending is None and stored[e.sync_key].field_hashes == e.field_hashes for e in done)
    assert [stored[f"k{n}"].link_reasons for n in range(3)] == [("email",), ("email",), ("domain",)]


def test_cursors_persist_per_stream(stores):
    _, cursors, mailbox_id, _ = stores
    assert cursors.load(mailbox_id, "mailbox:calendar") is None
    cursors.save(mailbox_id, "mailbox:calendar", "token-1")
    cursors.save(mailbox_id, "crm:event", "2026-11-23T10:00:00Z")
    cursors.save(mailbox_id, "mailbox:calendar", "token-2")
    assert cursors.load(mailbox_id, "mailbox:calendar") == "token-2"
    assert cursors.load(mailbox_id, "crm:event") == "2026-11-23T10:00:00Z"


def test_sql_store_maps_every_entry_field():
    """A new IdMapEntry field must be stored too, or it would be lost on restart."""
    handled = set(_COPIED) | {"sf_org_id", "mailbox_id", "kind", "field_hashes", "pending", "pending_writes",
               "link_reasons"}
    assert {f.name for f in fields(IdMapEntry)} == handled
    assert set(_COPIED) <= {c.name for c in IdMapRow.__table__.columns}


def test_entries_in_play_are_those_touching_the_named_items_records_keys_and_the_unfinished(stores):
    id_map, _, mailbox_id, sf_org_id = stores
    crm = "00U000000000001AAA"
    id_map.put([_entry(sf_org_id, mailbox_id, "by-item", mailbox_item_id="/cal/a.ics"),
                _entry(sf_org_id, mailbox_id, "by-series", mailbox_item_id="/cal/s.ics#20261123T100000Z",
                       series_id="/cal/s.ics"),
                _entry(sf_org_id, mailbox_id, "by-record", crm_id=crm),
                _entry(sf_org_id, mailbox_id, "by-key"),
                _entry(sf_org_id, mailbox_id, "pending", pending=PendingWrite.CREATE_IN_CRM),
                _entry(sf_org_id, mailbox_id, "retry", last_error="temporary: 503", attempts=1),
                _entry(sf_org_id, mailbox_id, "dead-letter", last_error="invalid_data: bad", attempts=5),
                _entry(sf_org_id, mailbox_id, "untouched", mailbox_item_id="/cal/z.ics", crm_id="00U000000000009AAA")])
    wanted = InPlay(frozenset({"/cal/a.ics", "/cal/s.ics"}), frozenset({crm}), frozenset({"by-key"}), retry_below=5)
    found = id_map.entries_in_play(mailbox_id, FolderKind.CALENDAR, wanted)
    assert [e.sync_key for e in found] == ["by-item", "by-series", "by-record", "by-key", "pending", "retry"]
    assert id_map.entries_in_play(mailbox_id, FolderKind.TASKS, wanted) == []


def test_entries_in_play_take_any_number_of_ids(stores):
    """More ids than one IN list may hold (the SQL store splits them)."""
    id_map, _, mailbox_id, sf_org_id = stores
    id_map.put([_entry(sf_org_id, mailbox_id, f"k{n}", mailbox_item_id=f"/cal/{n}.ics") for n in range(0, 1300, 100)])
    wanted = InPlay(item_ids=frozenset(f"/cal/{n}.ics" for n in range(1200)))
    assert len(id_map.entries_in_play(mailbox_id, FolderKind.CALENDAR, wanted)) == 12


def test_settled_records_are_those_whose_entry_holds_that_very_version(stores):
    id_map, _, mailbox_id, sf_org_id = stores
    same, newer, none = "00U000000000001AAA", "00U000000000002AAA", "00U000000000003AAA"
    id_map.put([_entry(sf_org_id, mailbox_id, "a", crm_id=same, crm_version="v1"),
                _entry(sf_org_id, mailbox_id, "b", crm_id=newer, crm_version="v1"),
                _entry(sf_org_id, mailbox_id, "c", crm_id=none)])
    versions = {same: "v1", newer: "v2", none: "v1", "00U000000000004AAA": "v1"}
    assert id_map.settled_records(mailbox_id, FolderKind.CALENDAR, versions) == {same}
    assert id_map.settled_records(mailbox_id, FolderKind.TASKS, versions) == set()


def test_settled_records_among_many_versions(stores):
    """More records than one IN list (the SQL store then reads the kind's two columns in one pass)."""
    id_map, _, mailbox_id, sf_org_id = stores
    id_map.put([_entry(sf_org_id, mailbox_id, f"k{n}", crm_id=f"00U{n:015d}", crm_version="v1") for n in range(3)])
    versions = {f"00U{n:015d}": "v1" if n != 1 else "v2" for n in range(700)}
    assert id_map.settled_records(mailbox_id, FolderKind.CALENDAR, versions) == {"00U000000000000000",
                                                                                 "00U000000000000002"}


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_the_unfinished_rows_are_found_through_their_partial_indexes_not_by_walking_the_mailbox(app):
    """An idle session's and the idle check's look for unfinished rows must not read every row of a
    large mailbox: SQLite's own plan of each of their ID map statements names a partial index."""
    from sqlalchemy import event

    from app.services.idle_facts import _unfinished

    org_pk, mailbox_pk, sf_org_id = _mailbox(app)
    db = app.extensions["syncline"].db
    SqlIdMapStore(db, org_pk, sf_org_id).put([_entry(sf_org_id, str(mailbox_pk), f"k{n}", mailbox_item_id=f"i{n}")
                                              for n in range(50)])
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM id_map" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        SqlIdMapStore(db, org_pk, sf_org_id).entries_in_play(str(mailbox_pk), FolderKind.CALENDAR, InPlay(retry_below=5))
        with db.session_scope() as s:
            _unfinished(s, [s.get(Mailbox, mailbox_pk)])
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(statements) == 4     # pending, failed: once for the session, once for the check
    with db.engine.connect() as conn:
        plans = [" ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
                 for sql, params in statements]
    assert all("ix_id_map_pending" in plan or "ix_id_map_failed" in plan for plan in plans), plans
