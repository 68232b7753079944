"""A small WebDAV transport shared by CalDAV and CardDAV: one counted HTTP request per call.

Built on ``requests`` rather than ``caldav``'s client because the adapter needs every status
as-is (a 403 ``valid-sync-token`` means "resync", not "forbidden"), per-resource ``Accept``
headers (Xandikos answers 406 otherwise), and no hidden fallbacks or sleeps.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests
from lxml import etree

from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import ForbiddenHost, HostPolicy
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.errors import CREDENTIALS_REFUSED, forbidden_host, http_error, unreachable
from app.sync.errors import AuthFailure, InvalidData

NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav", "cr": "urn:ietf:params:xml:ns:carddav",
      "cs": "http://calendarserver.org/ns/"}
XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8", "Accept": "application/xml, text/xml"}
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
WRITE_METHODS = frozenset({"PUT", "DELETE", "MOVE", "COPY", "PROPPATCH", "MKCOL"})   # what changes a resource


@dataclass(frozen=True)
class DavMember:
    """One ``<response>`` of a multistatus: href (unquoted path), status, etag and props."""

    href: str
    status: int
    etag: str = ""
    props: Mapping[str, etree._Element] = field(default_factory=dict)

    def text(self, tag: str) -> str:
        element = self.props.get(tag)
        return (element.text or "") if element is not None else ""


@dataclass(frozen=True)
class Multistatus:
    members: tuple[DavMember, ...]
    sync_token: str = ""


class DavSession:
    """HTTP to one DAV server; transport failures, 401, 429 and 5xx raise coded errors.

    Every connection goes through the host guard (``host_policy``); transport failures all read
    "could not connect to <host>", so the text never tells an open port from a closed one.
    """

    def __init__(self, base_url: str, username: str, password: str, counter: RequestCounter,
                 verify: bool | str = True, timeout: float = 30.0, host_policy: HostPolicy | None = None,
                 write_headers: Mapping[str, str] | None = None) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.write_headers = dict(write_headers or {})    # sent with every request that changes a resource
        self.host = urlsplit(self.base_url).hostname or self.base_url
        self.counter = counter
        self.timeout = timeout
        self.http = guarded_session(host_policy or HostPolicy(), verify)
        self.http.auth = (username, password)
        self._discovery_answers: dict[tuple[str, str, str], Multistatus] = {}

    def discovery_propfind(self, href: str, body: str, depth: str) -> Multistatus:
        """A discovery PROPFIND, answered once per session: the calendar, task list and address
        book usually walk the same principal and home (whose listing can cost the server a pass
        over every item for its sync token)."""
        key = (href, depth, body)
        if key not in self._discovery_answers:
            self._discovery_answers[key] = self.multistatus("PROPFIND", href, body, depth)
        return self._discovery_answers[key]

    def forget_discovery(self) -> None:
        """A re-discovery (the collection moved or vanished) asks the server afresh."""
        self._discovery_answers.clear()

    def url(self, href: str) -> str:
        """Absolute URL of an (unquoted) path."""
        return urljoin(self.base_url, quoted_path(href))

    def request(self, method: str, href: str, body: bytes | str | None = None,
                headers: Mapping[str, str] | None = None) -> requests.Response:
        """Send one request; returns any 2xx–4xx response except 401/429 for the caller to judge."""
        self.counter.add("dav")
        data = body.encode("utf-8") if isinstance(body, str) else body
        sent = {**self.write_headers, **(headers or {})} if method in WRITE_METHODS else dict(headers or {})
        try:
            response = self.http.request(method, self.url(href), data=data, headers=sent,
                                         timeout=self.timeout, allow_redirects=False)
        except ForbiddenHost as exc:
            raise forbidden_host(self.host, exc) from exc
        except requests.RequestException as exc:
            raise unreachable(self.host) from exc
        if response.status_code == 401:
            raise AuthFailure(CREDENTIALS_REFUSED)
        if response.status_code == 429 or response.status_code >= 500:
            raise http_error(response.status_code, f"{method} {href}", response.headers.get("Retry-After"))
        return response

    def multistatus(self, method: str, href: str, body: str, depth: str | None) -> Multistatus:
        """PROPFIND/REPORT expecting 207; other statuses raise the mapped core error."""
        headers = dict(XML_HEADERS, **({"Depth": depth} if depth is not None else {}))
        return expect_multistatus(self.request(method, href, body, headers), f"{method} {href}")


def expect_multistatus(response: requests.Response, what: str) -> Multistatus:
    """The 207 answer's members; other statuses raise the mapped core error."""
    if response.status_code != 207:
        raise http_error(response.status_code, what)
    try:
        return parse_multistatus(response.content)
    except etree.XMLSyntaxError as exc:
        raise InvalidData(f"{what}: the answer is not WebDAV XML") from exc


