"""Field validators for stored identifiers; the rules live in the pure core (`app.sync.identifiers`)
so the API that refuses a value and the engine that skips an old one agree."""
from __future__ import annotations

from collections.abc import Callable

from marshmallow import ValidationError

from app.sync.identifiers import identifier_problem, message_id_problem


def message_id(value: str) -> None:
    problem = message_id_problem(value)
    if problem:
        raise ValidationError(problem)


def identifier(max_length: int) -> Callable[[str], None]:
    """Printable ASCII without spaces, at most `max_length` characters."""
    def check(value: str) -> None:
        problem = identifier_problem(value, max_length)
        if problem:
            raise ValidationError(problem)

    return check
