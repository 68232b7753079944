"""One Salesforce change loop per org, against the HTTPS emulator with real Redis and SQL:
the org is polled once (one Composite call), each change is routed to the mailboxes it concerns,
and a mailbox then reads only what was routed to it."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import IdMapRow, MailboxChange, OrgFeedState
from app.providers.salesforce.connect import connect_org
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.writes import RecordWriter
from app.services.fanned_out_crm import FannedOutCrm
from app.services.org_change_loop import enqueue_org_polls, poll_org_changes
from app.services.users import find_or_create_user
from app.state import keys
from tests.factories import Factory

_n = itertools.count()


class OrgWorld:
    """An emulator org with an admin (the org-wide connection) and colleagues, each with a mailbox."""

    def __init__(self, app, emu):
        self.rt, self.emu, self.factory = app.extensions["syncline"], emu, Factory(app)
        self.admin, self.sf_org, admin_sf = self.factory.salesforce_user(emu)
        self.org_pk = self.admin.org_id
        self.clock = datetime.now(UTC).replace(microsecond=0)
        emu.clock = lambda: self.clock
        self.sf_users, self.mailboxes = {"admin": admin_sf}, {"admin": self.factory.mailbox(self.admin).id}

    def colleague(self, name: str) -> int:
        sf_user = self.emu.create_user(self.sf_org, email=f"{name}{next(_n)}@acme.test")
        with self.rt.db.session_scope() as s:
            from app.models import Org
            user = find_or_create_user(s, s.get(Org, self.org_pk), sf_user_id=sf_user, email=f"{name}@acme.test")
            s.flush()
            user_id = user.id
        with self.rt.db.session_scope() as s:
            from app.models import User
            user = s.get(User, user_id)
        self.sf_users[name], self.mailboxes[name] = sf_user, self.factory.mailbox(user).id
        return self.mailboxes[name]

    def poll(self, after: timedelta = timedelta(seconds=1)):
        """A poll run `after` the emulator's current time (the emulator clock moves with it)."""
        self.clock += after
        return poll_org_changes(self.rt, self.org_pk, now=self.clock)

    def calls(self) -> int:
        return self.emu.api_calls(self.sf_org)

    def routed(self, name: str) -> list[tuple[str, bool, str]]:
        with self.rt.db.session_scope() as s:
            return [(r.record_id, r.deleted, r.reason) for r in s.scalars(
                select(MailboxChange).where(MailboxChange.mailbox_id == self.mailboxes[name])
                .order_by(MailboxChange.id))]

    def link(self, name: str, record_id: str, object_type: str = "Event") -> None:
        """The mailbox's ID map holds `record_id` (as after a session mirrored it)."""
        with self.rt.db.session_scope() as s:
            s.add(IdMapRow(org_id=self.org_pk, mailbox_id=self.mailboxes[name], sync_key=f"k{next(_n)}",
                           kind="calendar", object_type=object_type, crm_id=record_id))

    def crm(self, name: str) -> FannedOutCrm:
        port = SalesforceCrmPort(connect_org(self.rt, self.org_pk), self.sf_users[name])
        return FannedOutCrm(port, self.rt.db, self.org_pk, self.mailboxes[name])

    def event(self, owner: str, subject: str = "Review") -> str:
        start = self.clock + timedelta(days=1)
        return self.emu.insert(self.sf_org, "Event", {
            "Subject": subject, "OwnerId": self.sf_users[owner], "StartDateTime": start.isoformat(),
            "EndDateTime": (start + timedelta(hours=1)).isoformat()})


@pytest.fixture
def world(sf_app, salesforce_emulator):
    w = OrgWorld(sf_app, salesforce_emulator)
    assert w.poll().status == "opened"        # the first poll only opens every object's window
    yield w
    salesforce_emulator.clock = lambda: datetime.now(UTC)


