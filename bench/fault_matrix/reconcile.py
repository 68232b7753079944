"""Reconciling both sides once the faults stop: every item the bench made must have exactly
one copy in the mailbox and one in Salesforce, every tagged email one saved copy; and every
mailbox must have come back from each fault with a successful session."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.models import SyncSessionRecord
from app.runtime import Runtime
from bench.fault_matrix.population import KINDS, SF_TYPE, BenchMailbox, tokens_in
from sandbox.salesforce import SalesforceEmulator

COMPONENT = {"calendar": "VEVENT", "tasks": "VTODO", "contacts": "VCARD"}
SF_NAME_FIELD = {"calendar": "Subject", "tasks": "Subject", "contacts": "LastName"}
OK = ("succeeded", "partial")     # the session ran to its end (partial: some items wait for a retry)


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "")


def mailbox_tokens(box: BenchMailbox, kind: str) -> Counter[str]:
    """Tokens per item in the DAV collection (Radicale exports a whole collection on GET)."""
    response = box.dav.session().get(f"{box.dav.principal_url}{kind}/", timeout=30)
    response.raise_for_status()
    component = COMPONENT[kind]
    counts: Counter[str] = Counter()
    for block in _unfold(response.text).split(f"BEGIN:{component}")[1:]:
        names = [line for line in block.split(f"END:{component}")[0].splitlines()
                 if line.startswith(("SUMMARY", "N:", "N;", "FN"))]
        counts.update(set(tokens_in("\n".join(names))))
    return counts


def salesforce_tokens(emu: SalesforceEmulator, box: BenchMailbox, kind: str) -> Counter[str]:
    records = emu.records(box.sf_org, SF_TYPE[kind])
    return Counter(t for r in records for t in set(tokens_in(str(r.get(SF_NAME_FIELD[kind]) or ""))))


def saved_emails(emu: SalesforceEmulator, box: BenchMailbox) -> Counter[str]:
    found = Counter(r.get("MessageIdentifier") for r in emu.records(box.sf_org, "EmailMessage"))
    return Counter({m: found.get(m, 0) for m in box.message_ids})


@dataclass
class DataCheck:
    """`lost`: copies missing on a side; `duplicated`: extra copies; `items`: copies expected."""

    lost: int = 0
    duplicated: int = 0
    items: int = 0
    details: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.duplicated == 0


def count_copies(expected: Iterable[str], found: Counter[str], side: str) -> DataCheck:
    """One side's copies of the `expected` tokens (or Message-IDs): 0 is lost, n > 1 is n - 1 duplicates."""
    check = DataCheck()
    details = []
    for token in sorted(expected):
        n = found.get(token, 0)
        check.items += 1
        if n == 0:
            check.lost += 1
            details.append(f"{token} missing in {side}")
        elif n > 1:
            check.duplicated += n - 1
            details.append(f"{token} x{n} in {side}")
    check.details = tuple(details)
    return check


def check_data(emu: SalesforceEmulator, mailboxes: list[BenchMailbox]) -> DataCheck:
    total = DataCheck()
    parts = []
    for box in mailboxes:
        for kind in KINDS:
            parts.append(count_copies(box.created[kind], mailbox_tokens(box, kind), f"mailbox {box.index} {kind}"))
            parts.append(count_copies(box.created[kind], salesforce_tokens(emu, box, kind), f"Salesforce {box.index} {kind}"))
        parts.append(count_copies(box.message_ids, saved_emails(emu, box), f"Salesforce {box.index} emails"))
    for part in parts:
        total.lost, total.duplicated, total.items = total.lost + part.lost, total.duplicated + part.duplicated, \
            total.items + part.items
    total.details = tuple(d for part in parts for d in part.details)
    return total


# ---- sessions, recovery, stuck mailboxes --------------------------------------------------------
@dataclass(frozen=True)
class Session:
    mailbox_id: int
    status: str
    started: float
    finished: float | None


def sessions(rt: Runtime, mailbox_ids: list[int]) -> list[Session]:
    with rt.db.session_scope() as s:
        rows = s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id.in_(mailbox_ids))
                         .order_by(SyncSessionRecord.id))
        return [Session(r.mailbox_id, r.status, _epoch(r.started_at), _epoch(r.finished_at) if r.finished_at else None)
                for r in rows]


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def recovery_s(all_sessions: list[Session], mailbox_id: int, fault_end: float) -> float:
    """Seconds from a fault's end to the end of the mailbox's next successful session (inf: none)."""
    ends = [s.finished for s in all_sessions if s.mailbox_id == mailbox_id and s.status in OK
            and s.finished is not None and s.finished > fault_end]
    return min(ends) - fault_end if ends else math.inf


def last_ok_session_start(all_sessions: list[Session], mailbox_id: int) -> float:
    starts = [s.started for s in all_sessions if s.mailbox_id == mailbox_id and s.status in OK]
    return max(starts, default=0.0)
