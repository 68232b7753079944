"""The Graph adapter's contacts against the fake: the contact scope as folders (the Salesforce folder
created when missing, plus the default folder), per-folder delta rounds, field mapping, writes in
``$batch``, sync-key recovery and an expired delta token."""
from __future__ import annotations

import json

import pytest

from app.providers.graph import ContactScope, build_graph_mailbox
from app.sync.errors import CursorExpired
from app.sync.items import ContactItem, FolderKind
from app.sync.ports import ItemPatch
from tests.integration.graph.conftest import WINDOW, graph_settings

CONTACTS = FolderKind.CONTACTS
SALESFORCE = ContactScope("Salesforce", with_default=True)


@pytest.fixture
def scoped(graph_fake, graph_user):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, contacts=SALESFORCE)
    yield mailbox
    mailbox.close()


def _person(given: str, surname: str, email: str, **extra) -> dict:
    return {"givenName": given, "surname": surname, "emailAddresses": [{"address": email, "name": given}], **extra}


def _folder(fake, user: str, name: str) -> dict | None:
    return next((f for f in fake.store.contacts.child_folders(user) if f["displayName"] == name), None)


def test_the_salesforce_folder_is_created_and_read_with_the_default_folder(graph_fake, graph_user, scoped):
    contacts = graph_fake.store.contacts
    tagged = contacts.create_contact(graph_user, _person("Tess", "Tagged", "tess@fabrikam.test",
                                                         categories=["Salesforce"]))
    untagged = contacts.create_contact(graph_user, _person("Una", "Untagged", "una@fabrikam.test"))
    listing = scoped.changes_since(CONTACTS, None)
    folder = _folder(graph_fake, graph_user, "Salesforce")
    assert folder is not None and folder["parentFolderId"] == contacts.book(graph_user).default_id
    inside = contacts.create_contact(graph_user, _person("Ian", "Inside", "ian@fabrikam.test"), folder["id"])
    assert listing.full and {i.item_id: i.in_scope_book for i in listing.items} == {
        tagged["id"]: False, untagged["id"]: False}     # the core keeps the default folder's tagged ones
    later = scoped.changes_since(CONTACTS, listing.cursor)
    assert not later.full and [(i.item_id, i.in_scope_book) for i in later.items] == [(inside["id"], True)]
    assert scoped.changes_since(CONTACTS, later.cursor).items == ()
    again = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, contacts=SALESFORCE)
    again.changes_since(CONTACTS, None)
    assert [f["displayName"] for f in contacts.child_folders(graph_user)] == ["Salesforce"]   # found, not re-made
    again.close()


def test_a_contact_reads_as_the_vcard_reader_would(graph_fake, graph_user, scoped):
    graph_fake.store.contacts.create_contact(graph_user, {
        "givenName": "Jane", "surname": "Doe", "displayName": "Dr. Jane Doe", "companyName": "Fabrikam",
        "jobTitle": "CTO", "department": "R&D", "mobilePhone": "+1 555 0101", "homePhones": ["+1 555 0199"],
        "emailAddresses": [{"address": " jane@fabrikam.test ", "name": "Jane"}, {"address": "jd@home.test"}],
        "homeAddress": {"street": "1 Main St\nSuite 2", "city": "Springfield", "state": "IL", "postalCode": "62701",
                        "countryOrRegion": "USA"},
        "personalNotes": "met at the fair", "categories": ["Salesforce", "VIP"], "birthday": "1980-02-01T11:59:00Z"})
    [jane] = scoped.changes_since(CONTACTS, None).items
    assert isinstance(jane, ContactItem)
    assert (jane.given_name, jane.surname, jane.display_name, jane.email, jane.company, jane.job_title,
            jane.department) == ("Jane", "Doe", "Dr. Jane Doe", "jane@fabrikam.test", "Fabrikam", "CTO", "R&D")
    assert (jane.business_phone, jane.mobile_phone) == ("+1 555 0199", "+1 555 0101")   # no business phone: home
    assert (jane.street, jane.city, jane.state, jane.postal_code, jane.country) == (
        "1 Main St\nSuite 2", "Springfield", "IL", "62701", "USA")                    # no business address: home
    assert (jane.notes, jane.categories, bool(jane.version), jane.modified_at is not None) == (
        "met at the fair", ("Salesforce", "VIP"), True, True)


