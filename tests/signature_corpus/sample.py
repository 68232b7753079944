"""One labelled body, and the fields the corpus labels."""
from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = ("name", "title", "company", "email", "website", "phones", "address")


@dataclass(frozen=True)
class Sample:
    id: str
    body: str
    expect: dict = field(default_factory=dict)
    html: bool = False
    sender: tuple[str, str] = ("", "")     # (address, display name) from the envelope

    def expected(self, name: str):
        """The labelled value; lists for phones ((number, kind) pairs) and address lines."""
        value = self.expect.get(name)
        if name in ("phones", "address"):
            return [tuple(v) if isinstance(v, list) else v for v in (value or [])]
        return value or None
