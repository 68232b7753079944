"""Plain-text signatures in German, French, Spanish, Italian, Dutch, Portuguese, Swedish, Polish,
Lithuanian and Russian, with their countries' address and phone habits."""
from tests.signature_corpus.sample import Sample

SAMPLES = [
    Sample("de-mfg-impressum",
           "Hallo Frau Meier,\n\nanbei das Angebot.\n\nMit freundlichen Grüßen\n\nDr. Klaus Müller\n"
           "Leiter Vertrieb | Müller Maschinenbau GmbH\nIndustriestraße 12\n80339 München\n"
           "Tel.: +49 89 1234 5678\nFax: +49 89 1234 5679\nwww.mueller-mb.de\n\n"
           "Müller Maschinenbau GmbH, Sitz: München, Amtsgericht München HRB 123456\n"
           "Geschäftsführer: Klaus Müller, Petra Huber",
           {"name": "Klaus Müller", "title": "Leiter Vertrieb", "company": "Müller Maschinenbau GmbH",
            "phones": [("+498912345678", "work"), ("+498912345679", "fax")],
            "address": ["Industriestraße 12", "80339 München"], "website": "www.mueller-mb.de"},
           sender=("k.mueller@mueller-mb.de", "Müller, Klaus")),
    Sample("de-viele-gruesse-handy",
           "Hi Jonas,\n\npasst, bis morgen.\n\nViele Grüße\nSabine Schneider\nEinkauf\nSchneider & Söhne KG\n"
           "Mobil: 0171 2345678\nTelefon: 0221 987654-0",
           {"name": "Sabine Schneider", "title": "Einkauf", "company": "Schneider & Söhne KG",
            "phones": [("0171 2345678", "mobile"), ("0221 987654-0", "work")]},
           sender=("s.schneider@schneider-soehne.de", "Sabine Schneider")),
    Sample("de-austria-two-line-address",
           "Sehr geehrte Damen und Herren,\n\nwir bitten um Rückruf.\n\nFreundliche Grüße\n\nMag. Thomas Gruber\n"
           "Prokurist\nAlpenholz Handels GmbH\nMariahilfer Straße 45\nA-1060 Wien\nÖsterreich\n"
           "T +43 1 234 56 78\nthomas.gruber@alpenholz.at",
           {"name": "Thomas Gruber", "title": "Prokurist", "company": "Alpenholz Handels GmbH",
            "phones": [("+4312345678", "work")], "address": ["Mariahilfer Straße 45", "A-1060 Wien", "Österreich"],
            "email": "thomas.gruber@alpenholz.at"},
           sender=("thomas.gruber@alpenholz.at", "Thomas Gruber")),
    Sample("de-swiss-0041",
           "Danke für die Unterlagen.\n\nBeste Grüße\nLukas Meier\nKey Account Manager\nHelvetia Tools AG\n"
           "Bahnhofstrasse 10, 8001 Zürich\nDirekt 0041 44 555 12 34",
           {"name": "Lukas Meier", "title": "Key Account Manager", "company": "Helvetia Tools AG",
            "phones": [("+41445551234", "work")], "address": ["Bahnhofstrasse 10, 8001 Zürich"]},
           sender=("lukas.meier@helvetia-tools.ch", "Lukas Meier")),
    Sample("fr-cordialement",
           "Bonjour,\n\nMerci pour votre retour.\n\nCordialement,\nMarie-Claire Dubois\n"
           "Directrice commerciale chez Fromagerie Dubois SAS\n12 rue de la Paix\n75002 Paris\n"
           "Tél : 01 23 45 67 89\nPortable : 06 12 34 56 78\nmarie-claire.dubois@fromagerie.fr",
           {"name": "Marie-Claire Dubois", "title": "Directrice commerciale", "company": "Fromagerie Dubois SAS",
            "phones": [("01 23 45 67 89", "work"), ("06 12 34 56 78", "mobile")],
            "address": ["12 rue de la Paix", "75002 Paris"], "email": "marie-claire.dubois@fromagerie.fr"},
           sender=("marie-claire.dubois@fromagerie.fr", "Marie-Claire Dubois")),
    Sample("fr-bien-a-vous-intl",
           "Bonjour Pierre,\n\nJe vous confirme notre rendez-vous.\n\nBien à vous,\n\nJean-Luc Martin\n"
           "Responsable des achats\nGroupe Lumière SA\nTél. +33 (0)1 42 68 53 00\nwww.groupe-lumiere.fr",
           {"name": "Jean-Luc Martin", "title": "Responsable des achats", "company": "Groupe Lumière SA",
            "phones": [("+33142685300", "work")], "website": "www.groupe-lumiere.fr"},
           sender=("jl.martin@groupe-lumiere.fr", "Jean-Luc Martin")),
    Sample("es-saludos",
           "Hola,\n\nAdjunto la factura.\n\nSaludos cordiales,\nAna María García\n"
           "Gerente de Compras | Acme Iberia S.L.\nCalle de Alcalá 48, 28014 Madrid\nM: +34 612 345 678",
           {"name": "Ana María García", "title": "Gerente de Compras", "company": "Acme Iberia S.L.",
            "phones": [("+34612345678", "mobile")], "address": ["Calle de Alcalá 48, 28014 Madrid"]},
           sender=("anamaria.garcia@acme-iberia.es", "Ana María García")),
    Sample("es-mexico-atentamente",
           "Buenas tardes,\n\nQuedo atento a sus comentarios.\n\nAtentamente,\nJosé Luis Hernández\n"
           "Director Comercial\nGrupo Industrial Azteca S.A. de C.V.\nTel. +52 55 5555 1234",
           {"name": "José Luis Hernández", "title": "Director Comercial",
            "company": "Grupo Industrial Azteca S.A. de C.V.", "phones": [("+525555551234", "work")]},
           sender=("jlhernandez@azteca.example", "José Luis Hernández")),
    Sample("it-cordiali-saluti",
           "Buongiorno,\n\nin allegato il preventivo richiesto.\n\nCordiali saluti\nGiulia Rossi\n"
           "Responsabile Ufficio Acquisti\nRossi Meccanica S.r.l.\nVia Roma 25, 20121 Milano\n"
           "Tel. +39 02 1234 5678\nCell. +39 347 123 4567",
           {"name": "Giulia Rossi", "title": "Responsabile Ufficio Acquisti", "company": "Rossi Meccanica S.r.l.",
            "phones": [("+390212345678", "work"), ("+393471234567", "mobile")],
            "address": ["Via Roma 25, 20121 Milano"]},
           sender=("g.rossi@rossimeccanica.it", "Giulia Rossi")),
    Sample("nl-met-vriendelijke-groet",
           "Beste Mark,\n\nBedankt voor je snelle reactie.\n\nMet vriendelijke groet,\n\nPieter de Vries\n"
           "Accountmanager\nVan Dijk Logistiek B.V.\nKeizersgracht 123\n1015 CJ Amsterdam\n"
           "T +31 20 123 4567\nM +31 6 1234 5678",
           {"name": "Pieter de Vries", "title": "Accountmanager", "company": "Van Dijk Logistiek B.V.",
            "phones": [("+31201234567", "work"), ("+31612345678", "mobile")],
            "address": ["Keizersgracht 123", "1015 CJ Amsterdam"]},
           sender=("p.devries@vandijklogistiek.nl", "Pieter de Vries")),
    Sample("pt-atenciosamente",
           "Olá,\n\nSegue a proposta em anexo.\n\nAtenciosamente,\nJoão Pedro Silva\nDiretor de Vendas\n"
           "Tecnologia Brasil Ltda.\nAv. Paulista, 1000 - São Paulo\nTel: +55 11 3555-1234",
           {"name": "João Pedro Silva", "title": "Diretor de Vendas", "company": "Tecnologia Brasil Ltda.",
            "phones": [("+551135551234", "work")], "address": ["Av. Paulista, 1000 - São Paulo"]},
           sender=("joao.silva@tecbrasil.com.br", "João Pedro Silva")),
    Sample("sv-med-vanliga-halsningar",
           "Hej,\n\nTack för mötet igår.\n\nMed vänliga hälsningar\nErik Lindqvist\nFörsäljningschef\n"
           "Nordic Timber AB\nStorgatan 5\n111 51 Stockholm\nTel: +46 8 123 456 78\nMobil: +46 70 123 45 67",
           {"name": "Erik Lindqvist", "title": "Försäljningschef", "company": "Nordic Timber AB",
            "phones": [("+46812345678", "work"), ("+46701234567", "mobile")],
            "address": ["Storgatan 5", "111 51 Stockholm"]},
           sender=("erik.lindqvist@nordictimber.se", "Erik Lindqvist")),
    Sample("pl-z-powazaniem",
           "Dzień dobry,\n\nw załączeniu przesyłam ofertę.\n\nZ poważaniem\nAnna Kowalska\nKierownik Działu Zakupów\n"
           "Polbud Sp. z o.o.\nul. Marszałkowska 10\n00-590 Warszawa\ntel. +48 22 123 45 67\n"
           "kom. +48 601 234 567",
           {"name": "Anna Kowalska", "title": "Kierownik Działu Zakupów", "company": "Polbud Sp. z o.o.",
            "phones": [("+48221234567", "work"), ("+48601234567", "mobile")],
            "address": ["ul. Marszałkowska 10", "00-590 Warszawa"]},
           sender=("a.kowalska@polbud.pl", "Anna Kowalska")),
    Sample("lt-pagarbiai",
           "Laba diena,\n\nsiunčiu sąskaitą.\n\nPagarbiai\nJonas Jonaitis\nPardavimų vadovas\n"
           "UAB \"Saulės energija\"\nGedimino pr. 9, LT-01103 Vilnius\nMob. +370 612 34567",
           {"name": "Jonas Jonaitis", "title": "Pardavimų vadovas", "company": "UAB \"Saulės energija\"",
            "phones": [("+37061234567", "mobile")], "address": ["Gedimino pr. 9, LT-01103 Vilnius"]},
           sender=("jonas@saulesenergija.lt", "Jonas Jonaitis")),
    Sample("ru-s-uvazheniem",
           "Добрый день!\n\nНаправляю договор.\n\nС уважением,\nИван Петров\nДиректор по продажам\n"
           "ООО \"Ромашка\"\nТел.: +7 495 123-45-67",
           {"name": "Иван Петров", "title": "Директор по продажам", "company": "ООО \"Ромашка\"",
            "phones": [("+74951234567", "work")]},
           sender=("i.petrov@romashka.ru", "Иван Петров")),
    Sample("da-med-venlig-hilsen",
           "Hej Lars,\n\nVi ses på tirsdag.\n\nMed venlig hilsen\nMette Nielsen\nSales Manager\nDansk Design A/S\n"
           "Tlf. +45 33 12 34 56",
           {"name": "Mette Nielsen", "title": "Sales Manager", "company": "Dansk Design A/S",
            "phones": [("+4533123456", "work")]},
           sender=("mette.nielsen@danskdesign.dk", "Mette Nielsen")),
    Sample("de-one-line-pipes",
           "Bis dann!\n\nGruß\nStefan Wolf | Geschäftsführer | Wolf IT-Service GmbH | +49 30 555 66 77",
           {"name": "Stefan Wolf", "title": "Geschäftsführer", "company": "Wolf IT-Service GmbH",
            "phones": [("+49305556677", "work")]},
           sender=("stefan.wolf@wolf-it.de", "Stefan Wolf")),
    Sample("fi-ystavallisin",
           "Hei,\n\nKiitos tarjouksesta.\n\nYstävällisin terveisin\nMikko Virtanen\nToimitusjohtaja\n"
           "Virtanen Oy\npuh. +358 40 123 4567",
           {"name": "Mikko Virtanen", "title": "Toimitusjohtaja", "company": "Virtanen Oy",
            "phones": [("+358401234567", "work")]},
           sender=("mikko.virtanen@virtanen.fi", "Mikko Virtanen")),
    Sample("be-french-dutch",
           "Bonjour,\n\nVoici les documents.\n\nSalutations distinguées,\nSophie Peeters\nConsultante senior\n"
           "Brussels Advisory SRL\nAvenue Louise 54\n1050 Bruxelles\n+32 2 555 12 34",
           {"name": "Sophie Peeters", "title": "Consultante senior", "company": "Brussels Advisory SRL",
            "phones": [("+3225551234", "work")], "address": ["Avenue Louise 54", "1050 Bruxelles"]},
           sender=("sophie.peeters@brusselsadvisory.be", "Sophie Peeters")),
]
