"""SOQL subset: tokenizer and parser producing a small AST, with Salesforce-style errors.

Supported: SELECT fields (incl. parent paths like Who.Name) or COUNT()/COUNT(field); FROM
one object; WHERE with comparisons, IN/NOT IN, LIKE, AND/OR/NOT and parentheses (AND and
OR may not be mixed without parentheses, as in Salesforce); ORDER BY; LIMIT; OFFSET.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

MAX_SOQL_CHARS = 100_000
_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:]))
  | (?P<number>[-+]?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<nliteral>[A-Za-z_]+:\d+)
  | (?P<ident>[A-Za-z_][\w.]*)
  | (?P<op><>|!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<bind>:\w*)
""", re.VERBOSE)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"',
            "\\": "\\", "_": "\\_", "%": "\\%"}
DATE_LITERALS = {"TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK",
                 "LAST_MONTH", "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS",
                 "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR"}
N_LITERALS = {"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS",
              "LAST_N_MONTHS", "NEXT_N_MONTHS"}


@dataclass
class Token:
    kind: str
    text: str
    pos: int

    @property
    def upper(self) -> str:
        return self.text.upper()


@dataclass
class FieldRef:
    path: list[str]
    pos: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass
class Literal:
    """kind: string | number | boolean | null | date | datetime | dateliteral."""

    kind: str
    value: Any
    pos: int


@dataclass
class Comparison:
    field: FieldRef
    op: str                      # = != < <= > >= IN NOT IN LIKE
    value: Literal | list[Literal]


@dataclass
class BoolOp:
    op: str                      # AND | OR
    items: list[Condition]


@dataclass
class Not:
    item: Condition


Condition = Comparison | BoolOp | Not


@dataclass
class OrderItem:
    field: FieldRef
    descending: bool = False
    nulls_first: bool | None = None


@dataclass
class Query:
    text: str
    sobject: str
    sobject_pos: int
    fields: list[FieldRef] = field(default_factory=list)
    count: FieldRef | bool | None = None    # True for COUNT(), FieldRef for COUNT(field)
    where: Condition | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


def located(text: str, pos: int, detail: str, code: str = "MALFORMED_QUERY") -> ApiError:
    """An error pointing at `pos` the way Salesforce prints it (row, column, caret)."""
    row = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1)
    line = text.splitlines()[row - 1] if text.strip() else text
    return ApiError(400, code, f"\n{line}\n{' ' * col}^\nERROR at Row:{row}:Column:{col + 1}"
                               f"\n{detail}")


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise located(text, pos, f"unexpected token: '{text[pos]}'")
        kind = m.lastgroup or ""
        if kind == "bind":
            raise located(text, pos, "unexpected token: ':'")
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("eof", "", len(text)))
    return tokens


