"""The shape of identifiers Syncline stores and later hands to a mail server or Salesforce.

A Message-ID, compose marker, thread id, iCalUID or item reference is sent back out (an IMAP
SEARCH, a SOQL filter) on every session: one with a NUL, a quote or a non-ASCII byte would
break that session for good. The API refuses such values on input (`schemas`); the engine
skips any that are already stored, with a per-item error, and goes on.
"""
from __future__ import annotations

import re

MESSAGE_ID_MAX = 998        # RFC 5322 line length; the message_id columns
THREAD_ID_MAX = 512         # ThreadAutosave.thread_id
REF_MAX = 1024              # MeetingSave.ical_uid / item_ref
_PRINTABLE = re.compile(r"[!-~]+")                      # printable ASCII, no space
_ID_PART = r"[!-;=?A-~]+"                               # printable ASCII without < > @
_MESSAGE_ID = re.compile(rf"<{_ID_PART}@{_ID_PART}>|{_ID_PART}@{_ID_PART}")


def identifier_problem(value: str, max_length: int) -> str | None:
    """Why `value` cannot be stored as an identifier (printable ASCII without spaces), or None."""
    if not value:
        return "must not be empty"
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    if _PRINTABLE.fullmatch(value) is None:
        return "must be printable ASCII without spaces or control characters"
    return None


def message_id_problem(value: str) -> str | None:
    """Why `value` is not an RFC 5322 msg-id (`<left@right>`, brackets optional), or None."""
    problem = identifier_problem(value, MESSAGE_ID_MAX)
    if problem is None and _MESSAGE_ID.fullmatch(value) is None:
        return "is not a Message-ID of the form <left@right>"
    return problem