def test_first_poll_opens_windows_without_reading_the_org(world):
    with world.rt.db.session_scope() as s:
        assert sorted(st.sobject for st in s.scalars(select(OrgFeedState).where(
            OrgFeedState.org_id == world.org_pk))) == ["Contact", "Event", "EventRelation", "Task"]
    assert world.calls() == 0


def test_owner_change_reaches_the_new_owner_and_the_old_owner_sees_it_leave(world):
    world.colleague("bob")
    record = world.event("admin")
    assert world.poll().routed == 1
    assert world.routed("admin") == [(record, False, "owner")]
    world.link("admin", record)

    world.emu.update(world.sf_org, "Event", record, {"OwnerId": world.sf_users["bob"]})
    report = world.poll()
    assert report.changes == 1 and sorted(report.mailboxes) == sorted([world.mailboxes["admin"], world.mailboxes["bob"]])
    assert world.routed("bob") == [(record, False, "owner")]
    assert world.routed("admin")[-1] == (record, False, "linked")

    cursor = '{"sobject":"Event","epoch":1,"after":0}'
    [seen_by_bob] = world.crm("bob").changes_since("Event", cursor, world.sf_users["bob"]).records
    [seen_by_admin] = world.crm("admin").changes_since("Event", cursor, world.sf_users["admin"]).records
    assert seen_by_bob.record_id == seen_by_admin.record_id == record
    assert seen_by_admin.fields["OwnerId"] == world.sf_users["bob"], "the old owner reads that it moved away"


def test_shared_event_reaches_an_invitees_mailbox(world):
    world.colleague("carol")
    world.colleague("dave")
    record = world.event("admin", "Board meeting")
    world.emu.insert(world.sf_org, "EventRelation", {"EventId": record, "RelationId": world.sf_users["carol"]})
    world.poll()
    assert world.routed("carol") == [(record, False, "invitee")]
    assert world.routed("dave") == []
    changes = world.crm("carol").changes_since("Event", '{"sobject":"Event","epoch":1,"after":0}',
                                               world.sf_users["carol"])
    assert [r.fields["Subject"] for r in changes.records] == ["Board meeting"]


def test_an_invitee_added_later_receives_the_event(world):
    """Adding an EventRelation does not move the Event's SystemModstamp: the relation's own does."""
    world.colleague("lou")
    record = world.event("admin", "Pricing")
    world.poll()
    assert world.routed("lou") == []
    world.clock += timedelta(minutes=1)
    relation = world.emu.insert(world.sf_org, "EventRelation", {"EventId": record, "RelationId": world.sf_users["lou"]})
    assert [e["SystemModstamp"] for e in world.emu.records(world.sf_org, "Event") if e["Id"] == record] != \
        [r["SystemModstamp"] for r in world.emu.records(world.sf_org, "EventRelation") if r["Id"] == relation]
    report = world.poll()
    assert report.changes == 1 and world.routed("lou") == [(record, False, "invitee")]
    RecordWriter(connect_org(world.rt, world.org_pk)).delete([relation])
    world.poll()
    assert world.routed("lou")[-1] == (record, False, "invitee"), "a removed invitee learns it too"


def test_deletion_is_routed_and_read_as_a_deletion(world):
    world.colleague("erin")
    record = world.event("erin")
    world.poll()
    RecordWriter(connect_org(world.rt, world.org_pk)).delete([record])
    report = world.poll()
    assert report.changes == 1
    assert world.routed("erin") == [(record, False, "owner"), (record, True, "owner")]
    changes = world.crm("erin").changes_since("Event", '{"sobject":"Event","epoch":1,"after":0}',
                                              world.sf_users["erin"])
    assert changes.records == () and changes.deleted_ids == (record,)


