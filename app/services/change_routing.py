"""Which mailboxes a Salesforce change concerns: the owner's, the invitees' (Events), and every
mailbox whose ID map already links the record (a shared meeting, a contact owned by someone
else, or a record whose owner just changed: the old owner's mailbox learns it moved)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IdMapRow, Mailbox, MailboxChange, User
from app.providers.salesforce.org_feed import OrgChange

CHUNK = 500                       # bound parameters per IN list (SQLite's limit is far above)
REASONS = ("owner", "invitee", "linked")  # strongest first: one row per mailbox and change


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def mailboxes_of_users(s: Session, org_pk: int, sf_user_ids: Iterable[str]) -> dict[str, set[int]]:
    """Salesforce User id → the ids of the mailboxes of the Syncline user signed in as it."""
    out: dict[str, set[int]] = {}
    for chunk in _chunks(sf_user_ids):
        rows = s.execute(select(User.sf_user_id, Mailbox.id).join(Mailbox, Mailbox.user_id == User.id)
                         .where(User.org_id == org_pk, User.sf_user_id.in_(chunk)))
        for sf_user_id, mailbox_id in rows:
            out.setdefault(sf_user_id, set()).add(mailbox_id)
    return out


def mailboxes_linking(s: Session, org_pk: int, record_ids: Iterable[str]) -> dict[str, set[int]]:
    """Record id → the mailboxes whose ID map holds a live pair with it."""
    out: dict[str, set[int]] = {}
    for chunk in _chunks(record_ids):
        rows = s.execute(select(IdMapRow.crm_id, IdMapRow.mailbox_id).where(
            IdMapRow.org_id == org_pk, IdMapRow.crm_id.in_(chunk), IdMapRow.deleted.is_(False)))
        for crm_id, mailbox_id in rows:
            out.setdefault(str(crm_id), set()).add(mailbox_id)
    return out


def route_changes(s: Session, org_pk: int, changes: Sequence[OrgChange],
                  invitees: Mapping[str, set[str]]) -> list[MailboxChange]:
    """One unsaved `MailboxChange` per (mailbox, change), with the strongest reason."""
    users = {c.owner_id for c in changes if c.owner_id} | {u for ids in invitees.values() for u in ids}
    by_user = mailboxes_of_users(s, org_pk, users)
    linked = mailboxes_linking(s, org_pk, (c.record_id for c in changes))
    rows: list[MailboxChange] = []
    for change in changes:
        targets: dict[int, str] = {}
        candidates = (("owner", by_user.get(change.owner_id or "", set())),
                      ("invitee", {m for u in invitees.get(change.record_id, ()) for m in by_user.get(u, ())}),
                      ("linked", linked.get(change.record_id, set())))
        for reason, mailbox_ids in candidates:
            for mailbox_id in mailbox_ids:
                targets.setdefault(mailbox_id, reason)
        rows.extend(MailboxChange(mailbox_id=m, sobject=change.sobject, record_id=change.record_id,
                                  version=change.version, deleted=change.deleted, reason=reason)
                    for m, reason in sorted(targets.items()))
    return rows
