"""OpenAPI: the error answers every operation can give, documented where they arise.

Views only declare their own special cases; the answers that follow from how an operation is
reached (a bearer token: 401/403, an id in the path: 404, a body: 413/415) are added here for
every operation, so the document never leaves them to `default`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apispec import BasePlugin

from schemas.base import ErrorSchema

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
BY_AUTH = {"401": "Missing, invalid or expired API token",
           "403": "Not allowed: an admin-only operation, or a disabled user"}
BY_PATH = {"404": "No such resource, or it belongs to another org or user"}
BY_BODY = {"413": "The request body is larger than the API accepts",
           "415": "The body was not sent as JSON: send it with 'Content-Type: application/json'"}


class ErrorResponsesPlugin(BasePlugin):
    """apispec plugin adding the implied error responses to each operation (never replacing one)."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            implied = {**(BY_AUTH if operation.get("security") else {}),
                       **(BY_PATH if "{" in (path or "") else {}),
                       **(BY_BODY if "requestBody" in operation else {})}
            responses = operation.setdefault("responses", {})
            for status, description in implied.items():
                responses.setdefault(status, {"description": description, "content": ERROR})


SALESFORCE_ANSWERS = {
    409: "Salesforce needs the user to sign in again (errors.salesforce = reauthorization_required), the org "
         "lacks one of Syncline's fields (setup_required), or its duplicate rules refused the record "
         "(duplicate: the message names the rule and the records it matched)",
    502: "Salesforce failed in a way the user cannot fix (errors.salesforce = error), or rejected a query "
         "Syncline built (malformed_request)",
    503: "Salesforce API use is paused for the org, or Salesforce did not answer in time (see Retry-After)",
}


def salesforce_answers(blp: Any) -> Callable[[Callable], Callable]:
    """Decorator for views that call Salesforce: documents what `salesforce_errors` can answer."""
    def document(view: Callable) -> Callable:
        for status, description in SALESFORCE_ANSWERS.items():
            view = blp.alt_response(status, schema=ErrorSchema, description=description)(view)
        return view

    return document
