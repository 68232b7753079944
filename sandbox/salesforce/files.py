"""What Salesforce does when a file version is inserted: the document and its first share.

A new ContentVersion without ContentDocumentId starts a ContentDocument; with
FirstPublishLocationId, a ContentDocumentLink shares the document with that record.
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for type hints: dml imports this module
    from .dml import Ctx


def derive_version(record: dict[str, Any]) -> None:
    """Title from the file name, size and extension from the data (before validation)."""
    path = record.get("PathOnClient") or ""
    if not record.get("Title"):
        record["Title"] = path.rsplit("/", 1)[-1].rsplit(".", 1)[0] or path
    record["FileExtension"] = path.rsplit(".", 1)[-1].lower() if "." in path else None
    data = record.get("VersionData")
    record["ContentSize"] = len(base64.b64decode(data)) if data else 0


def _system_row(ctx: Ctx, kind: str, values: dict[str, Any]) -> str:
    obj = ctx.sobject(kind)
    rid = ctx.org.ids.new(obj.key_prefix)
    row = {**values, "Id": rid, "IsDeleted": False, "CreatedDate": ctx.stamp, "CreatedById": ctx.user_id,
           "LastModifiedDate": ctx.stamp, "LastModifiedById": ctx.user_id, "SystemModstamp": ctx.stamp}
    if "OwnerId" in obj.fields:
        row["OwnerId"] = ctx.user_id
    ctx.org.store.put(kind, {f: row.get(f) for f in obj.fields})
    return rid


def after_version_insert(ctx: Ctx, version_id: str, record: dict[str, Any]) -> None:
    document_id = _system_row(ctx, "ContentDocument", {
        "Title": record.get("Title"), "LatestPublishedVersionId": version_id,
        "ContentSize": record.get("ContentSize"), "FileExtension": record.get("FileExtension")})
    stored = dict(ctx.org.store.get(version_id)[1])
    stored["ContentDocumentId"] = document_id
    ctx.org.store.put("ContentVersion", stored)
    if record.get("FirstPublishLocationId"):
        _system_row(ctx, "ContentDocumentLink", {
            "ContentDocumentId": document_id, "LinkedEntityId": record["FirstPublishLocationId"],
            "ShareType": "V", "Visibility": "AllUsers"})
