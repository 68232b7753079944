"""Layouts that trip simple readers: bottom-posted answers, dashes and dots as separators, bilingual
sign-offs, register lines inside the signature, company names without a legal suffix."""
from tests.signature_corpus.sample import Sample

SAMPLES = [
    Sample("mixed-bottom-posted",
           "On Mon, 3 Mar 2025 at 09:00, Jane Doe <jane@globex.example> wrote:\n> Can you confirm the PO?\n"
           "> Jane\n\nConfirmed, PO 4471 is approved.\n\n-- \nWei Zhang\nSupply Chain Manager\n"
           "Proseware, Inc.\n+1 650 555 0134",
           {"name": "Wei Zhang", "title": "Supply Chain Manager", "company": "Proseware, Inc.",
            "phones": [("+16505550134", "work")]}, sender=("wei.zhang@proseware.example", "Wei Zhang")),
    Sample("mixed-dash-one-line",
           "Will do.\n\nThanks,\nSam Lee - Head of Sales - Globex Ltd\n+1-415-555-0100",
           {"name": "Sam Lee", "title": "Head of Sales", "company": "Globex Ltd",
            "phones": [("+14155550100", "work")]}, sender=("sam@globex.example", "Sam Lee")),
    Sample("mixed-middle-dots",
           "See attached.\n\nBest,\nAmelia Scott\nHead of Partnerships · Relecloud Ltd\n"
           "Mobile +44 7700 900123 · Office +44 20 7946 0000",
           {"name": "Amelia Scott", "title": "Head of Partnerships", "company": "Relecloud Ltd",
            "phones": [("+447700900123", "mobile"), ("+442079460000", "work")]},
           sender=("amelia.scott@relecloud.example", "Amelia Scott")),
    Sample("mixed-bilingual-closing",
           "Please find the offer attached.\n\nBest regards / Mit freundlichen Grüßen\n\nTobias Klein\n"
           "Sales Manager DACH\nKlein Automation GmbH\nT +49 711 555 0100",
           {"name": "Tobias Klein", "title": "Sales Manager DACH", "company": "Klein Automation GmbH",
            "phones": [("+497115550100", "work")]}, sender=("tobias.klein@klein-automation.de", "Tobias Klein")),
    Sample("mixed-register-inside-signature",
           "Anbei.\n\nGrüße\nMaria Schulz\nReferentin Marketing\nSchulz Verlag GmbH\nTel. +49 221 555 0100\n"
           "Sitz: Köln, Amtsgericht Köln HRB 12345, Geschäftsführer: Max Schulz",
           {"name": "Maria Schulz", "title": "Referentin Marketing", "company": "Schulz Verlag GmbH",
            "phones": [("+492215550100", "work")]}, sender=("m.schulz@schulz-verlag.de", "Maria Schulz")),
    Sample("mixed-title-comma-company-no-suffix",
           "Great meeting you.\n\nCheers,\nLiam Walsh\nProduct Lead, Contoso\n+353 1 555 0100",
           {"name": "Liam Walsh", "title": "Product Lead", "company": "Contoso",
            "phones": [("+35315550100", "work")]}, sender=("liam.walsh@contoso.example", "Liam Walsh")),
    Sample("mixed-us-one-line-address",
           "Thanks again.\n\nRegards,\nNoah Davis\nDirector of Business Development\nAdventure Works LLC\n"
           "350 Fifth Avenue, Suite 4200, New York, NY 10118\nwww.adventure-works.example",
           {"name": "Noah Davis", "title": "Director of Business Development", "company": "Adventure Works LLC",
            "address": ["350 Fifth Avenue, Suite 4200, New York, NY 10118"],
            "website": "www.adventure-works.example"}, sender=("ndavis@adventure-works.example", "Noah Davis")),
    Sample("mixed-skype-and-social",
           "Talk Friday.\n\nBest,\nZoe Martin\nCustomer Success Manager\nLitware Inc\nSkype: zoe.martin.litware\n"
           "twitter.com/zoemartin\nM +1 312 555 0177",
           {"name": "Zoe Martin", "title": "Customer Success Manager", "company": "Litware Inc",
            "phones": [("+13125550177", "mobile")]}, sender=("zoe.martin@litware.example", "Zoe Martin")),
    Sample("mixed-html-nbsp-pipes",
           "<p class=MsoNormal>Thanks,<o:p></o:p></p><p class=MsoNormal><b>Hugo Lefèvre</b>&nbsp;|&nbsp;"
           "Directeur commercial&nbsp;|&nbsp;Lefèvre Industries SA<o:p></o:p></p><p class=MsoNormal>"
           "T.&nbsp;+33 (0)4 72 55 01 00&nbsp;&nbsp;|&nbsp;&nbsp;M.&nbsp;+33 (0)6 12 34 56 78<o:p></o:p></p>",
           {"name": "Hugo Lefèvre", "title": "Directeur commercial", "company": "Lefèvre Industries SA",
            "phones": [("+33472550100", "work"), ("+33612345678", "mobile")]},
           html=True, sender=("hugo.lefevre@lefevre-industries.fr", "Hugo Lefèvre")),
    Sample("mixed-assistant-sends",
           "Dear Mr. Adams,\n\nOn behalf of Mr. Ito, please find the agenda attached.\n\nKind regards,\n"
           "Yuki Tanaka\nExecutive Assistant to the CEO\nSakura Components K.K.\nTel: +81 3 5555 0100",
           {"name": "Yuki Tanaka", "title": "Executive Assistant to the CEO", "company": "Sakura Components K.K.",
            "phones": [("+81355550100", "work")]}, sender=("office@sakura-components.example", "CEO Office")),
    Sample("mixed-html-table-cells-tab",
           "<div>Danke!</div><div>Viele Grüße</div><table><tr><td>Nils Hansen</td></tr><tr><td>Einkäufer</td></tr>"
           "<tr><td>Hansen Werkzeuge GmbH</td></tr><tr><td>Telefon</td><td>+49 40 555 0100</td></tr>"
           "<tr><td>Telefax</td><td>+49 40 555 0101</td></tr><tr><td>E-Mail</td><td>"
           "<a href=\"mailto:n.hansen@hansen-werkzeuge.de\">n.hansen@hansen-werkzeuge.de</a></td></tr></table>",
           {"name": "Nils Hansen", "title": "Einkäufer", "company": "Hansen Werkzeuge GmbH",
            "phones": [("+49405550100", "work"), ("+49405550101", "fax")], "email": "n.hansen@hansen-werkzeuge.de"},
           html=True, sender=("n.hansen@hansen-werkzeuge.de", "Nils Hansen")),
    Sample("mixed-pronouns-and-bold-stars",
           "Sounds good!\n\nBest,\n*Jordan Reyes* (they/them)\n*Developer Advocate* | Relecloud Ltd\n"
           "+1 (720) 555-0123",
           {"name": "Jordan Reyes", "title": "Developer Advocate", "company": "Relecloud Ltd",
            "phones": [("+17205550123", "work")]}, sender=("jordan@relecloud.example", "Jordan Reyes")),
]
