"""Meetings with several unknown attendees, mail the saving user sent to unknown recipients, and
second mails from people met earlier in the session.

Only the writer's signature may fill a person: an attendee or a recipient is known by their
address alone (first.last → names, the domain's name as company), never by someone else's card.
"""
from __future__ import annotations

from tests.autoresolve_corpus.item import OWNER, Item, Person

OWN_CARD = "Best,\nAnn Smith\nAccount Executive\nAcme Inc.\n+1 415 555 0100\nwww.acme.test"


def _meeting(ident: str, organizer: str, card: str, expect: dict[str, Person | None]) -> Item:
    text = f"Agenda:\n1. Introductions\n2. Requirements\n3. Next steps\n\nLooking forward to it.\n\n{card}"
    others = tuple(a for a in expect if a != organizer)
    return Item(f"meet:{ident}", "meeting", organizer, (OWNER, *others), text, "", expect)


def _sent(ident: str, body: str, expect: dict[str, Person | None]) -> Item:
    return Item(f"out:{ident}", "email", OWNER, tuple(expect), f"Hello,\n\n{body}\n\n{OWN_CARD}", "", expect)


MEETINGS = [
    _meeting("brightpath", "lena.fox@brightpath-energy.example",
             "Kind regards,\nLena Fox\nHead of IT\nBrightpath Energy plc",
             {"lena.fox@brightpath-energy.example": Person("Fox", "Lena", "Head of IT", "Brightpath Energy plc"),
              "omar.said@quarry-analytics.example": Person("Said", "Omar", company="Quarry Analytics"),
              "jo.ng@harbourline.example": Person("Ng", "Jo", company="Harbourline")}),
    _meeting("tessaro", "g.bassi@tessaro.it", "Cordiali saluti,\nGiorgio Bassi\nDirettore Tecnico\nTessaro S.p.A.",
             {"g.bassi@tessaro.it": Person("Bassi", "Giorgio", "Direttore Tecnico", "Tessaro S.p.A."),
              "anna.neri@lumenlab.it": Person("Neri", "Anna", company="Lumenlab"),
              "marco.villa@ottica-villa.it": Person("Villa", "Marco", company="Ottica Villa")}),
    _meeting("kranich", "f.richter@kranich-logistik.de",
             "Mit freundlichen Grüßen\nFelix Richter\nLeiter IT\nKranich Logistik GmbH\nTel. +49 40 123456",
             {"f.richter@kranich-logistik.de": Person("Richter", "Felix", "Leiter IT", "Kranich Logistik GmbH"),
              "sabine.koch@werft-nord.de": Person("Koch", "Sabine", company="Werft Nord"),
              "pat.kim@acme.test": None}),
    _meeting("known-and-new", "olga.known@client-one.example",
             "Best,\nOlga Known\nHead of Purchasing\nClient One Holdings",
             {"olga.known@client-one.example": None,
              "ravi.menon@quarry-analytics.example": Person("Menon", "Ravi", company="Quarry Analytics"),
              "elif.demir@bosphorus-textiles.example": Person("Demir", "Elif", company="Bosphorus Textiles")}),
    _meeting("blocked-attendee", "hana.sato@kumo-systems.example",
             "Regards,\nHana Sato\nProject Manager\nKumo Systems K.K.",
             {"hana.sato@kumo-systems.example": Person("Sato", "Hana", "Project Manager", "Kumo Systems K.K."),
              "dana.rep@cold-outreach.example": None,
              "ken.ito@kumo-systems.example": Person("Ito", "Ken", company="Kumo Systems")}),
    _meeting("free-mail-organizer", "rob.green@gmail.com", "Cheers,\nRob Green\nFreelance Developer",
             {"rob.green@gmail.com": Person("Green", "Rob", "Freelance Developer"),
              "mila.horvat@adria-soft.example": Person("Horvat", "Mila", company="Adria Soft"),
              "ana.kos@adria-soft.example": Person("Kos", "Ana", company="Adria Soft")}),
    _meeting("no-card", "t.olsen@fjord-marine.example", "Thanks,\nTorben",
             {"t.olsen@fjord-marine.example": Person("Olsen", "Torben", company="Fjord Marine"),
              "ingrid.berg@fjord-marine.example": Person("Berg", "Ingrid", company="Fjord Marine"),
              "lars.holm@nordkapp-fish.example": Person("Holm", "Lars", company="Nordkapp Fish")}),
    _meeting("five-attendees", "claire.dupont@vinexpo-conseil.fr",
             "Bien cordialement,\nClaire Dupont\nChef de projet\nVinexpo Conseil SARL",
             {"claire.dupont@vinexpo-conseil.fr": Person("Dupont", "Claire", "Chef de projet", "Vinexpo Conseil SARL"),
              "paul.martin@cave-martin.fr": Person("Martin", "Paul", company="Cave Martin"),
              "lea.roux@domaine-roux.fr": Person("Roux", "Lea", company="Domaine Roux"),
              "hugo.blanc@transports-blanc.fr": Person("Blanc", "Hugo", company="Transports Blanc"),
              "ines.garnier@garnier-verre.fr": Person("Garnier", "Ines", company="Garnier Verre")}),
    _meeting("user-attendee", "sara.cole@redwood-health.example",
             "Best regards,\nSara Cole\nClinical Operations Director\nRedwood Health Inc.",
             {"sara.cole@redwood-health.example": Person("Cole", "Sara", "Clinical Operations Director",
                                                         "Redwood Health Inc."),
              "dev.partner@partner-agency.example": None,
              "max.young@redwood-health.example": Person("Young", "Max", company="Redwood Health")}),
    _meeting("spanish", "c.ruiz@olivares-sur.es", "Un saludo,\nCarmen Ruiz\nDirectora Financiera\nOlivares del Sur S.A.",
             {"c.ruiz@olivares-sur.es": Person("Ruiz", "Carmen", "Directora Financiera", "Olivares del Sur S.A."),
              "diego.mora@aceites-mora.es": Person("Mora", "Diego", company="Aceites Mora")}),
    _meeting("dutch", "j.visser@polder-bouw.nl",
             "Met vriendelijke groet,\nJan Visser\nProjectleider\nPolder Bouw B.V.",
             {"j.visser@polder-bouw.nl": Person("Visser", "Jan", "Projectleider", "Polder Bouw B.V."),
              "eva.smit@delta-water.nl": Person("Smit", "Eva", company="Delta Water"),
              "li.wang@client-two.example": None}),
    _meeting("swedish", "oskar.lund@granskog.se", "Med vänliga hälsningar\nOskar Lund\nInköpschef\nGranskog AB",
             {"oskar.lund@granskog.se": Person("Lund", "Oskar", "Inköpschef", "Granskog AB"),
              "maja.ek@ekstrom-tra.se": Person("Ek", "Maja", company="Ekstrom Tra")}),
]

