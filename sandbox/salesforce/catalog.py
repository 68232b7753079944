"""The standard objects this emulator serves, with Salesforce's field names and limits.

`build_schema()` returns a fresh copy per org so custom `__c` fields added to one org
never leak into another.
"""
from __future__ import annotations

from typing import Any

from .schema import FieldDef, ObjectDef, Schema

WHO = ("Contact", "Lead")
WHAT = ("Account", "Opportunity", "Case")
RELATION = ("Contact", "Lead", "User", "Account")
LONG = 32000


def s(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, kw.pop("type", "string"), length=length, **kw)


def text(name: str, length: int = LONG, **kw: Any) -> FieldDef:
    return FieldDef(name, "textarea", length=length, **kw)


def pick(name: str, values: tuple[str, ...], default: str | None = None,
         restricted: bool = False, **kw: Any) -> FieldDef:
    return FieldDef(name, "picklist", length=255, picklist=values, default=default,
                    restricted=restricted, **kw)


def ref(name: str, to: tuple[str, ...], rel: str, **kw: Any) -> FieldDef:
    return FieldDef(name, "reference", length=18, reference_to=to, relationship_name=rel, **kw)


def flag(name: str, default: bool = False, **kw: Any) -> FieldDef:
    return FieldDef(name, "boolean", nillable=False, default=default, **kw)


def typed(name: str, kind: str, **kw: Any) -> FieldDef:
    return FieldDef(name, kind, **kw)


def readonly(f: FieldDef) -> FieldDef:
    f.createable = f.updateable = False
    return f


def ext_key() -> FieldDef:
    """Syncline's idempotency key: External ID, unique, case-insensitive text."""
    return s("Syncline_Key__c", 255, label="Syncline Key", external_id=True, unique=True)


def system_fields(owned: bool) -> list[FieldDef]:
    out = [readonly(FieldDef("Id", "id", length=18, nillable=False)),
           readonly(flag("IsDeleted")),
           readonly(typed("CreatedDate", "datetime", nillable=False)),
           readonly(ref("CreatedById", ("User",), "CreatedBy", nillable=False)),
           readonly(typed("LastModifiedDate", "datetime", nillable=False)),
           readonly(ref("LastModifiedById", ("User",), "LastModifiedBy", nillable=False)),
           readonly(typed("SystemModstamp", "datetime", nillable=False))]
    if owned:
        out.append(ref("OwnerId", ("User",), "Owner", nillable=False))
    return out


def obj(name: str, label: str, fields: list[FieldDef], owned: bool = True,
        **kw: Any) -> ObjectDef:
    all_fields = system_fields(owned) + fields
    return ObjectDef(name, label, {f.name: f for f in all_fields}, **kw)


def name_calc() -> FieldDef:
    return readonly(s("Name", 121, name_field=True, calculated=True))


def _people() -> list[ObjectDef]:
    tz = pick("TimeZoneSidKey", ("America/Los_Angeles", "America/New_York", "Europe/London",
                                 "Europe/Paris", "Europe/Berlin", "Asia/Tokyo", "GMT"),
              default="GMT", restricted=True, nillable=False)
    return [
        obj("Organization", "Organization", [
            readonly(s("Name", 80, name_field=True)), readonly(s("InstanceName", 5)),
            readonly(flag("IsSandbox")), readonly(s("OrganizationType", 40)),
            readonly(s("TimeZoneSidKey", 40))], owned=False, createable=False,
            updateable=False, deletable=False, searchable=False),
        obj("Profile", "Profile", [
            s("Name", 255, name_field=True, nillable=False, required=True),
            flag("PermissionsManageUsers"), flag("PermissionsCustomizeApplication"),
            flag("PermissionsApiEnabled", True), s("UserType", 40)], owned=False,
            createable=False, deletable=False, searchable=False),
        obj("User", "User", [
            s("Username", 80, nillable=False, required=True, unique=True),
            s("Email", 128, type="email", nillable=False, required=True),
            s("FirstName", 40), s("LastName", 80, nillable=False, required=True), name_calc(),
            s("Alias", 8), flag("IsActive", True),
            ref("ProfileId", ("Profile",), "Profile", nillable=False, required=True), tz,
            s("LocaleSidKey", 40, default="en_US"), s("LanguageLocaleKey", 40, default="en_US"),
            s("EmailEncodingKey", 40, default="UTF-8"), s("CommunityNickname", 40),
            s("UserType", 40, default="Standard")], owned=False, deletable=False),
    ]


