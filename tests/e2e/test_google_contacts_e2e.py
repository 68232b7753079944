"""Google contacts through the REAL worker process: Google fake (People API) ⇄ `python -m app worker` ⇄
Salesforce emulator, in the default contact scope (the Salesforce label; its members always sync)."""
from __future__ import annotations

from sandbox.google.contacts_store import CONTACTS_SCOPES
from sandbox.google.store import CALENDAR_SCOPES
from tests.e2e.helpers import force_sync
from tests.e2e.test_google_worker_e2e import _workspace_user


def _members(books, user: str, group_name: str) -> set[str]:
    [group] = [g["resourceName"] for g in books.groups(user) if g["name"] == group_name]
    return {p["resourceName"] for p in books.listing(user, None)
            if any(m["contactGroupMembership"]["contactGroupResourceName"] == group for m in p["memberships"])}


def test_labelled_google_contacts_mirror_salesforce_contacts_both_ways_through_expiry(e2e, factory):
    ann = _workspace_user(e2e, factory, scopes=CALENDAR_SCOPES | CONTACTS_SCOPES)
    books, address = e2e.google.store.contacts, ann.user.email
    label = books.create_group(address, "Salesforce")["resourceName"]
    cleo = books.create(address, {
        "names": [{"givenName": "Cleo", "familyName": "Client"}], "emailAddresses": [{"value": "cleo@client.test"}],
        "phoneNumbers": [{"value": "+1 555 0100", "type": "work"}], "organizations": [{"name": "Client Co"}],
        "memberships": [{"contactGroupMembership": {"contactGroupResourceName": label}}]})
    books.create(address, {"names": [{"givenName": "Fred", "familyName": "Friend"}],
                           "emailAddresses": [{"value": "fred@home.test"}]})
    first = force_sync(ann)
    assert first["status"] == "succeeded" and first["errors"] == [], first
    [sf_cleo] = e2e.emu.records(ann.sf_org, "Contact")
    assert (sf_cleo["FirstName"], sf_cleo["LastName"], sf_cleo["Email"], sf_cleo["Phone"]) == (
        "Cleo", "Client", "cleo@client.test", "+1 555 0100")
    assert "not in the contact scope" in str(first["counts"]["contacts"]["skipped_because"])

    e2e.emu.update(ann.sf_org, "Contact", sf_cleo["Id"], {"Title": "Head of Buying", "Phone": "+1 555 0111"})
    e2e.emu.insert(ann.sf_org, "Contact", {"FirstName": "Sam", "LastName": "Salesforce", "OwnerId": ann.sf_user,
                                           "Email": "sam@partner.test"})
    assert force_sync(ann)["status"] == "succeeded"
    now = books.get(address, cleo["resourceName"])
    assert (now["organizations"][0]["title"], now["phoneNumbers"][0]["value"]) == ("Head of Buying", "+1 555 0111")
    [sam] = [p for p in books.listing(address, None) if p["names"][0].get("familyName") == "Salesforce"]
    assert sam["emailAddresses"][0]["value"] == "sam@partner.test"
    assert _members(books, address, "Salesforce") == {cleo["resourceName"], sam["resourceName"]}
    assert {"batchCreateContacts", "batchUpdateContacts"} <= set(books.batch_calls)

    books.delete(address, cleo["resourceName"])          # reported by the sync token as metadata.deleted
    assert force_sync(ann)["status"] == "succeeded"
    assert [c["LastName"] for c in e2e.emu.records(ann.sf_org, "Contact")] == ["Salesforce"]
    books.expire_sync_tokens()                           # Sam deleted while no sync token is valid
    books.delete(address, sam["resourceName"])
    assert force_sync(ann)["status"] == "succeeded"
    assert e2e.emu.records(ann.sf_org, "Contact") == []

    quiet = force_sync(ann)
    assert quiet["status"] == "succeeded" and quiet["errors"] == [], quiet
    assert not any(n for kind in quiet["counts"].values() if isinstance(kind, dict)
                   for n in kind.values() if isinstance(n, int)), quiet["counts"]
