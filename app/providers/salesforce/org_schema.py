"""The org's describe in the sync core's format, and "an object the org lacks reads as None".

The one place that decides which describe failures mean "no such object" (the sync session,
the CRM port and the sidebar all ask through `describe_or_none`).
"""
from __future__ import annotations

from typing import Any

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.describe import ObjectDescribe, describe
from app.providers.salesforce.errors import CallFailed

MISSING_OBJECT_CODES = ("NOT_FOUND", "INVALID_TYPE")


def describe_or_none(client: SalesforceClient, object_type: str) -> ObjectDescribe | None:
    """Cached describe (Redis, 12 h); None when the org has no such object. Other errors propagate."""
    try:
        return describe(client, object_type)
    except CallFailed as exc:
        if exc.code in MISSING_OBJECT_CODES or exc.status == 404:
            return None
        raise


def core_describe(meta: ObjectDescribe) -> dict[str, Any]:
    """ObjectDescribe → the `{"fields": [...]}` shape `app.sync` reads (lengths, writability, picklists)."""
    return {"name": meta.name, "fields": [
        {"name": f.name, "type": f.type, "length": f.length, "createable": f.createable,
         "updateable": f.updateable, "nillable": f.nillable, "defaultedOnCreate": f.defaulted_on_create,
         "picklistValues": [{"value": v, "active": True} for v in f.picklist_values]}
        for f in meta.fields.values()]}


def core_describe_or_none(client: SalesforceClient, object_type: str) -> dict[str, Any] | None:
    """The core's describe of `object_type`, None when the org lacks it; only core errors escape."""
    with salesforce_edge():
        meta = describe_or_none(client, object_type)
    return core_describe(meta) if meta is not None else None
