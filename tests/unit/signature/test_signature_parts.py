"""The signature reader's parts on their own: HTML to lines, reply-chain cuts, phones, names, hints."""
from __future__ import annotations

import pytest

from app.sync.signature import Phone, SenderHint, extract_signature, split_name
from app.sync.signature.history import own_text
from app.sync.signature.html_text import html_to_text
from app.sync.signature.names import is_display_name
from app.sync.signature.phones import normalise, phones_in


def test_html_keeps_lines_from_breaks_blocks_rows_and_list_items():
    html = ("<div>one<br>two</div><div>three</div><p class=MsoNormal>four</p><table><tr><td>T:</td>"
            "<td>+1 555 0100</td></tr><tr><td>a<br>b</td><td>c</td></tr></table><ul><li>x</li><li>y</li></ul>")
    assert html_to_text(html).split("\n") == ["one", "two", "three", "four", "T:\t+1 555 0100", "a", "b", "c",
                                              "x", "y"]


def test_html_paragraphs_leave_a_blank_line_and_gmail_blank_divs_stay_one():
    assert html_to_text("<p>Hello</p><p>World</p>") == "Hello\n\nWorld"
    assert html_to_text("<div>Hi</div><div><br></div><div>Body</div>") == "Hi\n\nBody"


def test_html_drops_hidden_parts_and_decodes_entities():
    html = ("<head><title>T</title><style>p{}</style></head><div style='display: none'>preheader <b>x</b></div>"
            "<span hidden>h</span><script>s()</script><p>M&uuml;ller &amp; S&ouml;hne&nbsp;GmbH</p>"
            "<span style='mso-hide:all'>outlook only</span>")
    assert html_to_text(html) == "Müller & Söhne GmbH"


@pytest.mark.parametrize("reply_start", [
    '<div class="gmail_quote">On Mon, Jane wrote:<br>Jane Doe</div>',
    '<blockquote type="cite">Jane Doe</blockquote>',
    '<div id="divRplyFwdMsg"><b>From:</b> Jane Doe</div>',
    '<div id="appendonsend"></div><div>Jane Doe</div>',
    '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Jane</p></div><p>Jane Doe</p>',
])
def test_html_stops_where_the_reply_chain_starts(reply_start):
    assert html_to_text("<div>Thanks,<br>Tom Baker</div>" + reply_start) == "Thanks,\nTom Baker"


def test_a_border_top_block_that_is_not_a_header_is_kept():
    html = '<div>Thanks,</div><div style="border-top:1px solid #ccc">Tom Baker</div>'
    assert html_to_text(html) == "Thanks,\nTom Baker"


def test_gmail_and_outlook_signature_blocks_get_the_delimiter():
    assert html_to_text('<div>Hi</div><div class="gmail_signature">Sam Lee</div>') == "Hi\n--\nSam Lee"
    assert html_to_text('<div>Hi</div><div id="Signature">Sam Lee</div>') == "Hi\n--\nSam Lee"


@pytest.mark.parametrize("marker", [
    "On Mon, 3 Mar 2025 at 09:00, Jane Doe <jane@x.example> wrote:",
    "Am 03.03.2025 um 09:00 schrieb Jane Doe <jane@x.example>:",
    "Le 3 mars 2025 à 09:00, Jane Doe a écrit :",
    "El 3 mar 2025, a las 9:00, Jane Doe escribió:",
    "Il giorno 3 mar 2025, alle ore 09:00 Jane Doe ha scritto:",
    "Op 3 mrt. 2025 om 09:00 schreef Jane Doe <jane@x.example>:",
    "Em 3 de mar. de 2025, às 09:00, Jane Doe escreveu:",
    "Den 3 mars 2025 kl. 09:00 skrev Jane Doe <jane@x.example>:",
    "W dniu 3.03.2025 o 09:00, Jane Doe pisze:",
    "2025-03-03 09:00, Jane Doe rašė:",
    "3.3.2025 klo 9.00 Jane Doe kirjoitti:",
    "3 марта 2025 г., в 9:00, Jane Doe написал(а):",
    "-----Original Message-----",
    "---------- Forwarded message ---------",
    "Begin forwarded message:",
    "-------- Message transféré --------",
    "----- Weitergeleitete Nachricht -----",
])
def test_reply_chain_starts_in_many_languages(marker):
    assert own_text(f"Thanks,\nTom Baker\n\n{marker}\nJane Doe\nCFO") == ["Thanks,", "Tom Baker"]


