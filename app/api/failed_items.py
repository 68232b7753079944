"""Dead letters: items whose last write failed, and replaying them (LIMITS rule 7)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select, update

from app.api.auth import current_user, login_required
from app.api.scoping import mailbox_for
from app.models import IdMapRow
from app.runtime import db_session
from app.sync.policy import SyncPolicy
from schemas.mailboxes import FailedItemSchema, ReplayedSchema

blp = Blueprint("failed_items", __name__, url_prefix="/mailboxes", description="Items that failed to sync")
MAX_ATTEMPTS = SyncPolicy().max_attempts


def _view(row: IdMapRow) -> dict:
    return {"sync_key": row.sync_key, "kind": row.kind, "object_type": row.object_type,
            "mailbox_item_id": row.mailbox_item_id, "crm_id": row.crm_id, "error": row.last_error,
            "attempts": row.attempts, "given_up": row.attempts >= MAX_ATTEMPTS,
            "will_retry": row.attempts < MAX_ATTEMPTS}


@blp.route("/<int:mailbox_id>/failed-items")
class FailedItems(MethodView):
    @login_required
    @blp.response(200, FailedItemSchema(many=True))
    def get(self, mailbox_id: int):
        """Items whose last sync failed, with the reason: refused writes, and items refused before any write
        (a series that cannot be expanded, a card missing a field Salesforce requires); `will_retry` false
        (permanent errors at once, temporary ones after the last attempt): not retried until replayed or changed."""
        mailbox = mailbox_for(mailbox_id, current_user())
        rows = db_session().scalars(select(IdMapRow).where(
            IdMapRow.mailbox_id == mailbox.id, IdMapRow.last_error.is_not(None)).order_by(IdMapRow.id).limit(500))
        return [_view(r) for r in rows]


@blp.route("/<int:mailbox_id>/failed-items/replay")
class ReplayFailedItems(MethodView):
    @login_required
    @blp.response(200, ReplayedSchema)
    def post(self, mailbox_id: int):
        """Give every failed item fresh attempts; the next session retries them."""
        mailbox, session = mailbox_for(mailbox_id, current_user()), db_session()
        result = session.execute(update(IdMapRow).where(
            IdMapRow.mailbox_id == mailbox.id, IdMapRow.last_error.is_not(None)).values(attempts=0))
        session.commit()
        return {"replayed": result.rowcount}