OUTBOUND = [
    _sent("one-recipient", "as promised, the proposal is attached.",
          {"nadia.rahman@cedar-legal.example": Person("Rahman", "Nadia", "Partner", "Cedar Legal LLP")}),  # her card below
    _sent("two-recipients", "thanks for your time today; notes below.",
          {"tom.wright@ironbridge.example": Person("Wright", "Tom", company="Ironbridge"),
           "amy.lo@ironbridge.example": Person("Lo", "Amy", company="Ironbridge")}),
    _sent("recipient-and-colleague", "looping in my colleague Pat.",
          {"george.ward@silverline-freight.example": Person("Ward", "George", company="Silverline Freight"),
           "pat.kim@acme.test": None}),
    _sent("hyphenated-domain", "here is the trial link.",
          {"ola.nordmann@nordic-grid.example": Person("Nordmann", "Ola", company="Nordic Grid")}),
    _sent("underscore-local", "welcome aboard!",
          {"kate_miles@pinecrest.example": Person("Miles", "Kate", company="Pinecrest")}),
    _sent("dash-local", "invoice corrected.",
          {"luis-ortega@sierra-foods.example": Person("Ortega", "Luis", company="Sierra Foods")}),
    _sent("known-and-new", "agenda for Thursday.",
          {"victor.lead@prospect-two.example": None,
           "ruth.kaplan@prospect-two.example": Person("Kaplan", "Ruth", company="Prospect Two")}),
    _sent("free-mail-recipient", "the brochure you asked for.",
          {"dave.jones77@gmail.com": Person("Jones", "Dave")}),
    _sent("blocked-recipient", "please remove us from your list.",
          {"sales@cold-outreach.example": None}),
    _sent("three-recipients", "kick-off slides attached.",
          {"yara.haddad@cedarpoint-labs.example": Person("Haddad", "Yara", company="Cedarpoint Labs"),
           "ben.okafor@cedarpoint-labs.example": Person("Okafor", "Ben", company="Cedarpoint Labs"),
           "li.na@cedarpoint-labs.example": Person("Na", "Li", company="Cedarpoint Labs")}),
    _sent("uk-domain", "the revised terms.",
          {"harry.evans@thames-water-tech.co.uk": Person("Evans", "Harry", company="Thames Water Tech")}),
    _sent("german-umlaut-free", "das Angebot anbei.",
          {"juergen.schmitt@schmitt-bau.de": Person("Schmitt", "Juergen", company="Schmitt Bau")}),
]

REPEATS = [
    Item("again:sam.lee", "email", "sam.lee@globex.example", (OWNER,), "Quick follow-up: any news?\n\nSam", "",
         {"sam.lee@globex.example": Person("Lee", "Sam", "Chief Financial Officer", "Globex Corporation")}),
    Item("again:lena.fox", "email", "lena.fox@brightpath-energy.example", (OWNER,), "Running 5 minutes late.", "",
         {"lena.fox@brightpath-energy.example": Person("Fox", "Lena", "Head of IT", "Brightpath Energy plc")}),
    Item("again:nadia", "email", "nadia.rahman@cedar-legal.example", (OWNER,),
         "Thanks Ann, we will review.\n\nNadia Rahman\nPartner\nCedar Legal LLP", "",
         {"nadia.rahman@cedar-legal.example": Person("Rahman", "Nadia", "Partner", "Cedar Legal LLP")}),
]
