"""The org's Salesforce schema (describe) for API validation, in the sync core's format."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.models import User
from app.runtime import Runtime
from app.services.sidebar_salesforce import sidebar_port


def describer_for(rt: Runtime, user: User) -> Callable[[str], Mapping[str, Any] | None]:
    """Describe with the user's own connection, else the org's default; None for unknown objects.

    Raises the core's AuthFailure / TemporaryFailure for the caller to report.
    """
    return sidebar_port(rt, user).describe
