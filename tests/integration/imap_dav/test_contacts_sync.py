"""Address books ⇄ Salesforce Contacts: real CardDAV servers (Radicale and Xandikos), the real
Salesforce port on the HTTPS emulator, the engine in between.

Cards are PUT raw, the way Apple, Google and Outlook write them; every Contact is read back
from the emulator, so a REQUIRED_FIELD_MISSING or a duplicate shows up as it would in an org.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import vobject

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.describe import describe
from app.providers.salesforce.org_schema import core_describe
from app.sync import (
    CONTACT_MAPPING,
    FolderKind,
    KindCounts,
    SyncOutcome,
    SyncPolicy,
    SyncSession,
    bind_mapping,
    run_sync,
)
from tests.fakes.crm_memory import InMemoryCursorStore, InMemoryIdMapStore
from tests.providers.salesforce.conftest import SfWorld, make_world, sf_emulator, sf_runtime  # noqa: F401
from tests.realservers.dav import DavAccount
from tests.realservers.fixtures import LOOPBACK_POLICY

CONTACTS = FolderKind.CONTACTS
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Book:
    """One address book on a real server: where cards are PUT and the URL the product is given."""

    account: DavAccount
    path: str                      # the collection path, ending in /

    @property
    def url(self) -> str:
        return self.account.base_url + self.path

    def put(self, name: str, text: str) -> str:
        response = self.account.session().put(self.url + name, data=text.replace("\n", "\r\n").encode(),
                                              headers={"Content-Type": "text/vcard; charset=utf-8"})
        assert response.status_code in (201, 204), response.text
        return self.path + name

    def delete(self, name: str) -> None:
        assert self.account.session().delete(self.url + name).status_code in (200, 204)

    def cards(self) -> list:
        port = self.port()
        try:
            hrefs = [i.item_id for i in port.changes_since(CONTACTS, None).items]
        finally:
            port.close()
        session = self.account.session()
        return [vobject.readOne(session.get(self.account.base_url + h, headers={"Accept": "text/vcard"}).text)
                for h in hrefs]

    def port(self, carddav_url: str | None = None, addressbook_name: str | None = None,
             scope_book_name: str | None = None):
        options = MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY, addressbook_name=addressbook_name,
                                 scope_book_name=scope_book_name)
        return build_mailbox({"carddav_url": carddav_url or self.url}, self.account.username,
                             self.account.password, options)


def _new_book(server: str, request: pytest.FixtureRequest, name: str = "contacts", display: str | None = None,
              account: DavAccount | None = None) -> Book:
    if server == "radicale":
        account = account or request.getfixturevalue("radicale_server").create_user()
        account.make_addressbook(name, display)
        return Book(account, f"/{account.username}/{name}/")
    xandikos = request.getfixturevalue("xandikos_server")
    account = xandikos.account()
    unique = f"{name}-{secrets.token_hex(3)}"
    account.make_addressbook(f"contacts/{unique}", display)
    return Book(account, f"/user/contacts/{unique}/")


@pytest.fixture(params=["radicale", "xandikos"])
def server(request) -> str:
    return request.param


@dataclass
class ContactWorld:
    """One emulator org; each mailbox has its own ID map rows and cursors, as in production."""

    sf: SfWorld
    policy: SyncPolicy = SyncPolicy()
    id_map: InMemoryIdMapStore = field(default_factory=InMemoryIdMapStore)
    cursors: InMemoryCursorStore = field(default_factory=InMemoryCursorStore)

    def __post_init__(self) -> None:
        self.admin = self.sf.client()
        self.mapping = bind_mapping(CONTACT_MAPPING, core_describe(describe(self.admin, "Contact")))

    def sync(self, book: Book, mailbox_id: str = "ann", owner: str | None = None, **port_args) -> SyncOutcome:
        owner = owner or self.sf.user
        session = SyncSession(self.sf.org, mailbox_id, owner, f"{mailbox_id}@acme.test", "UTC", NOW)
        port = book.port(**port_args)
        try:
            return run_sync(session, port, SalesforceCrmPort(self.sf.client(), owner), self.id_map, self.cursors,
                            self.policy, [self.mapping])
        finally:
            port.close()

    def contacts(self) -> list[dict]:
        return self.sf.emu.records(self.sf.org, "Contact")

    def by_last_name(self) -> dict[str, dict]:
        return {c["LastName"]: c for c in self.contacts()}


@pytest.fixture
def world(sf_emulator, sf_runtime) -> Iterator[ContactWorld]:  # noqa: F811
    yield ContactWorld(make_world(sf_emulator, sf_runtime))
    sf_emulator.faults.clear()


def counts(outcome: SyncOutcome) -> KindCounts:
    return outcome.counts.get(CONTACTS, KindCounts())


def card(*lines: str, version: str = "3.0") -> str:
    uid = f"UID:{secrets.token_hex(8)}"
    return "\n".join(("BEGIN:VCARD", f"VERSION:{version}", uid, *lines, "END:VCARD")) + "\n"


# -- point 1: every card without a family name still gets a LastName ----------------------------------------------

NAME_SHAPES = {
    "org-only.vcf": (card("N:;;;;", "FN:Initech GmbH", "ORG:Initech GmbH;", "X-ABShowAs:COMPANY"), "Initech GmbH"),
    "given-only.vcf": (card("N:;Cher;;;", "FN:Cher"), "Cher"),
    "fn-only.vcf": (card("FN:Prince Rogers", version="4.0"), "Prince Rogers"),
    "email-only.vcf": (card("FN:", "N:;;;;", "EMAIL;TYPE=INTERNET:solo@nowhere.test"), "solo@nowhere.test"),
    "empty-family.vcf": (card("N:;Jane;;;", "FN:Jane Q. Doe", "EMAIL:jane@client.test"), "Q. Doe"),
    "given-and-org.vcf": (card("N:;Ravi;;;", "FN:Ravi", "ORG:Umbrella"), "Umbrella"),
    "address-only.vcf": (card("N:;;;;", "FN:", "ADR;TYPE=WORK:;;1 Quay St;Dublin;;D02;Ireland"),
                         "1 Quay St, Dublin, D02, Ireland"),
}


def test_cards_without_a_family_name_become_contacts_with_a_last_name(server, request, world):
    book = _new_book(server, request)
    for name, (text, _) in NAME_SHAPES.items():
        book.put(name, text)
    outcome = world.sync(book)
    assert outcome.errors == (), outcome.errors
    contacts = world.by_last_name()
    assert sorted(contacts) == sorted(last for _, last in NAME_SHAPES.values())
    assert contacts["Cher"]["FirstName"] == "Cher" and contacts["Q. Doe"]["FirstName"] == "Jane"
    assert counts(world.sync(book)).updated == 0     # the derived names are stable: no echo writes
    assert [c.n.value.family for c in book.cards() if c.fn.value == "Cher"] == [""]   # the card is not rewritten


def test_a_card_with_nothing_to_name_it_is_reported_before_any_write(server, request, world):
    book = _new_book(server, request)
    book.put("blank.vcf", card("N:;;;;", "FN:", "NOTE:met at the fair"))
    outcome = world.sync(book)
    [error] = outcome.errors
    assert (error.code, error.action) == ("invalid", "CreateInCrm")
    assert error.message == "Salesforce requires LastName on Contact, and this item has nothing to fill it with"
    assert world.contacts() == [] and counts(outcome).failed == 1


def test_salesforce_contact_with_only_a_last_name_becomes_a_valid_vcard(server, request, world):
    book = _new_book(server, request)
    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Nakamura", "OwnerId": world.sf.user})
    assert world.sync(book).errors == ()
    [written] = book.cards()
    assert written.version.value == "3.0" and written.fn.value == "Nakamura"     # RFC 2426 requires N and FN
    assert (written.n.value.family, written.n.value.given) == ("Nakamura", "")
    assert counts(world.sync(book)).updated == 0


# -- point 2: addresses land in the Mailing fields ----------------------------------------------------------------

ADDRESSES = {
    "apple.vcf": (card("N:Appleseed;Johnny;;;", "FN:Johnny Appleseed", "EMAIL:johnny@apple.test",
                       "item1.ADR;type=HOME:;;9 Home Rd;Palo Alto;CA;94301;USA", "item1.X-ABLabel:_$!<Home>!$_",
                       "item2.ADR;type=pref:;;1 Infinite Loop\\nBuilding 2;Cupertino;CA;95014;USA",
                       "item2.X-ABLabel:_$!<Work>!$_"),
                  ("1 Infinite Loop\nBuilding 2", "Cupertino", "CA", "95014", "USA")),
    "google.vcf": (card("FN:Grace Hopper", "N:Hopper;Grace;;;", "EMAIL;TYPE=INTERNET:grace@navy.test",
                        "ADR;TYPE=HOME:;;12 Elm St;Arlington;VA;22201;US",
                        "ADR;TYPE=WORK:;Suite 400;1000 Navy Pentagon\\, Room 5;Washington;DC;20350;US"),
                   ("Suite 400\n1000 Navy Pentagon, Room 5", "Washington", "DC", "20350", "US")),
    "outlook21.vcf": (card("N:Müller;Jörg", "FN:Jörg Müller", "EMAIL;PREF;INTERNET:joerg@client.test",
                           "ADR;WORK;PREF:;;Hauptstraße 1;Berlin;Berlin;10115;Deutschland", version="2.1"),
                      ("Hauptstraße 1", "Berlin", "Berlin", "10115", "Deutschland")),
    "outlook-qp.vcf": (card("N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Stra=C3=9F;Eva", "FN:Eva Stra=C3=9F",
                            "EMAIL;PREF;INTERNET:eva@client.test",
                            "ADR;WORK;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Gro=C3=9Fe Str. 2=0D=0AHinterhaus;"
                            "M=C3=BCnchen;Bayern;80331;Deutschland", version="2.1"),
                       ("Große Str. 2\nHinterhaus", "München", "Bayern", "80331", "Deutschland")),
    "v4-pobox.vcf": (card("FN:Ada Lovelace", "N:Lovelace;Ada;;;", "EMAIL:ada@engine.test",
                          'ADR;TYPE="work,pref":12;;;London;Greater London;SW1A 1AA;United Kingdom',
                          version="4.0"),
                     ("PO Box 12", "London", "Greater London", "SW1A 1AA", "United Kingdom")),
    "folded.vcf": (card("N:Turing;Alan;;;", "FN:Alan Turing", "EMAIL:alan@bletchley.test",
                        "ADR;TYPE=WORK:;;The Mansion\\, Bletchley Park,Sherwood Drive;Milton Key\n nes;Bucki\n "
                        "nghamshire;MK3 6EB;UK"),
                   ("The Mansion, Bletchley Park\nSherwood Drive", "Milton Keynes", "Buckinghamshire", "MK3 6EB",
                    "UK")),
}


def test_addresses_map_to_the_mailing_fields(server, request, world):
    book = _new_book(server, request)
    for name, (text, _) in ADDRESSES.items():
        book.put(name, text)
    assert world.sync(book).errors == ()
    by_email = {c["Email"]: c for c in world.contacts()}
    for name, (text, expected) in ADDRESSES.items():
        email = next(ln.split(":", 1)[1] for ln in text.splitlines() if ln.startswith("EMAIL"))
        got = by_email[email]
        assert (got["MailingStreet"], got["MailingCity"], got["MailingState"], got["MailingPostalCode"],
                got["MailingCountry"]) == expected, name


def test_a_salesforce_address_edit_keeps_the_cards_other_address(server, request, world):
    book = _new_book(server, request)
    book.put("apple.vcf", ADDRESSES["apple.vcf"][0])
    world.sync(book)
    [contact] = world.contacts()
    world.admin.restful(f"sobjects/Contact/{contact['Id']}", "PATCH", json={"MailingState": "NV"})
    assert world.sync(book).errors == ()
    [written] = book.cards()
    regions = {line.group: line.value.region for line in written.contents["adr"]}
    assert regions == {"item1": "CA", "item2": "NV"}
    assert [line.value.street for line in written.contents["adr"] if line.group == "item2"] == [
        "1 Infinite Loop\nBuilding 2"]


# -- point 3: one person, one Contact --------------------------------------------------------------------------------

def test_the_same_person_in_two_address_books_is_one_contact_linked_to_both(server, request, world):
    ann_book, bob_book = _new_book(server, request, "ann"), _new_book(server, request, "bob")
    bob = world.sf.emu.create_user(world.sf.org, email=f"bob-{secrets.token_hex(3)}@acme.test")
    existing = world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Known", "Email": "Known@Client.test",
                                                             "OwnerId": world.sf.user})
    for book, spelling in ((ann_book, " known@client.TEST "), (bob_book, "KNOWN@client.test")):
        book.put("known.vcf", card("N:Known;Kim;;;", "FN:Kim Known", f"EMAIL;TYPE=WORK:{spelling}"))
        book.put("new.vcf", card("N:Newman;Nora;;;", "FN:Nora Newman", "EMAIL:nora@client.test"))
    assert world.sync(ann_book, "ann").errors == ()
    assert world.sync(bob_book, "bob", owner=bob).errors == ()
    contacts = world.contacts()
    assert sorted(c["LastName"] for c in contacts) == ["Known", "Newman"]
    assert next(c["Id"] for c in contacts if c["LastName"] == "Known") == existing
    for mailbox in ("ann", "bob"):
        linked = {e.crm_id for e in world.id_map.entries(mailbox, CONTACTS) if e.is_linked}
        assert linked == {c["Id"] for c in contacts}

    ann_book.delete("new.vcf")
    world.sync(ann_book, "ann")
    assert sorted(c["LastName"] for c in world.contacts()) == ["Known", "Newman"]   # Bob still holds Nora
    bob_book.delete("new.vcf")
    world.sync(bob_book, "bob", owner=bob)
    assert [c["LastName"] for c in world.contacts()] == ["Known"]


def test_two_cards_of_one_book_with_the_same_address_make_one_contact(server, request, world):
    book = _new_book(server, request)
    book.put("a.vcf", card("N:Twin;Tia;;;", "FN:Tia Twin", "EMAIL:twin@client.test"))
    book.put("b.vcf", card("N:Twin;Tia;;;", "FN:Tia Twin", "EMAIL:TWIN@client.test", "TITLE:CTO"))
    outcome = world.sync(book)
    assert outcome.errors == () and len(world.contacts()) == 1
    assert counts(world.sync(book)).updated == 0


# -- point 4: which cards sync ---------------------------------------------------------------------------------------

def test_scope_by_address_book_syncs_only_the_chosen_book(server, request, world):
    chosen = _new_book(server, request, "crm", display="Salesforce Contacts")
    other = _new_book(server, request, "private", account=chosen.account if server == "radicale" else None)
    chosen.put("client.vcf", card("N:Client;Carl;;;", "FN:Carl Client", "EMAIL:carl@client.test"))
    other.put("mum.vcf", card("N:Private;Mum;;;", "FN:Mum Private", "EMAIL:mum@home.test"))
    home = chosen.account.base_url + chosen.path.rstrip("/").rsplit("/", 1)[0] + "/"
    assert world.sync(chosen, carddav_url=home, addressbook_name="Salesforce Contacts").errors == ()
    assert [c["LastName"] for c in world.contacts()] == ["Client"]
    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "FromCrm", "OwnerId": world.sf.user})
    assert world.sync(chosen, carddav_url=home, addressbook_name=chosen.url).errors == ()   # by URL too
    assert sorted(c.fn.value for c in chosen.cards()) == ["Carl Client", "FromCrm"]
    assert [c.fn.value for c in other.cards()] == ["Mum Private"]


def _seeds_scope(world: ContactWorld, book_name: str) -> None:
    """The default scope as the org settings make it: the named book, or the Salesforce category."""
    world.policy = replace(world.policy, contact_category="Salesforce", contact_book=book_name)


def test_default_scope_syncs_the_salesforce_book_whole_and_only_tagged_cards_of_the_default_book(
        server, request, world):
    name = f"Salesforce {secrets.token_hex(3)}"      # unique: Xandikos tests share one account
    sf_book = _new_book(server, request, "sf", display=name)
    default = _new_book(server, request, account=sf_book.account if server == "radicale" else None)
    partner = card("N:Partner;Paula;;;", "FN:Paula Partner", "EMAIL:paula@partner.test")
    sf_book.put("partner.vcf", partner)
    default.put("client.vcf", card("N:Client;Cleo;;;", "FN:Cleo Client", "EMAIL:cleo@client.test",
                                   "CATEGORIES:Customers,salesforce"))
    default.put("mum.vcf", card("N:Private;Mum;;;", "FN:Mum Private", "EMAIL:mum@home.test"))
    _seeds_scope(world, name)
    outcome = world.sync(default, scope_book_name=name)
    assert outcome.errors == () and sorted(c["LastName"] for c in world.contacts()) == ["Client", "Partner"]
    assert outcome.skips_by_kind[CONTACTS][
        f"not in the contact scope (not in the '{name}' address book and no 'Salesforce' category)"] == 1

    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Crm", "FirstName": "Cora", "OwnerId": world.sf.user})
    sf_book.put("partner.vcf", partner.replace("END:VCARD", "TITLE:Buyer\nEND:VCARD"))
    assert world.sync(default, scope_book_name=name).errors == ()
    assert world.by_last_name()["Partner"]["Title"] == "Buyer"       # a later edit in either book arrives
    assert sorted(c.fn.value for c in sf_book.cards()) == ["Cora Crm", "Paula Partner"]   # new cards go there
    assert sorted(c.fn.value for c in default.cards()) == ["Cleo Client", "Mum Private"]
    again = counts(world.sync(default, scope_book_name=name))
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_default_scope_found_from_the_servers_root_on_radicale_and_cyrus(dav_account, world):
    """Discovery from the root, as a registered mailbox is configured: the server's own default
    book (Cyrus's ``Default``) and a "Salesforce" book made beside it."""
    default = Book(dav_account, dav_account.collection_path("contacts"))
    sf_book = Book(dav_account, urlsplit(dav_account.make_addressbook("crm", "Salesforce")).path)
    sf_book.put("partner.vcf", card("N:Partner;Paula;;;", "FN:Paula Partner", "EMAIL:paula@partner.test"))
    default.put("client.vcf", card("N:Client;Cleo;;;", "FN:Cleo Client", "EMAIL:cleo@client.test",
                                   "CATEGORIES:Salesforce"))
    default.put("mum.vcf", card("N:Private;Mum;;;", "FN:Mum Private", "EMAIL:mum@home.test"))
    _seeds_scope(world, "Salesforce")
    root = dav_account.base_url + "/"
    assert world.sync(default, carddav_url=root, scope_book_name="Salesforce").errors == ()
    assert sorted(c["LastName"] for c in world.contacts()) == ["Client", "Partner"]
    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Crm", "FirstName": "Cora", "OwnerId": world.sf.user})
    assert world.sync(default, carddav_url=root, scope_book_name="Salesforce").errors == ()
    assert sorted(c.fn.value for c in sf_book.cards()) == ["Cora Crm", "Paula Partner"]


def test_default_scope_without_a_salesforce_book_is_the_category_and_new_cards_carry_it(server, request, world):
    name = f"Salesforce {secrets.token_hex(3)}"
    book = _new_book(server, request)
    book.put("client.vcf", card("N:Client;Cleo;;;", "FN:Cleo Client", "EMAIL:cleo@client.test", "CATEGORIES:SALESFORCE"))
    book.put("mum.vcf", card("N:Private;Mum;;;", "FN:Mum Private", "EMAIL:mum@home.test"))
    _seeds_scope(world, name)
    assert world.sync(book, scope_book_name=name).errors == ()
    assert [c["LastName"] for c in world.contacts()] == ["Client"]
    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Crm", "FirstName": "Cora", "OwnerId": world.sf.user})
    assert world.sync(book, scope_book_name=name).errors == ()
    [from_crm] = [c for c in book.cards() if c.fn.value == "Cora Crm"]
    assert from_crm.categories.value == ["Salesforce"]       # stays in scope
    assert counts(world.sync(book, scope_book_name=name)).created == 0


def test_scope_by_category_syncs_only_tagged_cards(server, request, world):
    world.policy = replace(world.policy, contact_category="Salesforce")
    book = _new_book(server, request)
    book.put("tagged.vcf", card("N:Tagged;Tom;;;", "FN:Tom Tagged", "EMAIL:tom@client.test",
                                "CATEGORIES:Customers,salesforce"))
    book.put("plain.vcf", card("N:Plain;Pat;;;", "FN:Pat Plain", "EMAIL:pat@home.test", "CATEGORIES:Family"))
    assert world.sync(book).errors == ()
    assert [c["LastName"] for c in world.contacts()] == ["Tagged"]
    world.sf.emu.insert(world.sf.org, "Contact", {"LastName": "Crm", "FirstName": "Cora", "OwnerId": world.sf.user})
    world.sync(book)
    [from_crm] = [c for c in book.cards() if c.fn.value == "Cora Crm"]
    assert from_crm.categories.value == ["Salesforce"]       # stays in scope
    assert counts(world.sync(book)).created == 0
