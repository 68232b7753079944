"""First contact with an org that already holds data (issue 11, point 5), end to end: the
worker process links a card and a meeting to EXISTING Salesforce records (emulator) and
neither side loses a value; the dashboard's conflicts show real times or none."""
from __future__ import annotations

from datetime import timedelta

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.sync.items import FolderKind
from tests.e2e.helpers import NOW, dashboard, force_sync, sign_up
from tests.realservers.fixtures import LOOPBACK_POLICY

STAMP = "%Y%m%dT%H%M%SZ"


def _put(person, collection: str, name: str, text: str, content_type: str) -> None:
    response = person.dav.session().put(f"{person.dav.principal_url}{collection}/{name}",
                                        data=text.replace("\n", "\r\n").encode(),
                                        headers={"Content-Type": f"{content_type}; charset=utf-8"})
    assert response.status_code in (201, 204), response.text


def _card(first: str, last: str, email: str, extra: str = "") -> str:
    """A card the default contact scope syncs: it carries the Salesforce category."""
    return (f"BEGIN:VCARD\nVERSION:3.0\nUID:{first}-{last}\nFN:{first} {last}\nN:{last};{first};;;\n"
            f"EMAIL;TYPE=WORK:{email}\nCATEGORIES:Salesforce\n{extra}END:VCARD\n")


def _items(person, kind: FolderKind) -> list:
    port = build_mailbox(person.endpoints, person.dav.username, person.dav.password,
                         MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    try:
        return list(port.changes_since(kind, None).items)
    finally:
        port.close()


def _contacts(person) -> list[dict]:
    return person.e2e.emu.records(person.sf_org, "Contact")


def test_a_card_without_phone_and_title_keeps_the_contacts_and_gains_them(e2e, factory):
    ann = sign_up(e2e, factory)
    e2e.emu.insert(ann.sf_org, "Contact", {"FirstName": "Maria", "LastName": "Anders", "Phone": "+1 206 555 0101",
                                           "Email": "maria@northwind.test", "Title": "Head of Purchasing"},
                   ann.sf_user)
    _put(ann, "contacts", "maria.vcf", _card("Maria", "Anders", "maria@northwind.test", "NOTE:Met at the fair\n"), "text/vcard")
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    [contact] = _contacts(ann)
    assert (contact["Phone"], contact["Title"], contact["Description"]) == (
        "+1 206 555 0101", "Head of Purchasing", "Met at the fair")
    [card] = _items(ann, FolderKind.CONTACTS)
    assert (card.business_phone, card.job_title, card.notes) == (
        "+1 206 555 0101", "Head of Purchasing", "Met at the fair")
    assert session["conflicts"] == []
    assert force_sync(ann)["status"] == "succeeded" and len(_contacts(ann)) == 1


def test_different_values_on_first_contact_are_conflicts_with_real_times_or_none(e2e, factory):
    ann = sign_up(e2e, factory)
    e2e.emu.insert(ann.sf_org, "Contact", {"FirstName": "Maria", "LastName": "Anders", "Title": "Head of Purchasing",
                                           "Email": "maria@northwind.test"}, ann.sf_user)
    e2e.emu.insert(ann.sf_org, "Contact", {"FirstName": "Nina", "LastName": "Becker", "Department": "Accounts",
                                           "Email": "nina@contoso.test"}, ann.sf_user)
    _put(ann, "contacts", "maria.vcf", _card("Maria", "Anders", "maria@northwind.test",
                                             "TITLE:Buyer\nREV:20200101T000000Z\n"), "text/vcard")
    _put(ann, "contacts", "nina.vcf", _card("Nina", "Becker", "nina@contoso.test", "ORG:Contoso;Sales\n"),
         "text/vcard")  # no REV: the card says nothing about when it was modified
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    by_field = {c["field"]: c for c in dashboard(ann)["sessions"][0]["conflicts"]}
    title, department = by_field["job_title"], by_field["department"]
    assert title["winner"] == "salesforce" and title["mailbox_modified_at"].startswith("2020-01-01T00:00:00")
    assert title["salesforce_modified_at"] and "Salesforce was modified last" in title["reason"]
    assert department["winner"] == "salesforce" and department["mailbox_modified_at"] is None
    assert "no modification time" in department["reason"] and "modified last" not in department["reason"]
    assert {c["Title"] or c["Department"] for c in _contacts(ann)} == {"Head of Purchasing", "Accounts"}


def test_a_meeting_matching_an_existing_event_keeps_its_description_and_location(e2e, factory):
    ann = sign_up(e2e, factory)
    start = NOW + timedelta(days=2)
    e2e.emu.insert(ann.sf_org, "Event", {
        "Subject": "Renewal call", "StartDateTime": start.isoformat(), "DurationInMinutes": 60,
        "EndDateTime": (start + timedelta(hours=1)).isoformat(), "Location": "Northwind HQ",
        "Description": "Bring the volume tiers", "OwnerId": ann.sf_user}, ann.sf_user)
    _put(ann, "calendar", "renewal.ics", (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//e2e//EN\nBEGIN:VEVENT\nUID:renewal-1\n"
        f"DTSTAMP:{NOW.strftime(STAMP)}\nDTSTART:{start.strftime(STAMP)}\n"
        f"DTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\nSUMMARY:Renewal call\nEND:VEVENT\nEND:VCALENDAR\n"),
        "text/calendar")
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    [event] = e2e.emu.records(ann.sf_org, "Event")
    assert (event["Location"], event["Description"]) == ("Northwind HQ", "Bring the volume tiers")
    [item] = _items(ann, FolderKind.CALENDAR)
    assert (item.location, item.body_text) == ("Northwind HQ", "Bring the volume tiers")
    assert session["conflicts"] == []


def _meeting(uid: str, start, extra: str = "") -> str:
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//e2e//EN\nBEGIN:VEVENT\n"
            f"UID:{uid}\nDTSTAMP:{NOW.strftime(STAMP)}\nDTSTART:{start.strftime(STAMP)}\n"
            f"DTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\nSUMMARY:Pricing call\n{extra}"
            "END:VEVENT\nEND:VCALENDAR\n")


def test_a_colleagues_copy_of_a_shared_meeting_never_blanks_the_event(e2e, factory):
    ann = sign_up(e2e, factory)
    bob = sign_up(e2e, factory, sf_org=ann.sf_org)
    start = NOW + timedelta(days=3)
    _put(ann, "calendar", "shared.ics", _meeting("shared-first-contact", start,
                                                 "LOCATION:Room 7\nDESCRIPTION:Volume tiers\n"), "text/calendar")
    _put(bob, "calendar", "shared.ics", _meeting("shared-first-contact", start), "text/calendar")
    assert force_sync(ann)["status"] == "succeeded"
    bob_session = force_sync(bob)
    assert bob_session["status"] == "succeeded", bob_session
    [event] = e2e.emu.records(ann.sf_org, "Event")
    assert (event["Location"], event["Description"]) == ("Room 7", "Volume tiers")
    [copy] = _items(bob, FolderKind.CALENDAR)
    assert (copy.location, copy.body_text) == ("Room 7", "Volume tiers") and bob_session["conflicts"] == []
