"""Running SOQL: filter, order, limit, render rows and page them through query locators.

Pages hold 2,000 rows (200 when two or more long text areas are selected); the result
set is fixed when the query runs, so paging is stable while records change.
"""
from __future__ import annotations

import secrets
from functools import cmp_to_key
from typing import Any

from . import ids
from .dml import Ctx
from .errors import ApiError
from .schema import ObjectDef
from .soql import FieldRef, OrderItem, Query, located, parse
from .soql_eval import Resolved, WhereCompiler, comparable, resolve, value_at
from .store import QueryCursor, Record

PAGE_SIZE = 2000
LONG_TEXT_PAGE_SIZE = 200
MAX_OFFSET = 2000


def attributes(ctx: Ctx, kind: str, rid: str) -> dict[str, str]:
    return {"type": kind, "url": f"/services/data/v{ctx.version}/sobjects/{kind}/{rid}"}


def run_query(ctx: Ctx, text: str, include_deleted: bool, endpoint: str) -> dict[str, Any]:
    """Execute a statement; returns the first page as Salesforce's query response."""
    query = parse(text)
    obj = ctx.schema.get(query.sobject)
    if obj is None:
        raise located(text, query.sobject_pos,
                      f"sObject type '{query.sobject}' is not supported. If you are attempting "
                      "to use a custom object, be sure to append the '__c' after the entity "
                      "name. Please reference your WSDL or the describe call for the "
                      "appropriate names.", "INVALID_TYPE")
    selected = [(ref, resolve(ctx.org, obj, ref, text)) for ref in query.fields]
    predicate = WhereCompiler(ctx.org, obj, query, ctx.now).compile(query.where)
    rows = [r for r in ctx.org.store.all(obj.name, include_deleted) if predicate(r)]
    if query.count is not None:
        return _count_result(ctx, query, obj, rows)
    rows = ordered(ctx, obj, query, rows)
    if query.offset:
        if query.offset > MAX_OFFSET:
            raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE",
                           f"Maximum SOQL offset allowed is {MAX_OFFSET}")
        rows = rows[query.offset:]
    if query.limit is not None:
        rows = rows[:query.limit]
    rendered = [render(ctx, obj, r, selected) for r in rows]
    long_text = sum(1 for _, res in selected if res.leaf is not None and res.leaf.long_text)
    page = LONG_TEXT_PAGE_SIZE if long_text >= 2 else PAGE_SIZE
    return _page(ctx, QueryCursor(rendered, 0, page, len(rendered)), endpoint)


def query_more(ctx: Ctx, locator: str, endpoint: str) -> dict[str, Any]:
    """Next page for `01g...-N` locators; INVALID_QUERY_LOCATOR when unknown."""
    key, _, start = locator.partition("-")
    cursor = ctx.org.cursors.get(key)
    if cursor is None or not start.isdigit() or int(start) > cursor.total:
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(ctx, QueryCursor(cursor.rows, int(start), cursor.page_size, cursor.total),
                 endpoint, key)


def _page(ctx: Ctx, cursor: QueryCursor, endpoint: str, key: str | None = None) -> dict[str, Any]:
    end = cursor.position + cursor.page_size
    out: dict[str, Any] = {"totalSize": cursor.total, "done": end >= cursor.total,
                           "records": cursor.rows[cursor.position:end]}
    if end < cursor.total:
        if key is None:
            key = ids.to18(ids.QUERY_LOCATOR_PREFIX + ctx.org.ids.pod + "0"
                           + secrets.token_hex(5)[:9].upper())
            ctx.org.cursors[key] = cursor
        out["nextRecordsUrl"] = f"/services/data/v{ctx.version}/{endpoint}/{key}-{end}"
    elif key is not None:
        ctx.org.cursors.pop(key, None)
    return out


def _count_result(ctx: Ctx, query: Query, obj: ObjectDef, rows: list[Record]) -> dict[str, Any]:
    if query.count is True:
        return {"totalSize": len(rows), "done": True, "records": []}
    assert isinstance(query.count, FieldRef)
    res = resolve(ctx.org, obj, query.count, query.text)
    n = sum(1 for r in rows if value_at(ctx.org, r, res)[0] is not None)
    return {"totalSize": 1, "done": True,
            "records": [{"attributes": {"type": "AggregateResult"}, "expr0": n}]}


def ordered(ctx: Ctx, obj: ObjectDef, query: Query, rows: list[Record]) -> list[Record]:
    """Stable multi-key sort; ASC puts nulls first and DESC last unless NULLS says otherwise."""
    for item in reversed(query.order):
        res = resolve(ctx.org, obj, item.field, query.text)
        if res.leaf is not None and res.leaf.long_text:
            raise located(query.text, item.field.pos, f"field '{res.leaf.name}' can not be "
                                                      "sorted in a query call", "INVALID_FIELD")
        rows = sorted(rows, key=cmp_to_key(_comparator(ctx, res, item)))
    return rows


def _comparator(ctx: Ctx, res: Resolved, item: OrderItem) -> Any:
    nulls_first = item.nulls_first if item.nulls_first is not None else not item.descending
    cache: dict[int, Any] = {}

    def key(r: Record) -> Any:
        k = id(r)
        if k not in cache:
            cache[k] = comparable(res.leaf, value_at(ctx.org, r, res)[0])
        return cache[k]

    def compare(a: Record, b: Record) -> int:
        va, vb = key(a), key(b)
        if va is None or vb is None:
            if va is None and vb is None:
                return 0
            return (-1 if va is None else 1) * (1 if nulls_first else -1)
        result = (va > vb) - (va < vb)
        return -result if item.descending else result
    return compare


def render(ctx: Ctx, obj: ObjectDef, record: Record,
           selected: list[tuple[FieldRef, Resolved]]) -> dict[str, Any]:
    """One query row: attributes, then the selected fields; parents as nested objects."""
    row: dict[str, Any] = {"attributes": attributes(ctx, obj.name, record["Id"])}
    for _, res in selected:
        _place(ctx, row, record, res, 0)
    return row


def _place(ctx: Ctx, row: dict[str, Any], record: Record, res: Resolved, depth: int) -> None:
    if depth == len(res.hops):
        row[res.leaf_name] = record.get(res.leaf.name) if res.leaf else None
        return
    ref_field, rel_name = res.hops[depth]
    parent_id = record.get(ref_field.name)
    found = ctx.org.store.get(parent_id) if parent_id else None
    if found is None or found[1].get("IsDeleted"):
        row.setdefault(rel_name, None)
        return
    kind, parent = found
    nested = row.get(rel_name) or {"attributes": attributes(ctx, kind, parent["Id"])}
    row[rel_name] = nested
    if depth + 1 == len(res.hops) and res.leaf is None:
        nested["Type"] = kind
        return
    parent_obj = ctx.schema.get(kind)
    if depth + 1 == len(res.hops) and parent_obj and res.leaf and \
            parent_obj.field_ci(res.leaf.name) is None:
        nested[res.leaf_name] = None
        return
    _place(ctx, nested, parent, res, depth + 1)
