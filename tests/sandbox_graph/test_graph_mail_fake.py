"""The Graph fake's mail routes answer as Microsoft Learn documents: per-folder message delta
(paging, ``@removed`` on a move out, the one supported ``$filter``, 410), the category filter on
``/messages``, ``$select`` (headers only when asked), folders and master categories."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.sandbox_graph.test_graph_fake import _round


def test_message_delta_pages_then_reports_a_move_out_as_removed_and_a_move_in_as_added(fake, user, http):
    mail = fake.store.mail
    ids = [mail.deliver(user, "inbox", subject=f"m{i}")["id"] for i in range(3)]
    url = f"{fake.graph_url}/users/{user}/mailFolders/inbox/messages/delta"
    messages, link, pages = _round(http, url, {"$select": "subject,categories"}, page=2)
    assert sorted(m["id"] for m in messages) == sorted(ids) and pages == 2
    assert set(messages[0]) == {"@odata.type", "@odata.etag", "id", "subject", "categories"}
    archive = mail.folder_id(user, "archive")
    mail.move(user, ids[0], archive)
    changes, _, _ = _round(http, link)
    assert [(m["id"], m.get("@removed")) for m in changes] == [(ids[0], {"reason": "deleted"})]
    moved_in, _, _ = _round(http, f"{fake.graph_url}/users/{user}/mailFolders/{archive}/messages/delta")
    assert [m["id"] for m in moved_in] == [ids[0]]


def test_message_delta_takes_only_a_received_date_filter_and_forgets_expired_tokens(fake, user, http):
    mail = fake.store.mail
    mail.deliver(user, "sentitems", subject="old", sent=datetime.now(UTC) - timedelta(days=90))
    recent = mail.deliver(user, "sentitems", subject="recent")
    url = f"{fake.graph_url}/users/{user}/mailFolders/sentitems/messages/delta"
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    messages, link, _ = _round(http, url, {"$filter": f"receivedDateTime ge {since}"})
    assert [m["id"] for m in messages] == [recent["id"]]
    refused = http.get(url, params={"$filter": "categories/any(c:c eq 'Salesforce')"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "ErrorInvalidUrlQueryFilter"
    mail.expire_delta_tokens()
    answer = http.get(link)
    assert answer.status_code == 410 and answer.json()["error"]["code"] == "syncStateNotFound"


def test_messages_filter_by_category_and_headers_come_only_when_selected(fake, user, http):
    mail = fake.store.mail
    tagged = mail.deliver(user, "inbox", subject="tagged", categories=("Salesforce",), headers={"X-Syncline-Save": "m1"})
    mail.deliver(user, "inbox", subject="plain")
    url = f"{fake.graph_url}/users/{user}/messages"
    listed = http.get(url, params={"$filter": "categories/any(c:c eq 'Salesforce')", "$select": "subject"}).json()
    assert [m["id"] for m in listed["value"]] == [tagged["id"]]
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    none = http.get(url, params={"$filter": f"categories/any(c:c eq 'Salesforce') and lastModifiedDateTime ge {later}"})
    assert none.json()["value"] == []
    plain = http.get(f"{url}/{tagged['id']}").json()
    assert "internetMessageHeaders" not in plain and plain["body"]["content"] == ""
    headers = http.get(f"{url}/{tagged['id']}", params={"$select": "internetMessageHeaders"}).json()
    assert {"name": "X-Syncline-Save", "value": "m1"} in headers["internetMessageHeaders"]
    unknown = http.get(f"{url}/{tagged['id']}", params={"$select": "nonsense"})
    assert unknown.status_code == 400 and "nonsense" in unknown.json()["error"]["message"]


def test_a_body_comes_in_the_format_the_prefer_header_asks_for(fake, user, http):
    mail = fake.store.mail
    styled = mail.deliver(user, "inbox", subject="styled", content_type="html",
                          body="<html><head><style>p {margin:0}</style></head><body><p>Our &amp; offer</p></body></html>")
    typed = mail.deliver(user, "inbox", subject="typed", body="Line one\nLine <two>")
    url = f"{fake.graph_url}/users/{user}/messages"
    def body(message: dict, prefer: str | None) -> dict:
        return http.get(f"{url}/{message['id']}", headers={"Prefer": prefer} if prefer else {}).json()["body"]
    assert body(styled, None)["contentType"] == "html" and "<p>Our &amp; offer</p>" in body(styled, None)["content"]
    assert body(styled, 'outlook.body-content-type="text"') == {"contentType": "text", "content": "Our & offer"}
    assert styled["bodyPreview"] == "Our & offer"
    as_html = body(typed, 'IdType="ImmutableId", outlook.body-content-type="html"')
    assert as_html["contentType"] == "html" and "Line one<br>" in as_html["content"] and "Line &lt;two&gt;" in as_html["content"]
    assert body(typed, 'outlook.body-content-type="text"')["content"] == "Line one\nLine <two>"


def test_folders_and_master_categories_are_created_once(fake, user, http):
    folders = f"{fake.graph_url}/users/{user}/mailFolders"
    created = http.post(folders, json={"displayName": "Salesforce"})
    assert created.status_code == 201 and created.json()["displayName"] == "Salesforce"
    again = http.post(folders, json={"displayName": "salesforce"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "ErrorFolderExists"
    assert "Salesforce" in [f["displayName"] for f in http.get(folders).json()["value"]]
    categories = f"{fake.graph_url}/users/{user}/outlook/masterCategories"
    assert http.post(categories, json={"displayName": "Salesforce", "color": "preset7"}).status_code == 201
    assert http.post(categories, json={"displayName": "Salesforce"}).status_code == 409
    assert [c["displayName"] for c in http.get(categories).json()["value"]] == ["Salesforce"]