def parse_multistatus(content: bytes) -> Multistatus:
    """Members with their 200-propstat props keyed by Clark name (``{DAV:}getetag``)."""
    root = etree.fromstring(content, SAFE_XML)
    members = [_member(child) for child in root if child.tag == _RESPONSE]
    token = root.findtext("d:sync-token", default="", namespaces=NS)
    return Multistatus(tuple(m for m in members if m is not None), token)


def parse_listing(content: bytes) -> Multistatus:
    """``parse_multistatus`` without the props (href, status and etag only), each response
    dropped once read: a 20,000-member listing's whole tree would hold tens of MB for nothing."""
    members: list[DavMember] = []
    token = ""
    for _, element in etree.iterparse(BytesIO(content), events=("end",), tag=(_RESPONSE, _SYNC_TOKEN),
                                      resolve_entities=False, no_network=True, huge_tree=False):
        if element.tag == _SYNC_TOKEN:
            token = token or (element.text or "")
        elif (member := _member(element)) is not None:
            members.append(DavMember(member.href, member.status, member.etag))
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return Multistatus(tuple(members), token)


_RESPONSE, _HREF, _PROPSTAT, _STATUS, _PROP, _GETETAG, _SYNC_TOKEN = (
    f"{{DAV:}}{name}" for name in ("response", "href", "propstat", "status", "prop", "getetag", "sync-token"))


def _member(response: etree._Element) -> DavMember | None:
    """One ``<response>``, read child by child (a listing has thousands: path searches cost more)."""
    href, overall = "", ""
    props: dict[str, etree._Element] = {}
    for child in response:
        tag = child.tag
        if tag == _HREF and not href:
            href = child.text or ""
        elif tag == _STATUS and not overall:
            overall = child.text or ""
        elif tag == _PROPSTAT:
            _add_ok_props(child, props)
    if not href:
        return None
    status = _status(overall) if overall else 200
    etag_element = props.get(_GETETAG)
    etag = (etag_element.text or "").strip() if etag_element is not None else ""
    return DavMember(normalize_href(href), status, etag, props)


def _add_ok_props(propstat: etree._Element, props: dict[str, etree._Element]) -> None:
    """The props of a propstat whose status is 200 (first status and prop elements, as named)."""
    status = next((c.text or "" for c in propstat if c.tag == _STATUS), "")
    if _status(status) != 200:
        return
    prop_element = next((c for c in propstat if c.tag == _PROP), None)
    for prop in prop_element if prop_element is not None else ():
        if isinstance(prop.tag, str):       # comments and processing instructions are not props
            props[prop.tag] = prop


def _status(line: str) -> int:
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def quoted_path(href: str) -> str:
    """The percent-encoded form of an unquoted path, as sent on the wire."""
    return quote(unquote(href), safe="/@:+,;=~!$&'()*")


_BARE_PATH = re.compile(r"/(?!/)[^?#\t\r\n]*\Z")     # no scheme, host, query or fragment; nothing urlsplit drops


def normalize_href(href: str) -> str:
    """The unquoted path of an href, so ids compare equal however the server quoted them."""
    if _BARE_PATH.match(href):
        return unquote(href)            # already a bare path: what urlsplit would return, faster
    return unquote(urlsplit(href).path)


def prop_xml(names: Iterable[str]) -> str:
    """``<d:prop>`` with the given prefixed names (``d:getetag``, ``c:calendar-data``)."""
    return "<d:prop>" + "".join(f"<{name}/>" for name in names) + "</d:prop>"


def xml_document(root: str, inner: str) -> str:
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
    return f'<?xml version="1.0" encoding="utf-8"?><{root} {namespaces}>{inner}</{root}>'
