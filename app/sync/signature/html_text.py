"""An HTML mail body as plain text that keeps its line structure, so the plain-text rules apply.

Lines come from <br>, <p>, <div>, table rows and list items; cells of a one-line row stay on
one line (tab-separated, so "T:" and its number in two cells stay together). Hidden parts
(style/script/head, display:none, mso-hide:all) are dropped. The text ends where the reply
chain starts: Gmail's `gmail_quote`, Apple's `<blockquote type="cite">`, Outlook's
`divRplyFwdMsg`/`appendonsend`, or an Outlook border-top block whose first words are a
"From:" header. Gmail's `gmail_signature` and Outlook's `Signature` div get a ``-- `` line
before them, the delimiter the block finder knows. Outlook on the web's `x_` prefixes are seen
through, and <pre> (Thunderbird's plain signatures) keeps its own line breaks.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

SIGNATURE_DELIMITER = "-- "
_BLOCK_TAGS = frozenset({"div", "p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody",
                         "thead", "tfoot", "blockquote", "pre", "address", "section", "article", "header",
                         "footer", "hr", "center", "dd", "dt", "dl"})
_INVISIBLE_TAGS = frozenset({"style", "script", "head", "title", "template", "noscript", "xml", "o:p"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|"
                           r"(?:^|;)\s*(?:max-height|font-size)\s*:\s*0(?:px)?\s*(?:;|$)", re.I)
_NO_MARGIN = re.compile(r"margin(?:-top|-bottom)?\s*:\s*0", re.I)
_REPLY_CLASSES = frozenset({"gmail_quote", "gmail_extra_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote"})
_REPLY_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})
_SIGNATURE_CLASSES = frozenset({"gmail_signature", "moz-signature"})
_SIGNATURE_IDS = frozenset({"signature", "applemailsignature"})
FROM_HEADER = re.compile(r"^\s*\*?(?:from|von|de|da|van|från|od|nuo|fra|lähettäjä|от|feladó)\s*\*?\s*:", re.I)


def _unprefixed(name: str) -> str:
    """Outlook on the web prefixes a quoted message's ids and classes: `x_divRplyFwdMsg`, `x_gmail_quote`."""
    while name.startswith("x_"):
        name = name[2:]
    return name


class _TextCollector(HTMLParser):
    """Streams the document into lines; cells collect into their row until the row ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.rows: list[list[list[str]]] = []     # open table rows, each a list of cells' text parts
        self.hidden_tag = ""
        self.hidden_depth = 0
        self.stopped = False
        self.border_block_pending = False
        self.pre_depth = 0

    def _target(self) -> list[str]:
        """The innermost open cell (a row of a nested table writes into its enclosing cell), else the page."""
        return next((row[-1] for row in reversed(self.rows) if row), self.out)

    def _break_line(self, blank: bool = False) -> None:
        """End the current line (a block boundary); `blank` also leaves an empty line (a paragraph)."""
        target = self._target()
        tail = "".join(target[-3:]).rstrip(" ")
        if target and tail and not tail.endswith("\n"):
            target.append("\n")
            tail += "\n"
        if blank and target and tail and not tail.endswith("\n\n"):
            target.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if self.hidden_tag:
            self.hidden_depth += tag == self.hidden_tag
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag in _INVISIBLE_TAGS or "hidden" in values or _HIDDEN_STYLE.search(values.get("style", "")):
            if tag not in ("br", "img", "meta", "link", "input", "hr"):
                self.hidden_tag, self.hidden_depth = tag, 1
            return
        classes = {_unprefixed(c) for c in values.get("class", "").lower().split()}
        element_id = _unprefixed(values.get("id", "").lower())
        if classes & _REPLY_CLASSES or element_id in _REPLY_IDS or (
                tag == "blockquote" and values.get("type", "").lower() == "cite"):
            self.stopped = True
            return
        if classes & _SIGNATURE_CLASSES or element_id in _SIGNATURE_IDS:
            self._break_line()
            self._target().append(f"{SIGNATURE_DELIMITER}\n")
        self.pre_depth += tag == "pre"
        if tag == "div" and "border-top" in values.get("style", "").lower():
            self.border_block_pending = True
        self._structure_start(tag, values, classes)

    def _structure_start(self, tag: str, values: dict[str, str], classes: set[str]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:           # a stray cell outside any row is a row of its own
                self.rows.append([])
            self.rows[-1].append([])
        elif tag == "br":
            self._target().append("\n")
        elif tag == "p" and not ("msonormal" in classes or _NO_MARGIN.search(values.get("style", ""))):
            self._break_line(blank=True)
        elif tag in _BLOCK_TAGS or tag == "p":
            self._break_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if self.hidden_tag:
            self.hidden_depth -= tag == self.hidden_tag
            if self.hidden_depth <= 0:
                self.hidden_tag = ""
            return
        self.pre_depth -= tag == "pre" and self.pre_depth > 0
        if tag == "tr" and self.rows:
            self._close_row()
        elif tag in _BLOCK_TAGS or tag == "p":
            self._break_line()

    def _close_row(self) -> None:
        cells = ["".join(cell).strip() for cell in self.rows.pop()]
        cells = [c for c in cells if c]
        joiner = "\n" if any("\n" in c for c in cells) else "\t"
        if cells:
            self._break_line()
            self._target().append(joiner.join(cells) + "\n")

    def handle_data(self, data: str) -> None:
        if self.stopped or self.hidden_tag:
            return
        text = data.replace("\r\n", "\n") if self.pre_depth else re.sub(r"[ \t\r\n\f]+", " ", data)
        if self.border_block_pending and text.strip():
            self.border_block_pending = False
            if FROM_HEADER.match(text):
                self.stopped = True
                return
        if text.strip() or not self._at_line_start():
            self._target().append(text)

    def _at_line_start(self) -> bool:
        tail = "".join(self._target()[-3:]).rstrip(" ")
        return not tail or tail.endswith("\n")

    def text(self) -> str:
        while self.rows:                # rows left open by sloppy markup still count
            self._close_row()
        return "".join(self.out)


def html_to_text(html: str) -> str:
    """The visible text of `html` before any reply chain, one line per rendered line."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    lines = [line.replace("\xa0", " ").replace("\u200b", "").strip(" ") for line in collector.text().split("\n")]
    text = "\n".join(re.sub(r" {2,}", " ", line) for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
