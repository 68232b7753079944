"""``plan_sync`` on plain data: echo suppression, merge, conflicts, cancellations, window, attendees."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from app.sync import (
    EVENT_MAPPING,
    SYNC_KEY_FIELD,
    TASK_MAPPING,
    Attendee,
    CancellationPolicy,
    ConflictPolicy,
    CreateInCrm,
    CreateInMailbox,
    CrmChanges,
    CrmRecord,
    DeleteInCrm,
    FolderKind,
    IdMapEntry,
    MailboxChanges,
    PlanLookups,
    RecordEntry,
    ResolveConflict,
    ResponseStatus,
    Skip,
    SyncOption,
    SyncPolicy,
    SyncSession,
    SyncWindow,
    TaskItem,
    TaskStatus,
    UpdateCrm,
    UpdateMailbox,
    bind_mapping,
    plan_sync,
    sync_key,
)
from app.sync.mapping import mailbox_values, record_fields, values_hashes
from app.sync.transforms import format_sf_datetime
from tests.unit.sync.sync_world import NOW, OWNER, event_describe, meeting

SESSION = SyncSession("org1", "alice", OWNER, "alice@example.com", "Europe/Berlin", NOW)
EVENTS = bind_mapping(EVENT_MAPPING, event_describe())
CTX = EVENTS.context(SESSION.timezone)
CAL = FolderKind.CALENDAR


def stored(item, item_id="m1", version="mv1"):
    return replace(item, item_id=item_id, version=version, modified_at=NOW)


def linked(item, record_id="00U1"):
    """A mirrored pair as the ID map and Salesforce hold it right after a sync."""
    values = mailbox_values(EVENTS, item, CTX)
    record = CrmRecord("Event", record_id, {**record_fields(EVENTS, values, CTX), "OwnerId": OWNER},
                       "cv1", NOW)
    entry = IdMapEntry("org1", "alice", sync_key("org1", f"ical:{item.uid}"), CAL, "Event",
                       mailbox_item_id=item.item_id, uid=item.uid, crm_id=record_id, mailbox_version=item.version,
                       crm_version="cv1", field_hashes=values_hashes(values))
    return entry, record


def plan(items=(), records=(), entries=(), policy=SyncPolicy(), deleted_items=(), deleted_records=(),
         lookups=PlanLookups(), mapping=EVENTS, session=SESSION):
    kind = mapping.table.kind
    return plan_sync(MailboxChanges(kind, tuple(items), tuple(deleted_items), "c2"),
                     CrmChanges(mapping.table.object_type, tuple(records), tuple(deleted_records), "c2"),
                     list(entries), policy, mapping, session=session, lookups=lookups)


def kinds(actions):
    return [type(a).__name__ for a in actions]


def edited_record(record, version="cv2", minutes=5, **fields):
    return replace(record, fields={**record.fields, **fields}, version=version,
                   modified_at=NOW + timedelta(minutes=minutes))


def edited_item(item, version="mv2", minutes=5, **changes):
    return replace(item, version=version, modified_at=NOW + timedelta(minutes=minutes), **changes)


def test_new_meeting_is_created_with_sync_key_and_the_organizer_as_owner():
    item = stored(meeting("Kick-off", organizer="Bob@Example.com"))
    [action] = plan([item], lookups=PlanLookups(users={"bob@example.com": "005BOB"}))
    assert isinstance(action, CreateInCrm)
    assert action.fields[SYNC_KEY_FIELD] == sync_key("org1", f"ical:{item.uid}") == action.entry.sync_key
    assert action.fields["OwnerId"] == "005BOB" and action.fields["Subject"] == "Kick-off"


def test_echo_of_our_own_write_is_skipped_by_version():
    item = stored(meeting())
    entry, record = linked(item)
    actions = plan([item], [record], [entry])
    assert kinds(actions) == ["Skip"] and actions[0].reason == "echo of our own write"


def test_new_version_without_a_mapped_change_only_records_the_version():
    item = stored(meeting())
    entry, record = linked(item)
    [action] = plan([edited_item(item, categories=("Red",))], [], [entry])
    assert isinstance(action, RecordEntry) and action.entry.mailbox_version == "mv2"


def test_fields_changed_on_different_sides_are_merged():
    item = stored(meeting("Old subject"))
    entry, record = linked(item)
    actions = plan([edited_item(item, subject="New subject")], [edited_record(record, Location="Room 4")], [entry])
    crm = next(a for a in actions if isinstance(a, UpdateCrm))
    mbx = next(a for a in actions if isinstance(a, UpdateMailbox))
    assert crm.fields == {"Subject": "New subject"} and mbx.patch.changes == {"location": "Room 4"}
    assert not [a for a in actions if isinstance(a, ResolveConflict)]


def _conflict(policy, mailbox_minutes, crm_minutes):
    item = stored(meeting("Base"))
    entry, record = linked(item)
    return plan([edited_item(item, subject="From Outlook", minutes=mailbox_minutes)],
                [edited_record(record, Subject="From Salesforce", minutes=crm_minutes)], [entry],
                policy=SyncPolicy(conflict=policy))


def test_same_field_changed_on_both_sides_goes_to_the_last_writer():
    later_salesforce = _conflict(ConflictPolicy.LAST_WRITER_WINS, mailbox_minutes=1, crm_minutes=2)
    assert next(a for a in later_salesforce if isinstance(a, UpdateMailbox)).patch.changes == {"subject": "From Salesforce"}
    later_mailbox = _conflict(ConflictPolicy.LAST_WRITER_WINS, mailbox_minutes=3, crm_minutes=2)
    assert next(a for a in later_mailbox if isinstance(a, UpdateCrm)).fields == {"Subject": "From Outlook"}
    [record] = [a.conflict for a in later_mailbox if isinstance(a, ResolveConflict)]
    assert (record.field, record.winner, record.salesforce_value) == ("subject", "mailbox", "From Salesforce")


def test_salesforce_wins_policy_overrides_a_later_mailbox_edit_and_records_it():
    actions = _conflict(ConflictPolicy.SALESFORCE_WINS, mailbox_minutes=9, crm_minutes=1)
    assert next(a for a in actions if isinstance(a, UpdateMailbox)).patch.changes == {"subject": "From Salesforce"}
    assert not [a for a in actions if isinstance(a, UpdateCrm)]
    [conflict] = [a.conflict for a in actions if isinstance(a, ResolveConflict)]
    assert conflict.winner == "salesforce" and conflict.mailbox_value == "From Outlook"


def test_mailbox_wins_policy_overrides_a_later_salesforce_edit_and_records_it():
    actions = _conflict(ConflictPolicy.MAILBOX_WINS, mailbox_minutes=1, crm_minutes=9)
    assert next(a for a in actions if isinstance(a, UpdateCrm)).fields == {"Subject": "From Outlook"}
    assert [a.conflict.winner for a in actions if isinstance(a, ResolveConflict)] == ["mailbox"]


def test_same_new_value_on_both_sides_is_not_a_conflict():
    item = stored(meeting("Base"))
    entry, record = linked(item)
    actions = plan([edited_item(item, subject="Same")], [edited_record(record, Subject="Same")], [entry])
    assert kinds(actions) == ["RecordEntry"]


def test_cancelled_meeting_deletes_event_when_policy_is_delete():
    item = stored(meeting())
    entry, record = linked(item)
    [action] = plan([edited_item(item, cancelled=True)], [], [entry])
    assert isinstance(action, DeleteInCrm) and action.crm_id == "00U1" and action.entry.deleted


def test_cancelled_meeting_is_kept_and_marked_when_policy_is_mark():
    item = stored(meeting())
    entry, record = linked(item)
    [action] = plan([edited_item(item, cancelled=True)], [], [entry],
                    policy=SyncPolicy(cancellation=CancellationPolicy.MARK))
    assert isinstance(action, UpdateCrm) and action.fields == {"Syncline_Cancelled__c": True}


def test_meeting_cancelled_before_it_was_ever_mirrored_is_not_created():
    [action] = plan([stored(meeting(cancelled=True))])
    assert isinstance(action, Skip) and "cancelled" in action.reason


def test_meetings_outside_the_window_are_not_created_and_the_window_is_configurable():
    far = stored(meeting(start=NOW + timedelta(days=90)))
    old = stored(meeting("Old", start=NOW - timedelta(days=20)), item_id="m2")
    assert [a.reason for a in plan([far, old])] == ["outside the sync window"] * 2
    wide = SyncPolicy(window=SyncWindow(days_back=30, days_ahead=120))
    assert kinds(plan([far, old], policy=wide)) == ["CreateInCrm", "CreateInCrm"]


def test_linked_meeting_leaving_the_window_is_updated_not_deleted():
    item = stored(meeting())
    entry, _ = linked(item)
    moved = edited_item(item, start=NOW + timedelta(days=100), end=NOW + timedelta(days=100, hours=1))
    [action] = plan([moved], [], [entry])
    assert isinstance(action, UpdateCrm) and action.fields["StartDateTime"] == format_sf_datetime(moved.start)


def test_salesforce_event_outside_the_window_is_not_created_in_the_mailbox():
    far = CrmRecord("Event", "00U9", {"Subject": "Far", "IsAllDayEvent": False, "OwnerId": OWNER,
                                      "StartDateTime": format_sf_datetime(NOW + timedelta(days=61)),
                                      "EndDateTime": format_sf_datetime(NOW + timedelta(days=61, hours=1))}, "v")
    assert [a.reason for a in plan([], [far])] == ["outside the sync window"]


def test_completed_task_is_only_created_when_recently_modified():
    tasks = bind_mapping(TASK_MAPPING)
    recent = TaskItem("t1", "Done today", status=TaskStatus.COMPLETED, modified_at=NOW, version="1")
    stale = TaskItem("t2", "Done long ago", status=TaskStatus.COMPLETED, modified_at=NOW - timedelta(days=90), version="1")
    assert kinds(plan([recent, stale], mapping=tasks)) == ["CreateInCrm", "Skip"]


def test_salesforce_tasks_reach_the_mailbox_open_or_recently_closed_and_never_as_logged_emails():
    """Years of activity history (closed Tasks, every email and call logged) must not flood the
    user's to-do list: the same gate as mailbox tasks, and no Task that logs an email."""
    tasks = bind_mapping(TASK_MAPPING)
    def task(record_id, subject, **fields):
        return CrmRecord("Task", record_id, {"Subject": subject, "OwnerId": OWNER, "Status": "Not Started",
                                             "LastModifiedDate": format_sf_datetime(NOW - timedelta(days=400)),
                                             **fields}, "v")
    records = [
        task("00T1", "Call back Maria"),                                              # open, however old
        task("00T2", "Sent the quote", Status="Completed", IsClosed=True),            # closed long ago
        task("00T3", "Signed today", Status="Completed", IsClosed=True,
             LastModifiedDate=format_sf_datetime(NOW - timedelta(days=2))),          # closed recently
        task("00T4", "Email: Re: pricing", Status="Completed", IsClosed=True, TaskSubtype="Email",
             LastModifiedDate=format_sf_datetime(NOW)),                               # a logged email
        task("00T5", "Closed, custom status", Status="Done", IsClosed=True),          # IsClosed decides
        task("00T6", "Done, no IsClosed read", Status="Completed"),                   # Status decides
        task("00T7", "Open call", TaskSubtype="Call"),
    ]
    actions = plan([], records, mapping=tasks)
    assert {a.subject if isinstance(a, Skip) else a.item.subject: type(a).__name__
            for a in actions} == {
        "Call back Maria": "CreateInMailbox", "Sent the quote": "Skip", "Signed today": "CreateInMailbox",
        "Email: Re: pricing": "Skip", "Closed, custom status": "Skip", "Done, no IsClosed read": "Skip",
        "Open call": "CreateInMailbox"}
    assert {a.reason for a in actions if isinstance(a, Skip)} == {"outside the sync window"}


