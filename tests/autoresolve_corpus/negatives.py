"""Items where autoresolve must create nobody, or only some participants: colleagues, the org's
Salesforce Users, blocklisted addresses, domains and patterns, automated senders, people already
in Salesforce; plus free-mail senders (a person, never an Account by domain)."""
from __future__ import annotations

from tests.autoresolve_corpus.item import OWNER, Item, Person

BLOCKLIST = ("recruiter@talent-hunters.example", "@cold-outreach.example", r"/^billing[-.]/", r"/@.*\.invalid$/i")

# already in Salesforce: (sobject, fields); a User is a colleague on another domain
KNOWN = (
    ("Contact", {"FirstName": "Olga", "LastName": "Known", "Email": "olga.known@client-one.example"}),
    ("Contact", {"FirstName": "Li", "LastName": "Wang", "Email": "li.wang@client-two.example"}),
    ("Contact", {"FirstName": "Ben", "LastName": "Stone", "Email": "Ben.Stone@client-one.example"}),
    ("Lead", {"FirstName": "Victor", "LastName": "Lead", "Company": "Prospect Two", "Email": "victor.lead@prospect-two.example"}),
    ("Lead", {"FirstName": "Nora", "LastName": "Field", "Company": "Prospect Three", "Email": "nora.field@prospect-three.example"}),
    ("User", {"email": "dev.partner@partner-agency.example"}),
    ("User", {"email": "chris.lane@agency-two.example"}),
)


def _signed(body: str, *card: str) -> str:
    return f"Hi Ann,\n\n{body}\n\nBest regards,\n\n" + "\n".join(card)


def _email(ident: str, writer: str, text: str, expect: dict, *others: str) -> Item:
    return Item(f"neg:{ident}", "email", writer, (OWNER, *others), text, "", expect)


INTERNAL = [
    _email("colleague", "pat.kim@acme.test", _signed("can you cover the Globex call?", "Pat Kim", "Sales Engineer",
                                                     "Acme Inc.", "+1 415 555 0111"), {"pat.kim@acme.test": None}),
    _email("colleague-subdomain", "lena.ortiz@eu.acme.test",
           _signed("the Munich deck is in the shared drive.", "Lena Ortiz", "Presales EMEA", "Acme GmbH"),
           {"lena.ortiz@eu.acme.test": None}),
    _email("colleague-cc-colleague", "raj.patel@acme.test", _signed("numbers for Q3 attached.", "Raj Patel", "Finance"),
           {"raj.patel@acme.test": None, "sam.wu@acme.test": None}, "sam.wu@acme.test"),
    _email("user-other-domain", "dev.partner@partner-agency.example",
           _signed("the integration build is green.", "Dev Partner", "Integration Lead", "Partner Agency"),
           {"dev.partner@partner-agency.example": None}),
    _email("user-cc-colleague", "chris.lane@agency-two.example", _signed("see the brief below.", "Chris Lane", "Designer"),
           {"chris.lane@agency-two.example": None, "ops@emea.acme.test": None}, "ops@emea.acme.test"),
]

BLOCKED = [
    _email("blocked-address", "recruiter@talent-hunters.example",
           _signed("I have an exciting opportunity for you.", "Rita Hunter", "Senior Recruiter", "Talent Hunters Ltd"),
           {"recruiter@talent-hunters.example": None}),
    _email("blocked-domain", "dana.rep@cold-outreach.example",
           _signed("do you have 15 minutes this week?", "Dana Rep", "Growth Manager", "Cold Outreach Inc."),
           {"dana.rep@cold-outreach.example": None}),
    _email("blocked-domain-2", "sales@cold-outreach.example", _signed("last chance for our offer.", "The Sales Team"),
           {"sales@cold-outreach.example": None}),
    _email("blocked-regex", "billing-team@vendor-saas.example",
           _signed("your invoice is attached.", "Billing Team", "Vendor SaaS Inc."), {"billing-team@vendor-saas.example": None}),
    _email("blocked-regex-2", "billing.eu@cloudhost.example", _signed("payment received, thank you.", "Cloudhost Billing"),
           {"billing.eu@cloudhost.example": None}),
    _email("blocked-regex-flag", "Test.User@Lab.INVALID", _signed("ignore this test.", "Test User"),
           {"test.user@lab.invalid": None}),
    _email("blocked-cc-unknown", "recruiter@talent-hunters.example", _signed("cc'ing my colleague.", "Rita Hunter"),
           {"recruiter@talent-hunters.example": None, "paul.dunn@harbourline.example":
            Person("Dunn", "Paul", company="Harbourline")}, "paul.dunn@harbourline.example"),
]

