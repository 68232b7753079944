"""SOQL evaluation over an org's records: field resolution, filters, ordering, rendering.

Field paths are checked against the schema first, so unknown fields fail with
INVALID_FIELD before any row is read, as in Salesforce.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from . import ids
from .schema import FieldDef, ObjectDef
from .soql import BoolOp, Comparison, Condition, FieldRef, Literal, Not, Query, located
from .store import Org, Record
from .values import as_python, parse_date, parse_datetime

_NO_COLUMN = ("No such column '{name}' on entity '{entity}'. If you are attempting to use a "
              "custom field, be sure to append the '__c' after the custom field name. Please "
              "reference your WSDL or the describe call for the appropriate names.")
_NO_REL = ("Didn't understand relationship '{name}' in field path. If you are attempting to "
           "use a custom relationship, be sure to append the '__r' after the custom "
           "relationship name. Please reference your WSDL or the describe call for the "
           "appropriate names.")
_TYPE_NAMES = {"datetime": "dateTime", "date": "date", "boolean": "boolean", "int": "double",
               "double": "double", "currency": "double", "percent": "double"}


class Resolved:
    """A checked field path: the relationship hops and the final field definition."""

    def __init__(self, hops: list[tuple[FieldDef, str]], leaf: FieldDef | None,
                 leaf_name: str) -> None:
        self.hops, self.leaf, self.leaf_name = hops, leaf, leaf_name


def resolve(org: Org, obj: ObjectDef, ref: FieldRef, text: str) -> Resolved:
    """Check a path such as ['Who', 'Name'] (raises INVALID_FIELD like Salesforce)."""
    hops: list[tuple[FieldDef, str]] = []
    targets = [obj]
    for i, part in enumerate(ref.path):
        last = i == len(ref.path) - 1
        if last:
            if part.lower() == "type" and len(targets) > 1:
                return Resolved(hops, None, "Type")
            leaf = next((f for t in targets if (f := t.field_ci(part))), None)
            if leaf is None:
                entity = targets[0].name if len(targets) == 1 else "Name"
                raise located(text, ref.pos, _NO_COLUMN.format(name=ref.dotted, entity=entity),
                              "INVALID_FIELD")
            return Resolved(hops, leaf, leaf.name)
        rel = next((f for t in targets if (f := t.relationship_ci(part))), None)
        if rel is None:
            raise located(text, ref.pos, _NO_REL.format(name=part), "INVALID_FIELD")
        hops.append((rel, rel.relationship_name or part))
        targets = [o for n in rel.reference_to if (o := org.schema.get(n))]
    raise located(text, ref.pos, "unexpected token", "MALFORMED_QUERY")


def value_at(org: Org, record: Record, res: Resolved) -> tuple[Any, str | None]:
    """The stored value at a resolved path, and the type of the record it came from."""
    current, kind = record, None
    for ref_field, _ in res.hops:
        parent_id = current.get(ref_field.name)
        found = org.store.get(parent_id) if parent_id else None
        if found is None or found[1].get("IsDeleted"):
            return None, None
        kind, current = found
    if res.leaf is None:
        return kind, kind
    return current.get(res.leaf.name), kind


# ---- date literals -------------------------------------------------------------------

def date_range(literal: str, today: date) -> tuple[date, date]:
    """Inclusive [first, last] day covered by a SOQL date literal (UTC days)."""
    name, _, n_text = literal.partition(":")
    n = int(n_text or 0)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)   # weeks start on Sunday
    month_start = today.replace(day=1)
    simple: dict[str, tuple[date, date]] = {
        "TODAY": (today, today), "YESTERDAY": (today - timedelta(1),) * 2,
        "TOMORROW": (today + timedelta(1),) * 2,
        "THIS_WEEK": (week_start, week_start + timedelta(6)),
        "LAST_WEEK": (week_start - timedelta(7), week_start - timedelta(1)),
        "NEXT_WEEK": (week_start + timedelta(7), week_start + timedelta(13)),
        "THIS_MONTH": (month_start, _month_end(month_start)),
        "LAST_90_DAYS": (today - timedelta(90), today),
        "NEXT_90_DAYS": (today + timedelta(1), today + timedelta(90)),
        "THIS_YEAR": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "LAST_YEAR": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "NEXT_YEAR": (date(today.year + 1, 1, 1), date(today.year + 1, 12, 31)),
        "LAST_N_DAYS": (today - timedelta(n), today),
        "NEXT_N_DAYS": (today + timedelta(1), today + timedelta(n)),
        "N_DAYS_AGO": (today - timedelta(n),) * 2,
        "LAST_N_WEEKS": (week_start - timedelta(7 * n), week_start - timedelta(1)),
        "NEXT_N_WEEKS": (week_start + timedelta(7), week_start + timedelta(7 * n + 6)),
    }
    if name == "LAST_MONTH":
        prev = (month_start - timedelta(1)).replace(day=1)
        return prev, _month_end(prev)
    if name == "NEXT_MONTH":
        nxt = _month_end(month_start) + timedelta(1)
        return nxt, _month_end(nxt)
    if name not in simple:
        raise ValueError(literal)
    return simple[name]


def _month_end(first: date) -> date:
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(1)


# ---- compiling WHERE -----------------------------------------------------------------

Predicate = Callable[[Record], bool]


class WhereCompiler:
    """Turns a WHERE tree into a predicate after checking fields and literal types."""

    def __init__(self, org: Org, obj: ObjectDef, query: Query, now: datetime) -> None:
        self.org, self.obj, self.query, self.now = org, obj, query, now

    def compile(self, cond: Condition | None) -> Predicate:
        if cond is None:
            return lambda r: True
        if isinstance(cond, Not):
            inner = self.compile(cond.item)
            return lambda r: not inner(r)
        if isinstance(cond, BoolOp):
            parts = [self.compile(c) for c in cond.items]
            if cond.op == "AND":
                return lambda r: all(p(r) for p in parts)
            return lambda r: any(p(r) for p in parts)
        return self.comparison(cond)

    def comparison(self, cond: Comparison) -> Predicate:
        text = self.query.text
        res = resolve(self.org, self.obj, cond.field, text)
        f = res.leaf
        if f is not None and f.long_text:
            raise located(text, cond.field.pos, f"field '{f.name}' can not be filtered in "
                                                "query call", "INVALID_FIELD")
        literals = cond.value if isinstance(cond.value, list) else [cond.value]
        tests = [self.literal_test(f, cond.op, lit) for lit in literals]
        org = self.org
        members = self.in_members(f, cond.op, literals)
        if members is not None:   # IN/NOT IN of plain values: a set look-up, as an indexed field would be
            wanted, negate = members, cond.op == "NOT IN"

            def member(record: Record) -> bool:
                raw, _ = value_at(org, record, res)
                value = comparable(f, raw)
                try:
                    return (value in wanted) is not negate
                except TypeError:
                    return negate
            return member

        def predicate(record: Record) -> bool:
            raw, _ = value_at(org, record, res)
            value = comparable(f, raw)
            if cond.op == "IN":
                return any(t(value) for t in tests)
            if cond.op == "NOT IN":
                return not any(t(value) for t in tests)
            return tests[0](value)
        return predicate

    def in_members(self, f: FieldDef | None, op: str, literals: list[Literal]) -> set | None:
        """The values of an IN/NOT IN list as a set, when every literal is a plain hashable value."""
        if op not in ("IN", "NOT IN") or any(lit.kind == "dateliteral" for lit in literals):
            return None
        kind = f.type if f else "string"
        values = [self.literal_value(f, kind, lit) for lit in literals]
        try:
            return set(values)
        except TypeError:
            return None

    def literal_test(self, f: FieldDef | None, op: str, lit: Literal) -> Callable[[Any], bool]:
        kind = f.type if f else "string"
        self.check_type(f, kind, lit)
        if lit.kind == "dateliteral":
            return self.range_test(kind, op, lit)
        target = self.literal_value(f, kind, lit)
        if op == "LIKE":
            pattern = _like_regex(str(target))
            return lambda v: v is not None and bool(pattern.match(str(v)))
        return _compare_fn(op if op not in ("IN", "NOT IN") else "=", target)

    def check_type(self, f: FieldDef | None, kind: str, lit: Literal) -> None:
        name = f.name if f else "Type"
        expect = _TYPE_NAMES.get(kind, "string")
        ok = lit.kind == "null" or {
            "dateTime": lit.kind in ("datetime", "dateliteral"),
            "date": lit.kind in ("date", "dateliteral"),
            "boolean": lit.kind == "boolean", "double": lit.kind == "number",
            "string": lit.kind == "string"}[expect]
        if not ok:
            quoted = "should be enclosed in quotes" if expect == "string" else \
                "should not be enclosed in quotes"
            raise located(self.query.text, lit.pos, f"value of filter criterion for field "
                                                    f"'{name}' must be of type {expect} and "
                                                    f"{quoted}", "INVALID_FIELD")

    def literal_value(self, f: FieldDef | None, kind: str, lit: Literal) -> Any:
        if lit.kind == "null":
            return None
        if kind in ("id", "reference") and lit.kind == "string":
            norm = ids.normalize(lit.value)
            if norm is None and lit.value != "":
                raise located(self.query.text, lit.pos, f"invalid ID field: {lit.value}",
                              "INVALID_QUERY_FILTER_OPERATOR")
            return norm or ""
        if lit.kind == "datetime":
            return parse_datetime(lit.value)
        if lit.kind == "date":
            return parse_date(lit.value)
        if lit.kind == "string":
            return lit.value.lower()
        return lit.value

    def range_test(self, kind: str, op: str, lit: Literal) -> Callable[[Any], bool]:
        first, last = date_range(lit.value, self.now.date())
        lo: Any = first
        hi: Any = last + timedelta(1)
        if kind == "datetime":
            lo = datetime.combine(first, time(), UTC)
            hi = datetime.combine(last + timedelta(1), time(), UTC)
        checks: dict[str, Callable[[Any], bool]] = {
            "=": lambda v: lo <= v < hi, "!=": lambda v: not lo <= v < hi,
            "<": lambda v: v < lo, "<=": lambda v: v < hi, ">": lambda v: v >= hi,
            ">=": lambda v: v >= lo, "IN": lambda v: lo <= v < hi,
            "NOT IN": lambda v: lo <= v < hi}
        check = checks[op]
        return lambda v: (op == "!=") if v is None else check(v)


def comparable(f: FieldDef | None, raw: Any) -> Any:
    if raw is None:
        return None
    if f is None or f.type in ("id", "reference"):
        return raw if f is not None else str(raw).lower()
    value = as_python(f, raw)
    return value.lower() if isinstance(value, str) else value


def _compare_fn(op: str, target: Any) -> Callable[[Any], bool]:
    if target is None:
        return (lambda v: v is None) if op == "=" else (lambda v: v is not None) \
            if op == "!=" else (lambda v: False)
    ops: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: v == target, "!=": lambda v: v != target,
        "<": lambda v: v < target, "<=": lambda v: v <= target,
        ">": lambda v: v > target, ">=": lambda v: v >= target}
    fn = ops[op]

    def safe(v: Any) -> bool:
        if v is None:
            return op == "!="
        try:
            return fn(v)
        except TypeError:
            return False
    return safe


def _like_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)
