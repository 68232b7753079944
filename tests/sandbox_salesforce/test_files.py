"""Salesforce Files in the emulator: a version creates its document and its first share."""
from __future__ import annotations

import base64


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_version_with_first_publish_location_is_shared_with_that_record(tenant):
    task = tenant.sf.Task.create({"Subject": "Email: hello"})["id"]
    version = tenant.sf.ContentVersion.create({"PathOnClient": "quote.pdf", "VersionData": _b64(b"%PDF-1.4 x"),
                                               "FirstPublishLocationId": task})["id"]
    stored = tenant.sf.query(f"SELECT Title, ContentDocumentId, ContentSize, FileExtension FROM ContentVersion "
                             f"WHERE Id = '{version}'")["records"][0]
    assert stored["Title"] == "quote" and stored["ContentSize"] == 10 and stored["FileExtension"] == "pdf"
    links = tenant.sf.query(f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{task}'")
    assert [r["ContentDocumentId"] for r in links["records"]] == [stored["ContentDocumentId"]]
    document = tenant.sf.query(f"SELECT LatestPublishedVersionId FROM ContentDocument "
                               f"WHERE Id = '{stored['ContentDocumentId']}'")["records"][0]
    assert document["LatestPublishedVersionId"] == version


def test_bad_base64_and_missing_path_are_refused_like_salesforce(tenant):
    bad = tenant.send("POST", "/sobjects/ContentVersion", json={"PathOnClient": "a.txt", "VersionData": "%%%"})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    missing = tenant.send("POST", "/sobjects/ContentVersion", json={"VersionData": _b64(b"x")})
    assert missing.status_code == 400 and missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    direct = tenant.send("POST", "/sobjects/ContentDocument", json={"Title": "x"})
    assert direct.status_code == 400