AUTOMATED = [
    _email("noreply", "no-reply@accounts.cloudhost.example", "Your password was changed.\n\nThe Cloudhost team",
           {"no-reply@accounts.cloudhost.example": None}),
    _email("donotreply", "donotreply@statements.firstbank.example", "Your statement is ready.",
           {"donotreply@statements.firstbank.example": None}),
    _email("mailer-daemon", "MAILER-DAEMON@mx.partnerco.example",
           "Delivery has failed to these recipients or groups:\n\nbob@gone.example", {"mailer-daemon@mx.partnerco.example": None}),
    _email("notifications", "notifications@tracker.example", "Ticket #4411 was updated by Kim.",
           {"notifications@tracker.example": None}),
    _email("newsletter", "newsletter@industryweekly.example", "This week in logistics: ...\n\nUnsubscribe",
           {"newsletter@industryweekly.example": None}),
    _email("bounce", "bounces+8812@mail.eventsite.example", "You are registered for the summit.",
           {"bounces+8812@mail.eventsite.example": None}),
]

KNOWN_PEOPLE = [
    _email("known-contact", "olga.known@client-one.example",
           _signed("PO is approved.", "Olga Known", "Head of Purchasing", "Client One Holdings"),
           {"olga.known@client-one.example": None}),
    _email("known-contact-case", "ben.stone@client-one.example", _signed("see attached.", "Ben Stone", "CTO"),
           {"ben.stone@client-one.example": None}),
    _email("known-lead", "victor.lead@prospect-two.example",
           _signed("we would like a demo.", "Victor Lead", "IT Manager", "Prospect Two"),
           {"victor.lead@prospect-two.example": None}),
    _email("known-lead-2", "nora.field@prospect-three.example", _signed("pricing please.", "Nora Field"),
           {"nora.field@prospect-three.example": None}),
    _email("known-contact-cc-unknown", "li.wang@client-two.example",
           _signed("adding our new buyer, Ivy.", "Li Wang", "Operations", "Client Two"),
           {"li.wang@client-two.example": None, "ivy.park@client-two.example": Person("Park", "Ivy", company="Client Two")},
           "ivy.park@client-two.example"),
]

FREE_MAIL_SENDERS = [
    _email("gmail-consultant", "maria.lopez.consulting@gmail.com",
           _signed("happy to help with the rollout.", "Maria Lopez", "Independent Consultant", "Lopez Consulting",
                   "+34 612 345 678"),
           {"maria.lopez.consulting@gmail.com": Person("Lopez", "Maria", "Independent Consultant", "Lopez Consulting")}),
    _email("outlook-name-only", "peter.hall@outlook.com", "Thanks for the call today.\n\nRegards,\nPeter Hall",
           {"peter.hall@outlook.com": Person("Hall", "Peter")}),
    _email("gmx-title", "j.kowalski@gmx.de",
           "Hallo Ann,\n\nanbei die Übersetzung.\n\nViele Grüße\nJan Kowalski\nFreiberuflicher Übersetzer",
           {"j.kowalski@gmx.de": Person("Kowalski", "Jan", "Freiberuflicher Übersetzer")}),
    _email("yahoo-atelier", "sophie.renard@yahoo.fr",
           "Bonjour Ann,\n\nvoici le devis.\n\nCordialement,\nSophie Renard\nArchitecte d'intérieur\nAtelier Renard",
           {"sophie.renard@yahoo.fr": Person("Renard", "Sophie", "Architecte d'intérieur", "Atelier Renard")}),
    _email("hotmail-no-signature", "tim.baker1990@hotmail.com", "Sounds good, see you then.\n\nSent from my iPhone",
           {"tim.baker1990@hotmail.com": Person("Baker", "Tim")}),
    _email("icloud-title", "lucy.chen@icloud.com", "Photos are uploaded.\n\nBest,\nLucy Chen\nPhotographer",
           {"lucy.chen@icloud.com": Person("Chen", "Lucy", "Photographer")}),
    _email("webde-initial", "k.yilmaz@web.de", "Hallo,\n\nder Termin passt.\n\nMit freundlichen Grüßen\nKemal Yilmaz",
           {"k.yilmaz@web.de": Person("Yilmaz", "Kemal")}),
]

NEGATIVES = [*INTERNAL, *BLOCKED, *AUTOMATED, *KNOWN_PEOPLE, *FREE_MAIL_SENDERS]
