"""What else hangs off a set of records: the activities (Tasks, Events, emails) and Contacts that
name them, each marked as Syncline's own (it carries a ``Syncline_Key__c``) or someone else's.
Autoresolve's undo deletes a record only when everything tied to it is Syncline's."""
from __future__ import annotations

from collections.abc import Sequence

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.queries import in_list, query_in_chunks
from app.sync.ports import SYNC_KEY_FIELD, RecordTie

ACTIVITY_LOOKUPS = {"Task": ("WhoId", "WhatId"), "Event": ("WhoId", "WhatId")}


def record_ties(client: SalesforceClient, record_ids: Sequence[str]) -> dict[str, list[RecordTie]]:
    """Record id → its ties, in a few Composite calls (five queries per call)."""
    ids = sorted(set(record_ids))
    ties: dict[str, list[RecordTie]] = {}
    statements = [s for obj, lookups in ACTIVITY_LOOKUPS.items() for f in lookups
                  for s in in_list(f"SELECT Id, {', '.join(lookups)}, {SYNC_KEY_FIELD} FROM {obj}", f, ids)]
    statements += list(in_list("SELECT Id, AccountId FROM Contact", "AccountId", ids))
    statements += list(in_list("SELECT Id, RelationId, EmailMessageId FROM EmailMessageRelation", "RelationId", ids))
    relations = []
    seen: set[tuple[str, str]] = set()
    for row in query_in_chunks(client, statements):
        kind = (row.get("attributes") or {}).get("type") or ""
        if kind == "EmailMessageRelation" or "EmailMessageId" in row:
            relations.append(row)
            continue
        for name in ("WhoId", "WhatId", "AccountId"):
            target = row.get(name)
            if target in ids and (target, row["Id"]) not in seen:
                seen.add((target, row["Id"]))
                ours = bool(row.get(SYNC_KEY_FIELD)) if name != "AccountId" else False
                ties.setdefault(target, []).append(RecordTie(kind or "Contact", str(row["Id"]), name, ours))
    _email_ties(client, relations, ties)
    return ties


def _email_ties(client: SalesforceClient, relations: list[dict], ties: dict[str, list[RecordTie]]) -> None:
    """An email's relation row is Syncline's when its EmailMessage carries a sync key."""
    messages = sorted({str(r["EmailMessageId"]) for r in relations})
    keyed = {str(r["Id"]) for r in query_in_chunks(client, in_list(
        f"SELECT Id, {SYNC_KEY_FIELD} FROM EmailMessage", "Id", messages)) if r.get(SYNC_KEY_FIELD)} if messages else set()
    for r in relations:
        ties.setdefault(str(r["RelationId"]), []).append(
            RecordTie("EmailMessageRelation", str(r["Id"]), "RelationId", str(r["EmailMessageId"]) in keyed))
