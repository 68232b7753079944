"""SOSL subset: FIND {terms} [IN ALL|NAME|EMAIL|PHONE FIELDS] RETURNING Obj(fields [WHERE
...] [ORDER BY ...] [LIMIT n]), ... [LIMIT n]; terms may be joined with AND, OR and AND NOT
(left to right) and quoted; a quoted or backslash-escaped operator word is a literal word.

Matching is token based and case-insensitive (`*` and `?` wildcards), which is close to
how Salesforce's search index treats names, emails and phone numbers.
"""
from __future__ import annotations

import re
from typing import Any

from .dml import Ctx
from .errors import ApiError
from .query import ordered, render
from .schema import ObjectDef
from .soql import parse
from .soql_eval import WhereCompiler, resolve
from .store import Record

_FIND = re.compile(r"^\s*FIND\s*\{((?:[^{}\\]|\\.)*)\}\s*(.*)$", re.I | re.S)
_IN = re.compile(r"^IN\s+(ALL|NAME|EMAIL|PHONE)\s+FIELDS\s*(.*)$", re.I | re.S)
_RETURNING = re.compile(r"^RETURNING\s+(.*)$", re.I | re.S)
_LIMIT = re.compile(r"^(.*?)\s*\bLIMIT\s+(\d+)\s*$", re.I | re.S)
_SPEC = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:\(((?:[^()']|'(?:[^'\\]|\\.)*')*)\))?\s*(?:,|$)",
                   re.S)
_CLAUSE = re.compile(r"\s+(?=(WHERE|ORDER\s+BY|LIMIT)\b)", re.I)
DEFAULT_LIMIT = 2000


def _malformed(message: str) -> ApiError:
    return ApiError(400, "MALFORMED_SEARCH", message)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w*?]+", text.lower()) if t]


def _words(terms: str) -> list[tuple[str, bool]]:
    """(word, literal) pairs: a quoted phrase or a word with an escape is never an operator.

    An escaped `*` or `?` is punctuation (a token break), not a wildcard."""
    words: list[tuple[str, bool]] = []
    buf, literal, quoted, i = [], False, False, 0
    while i < len(terms):
        ch = terms[i]
        if ch == "\\" and i + 1 < len(terms):
            buf.append(" " if terms[i + 1] in "*?" else terms[i + 1])
            literal, i = True, i + 2
            continue
        if ch == '"' or (ch.isspace() and not quoted):
            if buf:
                words.append(("".join(buf), literal or quoted))
            buf, literal = [], False
            quoted = not quoted if ch == '"' else quoted
        else:
            buf.append(ch)
        i += 1
    if buf:
        words.append(("".join(buf), literal or quoted))
    return words


def _terms(terms: str) -> list[tuple[str, list[str]]]:
    """(operator, phrase tokens) evaluated left to right; the first operator is "OR".

    Unquoted AND, OR and AND NOT join phrases, as in Salesforce's FIND clause; other words
    next to each other form one phrase whose tokens must appear contiguously."""
    out: list[tuple[str, list[str]]] = []
    op, phrase = "OR", []
    for word, literal in _words(terms):
        upper = None if literal else word.upper()
        if upper in ("AND", "OR") or (upper == "NOT" and op == "AND" and not phrase):
            if phrase:
                out.append((op, phrase))
            op = "AND NOT" if upper == "NOT" else upper
            phrase = []
            continue
        phrase += _tokens(word)
    if phrase:
        out.append((op, phrase))
    if not out or all(len("".join(p).replace("*", "")) < 2 for _, p in out):
        raise _malformed("search term must be longer than one character")
    return out


def _token_match(pattern: str, token: str) -> bool:
    if "*" in pattern or "?" in pattern:
        rx = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.fullmatch(rx, token) is not None
    return pattern == token


def _value_matches(alt: list[str], value: str) -> bool:
    toks = _tokens(value)
    return any(all(_token_match(p, toks[i + j]) for j, p in enumerate(alt))
               for i in range(len(toks) - len(alt) + 1))


def _scope_fields(obj: ObjectDef, scope: str) -> list[str]:
    text_types = {"string", "email", "phone", "textarea", "url", "combobox", "picklist"}
    if scope == "EMAIL":
        return [f.name for f in obj.fields.values() if f.type == "email"]
    if scope == "PHONE":
        return [f.name for f in obj.fields.values() if f.type == "phone"]
    if scope == "NAME":
        return [f.name for f in obj.fields.values()
                if f.name_field or f.name in ("FirstName", "LastName", "Company")]
    return [f.name for f in obj.fields.values() if f.type in text_types]


def _matches(record: Record, fields: list[str], terms: list[tuple[str, list[str]]]) -> bool:
    values = [str(record[f]) for f in fields if record.get(f)]
    result = False
    for op, phrase in terms:
        found = any(_value_matches(phrase, v) for v in values)
        result = (result and found) if op == "AND" else (result and not found) if op == "AND NOT" \
            else (result or found)
    return result


def _specs(ctx: Ctx, text: str) -> list[tuple[str, str]]:
    specs, pos = [], 0
    while pos < len(text):
        m = _SPEC.match(text, pos)
        if not m or m.end() == pos:
            raise _malformed(f"unexpected token: '{text[pos:pos + 20].strip()}'")
        specs.append((m.group(1), m.group(2) or "Id"))
        pos = m.end()
    return specs


def search(ctx: Ctx, text: str) -> dict[str, Any]:
    """Run a SOSL statement; returns `{"searchRecords": [...]}`."""
    m = _FIND.match(text)
    if not m:
        raise _malformed("No search term found. The search term must be enclosed in braces.")
    terms, rest = _terms(m.group(1)), m.group(2).strip()
    scope = "ALL"
    if (mi := _IN.match(rest)):
        scope, rest = mi.group(1).upper(), mi.group(2).strip()
    limit = DEFAULT_LIMIT
    if (ml := _LIMIT.match(rest)) and not rest.rstrip().endswith(")"):
        rest, limit = ml.group(1).strip(), int(ml.group(2))
    if rest and not (mr := _RETURNING.match(rest)):
        raise _malformed(f"unexpected token: '{rest.split()[0]}'")
    specs = _specs(ctx, mr.group(1)) if rest else \
        [(o.name, "Id") for o in ctx.schema.objects.values() if o.searchable]
    found: list[dict[str, Any]] = []
    for name, inner in specs:
        found += _search_object(ctx, name, inner, scope, terms)
    return {"searchRecords": found[:limit]}


def _search_object(ctx: Ctx, name: str, inner: str, scope: str,
                   terms: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    obj = ctx.schema.get(name)
    if obj is None:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
    parts = _CLAUSE.split(inner, maxsplit=1)
    fields_text = parts[0]
    clauses = inner[len(fields_text):]
    query = parse(f"SELECT {fields_text} FROM {obj.name} {clauses}")
    selected = [(ref, resolve(ctx.org, obj, ref, query.text)) for ref in query.fields]
    predicate = WhereCompiler(ctx.org, obj, query, ctx.now).compile(query.where)
    fields = _scope_fields(obj, scope)
    rows = [r for r in ctx.org.store.all(obj.name) if _matches(r, fields, terms) and predicate(r)]
    rows = ordered(ctx, obj, query, rows)
    if query.limit is not None:
        rows = rows[:query.limit]
    return [render(ctx, obj, r, selected) for r in rows]