def _crm() -> list[ObjectDef]:
    industries = ("Agriculture", "Banking", "Consulting", "Education", "Finance",
                  "Healthcare", "Manufacturing", "Media", "Retail", "Technology", "Other")
    return [
        obj("Account", "Account", [
            s("Name", 255, name_field=True, nillable=False), s("Website", 255, type="url"),
            s("Phone", 40, type="phone"), pick("Industry", industries),
            pick("Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Partner",
                          "Other")),
            readonly(flag("IsPersonAccount")), s("PersonEmail", 80, type="email"),
            readonly(ref("PersonContactId", ("Contact",), "PersonContact")),
            s("PersonTitle", 80), s("PersonMobilePhone", 40, type="phone"),
            s("FirstName", 40), s("LastName", 80), s("BillingCity", 40), text("Description")]),
        obj("Contact", "Contact", [
            s("Salutation", 40), s("FirstName", 40),
            s("LastName", 80, nillable=False, required=True), name_calc(),
            s("Email", 80, type="email"), s("Phone", 40, type="phone"),
            s("MobilePhone", 40, type="phone"), s("Title", 128), s("Department", 80),
            text("MailingStreet", 255), s("MailingCity", 40), s("MailingState", 80),
            s("MailingPostalCode", 20), s("MailingCountry", 80),
            ref("AccountId", ("Account",), "Account"), readonly(flag("IsPersonAccount")),
            text("Description"), ext_key()]),
        obj("Lead", "Lead", [
            s("FirstName", 40), s("LastName", 80, nillable=False, required=True), name_calc(),
            s("Company", 255, nillable=False, required=True), s("Email", 80, type="email"),
            s("Phone", 40, type="phone"), s("MobilePhone", 40, type="phone"), s("Title", 128),
            s("Website", 255, type="url"),
            pick("Status", ("Open - Not Contacted", "Working - Contacted",
                            "Closed - Converted", "Closed - Not Converted"),
                 default="Open - Not Contacted", nillable=False),
            flag("IsConverted"), text("Description")]),
        obj("Opportunity", "Opportunity", [
            s("Name", 120, name_field=True, nillable=False, required=True),
            pick("StageName", ("Prospecting", "Qualification", "Needs Analysis",
                               "Value Proposition", "Proposal/Price Quote",
                               "Negotiation/Review", "Closed Won", "Closed Lost"),
                 nillable=False, required=True),
            typed("CloseDate", "date", nillable=False, required=True),
            typed("Amount", "currency"), ref("AccountId", ("Account",), "Account"),
            readonly(flag("IsClosed")), readonly(flag("IsWon"))]),
        obj("Case", "Case", [
            readonly(s("CaseNumber", 30, auto_number=True, name_field=True, nillable=False)),
            s("Subject", 255), pick("Status", ("New", "Working", "Escalated", "Closed"),
                                    default="New"),
            pick("Priority", ("High", "Medium", "Low"), default="Medium"),
            pick("Origin", ("Phone", "Email", "Web")), readonly(flag("IsClosed")),
            ref("AccountId", ("Account",), "Account"),
            ref("ContactId", ("Contact",), "Contact"), text("Description")]),
    ]


