"""Requests the sidebar leaves for the sync engine: save a draft when sent, save a meeting,
save every email of a thread. Stored here; the engine acts on them on its next session."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import ComposeSave, MeetingSave, ThreadAutosave, User


class NothingToFind(Exception):
    """The request names no way for the engine to find the item."""


def request_compose_save(session: Session, user: User, data: dict) -> ComposeSave:
    """Idempotent per (user, marker): re-sending the same marker updates the links."""
    row = session.scalar(select(ComposeSave).where(ComposeSave.user_id == user.id,
                                                   ComposeSave.marker == data["marker"]))
    if row is None:
        row = ComposeSave(org_id=user.org_id, user_id=user.id, marker=data["marker"])
        session.add(row)
    row.message_id, row.who_ids, row.what_id = data["message_id"], list(data["who_ids"]), data["what_id"]
    session.flush()
    return row


def request_meeting_save(session: Session, user: User, data: dict) -> MeetingSave:
    """Needs the iCalUID or the provider's item id; a pending request for the same meeting is updated."""
    if not (data.get("ical_uid") or data.get("item_ref")):
        raise NothingToFind("The meeting needs an ical_uid or an item_ref for the sync to find it.")
    row = session.scalar(select(MeetingSave).where(
        MeetingSave.user_id == user.id, MeetingSave.status == "pending",
        MeetingSave.ical_uid == data["ical_uid"] if data.get("ical_uid") else MeetingSave.item_ref == data["item_ref"]))
    if row is None:
        row = MeetingSave(org_id=user.org_id, user_id=user.id)
        session.add(row)
    row.ical_uid, row.item_ref = data.get("ical_uid"), data.get("item_ref")
    row.who_ids, row.what_id = list(data["who_ids"]), data["what_id"]
    session.flush()
    return row


def withdraw_compose_save(session: Session, user: User, request_id: int) -> bool:
    """Delete one of the user's own compose saves (pending or not); False when it is not theirs or gone."""
    return _withdraw(session, user, ComposeSave, request_id)


def withdraw_meeting_save(session: Session, user: User, request_id: int) -> bool:
    """Delete one of the user's own meeting saves; False when it is not theirs or gone."""
    return _withdraw(session, user, MeetingSave, request_id)


def _withdraw(session: Session, user: User, model: type[ComposeSave] | type[MeetingSave], request_id: int) -> bool:
    deleted = session.execute(delete(model).where(model.id == request_id, model.user_id == user.id))
    session.flush()
    return bool(getattr(deleted, "rowcount", 0))


def thread_autosave_on(session: Session, user: User, thread_id: str | None) -> bool:
    if not thread_id:
        return False
    return session.scalar(select(ThreadAutosave.id).where(ThreadAutosave.user_id == user.id,
                                                          ThreadAutosave.thread_id == thread_id)) is not None


def set_thread_autosave(session: Session, user: User, thread_id: str, on: bool) -> None:
    """Turn "save all emails in this thread" on or off; both directions are idempotent."""
    if not on:
        session.execute(delete(ThreadAutosave).where(ThreadAutosave.user_id == user.id,
                                                     ThreadAutosave.thread_id == thread_id))
    elif not thread_autosave_on(session, user, thread_id):
        session.add(ThreadAutosave(org_id=user.org_id, user_id=user.id, thread_id=thread_id))
    session.flush()
