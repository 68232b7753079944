"""SOQL building that stays inside Salesforce's limits, and several queries in one Composite call.

The binding limit for long IN-lists is the GET URL (URI + headers ≤ 16,384 bytes); statements
are also kept ≤ 100,000 characters and each string literal ≤ 4,000 characters.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

from app.providers.salesforce.client import SalesforceClient, raise_for_subresponse

MAX_URI_BYTES = 16_384
HEADER_ALLOWANCE = 2_048        # Authorization, User-Agent, Accept…: they count against the same 16 KB
MAX_STATEMENT_CHARS = 100_000
MAX_WHERE_STRING = 4_000
QUERY_PATH_BYTES = 40           # "/services/data/vNN.N/queryAll/?q=" and a margin
COMPOSITE_QUERIES = 5           # queries allowed in one Composite request
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"'}
_LIKE_ESCAPES = {**_ESCAPES, "%": "\\%", "_": "\\_"}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)          # one C call per literal: an import quotes thousands of keys
_LIKE_ESCAPE_TABLE = str.maketrans(_LIKE_ESCAPES)
_SOSL_RESERVED = re.compile(r"""([?&|!{}\[\]()^~*:\\"'+\-])""")
_SOSL_OPERATORS = frozenset({"AND", "OR", "NOT"})


def soql_literal(value: str) -> str:
    """A quoted, escaped SOQL string literal; refuses strings over the 4,000-character limit."""
    if len(value) > MAX_WHERE_STRING:
        raise ValueError(f"SOQL string literals are limited to {MAX_WHERE_STRING} characters")
    return "'" + value.translate(_ESCAPE_TABLE) + "'"


def like_contains(text: str) -> str:
    r"""`'%text%'` matching `text` literally: LIKE's `%` and `_` become `\%` and `\_`, and a
    backslash `\\` (SOQL's escapes, valid in LIKE per Salesforce's quoted-string escape table)."""
    if len(text) > MAX_WHERE_STRING - 2:
        raise ValueError(f"SOQL string literals are limited to {MAX_WHERE_STRING} characters")
    return "'%" + text.translate(_LIKE_ESCAPE_TABLE) + "%'"


def sosl_phrase(text: str) -> str:
    """The user's words for a SOSL `FIND {…}`, taken literally: reserved characters get a
    backslash and the operator words AND, OR, NOT are quoted (SOSL docs); a trailing `*`
    makes an unquoted last word a prefix, as people type."""
    words = [_SOSL_RESERVED.sub(r"\\\1", w) for w in text.split()]
    phrase = " ".join(f'"{w}"' if w.upper() in _SOSL_OPERATORS else w for w in words)
    return phrase + ("*" if phrase[-1:].isalnum() else "")


def _encoded(text: str) -> int:
    return len(quote_plus(text))


@dataclass(frozen=True)
class ListQuery:
    """`prefix + fragment(v1) + joiner + fragment(v2) … + suffix`; e.g. an IN-list or an OR of LIKEs."""

    prefix: str
    suffix: str = ")"
    fragment: Callable[[str], str] = soql_literal
    joiner: str = ","

    def render(self, values: Sequence[str]) -> str:
        return self.prefix + self.joiner.join(self.fragment(v) for v in values) + self.suffix

    def statements(self, values: Iterable[str], max_uri: int = MAX_URI_BYTES - HEADER_ALLOWANCE) -> Iterator[str]:
        """As few statements as the limits allow, each covering a run of the (deduplicated) values."""
        return (self.render(chunk) for chunk in self.chunks(values, max_uri))

    def chunks(self, values: Iterable[str], max_uri: int = MAX_URI_BYTES - HEADER_ALLOWANCE) -> Iterator[list[str]]:
        """Runs of values whose rendered statement fits the URL and statement limits."""
        base_url = QUERY_PATH_BYTES + _encoded(self.prefix + self.suffix)
        base_chars = len(self.prefix) + len(self.suffix)
        sep_url, sep_chars = _encoded(self.joiner), len(self.joiner)
        chunk: list[str] = []
        url, chars = base_url, base_chars
        for value in dict.fromkeys(v for v in values if v not in (None, "")):
            part = self.fragment(value)
            cost_url, cost_chars = _encoded(part) + sep_url, len(part) + sep_chars
            if chunk and (url + cost_url > max_uri or chars + cost_chars > MAX_STATEMENT_CHARS):
                yield chunk
                chunk, url, chars = [], base_url, base_chars
            if url + cost_url > max_uri:
                raise ValueError("one value alone does not fit in a query URL")
            chunk.append(value)
            url, chars = url + cost_url, chars + cost_chars
        if chunk:
            yield chunk


def soql_in(values: Sequence[str]) -> str:
    """`('a','b')`: quoted values for an IN clause the caller has already bounded in size."""
    return ListQuery("(").render(values)


def in_list(select: str, field: str, values: Iterable[str], where_extra: str = "",
            tail: str = "") -> Iterator[str]:
    """`{select} WHERE {field} IN (…) [AND where_extra] [tail]`, chunked to fit the limits."""
    prefix = f"{select} WHERE {f'({where_extra}) AND ' if where_extra else ''}{field} IN ("
    return ListQuery(prefix, ")" + (f" {tail}" if tail else "")).statements(values)


def run_queries(client: SalesforceClient, statements: Mapping[str, str],
                include_deleted: bool = False) -> dict[str, list[dict]]:
    """Run named queries, up to five per Composite call (one API call); follows every nextRecordsUrl."""
    names = list(statements)
    out: dict[str, list[dict]] = {}
    if len(names) == 1:
        return {names[0]: list(client.query(statements[names[0]], include_deleted))}
    for start in range(0, len(names), COMPOSITE_QUERIES):
        group = names[start:start + COMPOSITE_QUERIES]
        subs = [{"method": "GET", "referenceId": f"q{i}",
                 "url": client.query_url(statements[name], include_deleted)} for i, name in enumerate(group)]
        for name, entry in zip(group, client.composite(subs)):
            page = raise_for_subresponse(entry)
            rows = list(page["records"])
            while not page.get("done", True) and page.get("nextRecordsUrl"):
                page = client.next_page(page["nextRecordsUrl"])
                rows.extend(page["records"])
            out[name] = rows
    return out


def query_in_chunks(client: SalesforceClient, statements: Iterable[str],
                    include_deleted: bool = False) -> Iterator[dict]:
    """Rows of several chunked statements, five statements per API call."""
    batch: list[str] = []
    for soql in statements:
        batch.append(soql)
        if len(batch) == COMPOSITE_QUERIES:
            yield from _rows(run_queries(client, {str(i): s for i, s in enumerate(batch)}, include_deleted))
            batch = []
    if batch:
        yield from _rows(run_queries(client, {str(i): s for i, s in enumerate(batch)}, include_deleted))


def _rows(results: dict[str, list[dict]]) -> Iterator[dict]:
    for rows in results.values():
        yield from rows
