"""``Calendar.from_ical`` with icalendar's per-line overhead cut: an import parses thousands of
resources, and most of icalendar's time goes to splitting lines a character at a time and to
looking up each property's value type.

A line's name and parameters (what precedes its first colon outside quotes) are split by
icalendar itself once per distinct text and remembered (an import repeats ``DTSTART;TZID=…``
and ``ATTENDEE;PARTSTAT=…;CN=…`` thousands of times), its value unescaped as icalendar does; a
line with a backslash before that colon is icalendar's alone. Each (property, VALUE) pair's type
is looked up once. Lines stay strings (icalendar makes a ``Contentline`` of each), most lines'
empty parameters are made without ``Parameters.__init__``, and a plain property goes straight to
its component. Values' decoding, components and time zones are icalendar's own code, so the
result is the calendar icalendar builds: ``tests/providers/test_ical_parser.py`` compares the
two, since this leans on icalendar's parser class (pinned in requirements.txt).
"""
from __future__ import annotations

import re
from typing import Any, cast

from icalendar import Calendar
from icalendar.parser.content_line import NEWLINE, UFOLD, Contentline
from icalendar.parser.ical.calendar import CalendarIcalParser
from icalendar.parser.parameter import Parameters
from icalendar.parser.property import unescape_backslash
from icalendar.parser_tools import to_unicode

_HEAD = re.compile(r'(?:[^":\\]|"[^"\\]*")*')   # up to the first colon outside quotes, no backslash
_HEADS: dict[str, tuple[str, Parameters]] = {}
_HEADS_KEPT = 4096
_FACTORIES: dict[tuple[str, Any], Any] = {}


def calendar_from_ical(data: str) -> Calendar:
    """The VCALENDAR in ``data``; raises ValueError where ``Calendar.from_ical`` does."""
    components = _QuickLineParser(data, Calendar._get_component_factory(), Calendar.types_factory).parse()
    if len(components) != 1:
        raise ValueError(f"expected one VCALENDAR, found {len(components)} components")
    return cast(Calendar, components[0])


def split_line(line: str) -> tuple[str, Parameters, str] | None:
    """(name, parameters, unescaped value) as icalendar's ``Contentline.parts`` splits the line;
    None where icalendar must split it (a backslash or an open quote before the value's colon)."""
    parts = _split_shared(line)
    return None if parts is None else (parts[0], _own(parts[1]), parts[2])


def _split_shared(line: str) -> tuple[str, Parameters, str] | None:
    """``split_line`` with the parameters every line of that head shares (copy before keeping)."""
    end = _HEAD.match(line).end()   # type: ignore[union-attr]  # the pattern matches the empty string
    if end == 0 or end >= len(line) or line[end] != ":":
        return None
    head = line[:end]
    known = _HEADS.get(head)
    if known is None:
        try:
            name, params, _ = Contentline(head + ":").raw_parts()
        except ValueError:
            return None
        if len(_HEADS) >= _HEADS_KEPT:
            _HEADS.clear()
        known = _HEADS[head] = (name, params)
    return known[0], known[1], unescape_backslash(line[end + 1:])


def _own(params: Parameters) -> Parameters:
    """A property's own copy of shared parameters (list values copied too). Most lines have none:
    their empty copy skips ``Parameters.__init__``, which only normalises given keys."""
    if not params:
        return Parameters.__new__(Parameters)
    return Parameters({k: list(v) if isinstance(v, list) else v for k, v in params.items()})


class _QuickLineParser(CalendarIcalParser):
    """icalendar's calendar parser; only the line split, the type look-up and the call chain of a
    plain property are shortened. Lines are kept as strings; a ``Contentline`` is made only for
    what icalendar's own handling needs (odd lines, CATEGORIES-like values, errors)."""

    def initialize_parsing(self) -> None:
        if isinstance(self._data, list):
            super().initialize_parsing()
            return
        self._stack = []
        self._components = []
        self._content_lines_iterator = iter(NEWLINE.split(UFOLD.sub("", to_unicode(self._data))))

    def parse_content_lines(self) -> None:
        for line in self._content_lines_iterator:
            if not line:
                continue
            parts = _split_shared(line)
            if parts is None:
                try:
                    name, params, vals = Contentline(line).parts()
                except ValueError as e:
                    self.handle_line_parse_error(e)
                    continue
            else:
                name, params, vals = parts
            uname = name.upper()
            if uname == "BEGIN":
                self.handle_begin_component(vals)
            elif uname == "END":
                self.handle_end_component(vals)
            else:
                params = _own(params) if parts is not None else params
                if not self._plain_property(uname, params, vals, line):
                    self.handle_property(uname, params, vals, Contentline(line))

    def _plain_property(self, name: str, params: Parameters, vals: str, line: str) -> bool:
        """``handle_property`` for a property with one value and nothing special to it; False
        (nothing done) for what icalendar handles itself."""
        if not self._stack or name in _SPECIAL:
            return False
        factory = self.get_factory_for_property(name, params)
        if _reads_raw_line(factory):
            return False
        tzid = params.get("TZID") if params and name in self.datetime_names else None
        try:
            parsed = factory.from_ical(vals, tzid) if tzid else factory.from_ical(vals)
        except (ValueError, TypeError) as e:
            self.handle_property_parse_error(e, name, params, vals, Contentline(line))
            return True
        value = factory(parsed)
        value.params = params
        self._stack[-1].add(name, value, encode=False)
        return True

    def get_factory_for_property(self, name: str, params: Parameters) -> Any:
        key = (name, params.value)
        factory = _FACTORIES.get(key)
        if factory is None:
            factory = _FACTORIES[key] = super().get_factory_for_property(name, params)
        return factory


_SPECIAL = frozenset({"CATEGORIES", "FREEBUSY", "RDATE"})   # icalendar's own value-list handling
_RAW: dict[Any, bool] = {}


def _reads_raw_line(factory: Any) -> bool:
    """Value types that take their value from the raw line, unescaped their own way."""
    raw = _RAW.get(factory)
    if raw is None:
        raw = _RAW[factory] = getattr(factory, "get_value_from_content_line", None) is not None
    return raw