def test_delta_pages_then_reports_edits_and_deletions(graph_fake, graph_user, scoped):
    contacts = graph_fake.store.contacts
    ids = [contacts.create_contact(graph_user, _person(f"P{n}", "Tagged", f"p{n}@fabrikam.test",
                                                       categories=["Salesforce"]))["id"] for n in range(130)]
    full = scoped.changes_since(CONTACTS, None)
    assert sorted(i.item_id for i in full.items) == sorted(ids)
    contacts.update_contact(graph_user, ids[0], {"jobTitle": "Buyer"})
    contacts.delete_contact(graph_user, ids[1])
    delta = scoped.changes_since(CONTACTS, full.cursor)
    assert [(i.item_id, i.job_title) for i in delta.items] == [(ids[0], "Buyer")]
    assert delta.deleted_ids == (ids[1],) and not delta.full
    quiet = scoped.changes_since(CONTACTS, delta.cursor)
    assert (quiet.items, quiet.deleted_ids) == ((), ())


def test_writes_land_in_the_salesforce_folder_in_batches_and_are_found_by_sync_key(graph_fake, graph_user, scoped):
    contacts = graph_fake.store.contacts
    items = [ContactItem(item_id="", given_name=f"New{n}", surname="Lead", email=f"new{n}@fabrikam.test",
                         business_phone="+1 555 0000", street="5 Side Rd", city="Austin", country="USA",
                         categories=("Salesforce",), sync_key=f"key-{n}") for n in range(25)]
    results = scoped.create_items(CONTACTS, items)
    assert all(r.ok and r.version for r in results)
    assert scoped.http.calls == 4       # the folder lookup and creation, two $batch calls (25 creates)
    folder = _folder(graph_fake, graph_user, "Salesforce")
    stored = contacts.book(graph_user).contacts[results[0].target_id]
    assert (stored["parentFolderId"], stored["displayName"], stored["businessAddress"]["city"]) == (
        folder["id"], "New0 Lead", "Austin")
    found = scoped.find_by_sync_keys(CONTACTS, ["key-3", "key-unknown"])
    assert list(found) == ["key-3"] and found["key-3"].item_id == results[3].target_id
    assert found["key-3"].sync_key == "key-3" and found["key-3"].in_scope_book


def test_an_update_patches_only_what_changed_and_keeps_what_the_core_does_not_map(graph_fake, graph_user, scoped):
    contacts = graph_fake.store.contacts
    made = contacts.create_contact(graph_user, _person("Ann", "Old", "ann@fabrikam.test", displayName="Annie Old",
                                                       businessPhones=["+1 1", "+1 2"], birthday="1970-01-01T00:00:00Z",
                                                       emailAddresses=[{"address": "ann@fabrikam.test"},
                                                                       {"address": "ann@home.test"}]))
    first_version = made["changeKey"]
    [result] = scoped.update_items(CONTACTS, [ItemPatch(made["id"], {
        "surname": "New", "email": "ann@contoso.test", "business_phone": "+1 9", "city": "Paris"})])
    assert result.ok and result.version != first_version
    now = contacts.book(graph_user).contacts[made["id"]]
    assert (now["surname"], now["displayName"], now["businessPhones"], now["birthday"]) == (
        "New", "Ann New", ["+1 9", "+1 2"], "1970-01-01T00:00:00Z")
    assert now["emailAddresses"] == [{"address": "ann@contoso.test", "name": "Ann New"}, {"address": "ann@home.test"}]
    assert now["businessAddress"]["city"] == "Paris"
    [unchanged] = scoped.update_items(CONTACTS, [ItemPatch(made["id"], {"uid": "ignored"})])
    assert unchanged.ok and unchanged.version == now["changeKey"]
    [missing] = scoped.update_items(CONTACTS, [ItemPatch("AAMkAGI2-gone", {"surname": "X"})])
    assert not missing.ok and missing.error_code == "not_found"


