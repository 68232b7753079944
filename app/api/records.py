"""Creating Salesforce records from the sidebar (with a duplicate check) and searching them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import current_user, login_required
from app.api.error_docs import salesforce_answers
from app.api.sidebar_errors import salesforce_errors
from app.runtime import runtime
from app.services import records as service
from app.services.sidebar_salesforce import sidebar_port
from app.sync.sidebar_ports import CREATABLE_TYPES
from schemas.records import RecordCreatedSchema, RecordCreateSchema, SearchArgsSchema, SearchResultsSchema

blp = Blueprint("records", __name__, url_prefix="/records", description="Salesforce records for the sidebar")


@blp.route("/search")
class RecordSearch(MethodView):
    @login_required
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultsSchema)
    @salesforce_answers(blp)
    def get(self, args: dict):
        """Find records by name, email, phone or number (SOSL; the text is escaped, never parsed:
        reserved characters and the words AND, OR, NOT are searched for literally)."""
        with salesforce_errors():
            crm = sidebar_port(runtime(), current_user())
            hits = service.search_records(crm, args["q"], args["types"])
        return {"results": [{**h, "url": crm.record_url(h["id"])} for h in hits]}


@blp.route("/<string:sobject>")
class RecordCreate(MethodView):
    @login_required
    @blp.arguments(RecordCreateSchema)
    @blp.response(201, RecordCreatedSchema)
    @blp.alt_response(409, description="Records like this one exist: errors.duplicates lists them")
    @salesforce_answers(blp)
    def post(self, data: dict, sobject: str):
        """Create a Contact, Lead, Account, Opportunity or Case; 409 lists likely duplicates first."""
        if sobject not in CREATABLE_TYPES:
            abort(404, message=f"Records of type {sobject!r} cannot be created here; "
                               f"types are {', '.join(CREATABLE_TYPES)}.")
        with salesforce_errors():
            crm = sidebar_port(runtime(), current_user())
            try:
                values = service.checked_fields(crm, sobject, data["fields_"])
            except service.InvalidFields as exc:
                abort(400, message=str(exc), errors={"fields": {n: ["not allowed"] for n in exc.names}})
            duplicates = [] if data["allow_duplicate"] else service.find_duplicates(crm, sobject, values)
            if duplicates:
                abort(409, message=f"A {sobject} like this already exists.", errors={"duplicates": [
                    {**d, "url": crm.record_url(d["id"])} for d in duplicates]})
            record_id = service.create_record(crm, sobject, values)
        return {"id": record_id, "url": crm.record_url(record_id)}
