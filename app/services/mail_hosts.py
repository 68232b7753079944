"""Which mail hosts a server profile may name: the host guard applied to its endpoints (SSRF).

Every endpoint field ending in ``_url`` is an http(s) URL and every one ending in ``_host``
a host (with its ``_port``), so endpoint fields added later for Graph, EWS or Google are
checked without touching this module.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.config import Config
from app.providers.host_guard import ForbiddenHost, HostPolicy, check_host, check_port, check_url


class InvalidEndpoints(ValueError):
    """Endpoints the host guard refuses; ``errors`` names each field and why (answered as 400, in
    the same shape as the schema's own validation errors)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {"json": {"endpoints": errors}}
        super().__init__("Invalid request: " + "; ".join(f"endpoints.{f}: {m[0]}" for f, m in errors.items()))


def mail_host_policy(config: Config) -> HostPolicy:
    """The operator's SYNCLINE_ALLOWED_MAIL_HOSTS; production also requires https for DAV."""
    return HostPolicy.from_entries(config.allowed_mail_hosts, require_https=config.is_production)


def check_endpoints(endpoints: Mapping[str, Any], policy: HostPolicy) -> None:
    """Raise InvalidEndpoints naming every host or URL field the policy refuses."""
    errors: dict[str, list[str]] = {}
    for key, value in endpoints.items():
        try:
            if key.endswith("_url"):
                check_url(str(value), policy)
            elif key.endswith("_host"):
                service = key.removesuffix("_host")
                check_host(str(value), policy)
                port = endpoints.get(f"{service}_port")
                if port is not None:
                    check_port(int(port), service, str(value), policy)
        except ForbiddenHost as exc:
            errors[key] = [str(exc)]
    if errors:
        raise InvalidEndpoints(errors)
