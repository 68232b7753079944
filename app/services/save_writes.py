"""The Salesforce side of a Read-mode save: check the chosen links, then write the activity once.

Two API calls: one Composite of queries (the chosen Who/What ids exist, and whether the
email already has a record under its Syncline key), then one all-or-none Composite that
upserts the Task/EmailMessage by `Syncline_Key__c` and adds its shared-activity relations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.providers.salesforce.client import SalesforceClient, raise_for_subresponse
from app.providers.salesforce.describe import describe, prepare_for_write
from app.providers.salesforce.errors import CallFailed
from app.providers.salesforce.queries import run_queries, soql_literal
from app.providers.salesforce.writes import SYNCLINE_KEY
from app.security.html import clean_html
from app.services.sidebar_salesforce import type_of
from app.sync.email_saves import email_fields
from app.sync.items import EmailMessage
from app.sync.policy import SyncSession

MANUAL_FLAG = "Syncline_Manual_Save__c"
WHAT_TYPES = ("Account", "Opportunity", "Case")


class InvalidLinks(Exception):
    """The chosen Name/Related To records do not exist or break the shared-activity rule."""

    def __init__(self, message: str, ids: list[str] | None = None):
        super().__init__(message)
        self.ids = ids or []


@dataclass(frozen=True)
class Checked:
    """The chosen Whos by type with their addresses, and an existing record for the key (if any)."""

    who_types: dict[str, str]
    who_emails: dict[str, str]
    existing_id: str | None


def _ids_in(values: list[str]) -> str:
    return "(" + ",".join(soql_literal(v) for v in values) + ")"


def check_links(client: SalesforceClient, sobject: str, key: str, who_ids: list[str],
                what_id: str | None) -> Checked:
    """One Composite: who/what ids exist and fit the rules; an existing record has this key."""
    queries = {"existing": f"SELECT Id FROM {sobject} WHERE {SYNCLINE_KEY} = {soql_literal(key)} LIMIT 1"}
    if who_ids:
        queries["Contact"] = f"SELECT Id, Email FROM Contact WHERE Id IN {_ids_in(who_ids)}"
        queries["Lead"] = f"SELECT Id, Email FROM Lead WHERE Id IN {_ids_in(who_ids)}"
    what_type = type_of(what_id) if what_id else None
    if what_id and what_type not in WHAT_TYPES:
        raise InvalidLinks(f"Related To must be an Account, Opportunity or Case; {what_id} is not.", [what_id])
    if what_id:
        queries["what"] = f"SELECT Id FROM {what_type} WHERE Id = {soql_literal(what_id)}"
    rows = run_queries(client, queries)
    who_types = {r["Id"][:15]: t for t in ("Contact", "Lead") for r in rows.get(t, [])}
    who_emails = {r["Id"][:15]: (r.get("Email") or "").lower() for t in ("Contact", "Lead") for r in rows.get(t, [])}
    missing = [i for i in who_ids if i[:15] not in who_types]
    if what_id and not rows.get("what"):
        missing.append(what_id)
    if missing:
        raise InvalidLinks(f"No such Salesforce record: {', '.join(missing)} (deleted, or not visible to you).",
                           missing)
    leads = [i for i in who_ids if who_types[i[:15]] == "Lead"]
    if leads and len(who_ids) > 1:
        raise InvalidLinks("Salesforce links an activity to one Lead, or to Contacts only — not both.", leads)
    existing = rows["existing"][0]["Id"] if rows["existing"] else None
    return Checked(who_types, who_emails, existing)


def _message(item: dict, message_id: str) -> EmailMessage:
    sender = item["from_"]["email"] if item.get("from_") else ""
    sent_at = item.get("date")
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)     # a date without a zone is taken as UTC
    return EmailMessage(item_id=item.get("message_ref") or "", message_id=message_id,
                        conversation_id=item.get("thread_id") or "", sender=sender,
                        to=tuple(p["email"] for p in item["to"]), cc=tuple(p["email"] for p in item["cc"]),
                        sent_at=sent_at, subject=item.get("subject") or "",
                        body_text=item.get("body_text") or "")


def email_message_values(item: dict, edits: dict, owner: dict, key: str, what_id: str | None) -> dict:
    """EmailMessage fields as the sync engine writes them, with the user's subject/description edits."""
    session = SyncSession(org_id=owner["org"], mailbox_id="sidebar", owner_id=owner["sf_user_id"],
                          owner_email=owner["email"])
    values = email_fields(_message(item, item.get("message_id") or ""), session, {})
    values.update(Subject=edits["subject"], TextBody=edits["description"],
                  HtmlBody=clean_html(item.get("body_html")) or None,
                  FromName=(item.get("from_") or {}).get("name"), RelatedToId=what_id)
    values.update({SYNCLINE_KEY: key, MANUAL_FLAG: True})
    return {k: v for k, v in values.items() if v not in (None, "")}