def test_deletes_and_a_contact_already_gone(graph_fake, graph_user, scoped):
    made = graph_fake.store.contacts.create_contact(graph_user, _person("Del", "Me", "del@fabrikam.test"))
    assert [r.ok for r in scoped.delete_items(CONTACTS, [made["id"], "AAMkAGI2-gone"])] == [True, True]
    assert scoped.get_items(CONTACTS, [made["id"]]) == []


def test_an_expired_delta_token_is_cursor_expired_and_the_full_listing_lacks_the_gap_deletion(
        graph_fake, graph_user, scoped):
    contacts = graph_fake.store.contacts
    kept = contacts.create_contact(graph_user, _person("Kept", "One", "kept@fabrikam.test", categories=["Salesforce"]))
    gone = contacts.create_contact(graph_user, _person("Gone", "One", "gone@fabrikam.test", categories=["Salesforce"]))
    first = scoped.changes_since(CONTACTS, None)
    graph_fake.store.expire_delta_tokens()
    contacts.delete_contact(graph_user, gone["id"])
    with pytest.raises(CursorExpired):
        scoped.changes_since(CONTACTS, first.cursor)
    full = scoped.changes_since(CONTACTS, None)
    assert full.full and [i.item_id for i in full.items] == [kept["id"]]
    assert scoped.get_items(CONTACTS, [gone["id"], kept["id"]])[0].item_id == kept["id"]   # how the core finds it gone


def test_a_cursor_of_other_folders_or_another_host_starts_over(graph_fake, graph_user, scoped):
    cursor = scoped.changes_since(CONTACTS, None).cursor
    named = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, contacts=ContactScope("Clients", False))
    with pytest.raises(CursorExpired):
        named.changes_since(CONTACTS, cursor)
    forged = {path: "https://elsewhere.test/v1.0" + path for path in json.loads(cursor)}
    with pytest.raises(CursorExpired):
        scoped.changes_since(CONTACTS, json.dumps(forged))
    named.close()


def test_the_address_book_scope_reads_the_named_folder_alone(graph_fake, graph_user):
    contacts = graph_fake.store.contacts
    clients = contacts.create_folder(graph_user, "Clients")
    inside = contacts.create_contact(graph_user, _person("In", "Clients", "in@fabrikam.test"), clients["id"])
    contacts.create_contact(graph_user, _person("Out", "Default", "out@fabrikam.test", categories=["Salesforce"]))
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, contacts=ContactScope("Clients", False))
    assert [(i.item_id, i.in_scope_book) for i in mailbox.changes_since(CONTACTS, None).items] == [
        (inside["id"], True)]
    [made] = mailbox.create_items(CONTACTS, [ContactItem(item_id="", surname="From SF", sync_key="k-1")])
    assert contacts.book(graph_user).contacts[made.target_id]["parentFolderId"] == clients["id"]
    mailbox.close()


def test_the_category_scope_reads_the_default_folder(graph_fake, graph_user, graph_mailbox):
    contacts = graph_fake.store.contacts
    mine = contacts.create_contact(graph_user, _person("Def", "Ault", "def@fabrikam.test"))
    contacts.create_contact(graph_user, _person("Else", "Where", "else@fabrikam.test"),
                            contacts.create_folder(graph_user, "Private")["id"])
    listing = graph_mailbox.changes_since(CONTACTS, None)
    assert [i.item_id for i in listing.items] == [mine["id"]]
    assert graph_mailbox.changes_since(CONTACTS, listing.cursor).items == ()
