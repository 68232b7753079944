"""Admin: the org's audit log, newest first, paged."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.api.auth import admin_required, current_user
from app.api.scoping import own_org
from app.models import AuditEvent
from app.runtime import db_session
from schemas.audit import AuditPageSchema
from schemas.base import PageArgsSchema

blp = Blueprint("audit", __name__, url_prefix="/orgs", description="Audit log (admins only)")


@blp.route("/<int:org_id>/audit-events")
class AuditEvents(MethodView):
    @admin_required
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict, org_id: int):
        """What changed in the org, who changed it, newest first."""
        org = own_org(org_id, current_user())
        session, page, size = db_session(), args["page"], args["page_size"]
        scope = AuditEvent.org_id == org.id
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(scope))
        rows = session.scalars(select(AuditEvent).where(scope).order_by(AuditEvent.id.desc())
                               .offset((page - 1) * size).limit(size))
        return {"items": list(rows), "page": page, "page_size": size, "total": total}
