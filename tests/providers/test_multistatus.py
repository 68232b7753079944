"""Reading WebDAV multistatus answers: members, their 200 props and etags, hrefs as paths."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from app.providers.imap_dav.webdav import normalize_href, parse_listing, parse_multistatus

ANSWER = b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:response>
    <d:href>/cal/a%40x.test.ics</d:href>
    <d:propstat><d:prop><d:getetag> "e1" </d:getetag><!-- a comment --><c:calendar-data>BEGIN:VCALENDAR</c:calendar-data></d:prop>
      <d:status>HTTP/1.1 200 OK</d:status></d:propstat>
    <d:propstat><d:prop><d:displayname/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
  </d:response>
  <d:response><d:href>https://dav.example.test/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
  <d:response><d:status>HTTP/1.1 200 OK</d:status></d:response>
  <d:sync-token>http://example.test/sync/42</d:sync-token>
</d:multistatus>"""


def test_members_keep_their_ok_props_status_and_etag_and_the_sync_token():
    answer = parse_multistatus(ANSWER)
    assert answer.sync_token == "http://example.test/sync/42"
    first, gone = answer.members                       # a response without an href is no member
    assert (first.href, first.status, first.etag) == ("/cal/a@x.test.ics", 200, '"e1"')
    assert set(first.props) == {"{DAV:}getetag", "{urn:ietf:params:xml:ns:caldav}calendar-data"}
    assert (gone.href, gone.status, gone.etag, dict(gone.props)) == ("/cal/gone.ics", 404, "", {})


@given(st.text(alphabet=st.sampled_from(list("/ab%40?#:.\t\r\n @")), max_size=16))
def test_an_href_becomes_the_path_urlsplit_finds(href):
    assert normalize_href(href) == unquote(urlsplit(href).path)


def test_a_listing_reads_the_same_members_without_their_props():
    full, listing = parse_multistatus(ANSWER), parse_listing(ANSWER)
    assert listing.sync_token == full.sync_token
    assert [(m.href, m.status, m.etag) for m in listing.members] == [(m.href, m.status, m.etag) for m in full.members]
    assert all(not m.props for m in listing.members)


def test_a_listing_that_is_not_xml_is_refused_as_invalid_data():
    with pytest.raises(etree.XMLSyntaxError):
        parse_listing(b"<html><body>Bad gateway")