def test_attendees_become_event_relations_for_resolved_addresses_without_the_organizer():
    item = stored(meeting(organizer="alice@example.com", attendees=(
        Attendee("alice@example.com", response=ResponseStatus.ORGANIZER),
        Attendee("Carol@Client.com", response=ResponseStatus.ACCEPTED), Attendee("unknown@nowhere.org"))))
    [action] = plan([item], lookups=PlanLookups(people={"carol@client.com": "003CAROL"}))
    assert [(r.relation_id, r.email, r.response) for r in action.relations] == [("003CAROL", "carol@client.com", "accepted")]


def test_adding_and_removing_attendees_replaces_the_relations():
    lookups = PlanLookups(people={"carol@client.com": "003C", "dave@client.com": "003D"})
    item = stored(meeting(attendees=(Attendee("carol@client.com"),)))
    entry, record = linked(item)
    changed = edited_item(item, attendees=(Attendee("dave@client.com"),))
    [action] = plan([changed], [], [entry], lookups=lookups)
    assert isinstance(action, UpdateCrm) and action.fields == {}
    assert [r.relation_id for r in action.relations] == ["003D"]


def test_salesforce_edits_are_ignored_when_the_object_syncs_to_salesforce_only():
    item = stored(meeting())
    entry, record = linked(item)
    policy = SyncPolicy(options={CAL: SyncOption.TO_SALESFORCE})
    actions = plan([], [edited_record(record, Subject="Changed in SF")], [entry], policy=policy)
    assert kinds(actions) == ["RecordEntry"]
    assert kinds(plan([stored(meeting())], policy=SyncPolicy(options={CAL: SyncOption.OFF}))) == []


