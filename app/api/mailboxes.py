"""Mailboxes: registration, force sync, suspend/resume, and the sync dashboard."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from app.api.auth import admin_required, current_user, login_required
from app.api.scoping import mailbox_for, user_in_org
from app.api.views import dashboard_view, mailbox_view
from app.models import Mailbox, ServerProfile
from app.runtime import db_session, runtime
from app.services import mailboxes as service
from app.services import push_triggers
from app.services.mailbox_status import AdminSuspension
from schemas.base import ErrorSchema
from schemas.dashboard import DashboardArgsSchema, DashboardSchema
from schemas.mailboxes import (
    MailboxCreateSchema,
    MailboxListArgsSchema,
    MailboxPageSchema,
    MailboxPatchSchema,
    MailboxSchema,
    SuspendSchema,
    SyncRequestedSchema,
)

blp = Blueprint("mailboxes", __name__, url_prefix="/mailboxes", description="Mailboxes and their sync")


@blp.route("")
class Mailboxes(MethodView):
    @admin_required
    @blp.arguments(MailboxListArgsSchema, location="query")
    @blp.response(200, MailboxPageSchema)
    def get(self, args: dict):
        """Admins: the org's mailboxes, optionally by status (e.g. suspended ones)."""
        session, scope = db_session(), [Mailbox.org_id == current_user().org_id]
        if args.get("status"):
            scope.append(Mailbox.status == args["status"])
        total = session.scalar(select(func.count()).select_from(Mailbox).where(*scope))
        rows = session.scalars(select(Mailbox).where(*scope).order_by(Mailbox.id)
                               .offset((args["page"] - 1) * args["page_size"]).limit(args["page_size"]))
        return {"items": [mailbox_view(m) for m in rows], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @login_required
    @blp.arguments(MailboxCreateSchema)
    @blp.response(201, MailboxSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Fields the server profile cannot use (named)")
    @blp.alt_response(404, schema=ErrorSchema, description="user_id names no user of your org")
    @blp.alt_response(409, schema=ErrorSchema, description="The user already has a mailbox")
    def post(self, data: dict):
        """Register my mailbox (admins may register one for another user of the org).

        The server profile says which parts the account has: IMAP (mail), CalDAV (calendar, tasks),
        CardDAV (contacts), any of them. `dav_username`/`dav_password` give the DAV login where it
        differs from the IMAP one."""
        caller, session = current_user(), db_session()
        owner = caller
        if data.get("user_id") not in (None, caller.id):
            if not caller.is_admin:
                abort(403, message="Only admins register mailboxes for other users.")
            owner = user_in_org(data["user_id"], caller)
        profile = _org_profile(data["server_profile_id"], caller)
        mailbox = service.register(runtime(), session, owner, profile, data, caller)
        session.commit()
        return mailbox_view(mailbox)


def _org_profile(profile_id: int, caller) -> ServerProfile:
    """A server profile of the caller's org, else a 400 naming the field."""
    profile = db_session().get(ServerProfile, profile_id)
    if profile is None or profile.org_id != caller.org_id:
        abort(400, message=f"No server profile {profile_id} in your org.",
              errors={"server_profile_id": ["unknown server profile"]})
    return profile


@blp.route("/<int:mailbox_id>")
class MailboxItem(MethodView):
    @login_required
    @blp.response(200, MailboxSchema)
    def get(self, mailbox_id: int):
        """One mailbox (its owner or an admin of the org)."""
        return mailbox_view(mailbox_for(mailbox_id, current_user()))

    @login_required
    @blp.arguments(MailboxPatchSchema)
    @blp.response(200, MailboxSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Fields the server profile cannot use (named)")
    def patch(self, data: dict, mailbox_id: int):
        """Change the address, user names, passwords (never shown again) or server profile."""
        mailbox, session = mailbox_for(mailbox_id, current_user()), db_session()
        if data.get("server_profile_id") not in (None, mailbox.server_profile_id):
            service.move_to_profile(session, mailbox, _org_profile(data["server_profile_id"], current_user()),
                                    current_user())
        for name in ("address", "username"):
            if name in data:
                setattr(mailbox, name, data[name])
        service.update_login(runtime(), session, mailbox, data, current_user())
        session.commit()
        return mailbox_view(mailbox)


FORCED_MESSAGES = {
    push_triggers.QUEUED: "Sync session queued.",
    push_triggers.COALESCED: "A sync session is already waiting; it will read every change made so far.",
    push_triggers.AFTER_RUNNING: "A sync session is running; another one follows it to read the changes "
                                 "made since it started.",
}


@blp.route("/<int:mailbox_id>/sync")
class ForceSync(MethodView):
    @login_required
    @blp.response(202, SyncRequestedSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Suspended, disabled or needs re-authorisation")
    @blp.alt_response(503, schema=ErrorSchema, description="Redis or the database is temporarily unavailable")
    def post(self, mailbox_id: int):
        """Force a sync session now instead of waiting for the next scheduled one."""
        mailbox = mailbox_for(mailbox_id, current_user())
        if mailbox.status != "active":
            abort(409, message=f"This mailbox is {mailbox.status} ({mailbox.status_reason}); "
                               "resume it before forcing a sync.")
        job_id, outcome = push_triggers.forced(runtime(), mailbox.id, mailbox.user.org.sf_org_id)
        return {"job_id": job_id, "enqueued": outcome != push_triggers.COALESCED,
                "message": FORCED_MESSAGES[outcome]}


@blp.route("/<int:mailbox_id>/suspend")
class Suspend(MethodView):
    @login_required
    @blp.arguments(SuspendSchema)
    @blp.response(200, MailboxSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The mailbox is disabled")
    def post(self, data: dict, mailbox_id: int):
        """Stop scheduled sync for this mailbox until it is resumed."""
        mailbox, session = mailbox_for(mailbox_id, current_user()), db_session()
        service.suspend_by_hand(session, mailbox, data["reason"], current_user())
        session.commit()
        return mailbox_view(mailbox)


@blp.route("/<int:mailbox_id>/resume")
class Resume(MethodView):
    @login_required
    @blp.response(200, MailboxSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="An admin suspended it; only an admin can resume it")
    @blp.alt_response(409, schema=ErrorSchema, description="The mailbox is disabled")
    def post(self, mailbox_id: int):
        """Resume sync (clears the failure count); the next session starts within a minute."""
        mailbox, session = mailbox_for(mailbox_id, current_user()), db_session()
        try:
            service.resume(session, mailbox, current_user())
        except AdminSuspension as exc:
            abort(403, message=str(exc))
        session.commit()
        return mailbox_view(mailbox)


@blp.route("/<int:mailbox_id>/dashboard")
class Dashboard(MethodView):
    @login_required
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    def get(self, args: dict, mailbox_id: int):
        """Status, last sessions with counts and per-item errors, live progress, next run."""
        return dashboard_view(mailbox_for(mailbox_id, current_user()), args["sessions"])


@blp.route("/mine/dashboard")
class MyDashboard(MethodView):
    @login_required
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="You have no mailbox yet")
    def get(self, args: dict):
        """The dashboard of my own mailbox."""
        mailbox = current_user().mailbox
        if mailbox is None:
            abort(404, message="You have no mailbox registered yet (POST /api/v1/mailboxes).")
        return dashboard_view(mailbox, args["sessions"])
