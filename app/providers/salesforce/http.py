"""The one way to build an HTTP session for Salesforce: environment proxies/CA overrides off,
certificate checks on (with the operator's CA bundle when one is configured)."""
from __future__ import annotations

import requests

from app.config import Config

DEFAULT_TIMEOUT = (5, 60)


def salesforce_session(config: Config) -> requests.Session:
    session = requests.Session()
    # REQUESTS_CA_BUNDLE in the environment would silently override `verify`.
    session.trust_env = False
    session.verify = config.salesforce_ca_bundle or True
    session.headers["User-Agent"] = "Syncline/0.1"
    return session
