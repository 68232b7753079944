"""The Graph fake's contacts as Microsoft Learn documents them: folders under the default one,
a generated displayName, per-folder delta with ``@removed`` and 410, ``$filter`` and list paging."""
from __future__ import annotations


def _round(http, url, page=None):
    """Follow nextLinks to the deltaLink: (contacts, deltaLink, pages)."""
    headers = {"Prefer": f"odata.maxpagesize={page}"} if page else {}
    contacts, pages = [], 0
    while True:
        body = http.get(url, headers=headers).json()
        pages += 1
        contacts += body["value"]
        if "@odata.deltaLink" in body:
            return contacts, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]


def test_folders_are_created_under_the_default_one_and_found_by_name(fake, user, http):
    base = f"{fake.graph_url}/users/{user}/contactFolders"
    assert http.post(base, json={}).status_code == 400
    made = http.post(base, json={"displayName": "Salesforce"})
    assert made.status_code == 201
    assert made.json()["parentFolderId"] == fake.store.contacts.book(user).default_id
    assert http.post(base, json={"displayName": "salesforce"}).json()["error"]["code"] == "ErrorFolderExists"
    found = http.get(base, params={"$filter": "displayName eq 'SALESFORCE'", "$select": "id"}).json()["value"]
    assert found == [{"id": made.json()["id"]}]
    assert http.get(base, params={"$filter": "displayName eq 'Other'"}).json()["value"] == []
    assert http.get(f"{base}/nope").json()["error"]["code"] == "ErrorItemNotFound"
    assert http.get(f"{fake.graph_url}/users/nobody@contoso.test/contacts").status_code == 404


def test_a_folder_delta_pages_then_reports_edits_and_removals_and_410_once_expired(fake, user, http):
    folder = fake.store.contacts.create_folder(user, "Salesforce")
    ids = [fake.store.contacts.create_contact(user, {"givenName": f"G{n}", "surname": "S"}, folder["id"])["id"]
           for n in range(5)]
    fake.store.contacts.create_contact(user, {"givenName": "Default", "surname": "Folder"})
    url = f"{fake.graph_url}/users/{user}/contactFolders/{folder['id']}/contacts/delta?$select=displayName"
    contacts, link, pages = _round(http, url, page=2)
    assert sorted(c["id"] for c in contacts) == sorted(ids) and pages == 3
    assert contacts[0]["displayName"] == "G0 S" and "surname" not in contacts[0]
    fake.store.contacts.update_contact(user, ids[0], {"surname": "T"})
    fake.store.contacts.delete_contact(user, ids[1])
    changes, link, _ = _round(http, link)
    assert [(c["id"], c.get("displayName"), c.get("@removed")) for c in changes] == [
        (ids[0], "G0 T", None), (ids[1], None, {"reason": "deleted"})]
    fake.store.expire_delta_tokens()
    gone = http.get(link)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "syncStateNotFound"


def test_lists_filter_by_category_and_extended_property_and_page_with_skip(fake, user, http):
    prop = "String {00020329-0000-0000-C000-000000000046} Name SynclineKey"
    for n in range(12):
        fake.store.contacts.create_contact(user, {"surname": f"S{n}", "categories": ["Salesforce"] if n < 3 else [],
                                                  "singleValueExtendedProperties": [{"id": prop, "value": f"k{n}"}]})
    url = f"{fake.graph_url}/users/{user}/contacts"
    first = http.get(url).json()
    assert len(first["value"]) == 10 and len(http.get(first["@odata.nextLink"]).json()["value"]) == 2
    tagged = http.get(url, params={"$filter": "categories/any(a:a eq 'Salesforce')"}).json()["value"]
    assert [c["surname"] for c in tagged] == ["S0", "S1", "S2"]
    keyed = http.get(url, params={"$filter": f"singleValueExtendedProperties/any(ep: ep/id eq '{prop}' and "
                                             "ep/value eq 'k7')", "$expand": f"singleValueExtendedProperties("
                                             f"$filter=id eq '{prop}')"}).json()["value"]
    assert [(c["surname"], c["singleValueExtendedProperties"][0]["value"]) for c in keyed] == [("S7", "k7")]
