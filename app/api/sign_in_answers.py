"""The callback answer of a mailbox's vendor sign-in (Microsoft, Google): one shape and one error mapping."""
from __future__ import annotations

from collections.abc import Callable

from flask_smorest import abort
from sqlalchemy.orm import Session

from app.models import Mailbox
from app.runtime import db_session
from app.sync.errors import SyncError


def signed_in_answer(complete: Callable[[Session], Mailbox], refused: type[Exception], vendor: str) -> dict:
    """Commit a finished sign-in, or roll it back: 401 for a refusal (with its sentence), 503 when the
    vendor's token endpoint did not answer."""
    session = db_session()
    try:
        mailbox = complete(session)
    except refused as exc:
        session.rollback()
        abort(401, message=f"{vendor} sign-in failed: {exc}")
    except SyncError as exc:
        session.rollback()
        abort(503 if exc.code == "temporary" else 401, message=f"{vendor} sign-in failed: {exc}")
    session.commit()
    return {"mailbox_id": mailbox.id, "status": mailbox.status,
            "message": f"{mailbox.address} is signed in with {vendor}; sync runs as this account"}
