"""Salesforce record ids: 15-char case-sensitive base plus the 3-char case-safe suffix.

Key prefixes follow Salesforce's published ones; the pod part identifies the org so ids
from two orgs never collide (another org's id is simply not found).
"""
from __future__ import annotations

import itertools
import threading

KEY_PREFIXES: dict[str, str] = {
    "Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006",
    "Case": "500", "User": "005", "Profile": "00e", "Event": "00U", "Task": "00T",
    "EmailMessage": "02s", "EventRelation": "0RE", "TaskRelation": "0RT",
    # EmailMessageRelation's prefix could not be confirmed from public sources.
    "EmailMessageRelation": "0Rs", "Organization": "00D",
    "ContentVersion": "068", "ContentDocument": "069", "ContentDocumentLink": "06A",
    "PermissionSet": "0PS", "PermissionSetAssignment": "0Pa", "FieldPermissions": "01k",
    "CustomField": "00N",
}
TYPE_BY_PREFIX: dict[str, str] = {v: k for k, v in KEY_PREFIXES.items()}
QUERY_LOCATOR_PREFIX = "01g"

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum_suffix(id15: str) -> str:
    """The 3 chars Salesforce appends: one per 5-char chunk, a bitmap of uppercase letters."""
    out = []
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out.append(_SUFFIX_ALPHABET[bits])
    return "".join(out)


def to18(id15: str) -> str:
    """Return the 18-char form of a 15-char id (18-char ids are returned unchanged)."""
    return id15 if len(id15) == 18 else id15 + checksum_suffix(id15)


def looks_like_id(value: object) -> bool:
    """True for a syntactically valid 15- or 18-char id (18-char must carry a correct suffix)."""
    if not isinstance(value, str) or len(value) not in (15, 18):
        return False
    if any(ch not in _BASE62 for ch in value):
        return False
    return len(value) == 15 or checksum_suffix(value[:15]) == value[15:]


def normalize(value: str) -> str | None:
    """Canonical 18-char id for a 15- or 18-char id, or None when malformed.

    An 18-char id whose case was changed still resolves: the suffix restores the case.
    """
    if not isinstance(value, str) or len(value) not in (15, 18):
        return None
    if len(value) == 15:
        return to18(value) if looks_like_id(value) else None
    if looks_like_id(value):
        return value
    restored = "".join(
        ch.upper() if (_SUFFIX_ALPHABET.find(value[15 + i // 5].upper()) >> (i % 5)) & 1
        else ch.lower() if ch.isalpha() else ch
        for i, ch in enumerate(value[:15]))
    return restored + value[15:].upper() if looks_like_id(restored + value[15:].upper()) else None


def sobject_type_of(record_id: str) -> str | None:
    """The sObject type whose key prefix starts this id, if known."""
    return TYPE_BY_PREFIX.get(record_id[:3]) if isinstance(record_id, str) else None


def _base62(n: int, width: int) -> str:
    chars = []
    while n:
        n, r = divmod(n, 62)
        chars.append(_BASE62[r])
    return "".join(reversed(chars)).rjust(width, "0")


class IdFactory:
    """Thread-safe generator of real-looking ids for one org (its 2-char pod is fixed)."""

    def __init__(self, pod: str) -> None:
        self.pod = pod
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """A fresh 18-char id with this key prefix."""
        with self._lock:
            n = next(self._counter)
        # Real ids look like 003 + pod(2) + '0' + 9 base62 digits; mix so ids are not all digits.
        body = _base62(n * 7919 + 916132832, 9)[-9:]
        return to18(prefix + self.pod + "0" + body)

    def advance_past(self, n: int) -> None:
        """Skip the counter forward (used when loading persisted state)."""
        with self._lock:
            self._counter = itertools.count(n + 1)

    @property
    def issued(self) -> int:
        """Peek at how many ids were issued (approximately; for persistence)."""
        with self._lock:
            nxt = next(self._counter)
            self._counter = itertools.count(nxt)
        return nxt - 1


def pod_for(index: int) -> str:
    """A distinct 2-char pod code per org index, e.g. '5g', '5h'."""
    return _base62(5 * 62 + 42 + index, 2)[-2:]