def _event() -> ObjectDef:
    return obj("Event", "Event", [
        s("Subject", 255, type="combobox", name_field=True),
        typed("StartDateTime", "datetime"), typed("EndDateTime", "datetime"),
        typed("ActivityDateTime", "datetime"), typed("ActivityDate", "date"),
        typed("DurationInMinutes", "int"), flag("IsAllDayEvent"), s("Location", 255),
        text("Description"),
        pick("ShowAs", ("Busy", "OutOfOffice", "Free", "WorkingElsewhere"), default="Busy",
             restricted=True),
        pick("Type", ("Call", "Email", "Meeting", "Other")), flag("IsPrivate"),
        ref("WhoId", WHO, "Who"), ref("WhatId", WHAT, "What"),
        flag("IsReminderSet"), typed("ReminderDateTime", "datetime"),
        flag("IsRecurrence", updateable=False), typed("RecurrenceStartDateTime", "datetime"),
        readonly(ref("RecurrenceActivityId", ("Event",), "RecurrenceActivity")),
        typed("RecurrenceDayOfMonth", "int"),
        pick("RecurrenceInstance", ("First", "Second", "Third", "Fourth", "Last"), restricted=True),
        pick("RecurrenceMonthOfYear", ("January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"),
             restricted=True),
        typed("RecurrenceEndDateOnly", "date"),
        pick("RecurrenceType", ("RecursDaily", "RecursEveryWeekday", "RecursMonthly",
                                "RecursMonthlyNth", "RecursWeekly", "RecursYearly",
                                "RecursYearlyNth"), restricted=True),
        typed("RecurrenceInterval", "int"), typed("RecurrenceDayOfWeekMask", "int"),
        s("RecurrenceTimeZoneSidKey", 40), readonly(flag("IsChild")),
        readonly(flag("IsGroupEvent")), flag("IsRecurrence2"),
        text("Recurrence2PatternText", 1300), s("Recurrence2PatternVersion", 40),
        flag("Syncline_Cancelled__c", label="Cancelled (Syncline)"), ext_key()])


def _activities() -> list[ObjectDef]:
    statuses = ("Not Started", "In Progress", "Completed", "Waiting on someone else",
                "Deferred")
    return [
        _event(),
        obj("EventRelation", "Event Relation", [
            ref("EventId", ("Event",), "Event", nillable=False, required=True,
                updateable=False),
            ref("RelationId", RELATION, "Relation", nillable=False, required=True,
                updateable=False),
            flag("IsInvitee", True), flag("IsParent"), flag("IsWhat"),
            pick("Status", ("New", "Accepted", "Declined"), default="New"),
            typed("RespondedDate", "datetime"), s("Response", 255)], owned=False),
        obj("Task", "Task", [
            s("Subject", 255, type="combobox", name_field=True), typed("ActivityDate", "date"),
            pick("Status", statuses, default="Not Started", nillable=False),
            pick("Priority", ("High", "Normal", "Low"), default="Normal", nillable=False),
            text("Description"), ref("WhoId", WHO, "Who"), ref("WhatId", WHAT, "What"),
            readonly(flag("IsClosed")),
            pick("TaskSubtype", ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
                 restricted=True, updateable=False),
            pick("Type", ("Call", "Email", "Meeting", "Other")),
            typed("ReminderDateTime", "datetime"), flag("IsReminderSet"),
            readonly(typed("CompletedDateTime", "datetime")),
            flag("Syncline_Manual_Save__c", label="Saved from the sidebar (Syncline)"), ext_key()]),
        obj("TaskRelation", "Task Relation", [
            ref("TaskId", ("Task",), "Task", nillable=False, required=True, updateable=False),
            ref("RelationId", RELATION, "Relation", nillable=False, required=True,
                updateable=False),
            flag("IsWhat")], owned=False),
    ]


