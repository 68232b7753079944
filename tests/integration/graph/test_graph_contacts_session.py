"""The org's contact scope reaches the Graph adapter through the real session wiring (graph_ports):
under ``address_book`` only the named contact folder syncs, tagged or not."""
from __future__ import annotations


def test_the_address_book_scope_syncs_the_named_contact_folder_alone(world):
    answer = world.client.patch(f"/api/v1/orgs/{world.user.org_id}/settings", headers=world.headers,
                                json={"contacts_scope": "address_book", "contacts_address_book": "Clients"})
    assert answer.status_code == 200, answer.json
    contacts = world.fake.store.contacts
    clients = contacts.create_folder(world.address, "Clients")
    contacts.create_contact(world.address, {"givenName": "Ines", "surname": "Inside",
                                            "emailAddresses": [{"address": "ines@client.test"}]}, clients["id"])
    contacts.create_contact(world.address, {"givenName": "Tom", "surname": "Tagged", "categories": ["Salesforce"],
                                            "emailAddresses": [{"address": "tom@client.test"}]})
    record = world.sync()
    assert record.status == "succeeded", record.errors
    assert [c["LastName"] for c in world.emu.records(world.sf_org, "Contact")] == ["Inside"]
    assert [f["displayName"] for f in contacts.child_folders(world.address)] == ["Clients"]   # no Salesforce folder
