"""Creating Contacts, Leads, Accounts, Opportunities and Cases from the sidebar, and finding records.

Creation checks the fields against the org's describe (an unknown field is named, never sent)
and looks for duplicates first (email across Contacts and Leads; name or website for
Accounts), so a user sees "Jane Doe already exists" instead of a second Jane Doe. Everything
goes through the sidebar port, which raises the core's errors.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sync.ports import CrmRecord
from app.sync.sidebar_ports import SidebarCrmPort

SEARCH_LIMIT = 20


class InvalidFields(Exception):
    """Fields the org does not have or does not let the user set; `names` lists them."""

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.names = names


def checked_fields(crm: SidebarCrmPort, sobject: str, values: dict) -> dict:
    """Values keyed by the org's own field names; raises InvalidFields naming each bad one."""
    meta = crm.describe(sobject) or {"fields": []}
    known = {f["name"].lower(): f for f in meta["fields"]}
    unknown = [n for n in values if n.lower() not in known]
    if unknown:
        raise InvalidFields(f"{sobject} has no field {', '.join(unknown)} in your Salesforce org.", unknown)
    locked = [n for n in values if not known[n.lower()]["createable"]]
    if locked:
        raise InvalidFields(f"{', '.join(locked)} cannot be set when creating a {sobject}.", locked)
    return {known[n.lower()]["name"]: (v.strip() if isinstance(v, str) else v) for n, v in values.items()}


def find_duplicates(crm: SidebarCrmPort, sobject: str, values: Mapping[str, Any]) -> list[dict]:
    """Records that look like the one about to be created (one API call, none when nothing to compare)."""
    return [{"id": r.record_id, "name": r.fields.get("Name"), "type": r.object_type}
            for r in crm.find_duplicates(sobject, values)]


def create_record(crm: SidebarCrmPort, sobject: str, values: Mapping[str, Any]) -> str:
    """Insert one record; returns its id (raises the core's errors)."""
    return crm.create_record(sobject, values)


def search_records(crm: SidebarCrmPort, text: str, types: list[str]) -> list[dict]:
    """Full-text search over names, emails, phones and numbers of `types`; ≤ 20 hits per type."""
    return [_hit(record) for record in crm.search_text(text, types, SEARCH_LIMIT)]


def _hit(record: CrmRecord) -> dict:
    row, sobject = record.fields, record.object_type
    account = (row.get("Account") or {}).get("Name")
    detail = {"Contact": " · ".join(v for v in (row.get("Email"), account) if v),
              "Lead": " · ".join(v for v in (row.get("Email"), row.get("Company")) if v),
              "Account": row.get("Website"), "Opportunity": " · ".join(v for v in (row.get("StageName"), account) if v),
              "Case": f"Case {row.get('CaseNumber')} · {row.get('Status') or ''}".rstrip(" ·")}[sobject]
    name = row.get("Subject") or row.get("CaseNumber") if sobject == "Case" else row.get("Name")
    return {"type": sobject, "id": record.record_id, "name": name, "detail": detail or None}
