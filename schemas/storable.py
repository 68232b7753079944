"""What the stores can hold: every field a schema loads is checked here once (`StrictSchema`).

PostgreSQL refuses NUL in text, no UTF-8 encoder takes a lone surrogate, and every integer
column is a SQL INTEGER (32-bit signed on PostgreSQL; SQLite overflows at 64 bits). Values a
store cannot hold are a 400 naming the field, never a 500 from the driver.
"""
from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import ValidationError, fields, validate

INT_MIN, INT_MAX = -(2**31), 2**31 - 1      # SQL INTEGER, the type of every integer column
DEFAULT_MAX_TEXT = 32_000                   # the longest text Salesforce stores (long text area)
MAX_EMAIL = 320                             # every address column is VARCHAR(320)
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_WHY = {"\x00": "contains a NUL character"}


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored (control characters other than tab/newline, lone surrogates)."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "contains a lone UTF-16 surrogate (not valid Unicode)"
    return _WHY.get(char, f"contains the control character U+{ord(char):04X}")


def refuse_unstorable(value: Any) -> None:
    """Field validator: walks strings, floats and containers (Dict/List values included)."""
    problem = _problem(value)
    if problem:
        raise ValidationError(problem)


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    if isinstance(value, dict):
        return next((p for p in map(_problem, [*value.keys(), *value.values()]) if p), None)
    if isinstance(value, list | tuple):
        return next((p for p in map(_problem, value) if p), None)
    return None


def refuse_beyond_int_columns(value: int) -> None:
    """Integer fields end up in INTEGER columns (or are compared with them). Integers inside free-form
    Dicts (Salesforce field values) are not: Salesforce judges those itself."""
    if not INT_MIN <= value <= INT_MAX:
        raise ValidationError(f"must be between {INT_MIN} and {INT_MAX}")


def refuse_overlong(value: str) -> None:
    """The cap for strings that declare no length (a plain function: response docs stay unbounded)."""
    if len(value) > DEFAULT_MAX_TEXT:
        raise ValidationError(f"is longer than {DEFAULT_MAX_TEXT} characters")


def harden(field: fields.Field) -> None:
    """Add the storable check (and a length cap on unbounded strings) to `field` and its inner fields."""
    if isinstance(field, fields.Nested):
        return                                   # a nested StrictSchema hardens its own fields
    field.validators = [*field.validators, refuse_unstorable]
    bounded = any(isinstance(v, validate.Length) for v in field.validators)
    if isinstance(field, fields.Email) and not bounded:
        field.validators.append(validate.Length(max=MAX_EMAIL))
    elif isinstance(field, fields.String) and not bounded:
        field.validators.append(refuse_overlong)
    elif isinstance(field, fields.Integer):
        field.validators.append(refuse_beyond_int_columns)
    for inner in _inner_fields(field):
        harden(inner)


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    if isinstance(field, fields.List):
        return [field.inner]
    if isinstance(field, fields.Tuple):
        return list(field.tuple_fields)
    if isinstance(field, fields.Dict):
        return [f for f in (field.key_field, field.value_field) if f is not None]
    return []
