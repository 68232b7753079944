"""The Salesforce custom fields Syncline needs, and which of them a session cannot use.

A real org does not have Syncline's fields until an admin creates them (one command or one
endpoint), and a created field stays invisible to a user until field-level security grants it.
A session checks before it writes, so a missing or hidden field fails the session once, with
one sentence naming the field and the fix, instead of failing every item with INVALID_FIELD.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sync.ports import SYNC_KEY_FIELD

ACTIVITY_OBJECTS = ("Event", "Task")
SETUP_INCOMPLETE = "Salesforce setup is incomplete"
MANUAL_SAVE_FIELD = "Syncline_Manual_Save__c"
KEY_WHY = "Syncline's idempotency key: writes upsert by it, so a replayed create never duplicates a record"


@dataclass(frozen=True)
class ProductField:
    """One custom field Syncline writes; `kind` is the Metadata API type (Text, Checkbox)."""

    object_type: str
    name: str
    kind: str
    label: str
    why: str
    length: int = 0
    external_id: bool = False
    unique: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.object_type}.{self.name}"

    @property
    def defined_on(self) -> str:
        """Event and Task fields are one Activity field in Salesforce."""
        return "Activity" if self.object_type in ACTIVITY_OBJECTS else self.object_type

    def metadata(self) -> dict[str, Any]:
        """CustomFieldMetadata for the Tooling API."""
        out: dict[str, Any] = {"label": self.label, "type": self.kind, "description": self.why[:1000],
                               "required": False, "externalId": self.external_id}
        if self.kind == "Text":
            out.update(length=self.length, unique=self.unique, caseSensitive=False)
        if self.kind == "Checkbox":
            out["defaultValue"] = "false"
        return out


def _key(object_type: str) -> ProductField:
    return ProductField(object_type, SYNC_KEY_FIELD, "Text", "Syncline Key", KEY_WHY, 255, True, True)


MANUAL_SAVE_WHY = "marks an email saved by a person from the sidebar, not by the sync's rules"
PRODUCT_FIELDS: tuple[ProductField, ...] = (
    _key("Event"), _key("Task"), _key("Contact"), _key("EmailMessage"),
    ProductField("Event", "Syncline_Cancelled__c", "Checkbox", "Cancelled (Syncline)",
                 "marks a meeting cancelled in the mailbox when the org keeps cancelled meetings"),
    ProductField("Task", MANUAL_SAVE_FIELD, "Checkbox", "Saved from the sidebar (Syncline)", MANUAL_SAVE_WHY),
    ProductField("EmailMessage", MANUAL_SAVE_FIELD, "Checkbox", "Saved from the sidebar (Syncline)", MANUAL_SAVE_WHY),
)
PRODUCT_FIELD_NAMES = frozenset((f.object_type, f.name.lower()) for f in PRODUCT_FIELDS)


@dataclass(frozen=True)
class FieldProblem:
    """A field a session needs that the user cannot use: missing (or hidden), or read-only."""

    object_type: str
    name: str
    read_only: bool = False

    @property
    def product_field(self) -> bool:
        return (self.object_type, self.name.lower()) in PRODUCT_FIELD_NAMES

    def __str__(self) -> str:
        state = "read-only for" if self.read_only else "missing or hidden by field-level security from"
        return f"{self.object_type}.{self.name} is {state} this user"


def session_needs(mapped: Mapping[str, Iterable[str]], written: Iterable[str] = ()) -> dict[str, set[str]]:
    """Object → custom fields a session uses: the key on every object it writes, every mapped custom field."""
    needs: dict[str, set[str]] = {}
    for object_type, fields in mapped.items():
        needs.setdefault(object_type, {SYNC_KEY_FIELD}).update(f for f in fields if f.endswith("__c"))
    for object_type in written:
        needs.setdefault(object_type, set()).add(SYNC_KEY_FIELD)
    return needs


def field_problems(needs: Mapping[str, Iterable[str]],
                   describe: Callable[[str], Mapping[str, Any] | None]) -> list[FieldProblem]:
    """Needed fields absent from the user's describe; Syncline's own fields must also be writable.

    Objects the org does not offer at all (describe None) are left to the code that handles them.
    """
    problems: list[FieldProblem] = []
    for object_type in sorted(needs):
        meta = describe(object_type)
        if meta is None:
            continue
        by_name = {str(f.get("name", "")).lower(): f for f in meta.get("fields", [])}
        for name in sorted(needs[object_type]):
            found = by_name.get(name.lower())
            if found is None:
                problems.append(FieldProblem(object_type, name))
            elif (object_type, name.lower()) in PRODUCT_FIELD_NAMES and not (
                    found.get("createable") and found.get("updateable")):
                problems.append(FieldProblem(object_type, name, read_only=True))
    return problems


def setup_message(problems: list[FieldProblem], who: str, fix: str) -> str:
    """One sentence: which fields, for whom, and what an admin does about it."""
    names = "; ".join(str(p) for p in problems)
    if any(p.product_field for p in problems):
        remedy = f"an admin runs {fix} to create Syncline's fields and grant access to them"
    else:
        remedy = ("an admin creates the field in Salesforce and grants field-level security on it, "
                  "or removes it from the mapping table")
    return f"{SETUP_INCOMPLETE} for {who}: {names}; {remedy}"
