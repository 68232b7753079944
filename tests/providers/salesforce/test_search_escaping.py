"""How the adapter escapes user text: SOSL FIND terms and SOQL LIKE patterns (Salesforce's rules)."""
from __future__ import annotations

import pytest

from app.providers.salesforce.queries import like_contains, sosl_phrase


@pytest.mark.parametrize("text, phrase", [
    ("Smith AND Jones", 'Smith "AND" Jones*'),
    ("cats or dogs and not mice", 'cats "or" dogs "and" "not" mice*'),
    ("android ornament", "android ornament*"),                # operator words only when whole
    ("a&b|c!(d){e}[f]^g~h*i?j:k\\l\"m'n+o-p", "a\\&b\\|c\\!\\(d\\)\\{e\\}\\[f\\]\\^g\\~h\\*i\\?j\\:k\\\\l\\\"m\\'n\\+o\\-p*"),
    ("  jane   doe ", "jane doe*"),
    ("doe,", "doe,"),                                          # no prefix search after punctuation
])
def test_sosl_phrases_are_literal(text, phrase):
    assert sosl_phrase(text) == phrase


@pytest.mark.parametrize("text, pattern", [
    ("globex.example", "'%globex.example%'"),
    ("100%_done", "'%100\\%\\_done%'"),
    ("a\\b", "'%a\\\\b%'"),
    ("o'brien", "'%o\\'brien%'"),
])
def test_like_patterns_match_the_text_literally(text, pattern):
    assert like_contains(text) == pattern


def test_like_patterns_respect_the_where_string_limit():
    with pytest.raises(ValueError):
        like_contains("x" * 4_000)
