"""The org's Salesforce schema (describe) for API validation, in the sync core's format."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from app.models import User
from app.providers.salesforce.connect import connect, connect_org
from app.providers.salesforce.describe import ObjectDescribe, describe
from app.providers.salesforce.errors import CallFailed
from app.runtime import Runtime


def core_describe(meta: ObjectDescribe) -> dict:
    """ObjectDescribe → the `{"fields": [...]}` shape `app.sync` reads (lengths, writability, picklists)."""
    return {"name": meta.name, "fields": [
        {"name": f.name, "type": f.type, "length": f.length, "createable": f.createable,
         "updateable": f.updateable, "nillable": f.nillable,
         "picklistValues": [{"value": v, "active": True} for v in f.picklist_values]}
        for f in meta.fields.values()]}


def describer_for(rt: Runtime, user: User) -> Callable[[str], Mapping | None]:
    """Describe with the user's own connection, else the org's default; None for unknown objects.

    Raises the Salesforce layer's ReauthorizationRequired / OrgPaused for the caller to report.
    """
    connection = user.connection
    if connection is not None and connection.status == "connected":
        client = connect(rt, connection.id, essential=True)
    else:
        client = connect_org(rt, user.org_id, essential=True)

    def describe_object(object_type: str) -> Mapping | None:
        try:
            return core_describe(describe(client, object_type))
        except CallFailed as exc:
            if exc.code in ("NOT_FOUND", "INVALID_TYPE") or exc.status == 404:
                return None
            raise

    return describe_object
