"""The DAV discovery state travels from one session to the next through the cursor store."""
from __future__ import annotations

from app.models.sync_stores import SqlCursorStore
from app.services.dav_discovery import DISCOVERY_STREAM, load_discovery, save_discovery
from tests.models.test_sync_stores import _mailbox

STATE = {"calendar": {"fp": "abc", "collections": [{"href": "/u/calendar/", "name": "calendar",
                                                    "components": ["VEVENT"], "sync": True, "owner": []}]}}


def test_a_stored_state_is_handed_to_the_next_session(app):
    rt = app.extensions["syncline"]
    _org, mailbox_pk, _sf = _mailbox(app)
    assert load_discovery(rt, mailbox_pk) is None
    save_discovery(rt, mailbox_pk, STATE)
    assert load_discovery(rt, mailbox_pk) == STATE


def test_nothing_new_keeps_the_stored_state(app):
    rt = app.extensions["syncline"]
    _org, mailbox_pk, _sf = _mailbox(app)
    save_discovery(rt, mailbox_pk, STATE)
    save_discovery(rt, mailbox_pk, None)
    assert load_discovery(rt, mailbox_pk) == STATE


def test_an_unreadable_state_means_discovering_again(app):
    rt = app.extensions["syncline"]
    _org, mailbox_pk, _sf = _mailbox(app)
    SqlCursorStore(rt.db).save(str(mailbox_pk), DISCOVERY_STREAM, "{not json")
    assert load_discovery(rt, mailbox_pk) is None
