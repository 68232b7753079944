"""Creating Salesforce records from the sidebar, searching them, and the blocklists."""
from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate

from app.sync.blocklist import MAX_ENTRY, MAX_PATTERNS, entry_problem, is_pattern, normalise_entry
from schemas.base import StrictSchema

SEARCHABLE = ("Contact", "Lead", "Account", "Opportunity", "Case")
MAX_BLOCK_ENTRIES = 1000


def _block_entry(entry: str) -> None:
    """One blocklist entry; the message quotes it (a list error is otherwise just an index)."""
    problem = entry_problem(entry)
    if problem:
        raise ValidationError(f"{entry[:80]!r}: {problem}")


def _block_entries(entries: list[str]) -> None:
    """The whole list: bounded, and few patterns (each one is searched in every participant)."""
    if len(entries) > MAX_BLOCK_ENTRIES:
        raise ValidationError(f"at most {MAX_BLOCK_ENTRIES} entries, not {len(entries)}")
    patterns = sum(1 for e in entries if is_pattern(e))
    if patterns > MAX_PATTERNS:
        raise ValidationError(f"at most {MAX_PATTERNS} /regular expressions/ per list, not {patterns}")


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
    entries = fields.List(fields.String(validate=_block_entry), required=True, validate=_block_entries, metadata={
        "description": "Addresses (`jane@example.com`), domains (`@example.com`, subdomains included) and regular "
                       "expressions (`/^noreply@/`, Python `re` syntax searched in the address; no back-references, "
                       "no repetition inside a repetition or over alternatives, at most two like `.*`). Matching is "
                       f"case-insensitive on the trimmed address. At most {MAX_BLOCK_ENTRIES} entries of "
                       f"{MAX_ENTRY} characters, {MAX_PATTERNS} of them expressions."})

    @post_load
    def _normalise(self, data: dict, **_) -> dict:
        return {"entries": list(dict.fromkeys(normalise_entry(e) for e in data["entries"]))}
