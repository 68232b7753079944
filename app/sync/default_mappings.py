"""The default mapping tables an org starts with (admins may edit copies of them).

The Event's table lives with the rest of the Event's rules in ``app.sync.event.mapping``.
Picklist maps are many-to-one where Salesforce has fewer values (tentative → Busy); the
first mailbox value listed for a Salesforce value is the one written back to the mailbox.
"""
from __future__ import annotations

from app.sync.event.mapping import EVENT_MAPPING
from app.sync.items import FolderKind
from app.sync.mapping import Direction, MappingRow, MappingTable

TASK_STATUS_VALUES = {"not_started": "Not Started", "in_progress": "In Progress", "completed": "Completed",
                      "waiting": "Waiting on someone else", "deferred": "Deferred"}
TASK_PRIORITY_VALUES = {"normal": "Normal", "low": "Low", "high": "High"}

B, TO_SF, NONE = Direction.BOTH, Direction.TO_SALESFORCE, Direction.NONE

CALENDAR_AS_TASK_MAPPING = MappingTable("calendar_as_task", FolderKind.CALENDAR, "Task", (
    MappingRow("subject", "Subject", B, "text"),
    MappingRow("timing", "ActivityDate", TO_SF, "start_date"),
    MappingRow("body_text", "Description", B, "html_to_text"),
))

TASK_MAPPING = MappingTable("task_as_task", FolderKind.TASKS, "Task", (
    MappingRow("subject", "Subject", B, "text"),
    MappingRow("due_date", "ActivityDate", B, "date"),
    MappingRow("status", "Status", B, "picklist",
               {"values": TASK_STATUS_VALUES, "default_salesforce": "Not Started", "default_mailbox": "not_started"}),
    MappingRow("priority", "Priority", B, "picklist",
               {"values": TASK_PRIORITY_VALUES, "default_salesforce": "Normal", "default_mailbox": "normal"}),
    MappingRow("body_text", "Description", B, "text"),
))

CONTACT_MAPPING = MappingTable("contact_as_contact", FolderKind.CONTACTS, "Contact", (
    MappingRow("given_name", "FirstName", B, "text"),
    MappingRow("surname", "LastName", B, "last_name"),  # derived when the card has no family name
    MappingRow("email", "Email", B, "text"),
    MappingRow("business_phone", "Phone", B, "text"),
    MappingRow("mobile_phone", "MobilePhone", B, "text"),
    MappingRow("job_title", "Title", B, "text"),
    MappingRow("department", "Department", B, "text"),
    MappingRow("street", "MailingStreet", B, "text"),
    MappingRow("city", "MailingCity", B, "text"),
    MappingRow("state", "MailingState", B, "text"),
    MappingRow("postal_code", "MailingPostalCode", B, "text"),
    MappingRow("country", "MailingCountry", B, "text"),
    MappingRow("notes", "Description", B, "text"),
    MappingRow("company", "AccountId", NONE, "text"),  # an Account lookup, resolved elsewhere
))

DEFAULT_MAPPINGS: dict[str, MappingTable] = {
    t.name: t for t in (EVENT_MAPPING, CALENDAR_AS_TASK_MAPPING, TASK_MAPPING, CONTACT_MAPPING)
}