@pytest.mark.parametrize("header", [
    "From: Jane Doe\nSent: Monday\nTo: Tom\nSubject: Hi",
    "Von: Jane Doe\nGesendet: Montag\nAn: Tom\nBetreff: Hallo",
    "De : Jane Doe\nEnvoyé : lundi\nÀ : Tom\nObjet : Salut",
    "De: Jane Doe\nEnviado el: lunes\nPara: Tom\nAsunto: Hola",
    "Da: Jane Doe\nInviato: lunedì\nA: Tom\nOggetto: Ciao",
    "Van: Jane Doe\nVerzonden: maandag\nAan: Tom\nOnderwerp: Hoi",
    "Från: Jane Doe\nSkickat: måndag\nTill: Tom\nÄmne: Hej",
    "Od: Jane Doe\nWysłane: poniedziałek\nDo: Tom\nTemat: Cześć",
    "Nuo: Jane Doe\nIšsiųsta: pirmadienis\nKam: Tom\nTema: Labas",
    "________________________________\nFrom: Jane Doe\nSent: Monday",
])
def test_outlook_header_blocks_in_several_languages(header):
    assert own_text(f"Thanks,\nTom Baker\n\n{header}\n\nJane Doe\nCFO") == ["Thanks,", "Tom Baker"]


def test_a_from_line_in_the_writers_own_words_is_not_a_header():
    assert own_text("From: the warehouse team\nAll parcels left today.") == [
        "From: the warehouse team", "All parcels left today."]


def test_mobile_footers_and_trailing_disclaimers_are_dropped_but_words_in_the_body_stay():
    body = ("This is confidential, please don't share.\n\nThanks,\nTom Baker\n\nVon meinem iPhone gesendet\n\n"
            "CONFIDENTIALITY NOTICE: this message is intended for the addressee only.")
    assert own_text(body) == ["This is confidential, please don't share.", "", "Thanks,", "Tom Baker"]


@pytest.mark.parametrize("raw, normalised", [
    ("+49 (0)89 1234-5678", "+498912345678"),
    ("0049 89 12345678", "+498912345678"),
    ("+1 (415) 555-0142", "+14155550142"),
    ("(415) 555-0142", "(415) 555-0142"),            # no country code written: not guessed
    ("01 23  45 67 89", "01 23 45 67 89"),
])
def test_numbers_are_e164_like_only_when_the_country_code_is_written(raw, normalised):
    assert normalise(raw) == normalised


def test_phones_are_typed_by_their_label_before_or_after():
    assert phones_in("T +44 20 7946 0000 | M: +44 7700 900123") == [
        Phone("+442079460000", "work"), Phone("+447700900123", "mobile")]
    assert phones_in("Tel: 555-010-4477 / Fax: 555-010-4478") == [
        Phone("555-010-4477", "work"), Phone("555-010-4478", "fax")]
    assert phones_in("+1 206 555 0177 (mobile)") == [Phone("+12065550177", "mobile")]
    assert phones_in("Handy 0171 2345678") == [Phone("0171 2345678", "mobile")]
    assert phones_in("Phone: +1 312 555 0100 x245") == [Phone("+13125550100;ext=245", "work")]
    assert phones_in("Suite 100") == [] and phones_in("Order 12-34") == []


def test_display_names_match_in_any_order_and_case_with_accents_ignored():
    assert is_display_name("Klaus Müller", "Müller, Klaus")
    assert is_display_name("JOSE LUIS HERNANDEZ", "José Luis Hernández")
    assert is_display_name("Dr. Klaus Müller", "Klaus Müller")
    assert not is_display_name("Klaus", "Klaus Müller")
    assert not is_display_name("Klaus Müller", "Klaus")