def test_mailbox_delete_deletes_the_event_or_only_unlinks_when_deletes_do_not_propagate():
    item = stored(meeting())
    entry, _ = linked(item)
    [delete] = plan([], [], [entry], deleted_items=[item.item_id])
    assert isinstance(delete, DeleteInCrm)
    [keep] = plan([], [], [entry], deleted_items=[item.item_id], policy=SyncPolicy(propagate_deletes=False))
    assert isinstance(keep, RecordEntry) and keep.entry.unlinked


def test_salesforce_delete_wins_over_a_mailbox_edit_and_is_recorded():
    item = stored(meeting())
    entry, record = linked(item)
    actions = plan([edited_item(item, subject="Edited")], [], [entry], deleted_records=[record.record_id])
    assert kinds(actions) == ["ResolveConflict", "DeleteInMailbox"]
    assert actions[0].conflict.field == "(deleted)"


def test_new_salesforce_event_is_created_in_the_mailbox_with_a_deterministic_key():
    record = CrmRecord("Event", "00U7", {"Subject": "From SF", "IsAllDayEvent": True, "ActivityDate": "2026-11-30",
                                         "DurationInMinutes": 2880, "OwnerId": OWNER}, "v1")
    [action] = plan([], [record])
    assert isinstance(action, CreateInMailbox)
    assert action.item.sync_key == sync_key("org1", "crm:Event:00U7") and action.item.all_day
    assert (action.item.start_date, action.item.end_date) == (date(2026, 11, 30), date(2026, 12, 2))


