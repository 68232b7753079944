"""GoogleContacts against the Google fake's People API: sync tokens and their expiry (deletions made in
the gap found), labels as the contact scope, field mapping, batch writes with etags, sync keys in
clientData, and a domain that did not grant the contacts scope."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.providers.google import API_ROOT, GroupScope, build_google_mailbox
from app.providers.google import contacts as google_contacts
from app.providers.google.mailbox import people_api_root
from app.sync.errors import CursorExpired, FolderUnavailable, InvalidData, TemporaryFailure
from app.sync.items import ContactItem, FolderKind
from app.sync.ports import ItemPatch
from sandbox.google.contacts_store import CONTACTS_SCOPES
from sandbox.google.store import CALENDAR_SCOPES
from tests.integration.google_workspace.conftest import WINDOW, google_settings

CON = FolderKind.CONTACTS
SALESFORCE = GroupScope("Salesforce")


@pytest.fixture(scope="module")
def people_key(google_fake) -> dict:
    return google_fake.store.register_service_account("people@project.iam.gserviceaccount.com",
                                                      scopes=CALENDAR_SCOPES | CONTACTS_SCOPES)


@pytest.fixture
def open_mailbox(google_fake, people_key, google_user):
    opened = []

    def open_(scope: GroupScope = SALESFORCE):
        mailbox = build_google_mailbox(google_settings(google_fake, people_key), google_user, WINDOW, contacts=scope)
        opened.append(mailbox)
        return mailbox
    yield open_
    for mailbox in opened:
        mailbox.close()


def _group(books, user: str, name: str) -> str:
    found = [g["resourceName"] for g in books.groups(user) if g["name"] == name]
    return found[0] if found else books.create_group(user, name)["resourceName"]


def _person(given: str, family: str, email: str, *groups: str, **extra) -> dict:
    return {"names": [{"givenName": given, "familyName": family}], "emailAddresses": [{"value": email}],
            "memberships": [{"contactGroupMembership": {"contactGroupResourceName": g}} for g in groups], **extra}


def test_a_listing_maps_people_and_labels_and_the_next_round_reports_changes_and_deletions(
        google_fake, open_mailbox, google_user, monkeypatch):
    monkeypatch.setattr(google_contacts, "PAGE_SIZE", 2)
    books = google_fake.store.contacts
    friends = _group(books, google_user, "Friends")
    cleo = books.create(google_user, _person(
        "Cleo", "Client", "cleo@client.test", friends,
        phoneNumbers=[{"value": "+1 555 0199", "type": "home"}, {"value": "+1 555 0100", "type": "work"},
                      {"value": "+1 555 0101", "type": "mobile"}],
        organizations=[{"name": "Client Co", "title": "Buyer", "department": "Purchasing"}],
        addresses=[{"streetAddress": "1 Home Rd", "city": "Hometown", "type": "home"},
                   {"streetAddress": "2 Work St", "city": "Berlin", "region": "BE", "postalCode": "10115",
                    "country": "Germany", "type": "work"}],
        biographies=[{"value": "Met at the fair"}]))
    fred = books.create(google_user, _person("Fred", "Friend", "fred@home.test"))
    gone = books.create(google_user, _person("Gus", "Gone", "gus@gone.test"))
    mailbox = open_mailbox()
    first = mailbox.changes_since(CON, None)
    assert first.full and sorted(i.item_id for i in first.items) == sorted(p["resourceName"] for p in (cleo, fred, gone))
    read = {i.item_id: i for i in first.items}[cleo["resourceName"]]
    assert (read.given_name, read.surname, read.email, read.business_phone, read.mobile_phone) == (
        "Cleo", "Client", "cleo@client.test", "+1 555 0100", "+1 555 0101")
    assert (read.company, read.job_title, read.department, read.notes) == ("Client Co", "Buyer", "Purchasing",
                                                                          "Met at the fair")
    assert (read.street, read.city, read.state, read.postal_code, read.country) == (
        "2 Work St", "Berlin", "BE", "10115", "Germany")
    assert read.categories == ("Friends",) and not read.in_scope_book and read.version == cleo["etag"]
    assert any(g["name"] == "Salesforce" for g in books.groups(google_user))      # the scope's label was created

    books.modify_members(google_user, _group(books, google_user, "Salesforce"), [fred["resourceName"]], [])
    books.delete(google_user, gone["resourceName"])
    second = mailbox.changes_since(CON, first.cursor)
    assert not second.full
    assert [(i.item_id, i.in_scope_book, i.categories) for i in second.items] == [
        (fred["resourceName"], True, ("Salesforce",))]
    assert second.deleted_ids == (gone["resourceName"],)
    assert mailbox.changes_since(CON, second.cursor).items == ()


def test_an_expired_sync_token_is_cursor_expired_and_get_items_omits_contacts_deleted_in_the_gap(
        google_fake, open_mailbox, google_user):
    books = google_fake.store.contacts
    kept = books.create(google_user, _person("Kim", "Kept", "kim@kept.test"))
    gone = books.create(google_user, _person("Gil", "Gone", "gil@gone.test"))
    mailbox = open_mailbox()
    cursor = mailbox.changes_since(CON, None).cursor
    books.delete(google_user, gone["resourceName"])
    books.expire_sync_tokens()
    with pytest.raises(CursorExpired):
        mailbox.changes_since(CON, cursor)
    again = mailbox.changes_since(CON, None)
    assert [i.item_id for i in again.items] == [kept["resourceName"]]
    assert [i.item_id for i in mailbox.get_items(CON, [kept["resourceName"], gone["resourceName"]])] == [
        kept["resourceName"]]


def test_writes_go_in_batches_carry_the_sync_key_and_etag_and_keep_what_the_core_does_not_map(
        google_fake, open_mailbox, google_user):
    books = google_fake.store.contacts
    mailbox = open_mailbox()
    calls = len(books.batch_calls)
    made = mailbox.create_items(CON, [
        ContactItem("", given_name="Sam", surname="Seller", email="sam@partner.test", company="Partner Ltd",
                    business_phone="+44 20 0000", categories=("VIP",), sync_key="sf-sam"),
        ContactItem("", surname="Solo", sync_key="sf-solo")])
    assert all(r.ok for r in made), made
    assert books.batch_calls[calls:] == ["batchCreateContacts"]
    sam = books.get(google_user, made[0].target_id)
    groups = {g["resourceName"]: g["name"] for g in books.groups(google_user)}
    assert sorted(groups[m["contactGroupMembership"]["contactGroupResourceName"]] for m in sam["memberships"]) == [
        "Salesforce", "VIP", "myContacts"]
    found = mailbox.find_by_sync_keys(CON, ["sf-sam", "sf-solo", "sf-none"])
    assert sorted(found) == ["sf-sam", "sf-solo"] and found["sf-sam"].item_id == made[0].target_id
    assert found["sf-sam"].in_scope_book and found["sf-sam"].company == "Partner Ltd"

    books.update(google_user, made[0].target_id, {**sam, "phoneNumbers": [
        *sam["phoneNumbers"], {"value": "+44 7700 0000", "type": "other"}]}, "phoneNumbers")
    updated = mailbox.update_items(CON, [ItemPatch(made[0].target_id, {"job_title": "Director",
                                                                       "business_phone": "+44 20 1111"}),
                                         ItemPatch(made[1].target_id, {"notes": "From Salesforce"})])
    assert all(r.ok for r in updated), updated
    assert books.batch_calls[-1] == "batchUpdateContacts"
    now = books.get(google_user, made[0].target_id)
    assert now["organizations"] == [{"name": "Partner Ltd", "title": "Director"}]
    assert [p["value"] for p in now["phoneNumbers"]] == ["+44 20 1111", "+44 7700 0000"]   # the other phone kept
    assert now["names"] == sam["names"] and updated[0].version == now["etag"]
    assert books.get(google_user, made[1].target_id)["biographies"][0]["value"] == "From Salesforce"

    books.delete(google_user, made[1].target_id)
    deleted = mailbox.delete_items(CON, [made[0].target_id, made[1].target_id])
    assert [r.ok for r in deleted] == [True, True]
    assert mailbox.get_items(CON, [made[0].target_id]) == []


def test_a_contact_changed_between_read_and_write_is_refused_on_its_etag_and_left_for_the_next_session(
        google_fake, open_mailbox, google_user, monkeypatch):
    books = google_fake.store.contacts
    person = books.create(google_user, _person("Eve", "Early", "eve@early.test"))
    mailbox = open_mailbox()
    folder = mailbox.folders[CON]
    read_before = folder._current([person["resourceName"]])
    books.update(google_user, person["resourceName"], {**person, "names": [{"givenName": "Eva"}]}, "names")
    monkeypatch.setattr(folder, "_current", lambda ids: read_before)       # the write races the user's edit
    [result] = mailbox.update_items(CON, [ItemPatch(person["resourceName"], {"surname": "Late"})])
    assert not result.ok and result.error_code == TemporaryFailure.code and "etag" in str(result.error)
    assert books.get(google_user, person["resourceName"])["names"] == [{"givenName": "Eva"}]


def test_scope_address_book_reads_the_group_alone_and_a_member_leaving_it_is_a_deletion(
        google_fake, open_mailbox, google_user):
    books = google_fake.store.contacts
    crm = _group(books, google_user, "CRM")
    inside = books.create(google_user, _person("Ida", "Inside", "ida@in.test", crm))
    books.create(google_user, _person("Otto", "Outside", "otto@out.test"))
    mailbox = open_mailbox(GroupScope("CRM", only=True))
    first = mailbox.changes_since(CON, None)
    assert [(i.item_id, i.in_scope_book) for i in first.items] == [(inside["resourceName"], True)]
    books.modify_members(google_user, crm, [], [inside["resourceName"]])
    assert mailbox.changes_since(CON, first.cursor).deleted_ids == (inside["resourceName"],)
    assert mailbox.get_items(CON, [inside["resourceName"]]) == []
    with pytest.raises(CursorExpired):                   # another scope: a full listing
        open_mailbox(SALESFORCE).changes_since(CON, first.cursor)


def test_without_the_contacts_scope_contacts_are_unavailable_and_the_calendar_still_syncs(
        google_fake, google_mailbox):
    with pytest.raises(FolderUnavailable, match="auth/contacts"):
        google_mailbox.changes_since(CON, None)
    assert google_mailbox.changes_since(FolderKind.CALENDAR, None).full


def test_the_people_endpoint_is_configurable_and_must_be_https_and_allowed(google_fake, people_key, google_user):
    settings = google_settings(google_fake, people_key)
    assert people_api_root(settings) == google_fake.api_root            # one emulator serving every API
    assert people_api_root(replace(settings, api_root=API_ROOT)) == "https://people.googleapis.com/"
    assert people_api_root(replace(settings, people_root="https://people.example.test")) == \
        "https://people.example.test/"
    with pytest.raises(InvalidData):
        build_google_mailbox(replace(settings, people_root="http://people.example.test/"), google_user, WINDOW)


def test_a_quota_error_is_retried_later_and_loses_nothing(google_fake, open_mailbox, google_user):
    books = google_fake.store.contacts
    person = books.create(google_user, _person("Quinn", "Quota", "quinn@quota.test"))
    mailbox = open_mailbox()
    mailbox.changes_since(CON, None)                     # groups read; the next call meets the quota
    google_fake.store.throttle(1)
    try:
        with pytest.raises(TemporaryFailure, match="429"):
            mailbox.changes_since(CON, None)
    finally:
        google_fake.store.throttle(0)
    assert person["resourceName"] in [i.item_id for i in mailbox.changes_since(CON, None).items]
