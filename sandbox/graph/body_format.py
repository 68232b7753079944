"""A message body in the format the request asked for, as Exchange Online converts it.

Microsoft Learn ("message resource type", "Get message"): the body is returned as HTML by
default; ``Prefer: outlook.body-content-type="text"`` returns it as plain text, and ``="html"``
as HTML; a body stored in the other format is converted.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

_ASKED = re.compile(r'outlook\.body-content-type\s*=\s*"?(text|html)"?', re.IGNORECASE)
_HIDDEN = frozenset({"style", "script", "head"})
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})


def asked_body_type(prefer_header: str) -> str:
    """"text" or "html" (the default) from a request's Prefer header."""
    found = _ASKED.search(prefer_header or "")
    return found.group(1).lower() if found else "html"


def body_as(body: dict[str, Any], wanted: str) -> dict[str, Any]:
    """``{"contentType", "content"}`` converted to ``wanted`` ("text" or "html") when it differs."""
    stored, content = str(body.get("contentType") or "text").lower(), str(body.get("content") or "")
    if stored == wanted or not content:
        return {"contentType": wanted, "content": content}
    if wanted == "text":
        return {"contentType": "text", "content": _text_of(content)}
    lines = "<br>\r\n".join(html.escape(line) for line in content.splitlines())
    return {"contentType": "html", "content": f"<html><head>\r\n<meta http-equiv=\"Content-Type\" "
                                              f"content=\"text/html; charset=utf-8\"></head>"
                                              f"<body><div>{lines}</div></body></html>"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\r\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _text_of(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()
