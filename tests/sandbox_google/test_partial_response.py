"""The fake's ``fields=`` partial responses follow Google's syntax: lists, paths, sub-selections, ``*``."""
from __future__ import annotations

import pytest

from sandbox.google.partial_response import BadMask, apply_mask, parse_mask

PAGE = {"kind": "gmail#listMessages", "nextPageToken": "t2", "resultSizeEstimate": 2,
        "messages": [{"id": "m1", "threadId": "t1", "extra": 1}, {"id": "m2", "threadId": "t2"}]}
HISTORY = {"historyId": "90", "history": [{"id": "80", "messages": [{"id": "m1"}],
                                           "messagesAdded": [{"message": {"id": "m1", "threadId": "t1",
                                                                          "labelIds": ["INBOX"], "snippet": "x"}}]}]}


def test_sub_selections_filter_every_element_of_an_array():
    assert apply_mask(PAGE, parse_mask("messages(id,threadId),nextPageToken")) == {
        "nextPageToken": "t2", "messages": [{"id": "m1", "threadId": "t1"}, {"id": "m2", "threadId": "t2"}]}


def test_paths_and_nested_selections_keep_only_what_was_named():
    kept = apply_mask(HISTORY, parse_mask("history(id,messagesAdded/message(id,labelIds)),historyId"))
    assert kept == {"historyId": "90", "history": [{"id": "80",
                                                    "messagesAdded": [{"message": {"id": "m1", "labelIds": ["INBOX"]}}]}]}


def test_a_wildcard_keeps_every_field_at_its_level():
    assert apply_mask({"a": {"x": 1, "y": 2}, "b": 3}, parse_mask("*")) == {"a": {"x": 1, "y": 2}, "b": 3}


@pytest.mark.parametrize("mask", ["messages(id", "a//b", "a,,b", "a)"])
def test_a_malformed_mask_is_refused(mask):
    with pytest.raises(BadMask):
        parse_mask(mask)
