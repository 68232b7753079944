"""One Retry-After reader for Graph, Google and DAV servers: seconds or an HTTP date."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httplib2
import pytest
from googleapiclient.errors import HttpError

from app.providers.google.errors import google_error
from app.providers.graph.errors import graph_error
from app.providers.imap_dav.errors import http_error
from app.providers.retry_after import retry_after_seconds


def _in(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("0", 0.0), ("-3", 0.0), (b"12", 12.0)])
def test_delta_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_an_http_date_is_seconds_from_now_and_a_past_date_is_zero():
    assert 115 <= retry_after_seconds(_in(120)) <= 120
    assert retry_after_seconds(_in(-60)) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "Mon, 99 Foo 2026"])
def test_absent_or_unreadable_gives_the_default(value):
    assert retry_after_seconds(value, 30.0) == 30.0
    assert retry_after_seconds(value) is None


def test_every_adapter_honours_an_http_date():
    graph = graph_error(429, {"error": {"code": "TooManyRequests", "message": "m"}}, {"Retry-After": _in(90)},
                        "GET /me/events")
    dav = http_error(503, "REPORT /cal/", _in(90))
    body = json.dumps({"error": {"code": 429, "message": "m", "errors": [{"reason": "rateLimitExceeded"}]}})
    google = google_error(HttpError(httplib2.Response({"status": "429", "retry-after": _in(90)}), body.encode()),
                          "events.list")
    for error in (graph, dav, google):
        assert 80 <= error.retry_after <= 90, error
