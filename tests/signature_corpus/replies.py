"""Plain-text replies and forwards: the writer's signature above someone else's, quoted or not,
"On … wrote:" in many languages (also wrapped), Outlook header blocks, mobile footers, disclaimers."""
from tests.signature_corpus.sample import Sample

_QUOTED_JANE = "> Best regards,\n> Jane Doe\n> CFO\n> Globex Corporation\n> +1 555 0100"
_OUTLOOK_JANE = "Best regards,\nJane Doe\nCFO\nGlobex Corporation\n+1 415 555 0100"

SAMPLES = [
    Sample("reply-en-wrote-quoted",
           "Sounds good.\n\nCheers,\nTom Baker\nAdatum Corp.\n\nOn Mon, 3 Mar 2025 at 09:00, Jane Doe "
           "<jane@globex.example> wrote:\n" + _QUOTED_JANE,
           {"name": "Tom Baker", "company": "Adatum Corp."}, sender=("tom.baker@adatum.example", "Tom Baker")),
    Sample("reply-en-wrote-wrapped",
           "Yes please.\n\nBest,\nAlex Turner\nProduct Manager\nLitware Inc\n\nOn Tue, Mar 4, 2025 at 10:15 AM Jane "
           "Doe <\njane@globex.example> wrote:\n\n" + _QUOTED_JANE,
           {"name": "Alex Turner", "title": "Product Manager", "company": "Litware Inc"},
           sender=("alex.turner@litware.example", "Alex Turner")),
    Sample("reply-outlook-en-header",
           "Approved.\n\nRegards,\nSarah Johnson\nVP Sales\nNorthwind Traders Inc.\n+1 206 555 0123\n\n"
           "________________________________\nFrom: Jane Doe <jane@globex.example>\nSent: Monday, March 3, 2025 "
           "9:00 AM\nTo: Sarah Johnson <sarah@northwind.example>\nSubject: Discount request\n\n" + _OUTLOOK_JANE,
           {"name": "Sarah Johnson", "title": "VP Sales", "company": "Northwind Traders Inc.",
            "phones": [("+12065550123", "work")]}, sender=("sarah@northwind.example", "Sarah Johnson")),
    Sample("reply-outlook-de-header",
           "Passt.\n\nViele Grüße\nMarkus Weber\nWeber Elektrotechnik GmbH\n\nVon: Jane Doe <jane@globex.example>\n"
           "Gesendet: Montag, 3. März 2025 09:00\nAn: Markus Weber\nBetreff: Angebot\n\n" + _OUTLOOK_JANE,
           {"name": "Markus Weber", "company": "Weber Elektrotechnik GmbH"},
           sender=("m.weber@weber-elektro.de", "Markus Weber")),
    Sample("reply-outlook-fr-header",
           "C'est noté.\n\nCordialement\nNicolas Bernard\nIngénieur commercial\nAtelier Bernard SARL\n\n"
           "De : Jane Doe <jane@globex.example>\nEnvoyé : lundi 3 mars 2025 09:00\nÀ : Nicolas Bernard\n"
           "Objet : Devis\n\n" + _OUTLOOK_JANE,
           {"name": "Nicolas Bernard", "title": "Ingénieur commercial", "company": "Atelier Bernard SARL"},
           sender=("n.bernard@atelier-bernard.fr", "Nicolas Bernard")),
    Sample("reply-de-am-schrieb",
           "Danke!\n\nBeste Grüße\nJulia Braun\nBraun Consulting GmbH\nTel. +49 40 555 1234\n\n"
           "Am Mo., 3. März 2025 um 09:00 Uhr schrieb Jane Doe <jane@globex.example>:\n" + _QUOTED_JANE,
           {"name": "Julia Braun", "company": "Braun Consulting GmbH", "phones": [("+49405551234", "work")]},
           sender=("julia.braun@braun-consulting.de", "Julia Braun")),
    Sample("reply-fr-a-ecrit",
           "Parfait.\n\nBien cordialement,\nCamille Moreau\nResponsable marketing\nMaison Moreau SAS\n\n"
           "Le lun. 3 mars 2025 à 09:00, Jane Doe <jane@globex.example> a écrit :\n" + _QUOTED_JANE,
           {"name": "Camille Moreau", "title": "Responsable marketing", "company": "Maison Moreau SAS"},
           sender=("camille.moreau@maisonmoreau.fr", "Camille Moreau")),
    Sample("reply-es-escribio",
           "De acuerdo.\n\nSaludos,\nPablo Sánchez\nIngeniero de Ventas\nTécnicas Reunidas S.A.\n\n"
           "El lun, 3 mar 2025 a las 9:00, Jane Doe (<jane@globex.example>) escribió:\n" + _QUOTED_JANE,
           {"name": "Pablo Sánchez", "title": "Ingeniero de Ventas", "company": "Técnicas Reunidas S.A."},
           sender=("pablo.sanchez@tecnicas.example", "Pablo Sánchez")),
    Sample("reply-it-ha-scritto",
           "Va bene.\n\nSaluti\nLuca Ferrari\nDirettore Commerciale\nFerrari Imballaggi S.p.A.\n\n"
           "Il giorno lun 3 mar 2025 alle ore 09:00 Jane Doe <jane@globex.example> ha scritto:\n" + _QUOTED_JANE,
           {"name": "Luca Ferrari", "title": "Direttore Commerciale", "company": "Ferrari Imballaggi S.p.A."},
           sender=("luca.ferrari@ferrari-imballaggi.it", "Luca Ferrari")),
    Sample("reply-nl-schreef",
           "Prima.\n\nGroeten,\nSanne Jansen\nJansen Installatietechniek B.V.\n\nOp ma 3 mrt 2025 om 09:00 schreef "
           "Jane Doe <jane@globex.example>:\n" + _QUOTED_JANE,
           {"name": "Sanne Jansen", "company": "Jansen Installatietechniek B.V."},
           sender=("sanne@jansen-installatie.nl", "Sanne Jansen")),
    Sample("reply-pt-escreveu",
           "Combinado.\n\nAbraços,\nRafael Souza\nGerente de Projetos\nSouza Engenharia Ltda\n\n"
           "Em seg., 3 de mar. de 2025 às 09:00, Jane Doe <jane@globex.example> escreveu:\n" + _QUOTED_JANE,
           {"name": "Rafael Souza", "title": "Gerente de Projetos", "company": "Souza Engenharia Ltda"},
           sender=("rafael.souza@souzaeng.example", "Rafael Souza")),
    Sample("reply-sv-skrev",
           "Låter bra.\n\nHälsningar\nKarin Berg\nInköpare\nBerg Bygg AB\n\nDen mån 3 mars 2025 kl 09:00 skrev "
           "Jane Doe <jane@globex.example>:\n" + _QUOTED_JANE,
           {"name": "Karin Berg", "title": "Inköpare", "company": "Berg Bygg AB"},
           sender=("karin.berg@bergbygg.se", "Karin Berg")),
    Sample("reply-pl-napisal",
           "Dziękuję.\n\nPozdrawiam\nPiotr Nowak\nSpecjalista ds. sprzedaży\nNowak Trans Sp. z o.o.\n\n"
           "W dniu 3.03.2025 o 09:00, Jane Doe <jane@globex.example> pisze:\n" + _QUOTED_JANE,
           {"name": "Piotr Nowak", "title": "Specjalista ds. sprzedaży", "company": "Nowak Trans Sp. z o.o."},
           sender=("piotr.nowak@nowaktrans.pl", "Piotr Nowak")),
    Sample("reply-lt-rase",
           "Ačiū.\n\nSu pagarba\nRūta Kazlauskienė\nPirkimų vadovė\nUAB Baltic Parts\n\n2025-03-03, pirm., 09:00, "
           "Jane Doe <jane@globex.example> rašė:\n" + _QUOTED_JANE,
           {"name": "Rūta Kazlauskienė", "title": "Pirkimų vadovė", "company": "UAB Baltic Parts"},
           sender=("ruta@balticparts.lt", "Rūta Kazlauskienė")),
    Sample("forward-gmail",
           "FYI, see below.\n\nThanks,\nMia Wong\nOperations Lead\nTailspin Toys Inc.\n\n"
           "---------- Forwarded message ---------\nFrom: Jane Doe <jane@globex.example>\nDate: Mon, Mar 3, 2025\n"
           "Subject: Order\nTo: <mia@tailspintoys.example>\n\n" + _OUTLOOK_JANE,
           {"name": "Mia Wong", "title": "Operations Lead", "company": "Tailspin Toys Inc."},
           sender=("mia@tailspintoys.example", "Mia Wong")),
    Sample("forward-original-message-de",
           "Zur Info.\n\nMfG\nHans Vogel\nVogel Metallbau GmbH\n\n-----Ursprüngliche Nachricht-----\n"
           "Von: Jane Doe\nGesendet: Montag\nAn: Hans Vogel\nBetreff: Lieferung\n\n" + _OUTLOOK_JANE,
           {"name": "Hans Vogel", "company": "Vogel Metallbau GmbH"}, sender=("h.vogel@vogel-metall.de", "Hans Vogel")),
    Sample("mobile-iphone-only",
           "On my way, 5 minutes.\n\nSent from my iPhone\n\nOn Mar 3, 2025, at 09:00, Jane Doe "
           "<jane@globex.example> wrote:\n" + _QUOTED_JANE,
           {}, sender=("tom@adatum.example", "Tom Baker")),
    Sample("mobile-footer-after-signature",
           "Confirmed.\n\nBest,\nOlivia Brown\nAccount Director\nWoodgrove Bank Corp.\nM: +1 917 555 0101\n\n"
           "Get Outlook for iOS",
           {"name": "Olivia Brown", "title": "Account Director", "company": "Woodgrove Bank Corp.",
            "phones": [("+19175550101", "mobile")]}, sender=("olivia.brown@woodgrovebank.example", "Olivia Brown")),
    Sample("mobile-german-footer",
           "Ok, bis gleich.\n\nVon meinem iPhone gesendet", {}, sender=("a@b.example", "Anna Berg")),
    Sample("disclaimer-en-long",
           "Please find the statement attached.\n\nKind regards,\nGeorge Harris\nRelationship Manager\n"
           "Fabrikam Bank plc\nT: +44 20 7946 0100\n\nThis email and any files transmitted with it are confidential "
           "and intended solely for the use of the individual or entity to whom they are addressed. If you have "
           "received this email in error please notify the sender. Fabrikam Bank plc, registered in England "
           "No. 1234567, 1 Bank Street, London E14 5AB. Tel +44 20 7946 0000.",
           {"name": "George Harris", "title": "Relationship Manager", "company": "Fabrikam Bank plc",
            "phones": [("+442079460100", "work")]}, sender=("george.harris@fabrikambank.example", "George Harris")),
    Sample("disclaimer-de-vertraulich",
           "Anbei die Rechnung.\n\nFreundliche Grüße\nPetra Lang\nBuchhaltung\nLang Medien GmbH\n"
           "Tel.: 089 555 123-0\n\nDiese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige "
           "Adressat sind, informieren Sie bitte sofort den Absender.",
           {"name": "Petra Lang", "title": "Buchhaltung", "company": "Lang Medien GmbH", "phones": [("089 555 123-0", "work")]},
           sender=("p.lang@lang-medien.de", "Petra Lang")),
    Sample("reply-inline-closing-name",
           "Works for me, thanks!\n\nCheers, Ben Clarke\n\nOn Tue, 4 Mar 2025, Jane Doe <jane@globex.example> "
           "wrote:\n" + _QUOTED_JANE,
           {"name": "Ben Clarke"}, sender=("ben.clarke@gmail.com", "Ben Clarke")),
]
