"""Limits on a JSON body's shape, checked on the raw text before it is parsed.

Python's parser recurses per nesting level (5,000 levels is a RecursionError) and refuses
integers over 4,300 digits with a ValueError: both would be 500s. No Syncline body nests
deeper than a few levels or carries a number longer than a 64-bit one.
"""
from __future__ import annotations

import re

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_LONG_NUMBER = re.compile(rf"[-+.0-9eE]{{{MAX_NUMBER_CHARS + 1},}}")


def shape_problem(raw: bytes) -> str | None:
    """Why this body is refused before parsing, or None; invalid JSON is left to the parser."""
    skeleton = _STRING.sub('""', raw.decode("utf-8", errors="replace"))
    if _LONG_NUMBER.search(skeleton):
        return f"a number in the body is longer than {MAX_NUMBER_CHARS} characters"
    depth = 0
    for bracket in _BRACKET.findall(skeleton):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return f"the body nests deeper than {MAX_DEPTH} levels"
    return None
