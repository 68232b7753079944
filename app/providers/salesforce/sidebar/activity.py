"""Save now in two API calls: one Composite of look-ups, then one all-or-none Composite write.

The look-ups: do the chosen Who/What ids exist, and has the email a record under its sync key
already. The write upserts the Task/EmailMessage by `Syncline_Key__c` (the key the sync
engine uses, so both end as ONE record), adds its relation rows and its Files.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from app.providers.salesforce.activity_relations import relation_row
from app.providers.salesforce.client import raise_for_subresponse
from app.providers.salesforce.errors import CallFailed
from app.providers.salesforce.queries import soql_in, soql_literal
from app.sync.ports import SYNC_KEY_FIELD
from app.sync.sidebar_ports import ActivitySave, FileUpload, LinkCheck

RELATION_OBJECT = {"Task": "TaskRelation", "EmailMessage": "EmailMessageRelation"}
SAVED = "@{saved.id}"          # the Composite reference to the upserted record's id



def link_statements(object_type: str, sync_key: str, who_ids: Sequence[str], what_type: str | None,
                    what_id: str | None) -> dict[str, str]:
    """Named look-ups: the record under the key, the chosen Contacts/Leads, the chosen What."""
    queries = {"existing": f"SELECT Id FROM {object_type} WHERE {SYNC_KEY_FIELD} = {soql_literal(sync_key)} LIMIT 1"}
    if who_ids:
        for who_type in ("Contact", "Lead"):
            queries[who_type] = f"SELECT Id, Email FROM {who_type} WHERE Id IN {soql_in(who_ids)}"
    if what_id and what_type:
        queries["what"] = f"SELECT Id FROM {what_type} WHERE Id = {soql_literal(what_id)}"
    return queries


def link_check(rows: Mapping[str, list[dict]]) -> LinkCheck:
    people = [(t, r) for t in ("Contact", "Lead") for r in rows.get(t, [])]
    existing = rows.get("existing") or []
    return LinkCheck(who_types={r["Id"][:15]: t for t, r in people},
                     who_emails={r["Id"][:15]: (r.get("Email") or "").lower() for _, r in people},
                     what_found=bool(rows.get("what")), existing_id=existing[0]["Id"] if existing else None)


def _file(api_root: str, index: int, upload: FileUpload) -> dict:
    """A Salesforce File shared with the saved record (ContentVersion → document + link)."""
    return {"method": "POST", "referenceId": f"file{index}", "url": f"{api_root}/sobjects/ContentVersion",
            "body": {"PathOnClient": upload.filename, "VersionData": upload.content_base64,
                     "FirstPublishLocationId": SAVED}}


def save_subrequests(api_root: str, save: ActivitySave, body: Mapping[str, Any]) -> list[dict]:
    """Upsert by key, then the relation rows (one Collection), then one subrequest per File."""
    subs = [{"method": "PATCH", "referenceId": "saved", "body": dict(body),
             "url": f"{api_root}/sobjects/{save.object_type}/{SYNC_KEY_FIELD}/{save.sync_key}"}]
    relation_object = RELATION_OBJECT[save.object_type]
    if save.relations:
        records = [{"attributes": {"type": relation_object}, **relation_row(relation_object, replace(spec, parent_id=SAVED))}
                   for spec in save.relations]
        subs.append({"method": "POST", "referenceId": "relations", "url": f"{api_root}/composite/sobjects",
                     "body": {"allOrNone": True, "records": records}})
    return subs + [_file(api_root, i, f) for i, f in enumerate(save.files)]


def _halted_last(entry: dict) -> bool:
    body = entry.get("body")
    first = body[0] if isinstance(body, list) and body else {}
    return isinstance(first, dict) and first.get("errorCode") == "PROCESSING_HALTED"


def saved_outcome(entries: list[dict], with_relations: bool) -> tuple[str, bool]:
    """(record id, created) from the Composite answer; raises the cause of a rollback, not
    Salesforce's "processing halted" on the subrequests after it."""
    for entry in sorted(entries, key=_halted_last):
        raise_for_subresponse(entry)
    for result in (raise_for_subresponse(entries[1]) if with_relations else []):
        if not result.get("success"):
            error = (result.get("errors") or [{}])[0]
            raise CallFailed(f"{error.get('statusCode')}: {error.get('message')}", str(error.get("statusCode")))
    saved = entries[0]["body"]
    return saved["id"], bool(saved.get("created"))
