"""Model-based convergence: random edits on both sides, syncs, injected failures and crashes.

After every clean sync both sides must agree; each field holds the value the model expects
under the conflict policy; no item is duplicated; nothing is lost unless a delete (which
always wins) or the policy explicitly overrode it. Examples: ``SYNCLINE_HYPOTHESIS_EXAMPLES``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from app.sync import (
    EVENT_MAPPING,
    SYNC_KEY_FIELD,
    ConflictPolicy,
    FolderKind,
    ShowAs,
    SyncPolicy,
    TemporaryFailure,
    bind_mapping,
    sync_key,
)
from app.sync.mapping import crm_values, mailbox_values
from app.sync.transforms import format_sf_datetime
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.unit.sync.sync_world import NOW, OWNER, World, meeting

EXAMPLES = int(os.environ.get("SYNCLINE_HYPOTHESIS_EXAMPLES", "500"))
CAL = FolderKind.CALENDAR
FIELDS = ("subject", "timing", "location", "body_text", "show_as", "private")
TEXT = st.text(alphabet="abcXYZ äöü ß 東京 🎉", min_size=1, max_size=12).map(str.strip).filter(bool)
WRITE_FAULTS = [("mailbox", "create_items"), ("mailbox", "update_items"), ("mailbox", "delete_items"),
                ("crm", "upsert_by_sync_key"), ("crm", "update_records"), ("crm", "delete_records")]


@dataclass
class Logical:
    """One thing the users think exists; ``key`` finds it on both sides without the ID map."""

    key: str
    uid: str | None = None
    record_id: str | None = None
    expected: dict[str, Any] = field(default_factory=dict)
    edits: dict[str, dict[str, Any]] = field(default_factory=lambda: {"mailbox": {}, "crm": {}})
    edited_at: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    ambiguous: bool = False


class ConvergenceMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[Logical] = []
        self.serial = 0
        self.troubled = False  # a faulted sync ran since the last convergence

    @initialize(policy=st.sampled_from(list(ConflictPolicy)))
    def start(self, policy: ConflictPolicy) -> None:
        self.world = World(policy=SyncPolicy(conflict=policy))
        self.world.mappings = (bind_mapping(EVENT_MAPPING, self.world.describe),)
        self.mapping = self.world.mappings[0]
        self.ctx = self.mapping.context(self.world.session.timezone)

    # ---- users ---------------------------------------------------------------------------
    def _unique(self, text: str) -> str:
        self.serial += 1
        return f"{text} #{self.serial}"  # fuzzy matching must never join two users' items

    @rule(subject=TEXT, day=st.integers(1, 40), hour=st.integers(6, 20), all_day=st.booleans())
    def mailbox_creates(self, subject: str, day: int, hour: int, all_day: bool) -> None:
        subject = self._unique(subject)
        start = NOW.replace(hour=hour) + timedelta(days=day)
        item = meeting(subject, start, uid=f"uid-{self.serial}")
        if all_day:
            item = replace(item, all_day=True, start=None, end=None, start_date=start.date(),
                           end_date=start.date() + timedelta(days=1 + hour % 3))
        stored = self.world.mailbox.put(CAL, item)
        logical = Logical(sync_key("org1", f"ical:{stored.uid}"), uid=stored.uid)
        logical.expected = dict(mailbox_values(self.mapping, stored, self.ctx))
        self.items.append(logical)

    @rule(subject=TEXT, day=st.integers(1, 40), hour=st.integers(6, 20))
    def salesforce_creates(self, subject: str, day: int, hour: int) -> None:
        start = NOW.replace(hour=hour) + timedelta(days=day)
        record = self.world.crm.create("Event", OWNER, Subject=self._unique(subject),
                                       StartDateTime=format_sf_datetime(start), IsAllDayEvent=False,
                                       EndDateTime=format_sf_datetime(start + timedelta(minutes=30)))
        logical = Logical(sync_key("org1", f"crm:Event:{record.record_id}"), record_id=record.record_id)
        logical.expected = dict(crm_values(self.mapping, record.fields, self.ctx))
        self.items.append(logical)

    def _logical_for_item(self, item) -> Logical | None:
        return next((l for l in self.items if (item.sync_key and l.key == item.sync_key) or
                     (l.uid is not None and l.uid == item.uid)), None)

    def _logical_for_record(self, record) -> Logical | None:
        return next((l for l in self.items if l.key == record.fields.get(SYNC_KEY_FIELD) or
                     l.record_id == record.record_id), None)

    @precondition(lambda self: self.world.calendar())
    @rule(data=st.data(), what=st.sampled_from(["subject", "location", "body_text", "show_as", "private", "timing"]))
    def mailbox_user_edits(self, data: st.DataObject, what: str) -> None:
        item = data.draw(st.sampled_from(sorted(self.world.calendar(), key=lambda i: i.item_id)))
        changes: dict[str, Any] = {
            "subject": lambda: {"subject": self._unique(data.draw(TEXT))},
            "location": lambda: {"location": data.draw(TEXT)},
            "body_text": lambda: {"body_text": data.draw(TEXT), "body_html": ""},
            "show_as": lambda: {"show_as": data.draw(st.sampled_from([ShowAs.BUSY, ShowAs.FREE, ShowAs.OUT_OF_OFFICE]))},
            "private": lambda: {"private": not item.private},
            "timing": lambda: self._shifted(item, data.draw(st.integers(-48, 48))),
        }[what]()
        self._edit_item(item, what, changes)

    @staticmethod
    def _shifted(item, hours: int) -> dict[str, Any]:
        if item.all_day:
            return {"start_date": item.start_date + timedelta(days=hours // 24 or 1),
                    "end_date": item.end_date + timedelta(days=hours // 24 or 1)}
        return {"start": item.start + timedelta(hours=hours), "end": item.end + timedelta(hours=hours)}

    @precondition(lambda self: self.world.events())
    @rule(data=st.data(), what=st.sampled_from(["subject", "location", "body_text", "show_as", "private", "timing"]))
    def salesforce_user_edits(self, data: st.DataObject, what: str) -> None:
        record = data.draw(st.sampled_from(sorted(self.world.events(), key=lambda r: r.record_id)))
        changes = {
            "subject": lambda: {"Subject": self._unique(data.draw(TEXT))},
            "location": lambda: {"Location": data.draw(TEXT)},
            "body_text": lambda: {"Description": data.draw(TEXT)},
            "show_as": lambda: {"ShowAs": data.draw(st.sampled_from(["Busy", "Free", "OutOfOffice"]))},
            "private": lambda: {"IsPrivate": not record.fields.get("IsPrivate")},
            "timing": lambda: self._record_shift(data.draw(st.integers(1, 40)), data.draw(st.integers(6, 20))),
        }[what]()
        self._edit_record(record, what, changes)

    @staticmethod
    def _record_shift(day: int, hour: int) -> dict[str, Any]:
        start = NOW.replace(hour=hour) + timedelta(days=day)
        return {"IsAllDayEvent": False, "StartDateTime": format_sf_datetime(start),
                "EndDateTime": format_sf_datetime(start + timedelta(hours=1))}

    @precondition(lambda self: self.world.calendar() and self.world.events())
    @rule(data=st.data(), what=st.sampled_from(["subject", "location", "show_as"]), mailbox_first=st.booleans())
    def both_users_edit_the_same_field(self, data: st.DataObject, what: str, mailbox_first: bool) -> None:
        """Drives the conflict policy: the same field of one mirrored pair, edited on both sides."""
        pairs = [(i, r) for i in sorted(self.world.calendar(), key=lambda i: i.item_id)
                 for r in self.world.events() if self._logical_for_item(i) is self._logical_for_record(r)]
        if not pairs:
            return
        item, record = data.draw(st.sampled_from(pairs))
        value = self._unique(data.draw(TEXT))
        mb = {"subject": {"subject": value}, "location": {"location": value}, "show_as": {"show_as": ShowAs.FREE}}
        sf = {"subject": {"Subject": value + "!"}, "location": {"Location": value + "!"},
              "show_as": {"ShowAs": "OutOfOffice"}}
        steps = [lambda: self._edit_item(item, what, mb[what]), lambda: self._edit_record(record, what, sf[what])]
        for step in (steps if mailbox_first else steps[::-1]):
            step()

    def _edit_item(self, item, what: str, changes: dict[str, Any]) -> None:
        """The mailbox user edits; the model notes it only if the mapped value really changed."""
        before = mailbox_values(self.mapping, item, self.ctx)[what]
        stored = self.world.mailbox.edit(CAL, item.item_id, **changes)
        after = mailbox_values(self.mapping, stored, self.ctx)[what]
        logical = self._logical_for_item(stored)
        if logical is not None:
            logical.edited_at["mailbox"] = stored.modified_at  # last-writer-wins compares whole items
            if after != before:
                logical.edits["mailbox"][what] = after

    def _edit_record(self, record, what: str, changes: dict[str, Any]) -> None:
        before = crm_values(self.mapping, record.fields, self.ctx)[what]
        stored = self.world.crm.edit("Event", record.record_id, **changes)
        after = crm_values(self.mapping, stored.fields, self.ctx)[what]
        logical = self._logical_for_record(stored)
        if logical is not None:
            logical.edited_at["crm"] = stored.modified_at  # last-writer-wins compares whole items
            if after != before:
                logical.edits["crm"][what] = after

    def _pair_unconfirmed(self, logical: Logical) -> bool:
        """A crashed create is not yet in the ID map: deleting its copy may see it recreated."""
        entries = [e for e in self.world.id_map.rows.values() if e.sync_key == logical.key]
        return not entries or not entries[0].is_linked

    @precondition(lambda self: self.world.calendar())
    @rule(data=st.data())
    def mailbox_user_deletes(self, data: st.DataObject) -> None:
        item = data.draw(st.sampled_from(sorted(self.world.calendar(), key=lambda i: i.item_id)))
        logical = self._logical_for_item(item)
        self.world.mailbox.remove(CAL, item.item_id)
        if logical is not None:
            logical.ambiguous |= logical.record_id is not None and self._pair_unconfirmed(logical)
            logical.deleted = True

    @precondition(lambda self: self.world.events())
    @rule(data=st.data())
    def salesforce_user_deletes(self, data: st.DataObject) -> None:
        record = data.draw(st.sampled_from(sorted(self.world.events(), key=lambda r: r.record_id)))
        logical = self._logical_for_record(record)
        self.world.crm.delete("Event", record.record_id)
        if logical is not None:
            logical.ambiguous |= logical.uid is not None and self._pair_unconfirmed(logical)
            logical.deleted = True

    @rule(side=st.sampled_from(["mailbox", "crm"]))
    def cursor_expires(self, side: str) -> None:
        if side == "mailbox":
            self.world.mailbox.expire_cursors(CAL)
        else:
            self.world.crm.expire_cursors("Event")

    # ---- syncs ---------------------------------------------------------------------------
    @rule(fault=st.sampled_from(WRITE_FAULTS), after=st.integers(0, 2), crash=st.booleans())
    def sync_with_adapter_failure(self, fault: tuple[str, str], after: int, crash: bool) -> None:
        port = self.world.mailbox if fault[0] == "mailbox" else self.world.crm
        port.faults.arm(fault[1], after, SimulatedCrash("worker died") if crash else TemporaryFailure("503"))
        self._sync_expecting_trouble()

    @rule(where=st.sampled_from(["cursor_save", "id_map_put_1", "id_map_put_2"]))
    def sync_with_crash(self, where: str) -> None:
        if where == "cursor_save":
            self.world.cursors.faults.arm("save", 0, SimulatedCrash("before cursor save"))
        else:
            store = self.world.id_map
            store.faults.arm("put", store.put_calls + int(where[-1]), SimulatedCrash("before ID map write"))
        self._sync_expecting_trouble()

    @rule(op=st.sampled_from(["update_records", "upsert_by_sync_key", "update_items", "create_items"]))
    def sync_with_rejected_records(self, op: str) -> None:
        port = self.world.crm if op in ("update_records", "upsert_by_sync_key") else self.world.mailbox
        port.faults.reject(op, lambda _: True, code="temporary")
        self._sync_expecting_trouble()

    def _sync_expecting_trouble(self) -> None:
        self.troubled = True
        try:
            self.world.sync()
        except SimulatedCrash:
            pass
        for faults in (self.world.mailbox.faults, self.world.crm.faults, self.world.cursors.faults,
                       self.world.id_map.faults):
            faults.clear()
        self.assert_no_duplicates()

    @rule()
    def clean_sync_converges(self) -> None:
        outcome = self.world.sync()
        assert not outcome.errors, outcome.errors
        event(f"clean sync: conflicts={min(len(outcome.conflicts), 2)} troubled={self.troubled}")
        event(f"clean sync: full resync={bool(outcome.full_resyncs)}")
        self.check_converged()

    def teardown(self) -> None:
        if hasattr(self, "world"):
            self.world.sync()
            self.check_converged()

    # ---- checks --------------------------------------------------------------------------
    @invariant()
    def assert_no_duplicates(self) -> None:
        if not hasattr(self, "world"):
            return
        keys = [r.fields.get(SYNC_KEY_FIELD) for r in self.world.events() if r.fields.get(SYNC_KEY_FIELD)]
        assert len(keys) == len(set(keys)), "two Events for one mailbox item"
        uids = [i.uid for i in self.world.calendar()]
        assert len(uids) == len(set(uids)), "two mailbox items for one Event"

    def check_converged(self) -> None:
        items = self.world.calendar()
        records = self.world.events()
        for logical in self.items:
            mine = [i for i in items if self._logical_for_item(i) is logical]
            theirs = [r for r in records if self._logical_for_record(r) is logical]
            assert len(mine) == len(theirs) <= 1, (logical, mine, theirs)
            if logical.deleted and not logical.ambiguous:
                assert not mine, ("deleted item survived", logical)
            if mine:
                self._check_values(logical, mine[0], theirs[0], exact=not logical.ambiguous)
            logical.deleted = not mine
            logical.ambiguous = False
            logical.edits, logical.edited_at = {"mailbox": {}, "crm": {}}, {}
        self.troubled = False
        assert all(self._logical_for_item(i) for i in items) and all(self._logical_for_record(r) for r in records)

    def _check_values(self, logical: Logical, item, record, exact: bool) -> None:
        """Both sides agree; unless a delete raced a crashed create, values are the expected ones."""
        on_mailbox = mailbox_values(self.mapping, item, self.ctx)
        on_crm = crm_values(self.mapping, record.fields, self.ctx)
        for key in FIELDS:
            assert on_mailbox[key] == on_crm[key], (key, on_mailbox[key], on_crm[key])
            wanted = self._expected(logical, key)
            assert not exact or on_mailbox[key] in wanted, (key, on_mailbox[key], wanted, logical)
            logical.expected[key] = on_mailbox[key]

    def _expected(self, logical: Logical, key: str) -> list[Any]:
        """The policy decides when both sides edited a field; after a faulted sync either edit may
        already have been agreed (so it is no conflict any more), hence both are acceptable."""
        baseline = logical.expected[key]
        mb, crm = logical.edits["mailbox"], logical.edits["crm"]
        if self.troubled and key in mb and key in crm:
            return [mb[key], crm[key]]
        if not self.troubled:  # with one sync in between, an edit ending where it started (A→B→A) is no change
            mb = {k: v for k, v in mb.items() if v != logical.expected.get(k)}
            crm = {k: v for k, v in crm.items() if v != logical.expected.get(k)}
        policy = self.world.policy.conflict
        if key in mb and key in crm:
            if policy is ConflictPolicy.MAILBOX_WINS:
                return [mb[key]]
            if policy is ConflictPolicy.SALESFORCE_WINS:
                return [crm[key]]
            return [crm[key]] if logical.edited_at["crm"] > logical.edited_at["mailbox"] else [mb[key]]
        if key in mb or key in crm:
            return [mb.get(key, crm.get(key))]
        return [baseline]


ConvergenceMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=25, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_both_sides_converge_under_random_edits_failures_and_crashes = ConvergenceMachine.TestCase
