"""Rich text on its way to Salesforce: cleaned first, then cut to the field on a whole tag."""
from __future__ import annotations

import re

import pytest

from app.providers.salesforce.stored_html import fitted_html, sanitised

OUTLOOK = ("<html><head><style>" + "p.MsoNormal {margin:0cm; font-family:Calibri;}\n" * 1000
           + "</style></head><body><p>Our offer</p></body></html>")


def test_the_style_head_of_outlook_mail_does_not_fill_the_field():
    assert len(OUTLOOK) > 32_000
    assert sanitised("EmailMessage", {"HtmlBody": OUTLOOK})["HtmlBody"] == "<p>Our offer</p>"


def test_the_org_length_is_used_when_the_describe_gives_one():
    html = "<p>" + "word " * 100 + "</p>"
    cut = sanitised("EmailMessage", {"HtmlBody": html, "TextBody": "x" * 999}, lambda name: 120)
    assert len(cut["HtmlBody"]) <= 120 and cut["HtmlBody"].startswith("<p>word") and cut["HtmlBody"].endswith("</p>")
    assert cut["TextBody"] == "x" * 999, "plain text is the core's to cut"


@pytest.mark.parametrize("limit", range(20, 120, 7))
def test_a_cut_ends_on_a_whole_tag_or_entity_and_fits(limit):
    html = '<div><p>Terms &amp; conditions</p><p><a href="https://acme.test/terms">read them</a></p></div>'
    fitted = fitted_html(html, limit)
    assert len(fitted) <= limit
    assert re.search(r"<[^>]*$|&[a-z#0-9]*$", fitted) is None, fitted
    assert fitted.count("<div>") == fitted.count("</div>") and fitted.count("<p>") == fitted.count("</p>")


def test_html_that_fits_is_only_cleaned():
    assert fitted_html('<p onclick="x()">hi</p><script>x()</script>', 100) == "<p>hi</p>"
