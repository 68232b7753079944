"""Google's partial responses (``fields=`` on any JSON API call, "Performance tips" guide), so the
product's field masks are honoured here as Google honours them: a field the product forgets to ask
for is missing in tests too.

Syntax: ``a,b`` several fields; ``a/b`` a field inside another; ``a(b,c)`` sub-fields of ``a``; ``*``
every field at that level. Inside an array each element is filtered alike.
"""
from __future__ import annotations

from typing import Any

Mask = dict[str, "Mask | None"]         # field -> what to keep inside it (None: all of it)


class BadMask(ValueError):
    """Google answers 400 invalidParameter for a ``fields`` value it cannot parse."""


def parse_mask(text: str) -> Mask:
    mask, end = _items(text.replace(" ", ""), 0)
    if end != len(text.replace(" ", "")):
        raise BadMask(f"Invalid field selection {text}")
    return mask


def apply_mask(value: Any, mask: Mask | None) -> Any:
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply_mask(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return {key: apply_mask(inner, mask.get(key, mask["*"])) for key, inner in value.items()}
    return {key: apply_mask(value[key], inner) for key, inner in mask.items() if key in value}


def _items(text: str, at: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while True:
        at = _item(text, at, mask)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        return mask, at


def _item(text: str, at: int, into: Mask) -> int:
    start = at
    while at < len(text) and text[at] not in ",()":
        at += 1
    path = text[start:at].split("/")
    if not all(path):
        raise BadMask(f"Invalid field selection {text}")
    inner: Mask | None = None
    if at < len(text) and text[at] == "(":
        inner, at = _items(text, at + 1)
        if at >= len(text) or text[at] != ")":
            raise BadMask(f"Invalid field selection {text}")
        at += 1
    node = into
    for name in path[:-1]:
        if name in node and node[name] is None:
            return at                      # the whole field is kept already
        node = node.setdefault(name, {})   # type: ignore[assignment]
    last = path[-1]
    if last in node and node[last] is not None and inner is not None:
        node[last] = {**node[last], **inner}
    else:
        node[last] = None if (last in node and node[last] is None) or inner is None else inner
    return at
