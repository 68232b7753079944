"""Shared schema base: unknown fields are an error, never silently dropped; unstorable values are a 400."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from schemas.storable import harden


class StrictSchema(Schema):
    """Unknown fields are refused; every field refuses what the stores cannot hold (`storable`)."""

    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        harden(field_obj)


class ErrorSchema(StrictSchema):
    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    message = fields.String(required=True, metadata={"description": "What is wrong, for humans"})
    errors = fields.Dict(metadata={"description": "Per-field details, when there are any"})


class PageArgsSchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A paged envelope {items, page, page_size, total} around `item_schema`."""
    return type(name, (StrictSchema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "page_size": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    })