def _email() -> list[ObjectDef]:
    return [
        obj("EmailMessage", "Email Message", [
            s("Subject", 3000, name_field=True), s("FromAddress", 1000, type="email"),
            s("FromName", 1000), s("ToAddress", 4000), s("CcAddress", 4000),
            s("BccAddress", 4000), typed("MessageDate", "datetime"), text("TextBody"),
            text("HtmlBody", html=True), text("Headers"), s("MessageIdentifier", 255),
            s("ThreadIdentifier", 255),
            pick("Status", ("0", "1", "2", "3", "4", "5"), default="0", restricted=True),
            flag("Incoming"), readonly(flag("HasAttachment")),
            ref("RelatedToId", WHAT + ("Contact", "Lead"), "RelatedTo"),
            ref("ActivityId", ("Task",), "Activity"), ref("ParentId", ("Case",), "Parent"),
            flag("Syncline_Manual_Save__c", label="Saved from the sidebar (Syncline)"),
            ext_key()], owned=False),
        obj("EmailMessageRelation", "Email Message Relation", [
            ref("EmailMessageId", ("EmailMessage",), "EmailMessage", nillable=False,
                required=True, updateable=False),
            ref("RelationId", ("Contact", "Lead", "User"), "Relation"),
            pick("RelationType", ("FromAddress", "ToAddress", "CcAddress", "BccAddress",
                                  "OtherAddress"), restricted=True, nillable=False,
                 required=True, updateable=False),
            s("RelationAddress", 1000)], owned=False),
    ]


def _files() -> list[ObjectDef]:
    """Salesforce Files: inserting a ContentVersion creates its ContentDocument (and, with
    FirstPublishLocationId, the ContentDocumentLink that shares it with that record)."""
    anything = WHAT + WHO + ("Task", "Event", "EmailMessage", "User")
    return [
        obj("ContentVersion", "Content Version", [
            s("Title", 255, name_field=True), s("PathOnClient", 500, nillable=False, required=True),
            FieldDef("VersionData", "base64", nillable=False, required=True),
            ref("FirstPublishLocationId", anything, "FirstPublishLocation", updateable=False),
            readonly(ref("ContentDocumentId", ("ContentDocument",), "ContentDocument")),
            readonly(typed("ContentSize", "int")), readonly(s("FileExtension", 40)),
            s("Description", 1000)]),
        obj("ContentDocument", "Content Document", [
            s("Title", 255, name_field=True),
            readonly(ref("LatestPublishedVersionId", ("ContentVersion",), "LatestPublishedVersion")),
            readonly(typed("ContentSize", "int")), readonly(s("FileExtension", 40))], createable=False),
        obj("ContentDocumentLink", "Content Document Link", [
            ref("ContentDocumentId", ("ContentDocument",), "ContentDocument", nillable=False,
                required=True, updateable=False),
            ref("LinkedEntityId", anything, "LinkedEntity", nillable=False, required=True,
                updateable=False),
            pick("ShareType", ("V", "C", "I"), default="V", restricted=True),
            pick("Visibility", ("AllUsers", "InternalUsers", "SharedUsers"), default="AllUsers",
                 restricted=True)], owned=False),
    ]


def _security() -> list[ObjectDef]:
    """Permission sets and field-level security (FieldPermissions): who sees which custom field."""
    return [
        obj("PermissionSet", "Permission Set", [
            s("Name", 80, name_field=True, nillable=False, required=True, unique=True),
            s("Label", 80, nillable=False, required=True), s("Description", 255),
            readonly(flag("IsOwnedByProfile")), readonly(ref("ProfileId", ("Profile",), "Profile"))],
            owned=False, searchable=False),
        obj("PermissionSetAssignment", "Permission Set Assignment", [
            ref("AssigneeId", ("User",), "Assignee", nillable=False, required=True, updateable=False),
            ref("PermissionSetId", ("PermissionSet",), "PermissionSet", nillable=False, required=True,
                updateable=False)], owned=False, updateable=False, searchable=False),
        obj("FieldPermissions", "Field Permissions", [
            ref("ParentId", ("PermissionSet",), "Parent", nillable=False, required=True, updateable=False),
            s("SobjectType", 255, nillable=False, required=True, updateable=False),
            s("Field", 255, nillable=False, required=True, updateable=False),
            flag("PermissionsRead"), flag("PermissionsEdit")], owned=False, searchable=False),
    ]


def build_schema() -> Schema:
    """A fresh schema with all standard objects (mutable: custom fields may be added)."""
    objects = _people() + _crm() + _activities() + _email() + _files() + _security()
    return Schema({o.name: o for o in objects})
