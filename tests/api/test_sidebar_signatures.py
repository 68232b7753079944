"""The signature parser on realistic signatures (several languages and layouts), and suggestions."""
from __future__ import annotations

import pytest

from app.services.signatures import company_from_domain, parse_signature, split_name, suggest_person


def _expect(first, last, title, company, phone, email=None):
    """The fields the sidebar reads (phones are normalised when the country code is written)."""
    return first, last, title, company, phone, email


def _read(signature):
    return (signature.first_name, signature.last_name, signature.title, signature.company, signature.phone,
            signature.email)


CASES = [
    ("Hi Uma,\nplease loop in Sam.\n\n--\nSam Lee\nCFO\nGlobex Corporation\n+1 555 0100",
     _expect("Sam", "Lee", "CFO", "Globex Corporation", "+15550100")),
    ("Hallo Frau Meier,\n\nanbei das Angebot.\n\nMit freundlichen Grüßen\n\nDr. Klaus Müller\n"
     "Leiter Vertrieb | Müller Maschinenbau GmbH\nTel.: +49 89 1234 5678\nFax: +49 89 1234 5679\nwww.mueller-mb.de",
     _expect("Klaus", "Müller", "Leiter Vertrieb", "Müller Maschinenbau GmbH", "+498912345678")),
    ("Bonjour,\nMerci.\n\nCordialement,\nMarie-Claire Dubois\nDirectrice commerciale chez Fromagerie Dubois SAS\n"
     "Tél : 01 23 45 67 89\nmarie-claire.dubois@fromagerie.fr",
     _expect("Marie-Claire", "Dubois", "Directrice commerciale", "Fromagerie Dubois SAS", "01 23 45 67 89",
               "marie-claire.dubois@fromagerie.fr")),
    ("Laba diena,\nsiunčiu sąskaitą.\n\nPagarbiai\nJonas Jonaitis\nPardavimų vadovas\nUAB \"Saulės energija\"\n"
     "Mob. +370 612 34567",
     _expect("Jonas", "Jonaitis", "Pardavimų vadovas", "UAB \"Saulės energija\"", "+37061234567")),
    ("Привет!\n\nС уважением,\nИван Петров\nДиректор по продажам\nООО \"Ромашка\"\n+7 495 123-45-67",
     _expect("Иван", "Петров", "Директор по продажам", "ООО \"Ромашка\"", "+74951234567")),
    ("Hola,\n\nSaludos cordiales,\nAna María García\nGerente de Compras | Acme Iberia S.L.\nM: +34 612 345 678",
     _expect("Ana María", "García", "Gerente de Compras", "Acme Iberia S.L.", "+34612345678")),
    ("Thanks,\nLudwig van Beethoven\nHead of Sales at Vienna Pianos Ltd\nT +43 1 505 65 25\nF +43 1 505 65 26",
     _expect("Ludwig", "van Beethoven", "Head of Sales", "Vienna Pianos Ltd", "+4315056525")),
    ("Best regards,\nPriya Raman | VP Engineering | Initech Inc. | priya@initech.example | +1 (415) 555-0142",
     _expect("Priya", "Raman", "VP Engineering", "Initech Inc.", "+14155550142", "priya@initech.example")),
]


@pytest.mark.parametrize("body, expected", CASES, ids=["en", "de", "fr", "lt", "ru", "es", "particle", "one-line"])
def test_signatures_in_common_layouts_and_languages(body, expected):
    assert _read(parse_signature(body)) == expected


def test_quoted_history_is_not_read_as_the_signature():
    body = ("Sounds good.\n\nCheers,\nTom Baker\n\nOn Mon, 3 Mar 2025 at 09:00, Jane Doe <jane@globex.example> wrote:\n"
            "> Best regards,\n> Jane Doe\n> CFO\n> Globex Corporation")
    assert _read(parse_signature(body)) == _expect("Tom", "Baker", None, None, None)


def test_no_signature_is_none():
    assert parse_signature("Just a quick note, no sign-off.") is None
    assert parse_signature("") is None


def test_names_split_like_salesforce_first_and_last():
    assert split_name("Lee, Sam") == ("Sam", "Lee")
    assert split_name("Prof. Dr. Anna von der Heide") == ("Anna", "von der Heide")
    assert split_name("Madonna") == (None, "Madonna")


def test_suggestion_uses_the_signature_only_when_it_is_that_persons():
    sig = parse_signature(CASES[0][0])
    assert suggest_person("sam.lee@globex.example", None, sig, "jane@globex.example")["title"] == "CFO"
    other = suggest_person("bob.smith@globex.example", None, sig, "jane@globex.example")
    assert other == {"email": "bob.smith@globex.example", "first_name": "Bob", "last_name": "Smith", "title": None,
                     "company": "Globex", "phone": None}
    assert suggest_person("j@gmail.com", "Doe, John", None)["company"] is None
    assert suggest_person("j@gmail.com", "Doe, John", None)["first_name"] == "John"


def test_company_from_domain():
    assert company_from_domain("a@mail.globex-industries.co.uk") == "Globex Industries"
    assert company_from_domain("a@acme.example") == "Acme"
    assert company_from_domain("a@outlook.com") is None
