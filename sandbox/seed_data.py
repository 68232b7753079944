"""The sandbox's story, as plain data: Sandbox Co's CRM records and Ann's mailbox content.

Dates are relative to the day of seeding so a newcomer always sees meetings "in the coming
days". Mailbox people match seeded Contacts and Leads by email, so the sync can link them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime

ORG_NAME = "Sandbox Co"
ADMIN = {"email": "ann@sandbox-co.test", "first_name": "Ann", "last_name": "Carter"}
MAILBOX_USERNAME = "ann"
PROFILE_NAME = "Sandbox mail servers"
SYNC_INTERVAL_MINUTES = 5

ACCOUNTS = {
    "northwind": {"Name": "Northwind Traders", "Industry": "Retail", "Type": "Customer - Direct",
                  "Website": "https://northwind.test", "BillingCity": "Seattle"},
    "globex": {"Name": "Globex Corporation", "Industry": "Manufacturing", "Type": "Prospect",
               "Website": "https://globex.test", "BillingCity": "Cypress Creek"},
}
CONTACTS = {  # account key → contact fields
    "maria": ("northwind", {"FirstName": "Maria", "LastName": "Anders", "Email": "maria.anders@northwind.test",
                            "Title": "Head of Purchasing", "Phone": "+1 206 555 0101"}),
    "peter": ("northwind", {"FirstName": "Peter", "LastName": "Franken", "Email": "peter.franken@northwind.test",
                            "Title": "Operations Manager"}),
    "hank": ("globex", {"FirstName": "Hank", "LastName": "Scorpio", "Email": "hank.scorpio@globex.test",
                        "Title": "CEO"}),
}
LEADS = [
    {"FirstName": "Liu", "LastName": "Wong", "Company": "Initech", "Email": "liu.wong@initech.test",
     "Status": "Working - Contacted"},
    {"FirstName": "Sam", "LastName": "Lowry", "Company": "Central Services", "Email": "sam.lowry@central.test"},
]


def opportunity(today: date) -> dict:
    return {"Name": "Northwind – 2026 renewal", "StageName": "Proposal/Price Quote", "Amount": 48000,
            "CloseDate": (today + timedelta(days=30)).isoformat()}


def salesforce_event(today: date) -> dict:
    """Owned by Ann in Salesforce only: the first sync brings it into her calendar."""
    start = datetime.combine(today + timedelta(days=2), time(14, 0), UTC)
    return {"Subject": "Quarterly business review – Northwind", "StartDateTime": start.isoformat(),
            "EndDateTime": (start + timedelta(hours=1)).isoformat(), "DurationInMinutes": 60,
            "Location": "Northwind HQ, Seattle", "Type": "Meeting",
            "Description": "Created in Salesforce; Syncline puts it into Ann's calendar."}


@dataclass(frozen=True)
class DavResource:
    """One file for a DAV collection: its name and its iCalendar/vCard text (CRLF line ends)."""

    name: str
    text: str


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _vcalendar(body: list[str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Syncline//Sandbox//EN", *body, "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


def _vevent(uid: str, summary: str, timing: list[str], extra: list[str]) -> DavResource:
    head = [f"UID:{uid}@sandbox.syncline", f"DTSTAMP:{_stamp(datetime.now(UTC))}", f"SUMMARY:{summary}",
            "ORGANIZER;CN=Ann Carter:mailto:ann@sandbox-co.test"]
    return DavResource(f"{uid}.ics", _vcalendar(["BEGIN:VEVENT", *head, *timing, *extra, "END:VEVENT"]))


def _at(day: date, hour: int, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minutes), UTC)


def _attendee(name: str, email: str, status: str = "NEEDS-ACTION") -> str:
    return f"ATTENDEE;CN={name};PARTSTAT={status};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{email}"


def calendar_events(today: date) -> list[DavResource]:
    """Meetings in Ann's calendar: two one-off, a weekly series, an all-day visit."""
    pricing = _at(today + timedelta(days=1), 9)
    weekly = _at(today + timedelta(days=1), 15)
    demo = _at(today + timedelta(days=3), 13)
    onsite = today + timedelta(days=4)
    return [
        _vevent("pricing-call", "Pricing call – Northwind renewal",
                [f"DTSTART:{_stamp(pricing)}", f"DTEND:{_stamp(pricing + timedelta(minutes=30))}"],
                ["LOCATION:Phone", _attendee("Maria Anders", "maria.anders@northwind.test", "ACCEPTED")]),
        _vevent("globex-demo", "Product demo for Globex",
                [f"DTSTART:{_stamp(demo)}", f"DTEND:{_stamp(demo + timedelta(hours=1))}"],
                ["LOCATION:Video call", _attendee("Hank Scorpio", "hank.scorpio@globex.test", "TENTATIVE")]),
        _vevent("weekly-pipeline", "Weekly pipeline review with Northwind",
                [f"DTSTART:{_stamp(weekly)}", f"DTEND:{_stamp(weekly + timedelta(minutes=30))}",
                 "RRULE:FREQ=WEEKLY;COUNT=10"],
                [_attendee("Peter Franken", "peter.franken@northwind.test", "ACCEPTED")]),
        _vevent("northwind-onsite", "Northwind onsite visit",
                [f"DTSTART;VALUE=DATE:{onsite:%Y%m%d}", f"DTEND;VALUE=DATE:{onsite + timedelta(days=1):%Y%m%d}",
                 "TRANSP:TRANSPARENT"],
                ["LOCATION:Seattle", _attendee("Maria Anders", "maria.anders@northwind.test")]),
    ]


