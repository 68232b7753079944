"""The signature corpus's senders as unknown external people writing to the saving user.

The expected person comes from the signature corpus's labels (name, title, company). Names of
more than two words are split as their owners write them (given names first, particles with the
surname); an address whose body carries no signature is labelled as the product documents its
fallback: the local part's words as the name (a single word is the LastName Salesforce requires),
the domain's name as the company, nobody for automated senders. An address already used by an
earlier sample is left out: one session creates a person once. Every other sender also sends a
short reply quoting the saving user's card, placed FIRST in the session: the quoted card is not
theirs, and their own card (read from the later mail) still fills them in, once.
"""
from __future__ import annotations

from tests.autoresolve_corpus.item import OWNER, Item, Person
from tests.signature_corpus import SAMPLES, Sample

NAME_SPLITS = {
    "Ludwig van Beethoven": ("Ludwig", "van Beethoven"),
    "Ana María García": ("Ana María", "García"),
    "José Luis Hernández": ("José Luis", "Hernández"),
    "Pieter de Vries": ("Pieter", "de Vries"),
    "João Pedro Silva": ("João Pedro", "Silva"),
}

# bodies with no signature: what the address alone says
ADDRESS_ONLY: dict[str, Person | None] = {
    "someone@globex.example": Person("Someone", company="Globex"),
    "tom@adatum.example": Person("Tom", company="Adatum"),
    "a@b.example": Person("A", company="B"),
    "jane@globex.example": Person("Jane", company="Globex"),
    "a@globex.example": Person("A", company="Globex"),
    "mike@contoso.example": Person("Mike", company="Contoso"),
    "office@contoso.example": Person("Office", company="Contoso"),
    "bob@fabrikam.example": Person("Bob", company="Fabrikam"),
    "x@fabrikam.example": Person("X", company="Fabrikam"),
    "noreply@shop.example": None,
    "noreply@contoso.example": None,
    "news@shop.example": None,
    "olivia@woodgrove.example": Person("Olivia", company="Woodgrove"),
    "jd@contoso.example": Person("Jd", company="Contoso"),
    "kim@fabrikam.example": Person("Kim", company="Fabrikam"),
}


def expected_person(sample: Sample) -> Person | None:
    """The person a reader expects from the sample's labels, else from its address."""
    address = sample.sender[0].lower()
    name = sample.expect.get("name")
    if not name:
        return ADDRESS_ONLY[address]
    first, _, last = name.partition(" ")
    first, last = NAME_SPLITS.get(name, (first, last))
    return Person(last, first, sample.expect.get("title"), sample.expect.get("company"))


def signature_items() -> list[Item]:
    """One email per distinct sender address of the signature corpus."""
    items: list[Item] = []
    seen: set[str] = set()
    for sample in SAMPLES:
        address = sample.sender[0].lower()
        if not address or address in seen:
            continue
        seen.add(address)
        text, html = ("", sample.body) if sample.html else (sample.body, "")
        items.append(Item(f"sig:{sample.id}", "email", address, (OWNER,), text, html,
                          {address: expected_person(sample)}))
    return items


FOLLOW_UP = ("Thanks Ann, that works for us.\n\nOn Tue, 3 Nov 2026 at 10:02, Ann Smith <ann@acme.test> wrote:\n"
             "> Hi,\n> would Thursday at 3pm work for the review?\n>\n> Best,\n> Ann Smith\n> Account Executive\n"
             "> Acme Inc.\n> +1 415 555 0100\n")


def follow_up_items(items: list[Item]) -> list[Item]:
    """A quoted-reply follow-up from every other signature sender (same label as their first mail)."""
    return [Item(f"reply:{item.id}", "email", item.writer, (OWNER,), FOLLOW_UP, "", dict(item.expect))
            for item in items[::2]]
