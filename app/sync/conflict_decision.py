"""Who keeps a field both sides hold different values for, and the reason told on the dashboard.

Last-writer-wins compares REAL modification times only (the mailbox's LAST-MODIFIED / REV,
Salesforce's LastModifiedDate / SystemModstamp). When either time is missing the Salesforce
value is kept — the org's shared record is not overwritten on a guess — and the reason says
which time was missing; the mailbox value stays visible in the conflict record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.sync.policy import ConflictPolicy

MAILBOX, SALESFORCE = "mailbox", "salesforce"


@dataclass(frozen=True)
class Decision:
    """The side whose value is kept, and why (in words a user reads on the dashboard)."""

    winner: str
    reason: str


def decide_conflict(policy: ConflictPolicy, mailbox_at: datetime | None, crm_at: datetime | None,
                    first_link: bool) -> Decision:
    """The org policy's verdict for one field; ``first_link``: the pair has no agreed value yet."""
    what = ("first link: the mailbox item and the Salesforce record already held different values"
            if first_link else "both sides changed this field")
    if policy is ConflictPolicy.SALESFORCE_WINS:
        return Decision(SALESFORCE, f"{what}; policy {policy.value} keeps the Salesforce value")
    if policy is ConflictPolicy.MAILBOX_WINS:
        return Decision(MAILBOX, f"{what}; policy {policy.value} keeps the mailbox value")
    return _last_writer(what, mailbox_at, crm_at)


def _last_writer(what: str, mailbox_at: datetime | None, crm_at: datetime | None) -> Decision:
    if mailbox_at is None or crm_at is None:
        missing = [side for side, at in (("mailbox item", mailbox_at), ("Salesforce record", crm_at)) if at is None]
        verb = "have" if len(missing) > 1 else "has"
        return Decision(SALESFORCE, f"{what}; the {' and the '.join(missing)} {verb} no modification time, so "
                                    "last-writer-wins cannot compare and the Salesforce value is kept")
    when = f"mailbox {_stamp(mailbox_at)}, Salesforce {_stamp(crm_at)}"
    if crm_at > mailbox_at:
        return Decision(SALESFORCE, f"{what}; Salesforce was modified last ({when})")
    if mailbox_at > crm_at:
        return Decision(MAILBOX, f"{what}; the mailbox was modified last ({when})")
    return Decision(MAILBOX, f"{what}; both were modified at the same time ({when}); ties go to the mailbox")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