def test_a_salesforce_only_row_is_not_written_back_when_the_new_item_is_read_again():
    """Syncline_Cancelled__c goes to Salesforce only; the record leaves it null, the new item reads
    as not cancelled. The mailbox rewriting the item (a new version) is not an edit to send back."""
    record = CrmRecord("Event", "00U9", {"Subject": "From SF", "StartDateTime": format_sf_datetime(NOW),
                                         "EndDateTime": format_sf_datetime(NOW + timedelta(hours=1)),
                                         "DurationInMinutes": 60, "OwnerId": OWNER}, "v1")
    [create] = plan([], [record])
    assert isinstance(create, CreateInMailbox)
    made = replace(create.item, item_id="m9", version="mv1", modified_at=NOW)
    entry = replace(create.entry, pending=None, mailbox_item_id="m9", mailbox_version="mv1")
    actions = plan([edited_item(made)], [], [entry])
    assert not any(isinstance(a, UpdateCrm) for a in actions), actions
    marking = SyncPolicy(cancellation=CancellationPolicy.MARK)
    cancelled = plan([edited_item(made, version="mv3", cancelled=True)], [], [entry], policy=marking)
    assert [a.fields.get("Syncline_Cancelled__c") for a in cancelled if isinstance(a, UpdateCrm)] == [True]


def test_record_written_by_syncline_for_another_mailbox_is_not_copied_here():
    record = CrmRecord("Event", "00U8", {"Subject": "x", SYNC_KEY_FIELD: "k", "OwnerId": OWNER}, "v1")
    assert [a.reason for a in plan([], [record])] == ["written by Syncline for another mailbox"]


def test_existing_record_with_the_same_sync_key_is_linked_instead_of_created():
    item = stored(meeting())
    _, record = linked(item, record_id="00UOTHER")
    key = sync_key("org1", f"ical:{item.uid}")
    actions = plan([item], lookups=PlanLookups(existing_by_key={key: replace(record, fields={**record.fields, SYNC_KEY_FIELD: key})}))
    assert kinds(actions) == ["RecordEntry"] and actions[0].entry.crm_id == "00UOTHER"


def test_fuzzy_match_links_only_when_exactly_one_candidate_fits():
    item = stored(meeting())
    _, record = linked(item, record_id="00UFUZZY")
    key = sync_key("org1", f"ical:{item.uid}")
    [link] = plan([item], lookups=PlanLookups(fuzzy_candidates={key: (record,)}))
    assert isinstance(link, UpdateCrm) and link.fields == {SYNC_KEY_FIELD: key} and link.crm_id == "00UFUZZY"
    two = (record, replace(record, record_id="00UTWIN"))
    assert kinds(plan([item], lookups=PlanLookups(fuzzy_candidates={key: two}))) == ["CreateInCrm"]
