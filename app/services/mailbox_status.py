"""A mailbox's status, why it has it and who set it: suspension, re-authorisation, resuming.

`status_set_by` records whether the system, the mailbox's user or an admin put the mailbox
in its state, so that an admin's suspension (say, a legal review) is lifted only by an admin.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Mailbox, User
from app.models.base import utcnow
from app.services import audit

REAUTH_HINT = ("sign in with Salesforce again, update the mailbox password, or for Office 365 sign in with Microsoft "
               "again (delegated) or store a new client secret or certificate, for Google sign in with Google again "
               "(user_oauth) or store a new service-account key; sync resumes by itself")


class AdminSuspension(Exception):
    """Only an admin may lift a suspension an admin made."""


def _source(actor: User | None) -> str:
    if actor is None:
        return "system"
    return "admin" if actor.is_admin else "user"


def suspend(session: Session, mailbox: Mailbox, reason: str, actor: User | None = None) -> None:
    """Stop scheduled sync; `actor` None means the system decided (failures, permanent error)."""
    mailbox.status, mailbox.status_reason = "suspended", reason[:1024]
    mailbox.status_set_by, mailbox.next_sync_at = _source(actor), None  # no session until resumed
    audit.record(session, mailbox.org_id, "mailbox.suspended", actor_id=actor.id if actor else None,
                 target_type="mailbox", target_id=mailbox.id, details={"reason": reason[:1024]})


def needs_reauth(session: Session, mailbox: Mailbox, reason: str) -> None:
    """Credentials were refused: wait, visibly, until the user signs in or updates the password."""
    mailbox.status, mailbox.status_set_by, mailbox.next_sync_at = "needs_reauth", "system", None
    mailbox.status_reason = f"{reason}; {REAUTH_HINT}"[:1024]
    audit.record(session, mailbox.org_id, "mailbox.needs_reauth", target_type="mailbox",
                 target_id=mailbox.id, details={"reason": reason[:1024]})


def activate(session: Session, mailbox: Mailbox, actor: User | None, action: str = "mailbox.resumed") -> None:
    """Back to active with the failure count cleared; the next scheduler tick runs a session."""
    mailbox.status, mailbox.status_reason, mailbox.status_set_by = "active", None, None
    mailbox.consecutive_failures, mailbox.throttled_failures, mailbox.next_sync_at = 0, 0, utcnow()
    audit.record(session, mailbox.org_id, action, actor_id=actor.id if actor else None,
                 target_type="mailbox", target_id=mailbox.id)


def check_may_resume(mailbox: Mailbox, actor: User) -> None:
    if mailbox.status == "suspended" and mailbox.status_set_by == "admin" and not actor.is_admin:
        raise AdminSuspension(f"An admin suspended this mailbox ({mailbox.status_reason}); "
                              "only an admin can resume it.")


def reauthorised(session: Session, mailbox: Mailbox | None, actor: User | None) -> bool:
    """New credentials (Salesforce sign-in, new mailbox password) resume a mailbox waiting for them."""
    if mailbox is None or mailbox.status != "needs_reauth":
        return False
    activate(session, mailbox, actor, action="mailbox.reauthorised")
    return True
