"""A faithful in-memory ``SidebarCrmPort``: one Salesforce org as the sidebar sees it.

Faithful where the sidebar relies on it: real key prefixes, e-mail look-ups ignore case,
converted Leads and inactive Users are never found, a Website matches a domain by substring
(LIKE with the wildcards escaped), the text search takes every word literally, a save is an
upsert by ``Syncline_Key__c`` that is all or none, and a bad Who id is INVALID_CROSS_REFERENCE_KEY.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.sync.errors import InvalidData
from app.sync.ports import SYNC_KEY_FIELD, CrmRecord
from app.sync.sidebar_ports import ActivitySave, LinkCheck, RelatedTerms, SavedActivity, type_of

PREFIX = {"Contact": "003", "Lead": "00Q", "Account": "001", "Opportunity": "006", "Case": "500", "User": "005",
          "Task": "00T", "EmailMessage": "02s", "TaskRelation": "0RT", "EmailMessageRelation": "0Rs",
          "ContentVersion": "068"}
RELATION_OBJECT = {"Task": "TaskRelation", "EmailMessage": "EmailMessageRelation"}


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text.lower()) if w]


class InMemorySidebarCrm:
    """Records by type and id; ``calls`` lists the port methods used, in order."""

    def __init__(self, describes: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self.describes = dict(describes or {})
        self.calls: list[str] = []
        self._ids = itertools.count(1)

    # ---- a Salesforce user ----------------------------------------------------------------
    def add(self, object_type: str, **fields: Any) -> str:
        record_id = f"{PREFIX.get(object_type, 'a00')}{next(self._ids):012d}AAA"
        self.records.setdefault(object_type, {})[record_id] = {"Id": record_id, **fields}
        return record_id

    def all(self, object_type: str) -> list[dict[str, Any]]:
        return list(self.records.get(object_type, {}).values())

    def _record(self, object_type: str, row: dict[str, Any]) -> CrmRecord:
        account = self.records.get("Account", {}).get(row.get("AccountId") or "")
        fields = {**row, **({"Account": {"Name": account["Name"]}} if account else {})}
        return CrmRecord(object_type, row["Id"], fields)

    def _where(self, object_type: str, test: Any) -> list[CrmRecord]:
        return [self._record(object_type, r) for r in self.all(object_type) if test(r)]

    # ---- SidebarCrmPort ---------------------------------------------------------------------
    def record_url(self, record_id: str) -> str:
        return f"https://acme.my.salesforce.test/{record_id}"

    def describe(self, object_type: str) -> Mapping[str, Any] | None:
        self.calls.append("describe")
        return self.describes.get(object_type)

    def related_records(self, terms: RelatedTerms) -> dict[str, list[CrmRecord]]:
        self.calls.append("related_records")
        emails = {e.lower() for e in terms.emails}

        def person(r: dict) -> bool:
            return (r.get("Email") or "").lower() in emails or bool(terms.person_name) and r.get("Name") == terms.person_name

        users = {e.lower() for e in terms.user_emails}
        found = {"Contact": self._where("Contact", person),
                 "Lead": self._where("Lead", lambda r: person(r) and not r.get("IsConverted")),
                 "User": self._where("User", lambda r: r.get("IsActive", True) and (r.get("Email") or "").lower() in users),
                 "Account": self._where("Account", lambda r: any(d in (r.get("Website") or "").lower()
                                                                 for d in terms.domains)
                                        or bool(terms.company) and r.get("Name") == terms.company),
                 "Case": self._where("Case", lambda r: r.get("CaseNumber") in terms.case_numbers)}
        return {t: rows for t, rows in found.items() if rows}

    def account_activity(self, account_ids: Sequence[str]) -> dict[str, list[CrmRecord]]:
        if not account_ids:
            return {}
        self.calls.append("account_activity")
        return {"Opportunity": self._where("Opportunity", lambda r: r.get("AccountId") in account_ids),
                "Case": self._where("Case", lambda r: r.get("AccountId") in account_ids and not r.get("IsClosed"))}

    def search_text(self, text: str, object_types: Sequence[str], limit: int) -> list[CrmRecord]:
        self.calls.append("search_text")
        wanted = _words(text)

        def hit(r: dict) -> bool:
            values = [_words(str(v)) for v in r.values() if isinstance(v, str)]
            return any(wanted == words[i:i + len(wanted)] for words in values for i in range(len(words)))

        return [rec for t in object_types for rec in self._where(t, hit)[:limit]]

    def find_duplicates(self, object_type: str, values: Mapping[str, Any]) -> list[CrmRecord]:
        self.calls.append("find_duplicates")
        email = str(values.get("Email") or "").strip().lower()
        if object_type in ("Contact", "Lead") and email:
            return [r for t in ("Contact", "Lead") for r in self._where(t, lambda r: (r.get("Email") or "").lower() == email)]
        name, site = values.get("Name"), str(values.get("Website") or "").lower()
        return self._where(object_type, lambda r: r.get("Name") == name
                           or bool(site) and site in (r.get("Website") or "").lower())

    def create_record(self, object_type: str, values: Mapping[str, Any]) -> str:
        self.calls.append("create_record")
        return self.add(object_type, **values)

    def check_links(self, object_type: str, sync_key: str, who_ids: Sequence[str],
                    what_id: str | None) -> LinkCheck:
        self.calls.append("check_links")
        people = [(t, r) for t in ("Contact", "Lead") for r in self.all(t) if r["Id"] in who_ids]
        existing = [r["Id"] for r in self.all(object_type) if r.get(SYNC_KEY_FIELD) == sync_key]
        what_type = type_of(what_id or "")
        return LinkCheck({r["Id"][:15]: t for t, r in people}, {r["Id"][:15]: (r.get("Email") or "").lower()
                                                               for _, r in people},
                         bool(what_type and what_id in self.records.get(what_type, {})), (existing or [None])[0])

    def save_activity(self, save: ActivitySave) -> SavedActivity:
        """All or none: a relation to a record that does not exist rolls the whole save back."""
        self.calls.append("save_activity")
        people = {r["Id"] for t in ("Contact", "Lead", "User") for r in self.all(t)}
        bad = [s.relation_id for s in save.relations if s.relation_id not in people]
        if bad:
            raise InvalidData(f"INVALID_CROSS_REFERENCE_KEY: invalid cross reference id {bad[0]}")
        existing = [r for r in self.all(save.object_type) if r.get(SYNC_KEY_FIELD) == save.sync_key]
        if existing:
            existing[0].update(save.fields)
            return SavedActivity(existing[0]["Id"], False)
        record_id = self.add(save.object_type, **save.fields)
        parent = "TaskId" if save.object_type == "Task" else "EmailMessageId"
        for spec in save.relations:
            role = {"RelationType": spec.role, "RelationAddress": spec.address} if spec.role else {}
            self.add(RELATION_OBJECT[save.object_type], **{parent: record_id, "RelationId": spec.relation_id, **role})
        for upload in save.files:
            self.add("ContentVersion", PathOnClient=upload.filename, FirstPublishLocationId=record_id)
        return SavedActivity(record_id, True)
