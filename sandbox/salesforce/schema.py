"""Object metadata (fields, types, lengths, picklists, references) and describe rendering.

Shapes follow the REST `describe` / `describeGlobal` responses; only the keys clients
commonly read are emitted, with Salesforce's names and types.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ids import KEY_PREFIXES

TEXT_TYPES = {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
              "combobox", "encryptedstring"}
SOAP_TYPES = {"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "base64": "xsd:base64Binary",
              "date": "xsd:date", "datetime": "xsd:dateTime", "int": "xsd:int",
              "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double"}


@dataclass
class FieldDef:
    """One field of an sObject, as describe reports it."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    required: bool = False          # required on create (not nillable, no default)
    default: Any = None             # defaultedOnCreate value
    picklist: tuple[str, ...] = ()
    restricted: bool = False        # restricted picklist
    external_id: bool = False
    unique: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    auto_number: bool = False
    calculated: bool = False
    name_field: bool = False
    html: bool = False

    @property
    def long_text(self) -> bool:
        """Long text areas (> 255 chars) cannot be filtered or sorted in SOQL."""
        return self.type == "textarea" and self.length > 255

    def describe(self) -> dict[str, Any]:
        """The field entry of a describe response."""
        return {
            "name": self.name, "label": self.label or self.name, "type": self.type,
            "length": self.length, "byteLength": self.length * 3, "digits": 0,
            "precision": 18 if self.type in ("double", "currency") else 0,
            "scale": 2 if self.type in ("double", "currency") else 0,
            "nillable": self.nillable, "createable": self.createable,
            "updateable": self.updateable, "defaultedOnCreate": self.default is not None
            or self.name in ("Id", "OwnerId", "CreatedDate", "IsDeleted"),
            "defaultValue": self.default if not isinstance(self.default, bool) else None,
            "picklistValues": [
                {"active": True, "defaultValue": v == self.default, "label": v,
                 "validFor": None, "value": v} for v in self.picklist],
            "restrictedPicklist": self.restricted, "externalId": self.external_id,
            "unique": self.unique, "idLookup": self.name == "Id" or self.external_id,
            "referenceTo": list(self.reference_to), "relationshipName": self.relationship_name,
            "polymorphicForeignKey": len(self.reference_to) > 1,
            "autoNumber": self.auto_number, "calculated": self.calculated,
            "custom": self.name.endswith("__c"), "nameField": self.name_field,
            "filterable": not self.long_text, "sortable": not self.long_text,
            "groupable": not self.long_text and self.type not in ("double", "datetime"),
            "caseSensitive": False, "htmlFormatted": self.html,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "extraTypeInfo": ("richtextarea" if self.html else "plaintextarea")
            if self.type == "textarea" else None,
        }


@dataclass
class ObjectDef:
    """One sObject type: its fields by name plus behaviour flags."""

    name: str
    label: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    searchable: bool = True

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES[self.name]

    def field_ci(self, name: str) -> FieldDef | None:
        """Field by case-insensitive name (SOQL and JSON keys are case-insensitive)."""
        found = self.fields.get(name)
        if found:
            return found
        lowered = name.lower()
        return next((f for n, f in self.fields.items() if n.lower() == lowered), None)

    def relationship_ci(self, rel: str) -> FieldDef | None:
        """Reference field whose relationshipName matches `rel` case-insensitively."""
        lowered = rel.lower()
        return next((f for f in self.fields.values()
                     if f.relationship_name and f.relationship_name.lower() == lowered), None)

    def urls(self, version: str) -> dict[str, str]:
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {"sobject": base, "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}"}

    def global_entry(self, version: str) -> dict[str, Any]:
        """The entry for describeGlobal."""
        return {
            "name": self.name, "label": self.label, "labelPlural": self.label + "s",
            "keyPrefix": self.key_prefix, "custom": False, "createable": self.createable,
            "updateable": self.updateable, "deletable": self.deletable, "queryable": True,
            "retrieveable": True, "searchable": self.searchable, "replicateable": True,
            "triggerable": True, "undeletable": self.deletable, "layoutable": True,
            "mergeable": self.name in ("Account", "Contact", "Lead"), "urls": self.urls(version),
        }

    def describe(self, version: str) -> dict[str, Any]:
        """The full `/sobjects/{T}/describe` body."""
        out = self.global_entry(version)
        out.update({"fields": [f.describe() for f in self.fields.values()],
                    "childRelationships": [], "recordTypeInfos": [],
                    "supportedScopes": [{"label": "All", "name": "everything"}]})
        return out


class Schema:
    """All sObject types of an org; lookups are case-insensitive like Salesforce's."""

    def __init__(self, objects: dict[str, ObjectDef]) -> None:
        self.objects = objects
        self._lower = {n.lower(): o for n, o in objects.items()}

    def get(self, name: str) -> ObjectDef | None:
        return self._lower.get(name.lower()) if isinstance(name, str) else None

    def describe_global(self, version: str) -> dict[str, Any]:
        return {"encoding": "UTF-8", "maxBatchSize": 200,
                "sobjects": [o.global_entry(version) for o in self.objects.values()]}
