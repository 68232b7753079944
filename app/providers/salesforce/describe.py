"""Object metadata from `describe`, cached per org (the client's DescribeCache), and write-preparation from it.

Real field lengths and writability come from the org at run time (custom fields, admin
changes), never from constants; `prepare_for_write` uses them to avoid STRING_TOO_LONG and
INVALID_FIELD_FOR_INSERT_UPDATE before a record is sent.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from app.providers.salesforce.client import SalesforceClient

DESCRIBE_TTL_S = 12 * 3600
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
                        "combobox", "encryptedstring"})


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    length: int = 0
    createable: bool = False
    updateable: bool = False
    nillable: bool = True
    picklist_values: tuple[str, ...] = ()
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    defaulted_on_create: bool = False


@dataclass(frozen=True)
class ObjectDescribe:
    """The parts of a describe the sync engine uses; field lookup is case-insensitive."""

    name: str
    fields: dict[str, FieldInfo] = field(default_factory=dict)

    def field(self, name: str) -> FieldInfo | None:
        return self.fields.get(name.lower())

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "fields": [asdict(f) for f in self.fields.values()]})

    @classmethod
    def from_json(cls, raw: str | bytes) -> ObjectDescribe:
        data = json.loads(raw)
        infos = [FieldInfo(**{**f, "picklist_values": tuple(f["picklist_values"]),
                              "reference_to": tuple(f["reference_to"])}) for f in data["fields"]]
        return cls(data["name"], {f.name.lower(): f for f in infos})

    @classmethod
    def from_describe(cls, body: dict) -> ObjectDescribe:
        infos = [FieldInfo(
            name=f["name"], type=f.get("type", ""), length=int(f.get("length") or 0),
            createable=bool(f.get("createable")), updateable=bool(f.get("updateable")),
            nillable=bool(f.get("nillable", True)),
            picklist_values=tuple(p["value"] for p in f.get("picklistValues") or () if p.get("active", True)),
            external_id=bool(f.get("externalId")), reference_to=tuple(f.get("referenceTo") or ()),
            defaulted_on_create=bool(f.get("defaultedOnCreate")),
        ) for f in body.get("fields", [])]
        return cls(body["name"], {f.name.lower(): f for f in infos})


def describe(client: SalesforceClient, sobject: str, ttl_s: int = DESCRIBE_TTL_S) -> ObjectDescribe:
    """Cached describe: at most one API call per org and object per TTL."""
    cache = client.describes
    cached = cache.get(client.org_pk, sobject) if cache is not None else None
    if cached:
        return ObjectDescribe.from_json(cached)
    return describe_now(client, sobject, ttl_s)


def describe_now(client: SalesforceClient, sobject: str, ttl_s: int = DESCRIBE_TTL_S) -> ObjectDescribe:
    """One describe call, whatever the cache holds; its answer becomes the cached one, so the
    session that checked its fields with a fresh describe reads its mapping from it too."""
    result = ObjectDescribe.from_describe(client.restful(f"sobjects/{sobject}/describe"))
    if client.describes is not None:
        client.describes.put(client.org_pk, sobject, result.to_json(), ttl_s)
    return result


def forget_describe(client: SalesforceClient, sobject: str) -> None:
    """Drop the cached describe (e.g. after INVALID_FIELD says the org's schema changed)."""
    if client.describes is not None:
        client.describes.forget(client.org_pk, sobject)


def prepare_for_write(meta: ObjectDescribe, values: dict[str, Any], creating: bool) -> dict[str, Any]:
    """Drop unknown and non-createable/updateable fields; cut text to the field's length.

    `Id` is kept on updates (Collections need it); `attributes` is left to the writer.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "attributes" or (name == "Id" and not creating):
            out[name] = value
            continue
        info = meta.field(name)
        if info is None or not (info.createable if creating else info.updateable):
            continue
        out[info.name] = truncate(info, value)
    return out


def truncate(info: FieldInfo, value: Any) -> Any:
    """Text longer than the field allows is cut (Salesforce lengths count characters)."""
    if isinstance(value, str) and info.type in TEXT_TYPES and info.length and len(value) > info.length:
        return value[:info.length]
    return value
