""""Save this meeting" from the sidebar: once the sync has mirrored the meeting, give its
Salesforce record the Name (WhoId) and Related To (WhatId) the user chose.

The mirror sets WhoId/WhatId only when it creates an Event (app.sync.event.links), so later syncs keep these.
Requests wait (status pending) until the meeting has a Salesforce record.
"""
from __future__ import annotations

from sqlalchemy import select

from app.models import IdMapRow
from app.models.sidebar_requests import MeetingSave
from app.runtime import Runtime
from app.sync.ports import CrmPort, RecordWrite


def _targets(session, org_pk: int, requests: list[MeetingSave]) -> dict[int, list[IdMapRow]]:
    """Each request's mirrored records (a recurring series has one per occurrence)."""
    uids = {r.ical_uid for r in requests}
    rows = session.scalars(select(IdMapRow).where(
        IdMapRow.org_id == org_pk, IdMapRow.kind == "calendar", IdMapRow.uid.in_(uids),
        IdMapRow.crm_id.is_not(None), IdMapRow.deleted.is_(False), IdMapRow.pending.is_(None)))
    by_uid: dict[str, dict[str, IdMapRow]] = {}
    for row in rows:
        by_uid.setdefault(row.uid, {})[row.crm_id] = row  # several mailboxes may map the same record
    return {r.id: list(by_uid.get(r.ical_uid, {}).values()) for r in requests}


def link_saved_meetings(rt: Runtime, crm: CrmPort, user_id: int, org_pk: int) -> dict:
    """One batched update for every meeting the user saved that now has a record; returns dashboard data."""
    with rt.db.session_scope() as s:
        requests = list(s.scalars(select(MeetingSave).where(
            MeetingSave.user_id == user_id, MeetingSave.status == "pending", MeetingSave.ical_uid.is_not(None))))
        targets = _targets(s, org_pk, requests) if requests else {}
        plan = [(req, row) for req in requests for row in targets.get(req.id, [])]
        if not plan:
            return {}
        updates = {}
        for req, row in plan:
            updates.setdefault(row.object_type, []).append(
                {"Id": row.crm_id, "WhoId": (req.who_ids or [None])[0], "WhatId": req.what_id})
        failures = _write(crm, updates)
        for req in {req.id: req for req, _ in plan}.values():
            req.status = "failed" if any(failures.get(row.crm_id) for row in targets[req.id]) else "linked"
    errors = [{"kind": "calendar", "item": record_id, "action": "link_meeting", "code": "invalid", "reason": why}
              for record_id, why in failures.items() if why]
    return {"counts": {"meetings": {"updated": len(plan) - len(errors), "failed": len(errors)}}, "errors": errors}


def _write(crm: CrmPort, updates: dict[str, list[dict]]) -> dict[str, str | None]:
    """One batched update per object through the session's CrmPort; record id → why it failed (or None)."""
    failures: dict[str, str | None] = {}
    for sobject, records in updates.items():
        writes = [RecordWrite({k: v for k, v in r.items() if v is not None and k != "Id"}, record_id=r["Id"])
                  for r in records]
        for write, result in zip(writes, crm.update_records(sobject, writes)):
            failures[str(write.record_id)] = None if result.ok else (result.error or result.error_code or "failed")
    return failures
