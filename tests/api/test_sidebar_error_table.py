"""The one table that turns the core's errors into the sidebar's HTTP answers (tested as a table)."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import HTTPException

from app.api.sidebar_errors import abort_for, salesforce_errors
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.errors import translate
from app.sync import errors as core


@pytest.mark.parametrize("error, status, code", [
    (core.AuthFailure("revoked"), 409, "reauthorization_required"),
    (core.TemporaryFailure("REQUEST_LIMIT_EXCEEDED: paused", retry_after=41.2), 503, "temporary"),
    (core.TemporaryFailure("timeout: ReadTimeout"), 503, "temporary"),
    (core.InvalidData("400 REQUIRED_FIELD_MISSING: Required fields are missing: [Company]"), 400, "invalid"),
    (core.PermissionDenied("403 INSUFFICIENT_ACCESS_OR_READONLY: no"), 403, "permission"),
    (core.NotFound("404 NOT_FOUND: gone"), 404, "not_found"),
    (core.SetupRequired("Salesforce setup is incomplete for ann: …"), 409, "setup_required"),
    (core.Duplicate("400 DUPLICATES_DETECTED: Use one of these records?"), 409, "duplicate"),
    (core.MalformedRequest("400 MALFORMED_QUERY: unexpected token"), 502, "malformed_request"),
    (core.CursorExpired("old"), 502, "error"),          # no row of its own: its base class's row
])
def test_each_core_error_has_one_answer(error, status, code):
    with pytest.raises(HTTPException) as raised:
        abort_for(error)
    assert raised.value.code == status
    assert raised.value.data["errors"] == {"salesforce": [code]}


def test_salesforce_words_are_kept_without_our_prefix():
    with pytest.raises(HTTPException) as raised:
        abort_for(core.InvalidData("400 REQUIRED_FIELD_MISSING: Required fields are missing: [Company]"))
    assert raised.value.data["message"] == "Salesforce refused this: Required fields are missing: [Company]"


@pytest.mark.parametrize("error, seconds", [
    (core.TemporaryFailure("paused", retry_after=41.2), "42"), (core.TemporaryFailure("timeout"), "5")])
def test_a_temporary_failure_says_when_to_retry(error, seconds):
    with pytest.raises(HTTPException) as raised:
        abort_for(error)
    assert dict(raised.value.data["headers"])["Retry-After"] == seconds



@pytest.mark.parametrize("code, message", [
    ("MALFORMED_QUERY", "unexpected token: 'FROM'"),
    ("INVALID_FIELD", "No such column 'Shoe_Size__c' on entity 'Contact'. If you are attempting to use a custom field"),
])
def test_a_query_we_built_that_salesforce_rejects_is_502_not_the_users_fault(code, message):
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    refused = SalesforceMalformedRequest("https://x/services/data/v62.0/query", 400, "query",
                                         [{"errorCode": code, "message": message}])
    with pytest.raises(HTTPException) as raised, salesforce_errors(), salesforce_edge("Contact"):
        raise translate(refused)
    assert raised.value.code == 502 and raised.value.data["errors"] == {"salesforce": ["malformed_request"]}
    assert raised.value.data["message"] == f"Salesforce rejected a request Syncline built: {message}"
