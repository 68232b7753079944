"""``Calendar.from_ical`` with icalendar's per-line overhead cut: an import parses thousands of
resources, and most of icalendar's time goes to splitting lines a character at a time and to
looking up each property's value type.

A line's name and parameters (what precedes its first colon outside quotes) are split by
icalendar itself once per distinct text and remembered (an import repeats ``DTSTART;TZID=…``
and ``ATTENDEE;PARTSTAT=…;CN=…`` thousands of times), its value unescaped as icalendar does; a
line with a backslash before that colon is icalendar's alone. Each (property, VALUE) pair's type
is looked up once. Values' decoding, components and time zones are icalendar's own code, so the
result is the calendar icalendar builds: ``tests/providers/test_ical_parser.py`` compares the
two, since this leans on icalendar's parser class (pinned in requirements.txt).
"""
from __future__ import annotations

import re
from typing import Any, cast

from icalendar import Calendar
from icalendar.parser.content_line import Contentline
from icalendar.parser.ical.calendar import CalendarIcalParser
from icalendar.parser.parameter import Parameters
from icalendar.parser.property import unescape_backslash

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
    name, params = known
    return name, Parameters({k: list(v) if isinstance(v, list) else v for k, v in params.items()}), \
        unescape_backslash(line[end + 1:])


class _QuickLineParser(CalendarIcalParser):
    """icalendar's calendar parser; only the line split and the type look-up are shortened."""

    def parse_content_lines(self) -> None:
        for line in self._content_lines_iterator:
            if not line:
                continue
            parts = split_line(line)
            if parts is None:
                try:
                    parts = line.parts()
                except ValueError as e:
                    self.handle_line_parse_error(e)
                    continue
            name, params, vals = parts
            uname = name.upper()
            if uname == "BEGIN":
                self.handle_begin_component(vals)
            elif uname == "END":
                self.handle_end_component(vals)
            else:
                self.handle_property(uname, params, vals, line)

    def get_factory_for_property(self, name: str, params: Parameters) -> Any:
        key = (name, params.value)
        factory = _FACTORIES.get(key)
        if factory is None:
            factory = _FACTORIES[key] = super().get_factory_for_property(name, params)
        return factory