def test_equal_stamps_across_a_page_break_are_each_routed_once(world):
    """2,001 Contacts written in the same millisecond: the page break (2,000 rows) falls inside the tie."""
    world.colleague("fay")
    ids = [world.emu.insert(world.sf_org, "Contact", {"LastName": f"C{i}", "OwnerId": world.sf_users["fay"]})
           for i in range(2001)]
    before = world.calls()
    report = world.poll()
    assert world.calls() - before == 2, "one Composite call, then one call for the second page"
    assert report.read == report.changes == 2001
    assert sorted(r[0] for r in world.routed("fay")) == sorted(ids)
    again = world.poll()
    assert again.read == 2001 and again.changes == 0, "re-read inside the overlap, routed no second time"
    assert len(world.routed("fay")) == 2001


def test_an_idle_cycle_after_an_import_reads_nothing_again(world):
    world.colleague("gus")
    for i in range(30):
        world.emu.insert(world.sf_org, "Contact", {"LastName": f"Import {i}", "OwnerId": world.sf_users["gus"]})
    assert world.poll().changes == 30
    again = world.poll(after=timedelta(minutes=10))     # its window opens an overlap before the last poll
    assert (again.changes, again.routed) == (0, 0), "re-read rows are not routed again"
    idle = world.poll(after=timedelta(minutes=10))      # the window now starts after the import
    assert (idle.read, idle.changes, idle.routed) == (0, 0, 0)


def test_a_row_at_the_very_start_of_the_next_window_is_not_routed_again(world):
    """Salesforce stamps milliseconds; the poll clock has microseconds: what is kept as seen must
    reach back exactly as far as the next window does."""
    world.colleague("max")
    world.clock = world.clock.replace(microsecond=737123)
    world.emu.insert(world.sf_org, "Contact", {"LastName": "Edge", "OwnerId": world.sf_users["max"]})
    world.poll()
    world.poll(after=timedelta(minutes=5) - timedelta(seconds=1))
    assert world.poll().read == 1, "the next window starts exactly at the row's stamp"
    assert len(world.routed("max")) == 1


def test_a_late_commit_inside_the_overlap_is_still_routed(world):
    world.colleague("hal")
    world.clock -= timedelta(minutes=2)               # stamped two minutes before the poll that follows
    record = world.event("hal")
    world.clock += timedelta(minutes=2)
    assert world.poll().changes == 1
    assert world.routed("hal") == [(record, False, "owner")]


def test_calls_per_cycle_do_not_grow_with_idle_mailboxes(world):
    names = [f"idle{i}" for i in range(12)]
    for name in names:
        world.colleague(name)
    cursor = '{"sobject":"Event","epoch":1,"after":0}'
    for count in (1, 12):
        before = world.calls()
        assert world.poll().routed == 0
        for name in names[:count]:
            changes = world.crm(name).changes_since("Event", cursor, world.sf_users[name])
            assert changes.records == () and changes.deleted_ids == ()
        assert world.calls() - before == 1, f"{count} idle mailboxes: one Composite call for the org"


def test_routed_rows_are_read_once_and_dropped_after_the_cursor_moves(world):
    world.colleague("ivy")
    first = world.event("ivy", "One")
    world.poll()
    crm = world.crm("ivy")
    changes = crm.changes_since("Event", '{"sobject":"Event","epoch":1,"after":0}', world.sf_users["ivy"])
    assert [r.record_id for r in changes.records] == [first]
    second = world.event("ivy", "Two")
    world.poll()
    later = crm.changes_since("Event", changes.cursor, world.sf_users["ivy"])
    assert [r.record_id for r in later.records] == [second]
    assert [r[0] for r in world.routed("ivy")] == [first, second], "the cursor's own row stays"
    crm.changes_since("Event", later.cursor, world.sf_users["ivy"])
    assert [r[0] for r in world.routed("ivy")] == [second], "rows before the saved cursor are gone"