def _unquote(raw: str, like: bool = False) -> str:
    r"""The literal's value; in a LIKE pattern `\\` stays escaped (a literal backslash, as
    Salesforce documents), so `_like_regex` can tell it from the `\%` / `\_` escapes."""
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append("\\\\" if like and body[i + 1] == "\\" else _ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


class Parser:
    """Recursive-descent parser over the token list; raises MALFORMED_QUERY ApiErrors."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, tok: Token | None = None) -> ApiError:
        tok = tok or self.tok
        what = tok.text or "<EOF>"
        return located(self.text, tok.pos, f"unexpected token: '{what}'")

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def is_kw(self, *words: str) -> bool:
        return self.tok.kind == "ident" and self.tok.upper in words

    def expect_kw(self, word: str) -> Token:
        if not self.is_kw(word):
            raise self.error()
        return self.take()

    def expect_punct(self, ch: str) -> None:
        if self.tok.text != ch:
            raise self.error()
        self.take()

    def parse(self) -> Query:
        self.expect_kw("SELECT")
        fields, count = self.select_list()
        self.expect_kw("FROM")
        if self.tok.kind != "ident" or "." in self.tok.text:
            raise self.error()
        obj = self.take()
        query = Query(self.text, obj.text, obj.pos, fields, count)
        if self.is_kw("WHERE"):
            self.take()
            query.where = self.condition()
        if self.is_kw("ORDER"):
            self.take()
            self.expect_kw("BY")
            query.order = self.order_list()
        query.limit = self.int_clause("LIMIT")
        query.offset = self.int_clause("OFFSET")
        if self.tok.kind != "eof":
            raise self.error()
        return query

    def int_clause(self, word: str) -> int | None:
        if not self.is_kw(word):
            return None
        self.take()
        if self.tok.kind != "number" or not self.tok.text.isdigit():
            raise self.error()
        return int(self.take().text)

    def select_list(self) -> tuple[list[FieldRef], FieldRef | bool | None]:
        if self.is_kw("COUNT") and self.tokens[self.i + 1].text == "(":
            self.take()
            self.take()
            target: FieldRef | bool = True
            if self.tok.text != ")":
                target = self.field_ref()
            self.expect_punct(")")
            return [], target
        fields = [self.field_ref()]
        while self.tok.text == ",":
            self.take()
            fields.append(self.field_ref())
        return fields, None

    def field_ref(self) -> FieldRef:
        tok = self.tok
        reserved = ("FROM", "WHERE", "SELECT", "ORDER", "LIMIT", "AND", "OR", "NOT")
        if tok.kind != "ident" or tok.upper in reserved or tok.text.endswith("."):
            raise self.error()
        self.take()
        return FieldRef(tok.text.split("."), tok.pos)

    def order_list(self) -> list[OrderItem]:
        items = []
        while True:
            item = OrderItem(self.field_ref())
            if self.is_kw("ASC", "DESC"):
                item.descending = self.take().upper == "DESC"
            if self.is_kw("NULLS"):
                self.take()
                if not self.is_kw("FIRST", "LAST"):
                    raise self.error()
                item.nulls_first = self.take().upper == "FIRST"
            items.append(item)
            if self.tok.text != ",":
                return items
            self.take()

    def condition(self) -> Condition:
        first = self.unary()
        if not self.is_kw("AND", "OR"):
            return first
        op = self.tok.upper
        items = [first]
        while self.is_kw("AND", "OR"):
            if self.tok.upper != op:   # Salesforce refuses mixed AND/OR without parentheses
                raise self.error()
            self.take()
            items.append(self.unary())
        return BoolOp(op, items)

    def unary(self) -> Condition:
        if self.is_kw("NOT"):
            self.take()
            return Not(self.unary())
        if self.tok.text == "(":
            self.take()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        ref = self.field_ref()
        if self.tok.kind == "op":
            op = self.take().text
            return Comparison(ref, "!=" if op == "<>" else op, self.literal())
        if self.is_kw("LIKE"):
            self.take()
            return Comparison(ref, "LIKE", self.literal(like=True))
        negate = self.is_kw("NOT")
        if negate:
            self.take()
        if not self.is_kw("IN"):
            raise self.error()
        self.take()
        return Comparison(ref, "NOT IN" if negate else "IN", self.literal_list())

    def literal_list(self) -> list[Literal]:
        self.expect_punct("(")
        if self.is_kw("SELECT"):
            raise located(self.text, self.tok.pos, "semi-join subqueries are not supported "
                                                   "by this emulator")
        values = [self.literal()]
        while self.tok.text == ",":
            self.take()
            values.append(self.literal())
        self.expect_punct(")")
        return values

    def literal(self, like: bool = False) -> Literal:
        tok = self.take()
        kind, up = tok.kind, tok.upper
        if kind == "string":
            return Literal("string", _unquote(tok.text, like), tok.pos)
        if kind == "number":
            return Literal("number", float(tok.text), tok.pos)
        if kind in ("date", "datetime"):
            return Literal(kind, tok.text, tok.pos)
        if kind == "nliteral" and up.split(":")[0] in N_LITERALS:
            return Literal("dateliteral", up, tok.pos)
        if kind == "ident" and up in ("TRUE", "FALSE"):
            return Literal("boolean", up == "TRUE", tok.pos)
        if kind == "ident" and up == "NULL":
            return Literal("null", None, tok.pos)
        if kind == "ident" and up in DATE_LITERALS:
            return Literal("dateliteral", up, tok.pos)
        raise self.error(tok)


def parse(text: str) -> Query:
    """Parse a SOQL statement; raises ApiError(400 MALFORMED_QUERY) when malformed."""
    if len(text) > MAX_SOQL_CHARS:
        raise ApiError(400, "MALFORMED_QUERY", "SOQL statements cannot be longer than "
                                               "100,000 characters.")
    return Parser(text).parse()
