"""The default Event mapping table: which calendar-item attribute becomes which Event field, which way.

Timing and attendees are codecs of their own (``timing``, ``attendees``); ``ShowAs`` has fewer
values than mailboxes (tentative → Busy), the first mailbox value listed being the one written back.
``rrule`` carries a Salesforce-created series' pattern to the mailbox (``recurrence_fields``); mailbox
series still reach Salesforce occurrence by occurrence.
"""
from __future__ import annotations

from app.sync.items import FolderKind
from app.sync.mapping import Direction, MappingRow, MappingTable

SHOW_AS_VALUES = {"busy": "Busy", "free": "Free", "oof": "OutOfOffice", "tentative": "Busy",
                  "working_elsewhere": "Busy"}

B, TO_SF, TO_MB, NONE = Direction.BOTH, Direction.TO_SALESFORCE, Direction.TO_MAILBOX, Direction.NONE

EVENT_MAPPING = MappingTable("calendar_as_event", FolderKind.CALENDAR, "Event", (
    MappingRow("subject", "Subject", B, "text"),
    MappingRow("timing", "StartDateTime", B, "event_timing"),
    MappingRow("location", "Location", B, "text"),
    MappingRow("body_text", "Description", B, "html_to_text"),
    MappingRow("show_as", "ShowAs", B, "picklist",
               {"values": SHOW_AS_VALUES, "default_salesforce": "Busy", "default_mailbox": "busy"}),
    MappingRow("private", "IsPrivate", B, "bool"),
    MappingRow("cancelled", "Syncline_Cancelled__c", TO_SF, "bool"),
    MappingRow("attendees", "EventRelation", TO_SF, "attendees"),
    MappingRow("categories", "Type", NONE, "text"),
    MappingRow("rrule", "RecurrenceType", TO_MB, "event_recurrence"),
))
