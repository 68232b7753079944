"""The REST API: flask-smorest under /api/v1, OpenAPI at /api/openapi.json, docs at /api/docs."""
from __future__ import annotations

from flask import Flask, Request
from flask_smorest import Api, Blueprint, abort
from webargs.flaskparser import FlaskParser, is_json_request

from app.api.converters import StorableIntConverter
from app.api.error_docs import ErrorResponsesPlugin
from app.api.errors import register_error_handlers
from app.api.json_limits import shape_problem
from app.api.outages import register_outage_handlers
from app.api.swagger_assets import init_swagger_assets
from schemas.base import ErrorSchema

API_PREFIX = "/api/v1"


class _Parser(FlaskParser):
    """Invalid input is a 400 (with the fields named), across the whole API."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Request):
        """Every JSON body passes here: refuse over-deep nesting and over-long numbers before parsing,
        and a body that is not labelled JSON (webargs would ignore it and answer a silent 200)."""
        if not is_json_request(req) and (req.content_length or req.get_data(cache=True)):
            abort(415, message=_not_json_message(req.headers.get("Content-Type")),
                  errors={"headers": {"Content-Type": ["must be application/json"]}})
        if is_json_request(req):
            problem = shape_problem(req.get_data(cache=True))
            if problem:
                abort(400, message=f"Invalid JSON body: {problem}.", errors={"json": [problem]})
        return super()._raw_load_json(req)


def _not_json_message(content_type: str | None) -> str:
    """What to send instead, naming what was sent (a form, text, or no Content-Type at all)."""
    sent = f"Content-Type {content_type.split(';')[0].strip()!r}" if content_type else "no Content-Type"
    return f"Send the body as JSON with the header 'Content-Type: application/json' (this request had {sent})."


Blueprint.ARGUMENTS_PARSER = _Parser()


class SynclineApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        register_error_handlers(self._app)
        register_outage_handlers(self._app)


def init_api(app: Flask) -> Api:
    from app.api import (
        audit_log,
        auth_routes,
        failed_items,
        google_push,
        google_workspace,
        graph_push,
        health,
        mailboxes,
        mappings,
        me,
        office365,
        orgs,
        skipped_items,
        users,
        webdav_push,
    )

    app.url_map.converters["int"] = StorableIntConverter   # before any route is added
    app.config.update(
        API_TITLE="Syncline API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=init_swagger_assets(app),  # the installed package's files, never a CDN
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # no call to swagger.io's online validator either
    )
    api = SynclineApi(app, spec_kwargs={"info": {"description": "Mailbox ⇄ Salesforce sync engine"},
                                        "extra_plugins": [ErrorResponsesPlugin()]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for module in (health, auth_routes, me, orgs, users, audit_log, mailboxes, failed_items, skipped_items, mappings,
                   graph_push, office365, google_workspace, google_push, webdav_push):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.blp.url_prefix)
    from app.api import autoresolve, blocklists, records, related, saves  # the sidebar's endpoints

    for module in (related, saves, records, blocklists, autoresolve):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX + module.blp.url_prefix)
    return api
