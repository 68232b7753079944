"""Syncline's Flask application factory; nothing is built at import time."""
from __future__ import annotations

from flask import Flask

from app.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the API app from `config` (default: the environment, plus `.env` for local runs)."""
    if config is None:
        from dotenv import find_dotenv, load_dotenv

        # The working directory's .env (find_dotenv would otherwise search from this file).
        load_dotenv(find_dotenv(usecwd=True), override=False)
        config = Config.from_env()

    from app.api import init_api
    from app.logs import configure_logging
    from app.request_context import init_request_context
    from app.runtime import Runtime, close_db_session

    configure_logging(config.log_level)
    app = Flask(__name__, instance_path=str(config.instance_dir))
    app.config.update(
        SECRET_KEY=config.flask_secret_key or "dev-only-not-secret",
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        JSON_SORT_KEYS=False,
        TESTING=config.env == "test",
    )
    app.extensions["syncline"] = Runtime.build(config)
    from app.services.salesforce_usage_metrics import register_salesforce_usage
    from app.services.sync_metrics import register_sync_metrics

    register_salesforce_usage(app.extensions["syncline"])
    register_sync_metrics(app.extensions["syncline"])
    app.teardown_appcontext(close_db_session)
    init_request_context(app)
    init_api(app)
    from app.api.sidebar_static import init_sidebar

    init_sidebar(app, config.extension_origins)
    from app.cli import register_commands

    register_commands(app)
    return app
