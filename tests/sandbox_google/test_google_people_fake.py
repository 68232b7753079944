"""The fake's People API behaves as Google documents it: personFields required, paging to a
nextSyncToken only when asked for, sync tokens reporting deletions as metadata.deleted and expiring
with 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN, etags required and checked, batch limits, and the
contacts scope required."""
from __future__ import annotations

import pytest
import requests

from sandbox.google.contacts_store import CONTACTS_SCOPES
from tests.sandbox_google.conftest import assertion, token_answer

CONTACTS = "https://www.googleapis.com/auth/contacts"


@pytest.fixture(scope="module")
def people_key(fake) -> dict:
    return fake.store.register_service_account("people-fake@project.iam.gserviceaccount.com", scopes=CONTACTS_SCOPES)


@pytest.fixture
def people(fake, people_key, user) -> requests.Session:
    answer = token_answer(fake, assertion(people_key, sub=user, scope=CONTACTS))
    assert answer.status_code == 200, answer.text
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
    return session


def _create(fake, people, *names: str) -> list[dict]:
    answer = people.post(fake.api_root + "v1/people:batchCreateContacts", json={
        "contacts": [{"contactPerson": {"names": [{"givenName": n}]}} for n in names], "readMask": "names"})
    assert answer.status_code == 200, answer.text
    return [r["person"] for r in answer.json()["createdPeople"]]


def _connections(fake, people, **params) -> requests.Response:
    return people.get(fake.api_root + "v1/people/me/connections", params={"personFields": "names", **params})


def test_connections_page_to_a_sync_token_that_reports_deletions_and_expires(fake, people):
    made = _create(fake, people, "Ann", "Bob", "Cy")
    first = _connections(fake, people, pageSize=2, requestSyncToken="true").json()
    assert len(first["connections"]) == 2 and "nextSyncToken" not in first
    last = _connections(fake, people, pageSize=2, requestSyncToken="true", pageToken=first["nextPageToken"]).json()
    assert len(last["connections"]) == 1 and last["nextSyncToken"]
    assert "nextSyncToken" not in _connections(fake, people).json()           # only when requested
    deleted = people.post(fake.api_root + "v1/people:batchDeleteContacts",
                          json={"resourceNames": [made[1]["resourceName"]]})
    assert deleted.status_code == 200, deleted.text
    changes = _connections(fake, people, syncToken=last["nextSyncToken"], requestSyncToken="true").json()
    assert [(p["resourceName"], p["metadata"].get("deleted")) for p in changes["connections"]] == [
        (made[1]["resourceName"], True)]
    fake.store.contacts.expire_sync_tokens()
    expired = _connections(fake, people, syncToken=changes["nextSyncToken"])
    error = expired.json()["error"]
    assert expired.status_code == 400 and error["status"] == "FAILED_PRECONDITION"
    assert [d["reason"] for d in error["details"]] == ["EXPIRED_SYNC_TOKEN"]


def test_bad_requests_are_refused_with_googles_json_errors(fake, people, http):
    [person] = _create(fake, people, "Dee")
    missing = people.get(fake.api_root + "v1/people/me/connections")
    assert missing.status_code == 400 and "personFields" in missing.json()["error"]["message"]
    update = fake.api_root + "v1/people:batchUpdateContacts"
    stale = people.post(update, json={"contacts": {person["resourceName"]: {"etag": "%old", "names": []}},
                                      "updateMask": "names", "readMask": "names"})
    assert stale.status_code == 400 and stale.json()["error"]["status"] == "FAILED_PRECONDITION"
    no_mask = people.post(update, json={"contacts": {person["resourceName"]: {"etag": person["etag"]}},
                                        "readMask": "names"})
    assert no_mask.status_code == 400 and "updatePersonFields" in no_mask.json()["error"]["message"]
    no_read_mask = people.post(update, json={"contacts": {person["resourceName"]: {"etag": person["etag"]}},
                                             "updateMask": "names"})
    assert no_read_mask.status_code == 400 and "readMask" in no_read_mask.json()["error"]["message"]
    too_many = people.post(fake.api_root + "v1/people:batchCreateContacts",
                           json={"contacts": [{"contactPerson": {}}] * 201, "readMask": "names"})
    assert too_many.status_code == 400
    unknown = people.post(fake.api_root + "v1/people:batchDeleteContacts", json={"resourceNames": ["people/c0"]})
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"
    calendar_only = http.get(fake.api_root + "v1/people/me/connections", params={"personFields": "names"})
    assert calendar_only.status_code == 403 and calendar_only.json()["error"]["status"] == "PERMISSION_DENIED"
