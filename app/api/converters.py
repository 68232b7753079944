"""URL converters that only match what the stores can hold.

Werkzeug's `int` matches any number of digits; `/mailboxes/999999999999999999999` then reaches
the database and overflows its INTEGER column (a 500). Bounded, it simply matches no route: 404.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from schemas.storable import INT_MAX


class StorableIntConverter(IntegerConverter):
    """`<int:…>` limited to the SQL INTEGER range (ids are positive; OpenAPI documents the bound)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=INT_MAX if max is None else max, signed=signed)