def tasks(today: date) -> list[DavResource]:
    """Ann's to-do list (VTODO)."""
    items = [("renewal-quote", "Send the renewal quote to Northwind", 3, 1),
             ("initech-followup", "Call Liu Wong about Initech's requirements", 5, 5)]
    return [DavResource(f"{uid}.ics", _vcalendar([
        "BEGIN:VTODO", f"UID:{uid}@sandbox.syncline", f"DTSTAMP:{_stamp(datetime.now(UTC))}",
        f"SUMMARY:{summary}", f"DUE;VALUE=DATE:{today + timedelta(days=days):%Y%m%d}", f"PRIORITY:{priority}",
        "STATUS:NEEDS-ACTION", "END:VTODO"])) for uid, summary, days, priority in items]


def address_book(category: str) -> list[DavResource]:
    """One person Salesforce knows (Maria), one it does not (Nina); both carry the Salesforce
    category, so the default contact scope (Salesforce book or category) syncs them."""
    people = [("maria-anders", "Anders", "Maria", "Northwind Traders", "maria.anders@northwind.test"),
              ("nina-becker", "Becker", "Nina", "Contoso", "nina.becker@contoso.test")]
    return [DavResource(f"{uid}.vcf", "\r\n".join([
        "BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}@sandbox.syncline", f"FN:{first} {last}", f"N:{last};{first};;;",
        f"ORG:{company}", f"EMAIL;TYPE=WORK:{email}", f"CATEGORIES:{category}", "END:VCARD"]) + "\r\n")
        for uid, last, first, company, email in people]


@dataclass(frozen=True)
class SeedEmail:
    """A message for Ann's IMAP mailbox: where it goes, its keywords, its RFC 5322 bytes."""

    folder: str
    keywords: tuple[str, ...]
    raw: bytes


def _email(sender: str, subject: str, sent: datetime, body: str, n: int) -> bytes:
    return (f"From: {sender}\r\nTo: Ann Carter <ann@sandbox-co.test>\r\nSubject: {subject}\r\n"
            f"Date: {format_datetime(sent)}\r\nMessage-ID: <sandbox-{n}@sandbox.syncline>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def emails(today: date, keyword: str, folder: str) -> list[SeedEmail]:
    """One tagged with the Salesforce keyword, one in the Salesforce folder, one left alone."""
    day = _at(today - timedelta(days=1), 8)
    return [
        SeedEmail("INBOX", (keyword,), _email("Maria Anders <maria.anders@northwind.test>", "Re: 2026 renewal pricing",
                                              day, "Hi Ann,\r\n\r\nthe volume tiers look good. Can you send the"
                                              " final quote?\r\n\r\nMaria", 1)),
        SeedEmail(folder, (), _email("Hank Scorpio <hank.scorpio@globex.test>", "Globex demo – agenda",
                                     day + timedelta(hours=2), "Ann, looking forward to the demo.\r\n\r\nHank", 2)),
        SeedEmail("INBOX", (), _email("Peter Franken <peter.franken@northwind.test>", "Lunch next week?",
                                      day + timedelta(hours=4), "Not for Salesforce: just lunch.\r\n\r\nPeter", 3)),
    ]
