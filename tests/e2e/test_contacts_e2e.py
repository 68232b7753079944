"""Contacts end to end: CardDAV (Radicale) ⇄ worker process ⇄ Salesforce (emulator), with the
contact scope set through the settings API as an admin would."""
from __future__ import annotations

import secrets

from tests.e2e.helpers import Person, force_sync, sign_up


def put_card(person: Person, book: str, name: str, *lines: str) -> None:
    text = "\r\n".join(("BEGIN:VCARD", "VERSION:3.0", f"UID:{secrets.token_hex(8)}", *lines, "END:VCARD")) + "\r\n"
    response = person.dav.session().put(f"{person.dav.principal_url}{book}/{name}", data=text.encode(),
                                        headers={"Content-Type": "text/vcard; charset=utf-8"})
    assert response.status_code in (201, 204), response.text


def _contacts(person: Person) -> list[dict]:
    return person.e2e.emu.records(person.sf_org, "Contact")


def test_the_chosen_address_book_syncs_and_a_colleague_holding_the_same_person_adds_no_contact(e2e, factory):
    ann = sign_up(e2e, factory, contacts_scope="address_book", contacts_address_book="Salesforce Contacts")
    ann.dav.make_addressbook("crm", "Salesforce Contacts")
    put_card(ann, "crm", "acme.vcf", "N:;;;;", "FN:Acme Ltd", "ORG:Acme Ltd", "EMAIL:office@acme-ltd.test",
             "ADR;TYPE=WORK:;Unit 4;1 Dock Rd\\nHarbour Park;Leith;Edinburgh;EH6 6AA;UK")
    put_card(ann, "contacts", "mum.vcf", "N:Private;Mum;;;", "FN:Mum Private", "EMAIL:mum@home.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    [acme] = _contacts(ann)
    assert (acme["LastName"], acme["MailingStreet"], acme["MailingState"]) == (
        "Acme Ltd", "Unit 4\n1 Dock Rd\nHarbour Park", "Edinburgh")

    bob = sign_up(e2e, factory, sf_org=ann.sf_org)
    bob.dav.make_addressbook("crm", "Salesforce Contacts")
    put_card(bob, "crm", "acme.vcf", "N:Office;Acme;;;", "FN:Acme Office", "EMAIL:OFFICE@acme-ltd.test")
    assert force_sync(bob)["status"] == "succeeded"
    assert [c["Id"] for c in _contacts(ann)] == [acme["Id"]]


def test_the_salesforce_category_scope_syncs_only_tagged_cards(e2e, factory):
    ann = sign_up(e2e, factory, contacts_scope="category")
    put_card(ann, "contacts", "client.vcf", "N:Client;Cleo;;;", "FN:Cleo Client", "EMAIL:cleo@client.test",
             "CATEGORIES:Salesforce")
    put_card(ann, "contacts", "friend.vcf", "N:Friend;Fred;;;", "FN:Fred Friend", "EMAIL:fred@home.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded" and session["errors"] == [], session
    assert [c["LastName"] for c in _contacts(ann)] == ["Client"]


def test_by_default_the_salesforce_book_and_tagged_cards_sync_and_the_dashboard_says_why_others_did_not(e2e, factory):
    ann = sign_up(e2e, factory)                      # an org that never chose a contact scope
    ann.dav.make_addressbook("crm", "Salesforce")
    put_card(ann, "crm", "partner.vcf", "N:Partner;Paula;;;", "FN:Paula Partner", "EMAIL:paula@partner.test")
    put_card(ann, "contacts", "client.vcf", "N:Client;Cleo;;;", "FN:Cleo Client", "EMAIL:cleo@client.test",
             "CATEGORIES:Salesforce")
    put_card(ann, "contacts", "friend.vcf", "N:Friend;Fred;;;", "FN:Fred Friend", "EMAIL:fred@home.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded" and session["errors"] == [], session
    assert sorted(c["LastName"] for c in _contacts(ann)) == ["Client", "Partner"]
    assert session["counts"]["contacts"]["skipped_because"][
        "not in the contact scope (not in the 'Salesforce' address book and no 'Salesforce' category)"] == 1

    ann.e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Crm", "FirstName": "Cora", "OwnerId": ann.sf_user})
    assert force_sync(ann)["status"] == "succeeded"
    listing = ann.dav.session().request("PROPFIND", f"{ann.dav.principal_url}crm/", headers={"Depth": "1"})
    assert listing.text.count(".vcf</") == 2, listing.text          # Salesforce's new Contact went to that book
