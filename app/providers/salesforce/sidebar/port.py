"""`SalesforceSidebarPort`: the sidebar's `SidebarCrmPort` over one Salesforce connection.

Every method is a few API calls at most (named queries ride in one Composite call) and lets
only `app.sync.errors` exceptions out, through the same edge as the sync's `CrmPort`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.crm_records import to_record
from app.providers.salesforce.crm_translate import SetupHint, salesforce_edge
from app.providers.salesforce.describe import describe, prepare_for_write
from app.providers.salesforce.org_schema import core_describe_or_none
from app.providers.salesforce.queries import run_queries
from app.providers.salesforce.sidebar.activity import link_check, link_statements, save_subrequests, saved_outcome
from app.providers.salesforce.sidebar.records import duplicate_statements, search_statement
from app.providers.salesforce.sidebar.related import account_statements, first_statements
from app.sync.ports import SYNC_KEY_FIELD, CrmRecord
from app.sync.sidebar_ports import ActivitySave, LinkCheck, RelatedTerms, SavedActivity, type_of


class SalesforceSidebarPort:
    """The signed-in user's Salesforce, for the sidebar; not thread-safe (one per request). `setup`
    names the user and the fix when Salesforce refuses one of Syncline's own fields."""

    def __init__(self, client: SalesforceClient, setup: SetupHint | None = None) -> None:
        self.client, self.setup = client, setup

    def record_url(self, record_id: str) -> str:
        """The Lightning-independent classic link `https://<instance>/<id>` (redirects to the record)."""
        return f"{self.client.instance_url.rstrip('/')}/{record_id}"

    def describe(self, object_type: str) -> Mapping[str, Any] | None:
        return core_describe_or_none(self.client, object_type)

    def related_records(self, terms: RelatedTerms) -> dict[str, list[CrmRecord]]:
        return self._named(first_statements(terms))

    def account_activity(self, account_ids: Sequence[str]) -> dict[str, list[CrmRecord]]:
        return self._named(account_statements(account_ids))

    def search_text(self, text: str, object_types: Sequence[str], limit: int) -> list[CrmRecord]:
        sosl = search_statement(text, object_types, limit)
        with salesforce_edge(hint=self.setup):
            rows = self.client.restful("search", params={"q": sosl}).get("searchRecords", [])
        return [to_record(row["attributes"]["type"], row) for row in rows]

    def find_duplicates(self, object_type: str, values: Mapping[str, Any]) -> list[CrmRecord]:
        found = self._named(duplicate_statements(object_type, values))
        return [record for records in found.values() for record in records]

    def create_record(self, object_type: str, values: Mapping[str, Any]) -> str:
        with salesforce_edge(hint=self.setup):
            created = self.client.restful(f"sobjects/{object_type}", "POST", json=dict(values), idempotent=False)
        return str(created["id"])

    def check_links(self, object_type: str, sync_key: str, who_ids: Sequence[str],
                    what_id: str | None) -> LinkCheck:
        what_type = type_of(what_id) if what_id else None
        statements = link_statements(object_type, sync_key, who_ids, what_type, what_id)
        with salesforce_edge(hint=self.setup):
            return link_check(run_queries(self.client, statements))

    def save_activity(self, save: ActivitySave) -> SavedActivity:
        with salesforce_edge(hint=self.setup):
            body = prepare_for_write(describe(self.client, save.object_type), dict(save.fields), creating=True)
            body.pop(SYNC_KEY_FIELD, None)      # the upsert URL carries the key
            subs = save_subrequests(self.client.api_root, save, body)
            entries = self.client.composite(subs, all_or_none=True, idempotent=False)
            record_id, created = saved_outcome(entries, with_relations=bool(save.relations))
        return SavedActivity(record_id, created)

    def _named(self, statements: Mapping[str, str]) -> dict[str, list[CrmRecord]]:
        """Named queries (≤ 5 per Composite call) as records of the type each statement reads."""
        if not statements:
            return {}
        with salesforce_edge(hint=self.setup):
            rows = run_queries(self.client, statements)
        return {name: [to_record(_row_type(row, name), row) for row in found] for name, found in rows.items()}


def _row_type(row: Mapping[str, Any], fallback: str) -> str:
    return str((row.get("attributes") or {}).get("type") or fallback)
