"""Issue and revoke API tokens; the plaintext exists only in the creation response."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.models import ApiToken, User
from app.models.base import utcnow
from app.security.api_tokens import display_prefix, hash_token, new_token
from app.services import audit


def issue_token(session: Session, user: User, *, name: str = "", ttl_days: int | None = None,
                actor: User | None = None) -> tuple[ApiToken, str]:
    plaintext = new_token()
    expires_at = utcnow() + timedelta(days=ttl_days) if ttl_days else None
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plaintext),
                   prefix=display_prefix(plaintext), expires_at=expires_at)
    session.add(row)
    session.flush()
    audit.record(session, user.org_id, "token.created", actor_id=(actor or user).id,
                 target_type="api_token", target_id=row.id, details={"name": name, "user_id": user.id})
    return row, plaintext


def revoke_token(session: Session, row: ApiToken, actor: User) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor.org_id, "token.revoked", actor_id=actor.id,
                     target_type="api_token", target_id=row.id)
