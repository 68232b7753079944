"""Who a new Event belongs to and what it links to (Events/Tasks the mirror creates from calendar items).

Owner: the organizer when they are an active Salesforce User, else the mailbox owner.
``WhoId`` is the first external attendee (the organizer first unless it is the mailbox owner;
colleagues, i.e. Salesforce Users, skipped) that is a Contact, else one that is an unconverted
Lead; ``WhatId`` is that Contact's Account. Only on create, never over a value already set.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.sync.email_links import Directory
from app.sync.items import CalendarItem, MailboxItem
from app.sync.link_ladder import LadderRules, LinkSubject, decide

LINK_FIELDS = ("WhoId", "WhatId")


def event_owner(item: MailboxItem, users: Mapping[str, str], default_owner: str) -> str:
    """``OwnerId`` of a new record: the organizer stays the owner when they are a user (``users``: email → id)."""
    if isinstance(item, CalendarItem):
        return users.get(item.organizer.lower(), default_owner)
    return default_owner


def links_wanted(object_fields: frozenset[str] | set[str]) -> bool:
    """The object's describe has both lookup fields (else the links are not written)."""
    return all(f in object_fields for f in LINK_FIELDS)


def link_addresses(items: Sequence[MailboxItem], owner_email: str) -> list[str]:
    """Every lower-cased organizer and attendee address of new calendar items, the owner left out."""
    owner = owner_email.strip().lower()
    found = {a.strip().lower() for i in items if isinstance(i, CalendarItem)
             for a in (i.organizer, *(x.email for x in i.attendees)) if a and a.strip()}
    return sorted(found - {owner})


def _candidates(item: CalendarItem, owner_email: str, directory: Directory) -> list[str]:
    """Addresses in WhoId order: organizer first, then attendees; no owner, no colleagues."""
    owner = owner_email.strip().lower()
    order = [a.strip().lower() for a in (item.organizer, *(x.email for x in item.attendees)) if a and a.strip()]
    return [a for a in dict.fromkeys(order) if a != owner and a not in directory.users]


def ladder_event_links(item: CalendarItem, owner_email: str, directory: Directory) -> tuple[dict[str, str], tuple[str, ...]]:
    """The resolution ladder's ``{"WhoId", "WhatId"}`` for a meeting (an Event takes no What beside a
    Lead), and why; the further invitees are EventRelation rows of their own."""
    if directory.facts is None:
        return event_links(item, owner_email, directory), ()
    subject = LinkSubject(tuple(_candidates(item, owner_email, directory)), item.subject)
    decision = decide(subject, directory.facts, directory.ladder or LadderRules())
    links = {k: v for k, v in (("WhoId", decision.who_id), ("WhatId", decision.what_id)) if v}
    return links, decision.reasons


def event_links(item: CalendarItem, owner_email: str, directory: Directory) -> dict[str, str]:
    """``{"WhoId", "WhatId"}`` for one new calendar item (empty when no attendee resolves)."""
    people = [directory.people[a] for a in _candidates(item, owner_email, directory) if a in directory.people]
    chosen = next((p for p in people if p.object_type == "Contact"), None) or next(
        (p for p in people if p.object_type == "Lead"), None)
    if chosen is None:
        return {}
    links = {"WhoId": chosen.record_id}
    if chosen.object_type == "Contact" and chosen.account_id:
        links["WhatId"] = chosen.account_id
    return links


def with_event_links(fields: Mapping[str, Any], item: MailboxItem, owner_email: str,
                     directory: Directory | None, object_fields: frozenset[str]) -> dict[str, Any]:
    """Create fields plus the auto-links, never replacing a WhoId/WhatId already in ``fields``."""
    return linked_event_fields(fields, item, owner_email, directory, object_fields)[0]


def linked_event_fields(fields: Mapping[str, Any], item: MailboxItem, owner_email: str, directory: Directory | None,
                        object_fields: frozenset[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``with_event_links`` and the reasons of the links it wrote (stored with the ID-map entry)."""
    out = dict(fields)
    if directory is None or not isinstance(item, CalendarItem) or not links_wanted(object_fields) \
            or out.get("WhoId"):     # a Who chosen by a mapping row keeps its own What
        return out, ()
    links, reasons = ladder_event_links(item, owner_email, directory)
    for name, value in links.items():
        if out.get(name) in (None, ""):
            out[name] = value
    return out, reasons