def test_a_change_routed_after_every_row_was_applied_is_not_skipped(world):
    """Emptying the routed table must not let a new row reuse an id at or below the cursor."""
    world.colleague("uma")
    crm, owner = world.crm("uma"), world.sf_users["uma"]
    cursor = '{"sobject":"Event","epoch":1,"after":0}'
    for subject in ("One", "Two", "Three"):
        record = world.event("uma", subject)
        world.poll()
        changes = crm.changes_since("Event", cursor, owner)
        assert [r.record_id for r in changes.records] == [record], subject
        idle = crm.changes_since("Event", changes.cursor, owner)    # a quiet session empties the table
        assert idle.records == () and idle.cursor == changes.cursor
        cursor = idle.cursor


def test_first_session_lists_the_owner_and_continues_from_routed_work(world):
    world.colleague("jo")
    record = world.event("jo", "Before")
    full = world.crm("jo").changes_since("Event", None, world.sf_users["jo"])
    assert full.full and [r.record_id for r in full.records] == [record]
    world.poll()          # routes the same record again: read once more, never lost
    nxt = world.crm("jo").changes_since("Event", full.cursor, world.sf_users["jo"])
    assert [r.record_id for r in nxt.records] == [record]


def test_a_restarted_feed_makes_mailboxes_read_in_full(world):
    from app.sync.errors import CursorExpired

    world.colleague("kim")
    world.poll()
    with world.rt.db.session_scope() as s:
        for state in s.scalars(select(OrgFeedState).where(OrgFeedState.org_id == world.org_pk)):
            state.polled_at = world.clock - timedelta(days=20)
    assert world.poll().status == "restarted"
    with pytest.raises(CursorExpired):
        world.crm("kim").changes_since("Event", '{"sobject":"Event","epoch":1,"after":0}', world.sf_users["kim"])


def test_the_tick_queues_one_poll_per_connected_org(world):
    from rq.job import Job

    assert enqueue_org_polls(world.rt) == 1
    job = Job.fetch(keys.org_poll_job_id(world.org_pk), connection=world.rt.redis.client)
    assert job.args == (world.org_pk,)
    assert enqueue_org_polls(world.rt) == 0, "a poll still waiting is not queued twice"


def test_metrics_show_each_orgs_salesforce_usage_and_poll_calls(world, sf_app):
    world.poll()
    world.poll()
    text = sf_app.test_client().get("/metrics").get_data(as_text=True)
    label = f'{{org="{world.sf_org}"}}'
    assert f"syncline_salesforce_org_polls_total{label} 2.0" in text
    assert f"syncline_salesforce_org_poll_calls_total{label} 2.0" in text, "one Composite call per idle poll"
    used = [line for line in text.splitlines() if line.startswith(f"syncline_salesforce_api_used{label}")]
    assert used and float(used[0].split()[-1]) == world.calls()


def test_work_routed_while_a_session_runs_gets_a_session_right_after_it(world):
    from rq.job import Job, JobStatus

    from app.services.push_triggers import FOLLOWUP_JOB
    from app.services.sync_queue import enqueue_session
    from app.state import keys

    mailbox_id = world.colleague("nia")
    job_id, _ = enqueue_session(world.rt, mailbox_id, "scheduled")
    job = Job.fetch(job_id, connection=world.rt.redis.client)
    job.set_status(JobStatus.STARTED)                   # its session runs (and may have read already)
    world.event("nia")
    assert world.poll().mailboxes == [mailbox_id]
    assert Job.fetch(job_id, connection=world.rt.redis.client).get_status() == JobStatus.STARTED, "not two at once"
    followup = Job.fetch(keys.push_followup_job_id(mailbox_id), connection=world.rt.redis.client)
    assert followup.func_name == FOLLOWUP_JOB and followup.args == (mailbox_id, "push")
    assert followup.get_status() == JobStatus.DEFERRED and followup.dependency_ids == [job_id], \
        "queued the moment the running session ends"
    world.event("nia")
    world.poll()
    assert Job.fetch(keys.push_followup_job_id(mailbox_id), connection=world.rt.redis.client).id == followup.id, \
        "one follow-up however many polls route work meanwhile"