def test_names_split_like_salesforce_first_and_last():
    assert split_name("Prof. Dr. Anna von der Heide") == ("Anna", "von der Heide")
    assert split_name("Maria Gonzalez, MBA") == ("Maria", "Gonzalez")


def test_the_sender_name_finds_a_signature_without_sign_off():
    body = "Numbers below.\nRevenue is up 4%.\nSam Lee\nCFO\nGlobex Corporation"
    assert extract_signature(body) is None
    found = extract_signature(body, hint=SenderHint("sam@globex.example", "Sam Lee"))
    assert (found.full_name, found.title, found.company) == ("Sam Lee", "CFO", "Globex Corporation")


def test_a_company_without_suffix_is_read_only_when_it_names_the_senders_domain():
    body = "Thanks,\nDerek Olsen\nAccount Manager\nFabrikam\nWe make widgets"
    assert extract_signature(body, hint=SenderHint("derek@fabrikam.example")).company == "Fabrikam"
    assert extract_signature(body, hint=SenderHint("derek@gmail.com")).company is None
    assert extract_signature(body).company is None


def test_nothing_is_invented():
    found = extract_signature("Thanks,\nSam Lee")
    assert (found.full_name, found.title, found.company, found.phones, found.address, found.website, found.email) \
        == ("Sam Lee", None, None, (), (), None, None)
    assert extract_signature("Thanks,\nSam") is None


def test_html_is_read_when_the_text_body_is_empty():
    html = "<div>Hi</div><div>Best,<br>Sam Lee<br>CFO<br>Globex Corporation</div>"
    assert extract_signature("", html).full_name == "Sam Lee"
    assert extract_signature("Thanks,\nTom Baker", html).full_name == "Tom Baker"


def test_phone_accessors_pick_work_then_mobile_and_never_fax():
    found = extract_signature("Thanks,\nSam Lee\nFax +1 415 555 0101\nM +1 415 555 0102")
    assert (found.phone, found.mobile, found.fax) == ("+14155550102", "+14155550102", "+14155550101")


def test_an_answer_below_or_between_quotes_is_the_writers():
    body = ("On Mon, Jane Doe <jane@x.example> wrote:\n> Can you make Tuesday?\n> Jane\n\nYes, Tuesday is fine.\n"
            "> And the room?\nRoom 4.\n\nThanks,\nTom Baker\nAdatum Corp.")
    assert own_text(body) == ["", "Yes, Tuesday is fine.", "Room 4.", "", "Thanks,", "Tom Baker", "Adatum Corp."]
    assert extract_signature(body).company == "Adatum Corp."


def test_a_wrote_line_with_unquoted_history_under_it_ends_the_writers_text():
    body = "Ok.\n\nThanks,\nTom Baker\n\nOn Mon, Jane Doe <jane@x.example> wrote:\n\nRegards,\nJane Doe\nCFO"
    assert own_text(body) == ["Ok.", "", "Thanks,", "Tom Baker"]


def test_a_nested_table_stays_inside_its_cell_and_the_row_around_it():
    html = ("<table><tr><td><img alt=''></td><td><table><tr><td>Sam Lee</td></tr><tr><td>T:</td><td>+1 555 0100</td>"
            "</tr></table></td></tr></table><div>after</div>")
    assert html_to_text(html).split("\n") == ["Sam Lee", "T:\t+1 555 0100", "after"]


@pytest.mark.parametrize("title, company", [
    ("Freiberuflicher Übersetzer", None),
    ("Architecte d'intérieur", "Atelier Renard"),
    ("Photographer", "Lopez Consulting"),
    ("Projectleider", "Polder Bouw B.V."),
    ("Inköpschef", "Granskog AB"),
])
def test_trades_and_small_firms_without_a_legal_suffix_are_read(title, company):
    card = "\n".join(line for line in ("Jan Kowalski", title, company) if line)
    signature = extract_signature(f"Hello,\n\nsee attached.\n\nBest regards,\n{card}", hint=SenderHint("jan@gmail.com"))
    assert signature is not None and (signature.title, signature.company) == (title, company)
