"""Office 365 contacts through the REAL worker process: Graph fake ⇄ `python -m app worker` ⇄
Salesforce emulator, in the default contact scope (the Salesforce folder plus tagged contacts)."""
from __future__ import annotations

from tests.e2e.helpers import force_sync
from tests.e2e.test_graph_worker_e2e import _office365_user


def test_tagged_office365_contacts_mirror_salesforce_contacts_both_ways(e2e, factory):
    ann = _office365_user(e2e, factory)
    contacts, address = e2e.graph.store.contacts, ann.user.email
    cleo = contacts.create_contact(address, {
        "givenName": "Cleo", "surname": "Client", "companyName": "Client Co", "categories": ["Salesforce"],
        "emailAddresses": [{"address": "cleo@client.test", "name": "Cleo Client"}], "businessPhones": ["+1 555 0100"]})
    contacts.create_contact(address, {"givenName": "Fred", "surname": "Friend",
                                      "emailAddresses": [{"address": "fred@home.test"}]})
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
    book = contacts.book(address)
    assert (book.contacts[cleo["id"]]["jobTitle"], book.contacts[cleo["id"]]["businessPhones"]) == (
        "Head of Buying", ["+1 555 0111"])
    [folder] = [f for f in contacts.child_folders(address) if f["displayName"] == "Salesforce"]
    [sam] = [c for c in book.contacts.values() if c["surname"] == "Salesforce"]
    assert sam["parentFolderId"] == folder["id"] and sam["emailAddresses"][0]["address"] == "sam@partner.test"

    contacts.delete_contact(address, cleo["id"])    # reported by delta as @removed
    assert force_sync(ann)["status"] == "succeeded"
    assert [c["LastName"] for c in e2e.emu.records(ann.sf_org, "Contact")] == ["Salesforce"]
    e2e.graph.store.expire_delta_tokens()           # Sam deleted while no delta token is valid: a full resync
    contacts.delete_contact(address, sam["id"])
    assert force_sync(ann)["status"] == "succeeded"
    assert e2e.emu.records(ann.sf_org, "Contact") == []

    quiet = force_sync(ann)
    assert quiet["status"] == "succeeded" and quiet["errors"] == [], quiet
    assert not any(n for kind in quiet["counts"].values() if isinstance(kind, dict)
                   for n in kind.values() if isinstance(n, int)), quiet["counts"]