def task_values(item: dict, edits: dict, key: str, who_ids: list[str], what_id: str | None) -> dict:
    """A completed Email-type Task carrying the email's text."""
    when = (item.get("date") or datetime.now(UTC))
    values = {"Subject": f"Email: {edits['subject']}"[:255], "Description": edits["description"],
              "Status": "Completed", "TaskSubtype": "Email", "ActivityDate": when.date().isoformat(),
              "WhoId": who_ids[0] if who_ids else None, "WhatId": what_id, SYNCLINE_KEY: key, MANUAL_FLAG: True}
    return {k: v for k, v in values.items() if v not in (None, "")}


def _relation(sobject: str, who: str, item: dict, checked: Checked) -> dict:
    if sobject == "Task":
        return {"attributes": {"type": "TaskRelation"}, "TaskId": "@{saved.id}", "RelationId": who, "IsWhat": False}
    email = checked.who_emails.get(who[:15], "")
    role = ("FromAddress" if item.get("from_") and item["from_"]["email"] == email
            else "ToAddress" if any(p["email"] == email for p in item["to"])
            else "CcAddress" if any(p["email"] == email for p in item["cc"]) else "OtherAddress")
    return {"attributes": {"type": "EmailMessageRelation"}, "EmailMessageId": "@{saved.id}", "RelationId": who,
            "RelationType": role, **({"RelationAddress": email} if email else {})}


def _halted_last(entry: dict) -> bool:
    body = entry.get("body")
    first = body[0] if isinstance(body, list) and body else {}
    return isinstance(first, dict) and first.get("errorCode") == "PROCESSING_HALTED"


def _file(client: SalesforceClient, index: int, attachment: dict) -> dict:
    """A Salesforce File shared with the saved record (ContentVersion → document + link)."""
    return {"method": "POST", "referenceId": f"file{index}", "url": f"{client.api_root}/sobjects/ContentVersion",
            "body": {"PathOnClient": attachment["filename"], "VersionData": attachment["content_base64"],
                     "FirstPublishLocationId": "@{saved.id}"}}


def write_activity(client: SalesforceClient, sobject: str, values: dict, who_ids: list[str], item: dict,
                   checked: Checked, attachments: list[dict] | None = None) -> tuple[str, bool]:
    """Upsert the activity by its key, its Who relations and its files, all or none (one call)."""
    meta = describe(client, sobject)
    body = prepare_for_write(meta, values, creating=True)
    body.pop(SYNCLINE_KEY, None)
    key = values[SYNCLINE_KEY]
    related = who_ids if sobject == "EmailMessage" else who_ids[1:]
    subs = [{"method": "PATCH", "referenceId": "saved", "body": body,
             "url": f"{client.api_root}/sobjects/{sobject}/{SYNCLINE_KEY}/{key}"}]
    if related:
        subs.append({"method": "POST", "referenceId": "relations", "url": f"{client.api_root}/composite/sobjects",
                     "body": {"allOrNone": True, "records": [_relation(sobject, w, item, checked) for w in related]}})
    subs += [_file(client, i, a) for i, a in enumerate(attachments or [])]
    entries = client.composite(subs, all_or_none=True, idempotent=False)
    for entry in sorted(entries, key=_halted_last):      # the cause, not "processing halted"
        raise_for_subresponse(entry)
    saved = entries[0]["body"]
    for result in (raise_for_subresponse(entries[1]) if related else []):
        if not result.get("success"):
            error = (result.get("errors") or [{}])[0]
            raise CallFailed(f"{error.get('statusCode')}: {error.get('message')}", str(error.get("statusCode")))
    return saved["id"], bool(saved.get("created"))
