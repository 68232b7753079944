"""Creating Salesforce records from the sidebar, searching them, and the blocklists."""
from __future__ import annotations

from marshmallow import fields, post_load, validate

from schemas.base import StrictSchema

SEARCHABLE = ("Contact", "Lead", "Account", "Opportunity", "Case")
BLOCK_ENTRY = validate.Regexp(r"^(?:[^@\s]+@|@)[^@\s]+\.[^@\s]+$", error="an address (x@y.com) or a @domain")


class RecordCreateSchema(StrictSchema):
    fields_ = fields.Dict(data_key="fields", keys=fields.String(validate=validate.Length(min=1, max=80)),
                          required=True, metadata={"description": "Salesforce API field names → values"})
    allow_duplicate = fields.Boolean(load_default=False)


class RecordCreatedSchema(StrictSchema):
    id = fields.String(required=True)
    url = fields.String(required=True)


class SearchArgsSchema(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=2, max=200))
    types = fields.String(load_default=",".join(SEARCHABLE))

    @post_load
    def _types(self, data: dict, **_) -> dict:
        wanted = [t.strip() for t in data["types"].split(",") if t.strip()]
        unknown = [t for t in wanted if t not in SEARCHABLE]
        if unknown or not wanted:
            from marshmallow import ValidationError

            raise ValidationError(f"types are among {', '.join(SEARCHABLE)}", "types")
        return {**data, "types": list(dict.fromkeys(wanted))}


class SearchHitSchema(StrictSchema):
    type = fields.String(required=True)
    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    url = fields.String(required=True)


class SearchResultsSchema(StrictSchema):
    results = fields.List(fields.Nested(SearchHitSchema), required=True)


class BlocklistSchema(StrictSchema):
    entries = fields.List(fields.String(validate=[validate.Length(max=320), BLOCK_ENTRY]), required=True,
                          validate=validate.Length(max=1000))

    @post_load
    def _normalise(self, data: dict, **_) -> dict:
        return {"entries": list(dict.fromkeys(e.strip().lower() for e in data["entries"]))}
