"""Auto-linking a saved email: participants → Contacts (else unconverted Leads) → Who, What, relations.

Task: ``WhoId`` is the first match (the sender first when external, else the first recipient),
further Contacts become TaskRelation rows (shared activities: up to 50 Contacts, or exactly
one Lead), ``WhatId`` is the chosen Contact's Account. EmailMessage: one EmailMessageRelation
per resolved participant and role, ``RelatedToId`` that Account, plus the saving user.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.sync.email_rules import ComposeRule
from app.sync.items import EmailMessage
from app.sync.link_facts import PERSON_ACCOUNT, LinkFacts, WriterText
from app.sync.link_ladder import LadderRules, LinkDecision, LinkSubject
from app.sync.ports import PersonMatch

MAX_SHARED_CONTACTS = 50
FROM, TO, CC, BCC, OTHER = "FromAddress", "ToAddress", "CcAddress", "BccAddress", "OtherAddress"
TASK_RELATION, EMAIL_RELATION = "TaskRelation", "EmailMessageRelation"


@dataclass(frozen=True)
class RelationIntent:
    """A relation row to ensure once the saved record's id is known."""

    relation_id: str
    role: str = ""
    address: str = ""


@dataclass(frozen=True)
class EmailLinks:
    """What one saved email links to; ``relations`` are rows of ``TaskRelation``/``EmailMessageRelation``."""

    who_id: str | None = None
    what_id: str | None = None
    relations: tuple[RelationIntent, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directory:
    """The session's participant look-up, picked: email → Contact-else-Lead, email → User id."""

    people: Mapping[str, PersonMatch]
    users: Mapping[str, str]
    facts: LinkFacts | None = None        # the ladder's look-up, when the caller made one
    ladder: LadderRules | None = None


def build_directory(found: Mapping[str, Sequence[PersonMatch]]) -> Directory:
    """Lowest-Id Contact, else a Person Account's Contact (``PersonContactId``, Account as its
    Account), else lowest-Id Lead, per address; lowest-Id User separately."""
    people, users = {}, {}
    for email, matches in found.items():
        person_contacts = [PersonMatch(m.record_id, "Contact", m.account_id) for m in matches
                           if m.object_type == PERSON_ACCOUNT and m.record_id]
        for object_type, pool in (("Contact", matches), ("Contact", person_contacts), ("Lead", matches)):
            of_type = sorted((m for m in pool if m.object_type == object_type), key=lambda m: m.record_id)
            if of_type:
                people[email.lower()] = of_type[0]
                break
        user_ids = sorted(m.record_id for m in matches if m.object_type == "User")
        if user_ids:
            users[email.lower()] = user_ids[0]
    return Directory(people, users)


def participants(message: EmailMessage) -> list[tuple[str, str]]:
    """(address, role) in header order: From, To, Cc; lower-cased, duplicates of a role dropped."""
    rows = [(message.sender, FROM)] + [(a, TO) for a in message.to] + [(a, CC) for a in message.cc]
    return list(dict.fromkeys((a.strip().lower(), role) for a, role in rows if a and a.strip()))


def role_of(address: str, message: EmailMessage) -> str:
    """The address's first role in the message; someone not in From/To/Cc got it as Bcc."""
    address = address.strip().lower()
    return next((role for a, role in participants(message) if a == address), BCC)


def _candidates(message: EmailMessage, owner_email: str, directory: Directory) -> list[str]:
    """Addresses in WhoId order: the sender first only when external (not us, not a colleague)."""
    sender = message.sender.strip().lower()
    external = sender and sender != owner_email.lower() and sender not in directory.users
    recipients = [a for a, role in participants(message) if role != FROM]
    return list(dict.fromkeys(([sender] if external else []) + recipients))


def link_subject(message: EmailMessage, owner_email: str) -> LinkSubject:
    """The message for the ladder: the sender first, then recipients; never the saving user."""
    owner = owner_email.strip().lower()
    people = [a for a, _ in participants(message)]
    text = WriterText(message.sender.strip().lower(), message.body_text, message.body_html)
    return LinkSubject(tuple(a for a in people if a != owner), message.subject, text)


def ladder_links(message: EmailMessage, decision: LinkDecision, directory: Directory, save_as: str) -> EmailLinks:
    """The ladder's decision as record links: a Task shares itself with the further Contacts; an
    EmailMessage relates every resolved participant in their role."""
    if save_as == "Task":
        return EmailLinks(decision.who_id, decision.what_id, tuple(RelationIntent(c) for c in decision.shared[1:]),
                          decision.reasons + decision.skipped)
    resolved = [(a, role, directory.people[a]) for a, role in participants(message) if a in directory.people]
    relations = tuple(dict.fromkeys(RelationIntent(p.record_id, role, a) for a, role, p in resolved))
    return EmailLinks(decision.who_id, decision.what_id, relations, decision.reasons)


def auto_links(message: EmailMessage, owner_email: str, directory: Directory, save_as: str) -> EmailLinks:
    """Pure auto-linking of one message for a Task or an EmailMessage (without the ladder's facts)."""
    order = [directory.people[a] for a in _candidates(message, owner_email, directory) if a in directory.people]
    chosen = order[0] if order else None
    what = chosen.account_id if chosen is not None and chosen.object_type == "Contact" else None
    resolved = [(a, role, directory.people[a]) for a, role in participants(message) if a in directory.people]
    if save_as == "Task":
        return EmailLinks(chosen.record_id if chosen else None, what, _task_relations(chosen, resolved))
    relations = tuple(dict.fromkeys(RelationIntent(p.record_id, role, a) for a, role, p in resolved))
    return EmailLinks(chosen.record_id if chosen else None, what, relations)


def _task_relations(chosen: PersonMatch | None,
                    resolved: Sequence[tuple[str, str, PersonMatch]]) -> tuple[RelationIntent, ...]:
    """The message's further Contacts (a Lead stands alone), the WhoId counting towards the 50."""
    if chosen is None or chosen.object_type != "Contact":
        return ()
    contacts = dict.fromkeys(p.record_id for _, _, p in resolved if p.object_type == "Contact")
    others = [c for c in contacts if c != chosen.record_id][: MAX_SHARED_CONTACTS - 1]
    return tuple(RelationIntent(c) for c in others)


def chosen_links(rule: ComposeRule, message: EmailMessage, directory: Directory, save_as: str) -> EmailLinks:
    """The user's Compose-mode choice: Who/What as chosen, relation roles from the addresses."""
    who = rule.who_ids[0] if rule.who_ids else None
    if save_as == "Task":
        return EmailLinks(who, rule.what_id, tuple(RelationIntent(w) for w in rule.who_ids[1:]))
    by_id = {p.record_id[:15]: a for a, p in directory.people.items()}
    relations = tuple(RelationIntent(w, role_of(by_id[w[:15]], message) if w[:15] in by_id else OTHER,
                                     by_id.get(w[:15], "")) for w in rule.who_ids)
    return EmailLinks(who, rule.what_id, relations)


def saver_relation(message: EmailMessage, owner_id: str, owner_email: str) -> RelationIntent:
    """The saving user's own EmailMessageRelation (two users saving one email → two of these)."""
    return RelationIntent(owner_id, role_of(owner_email, message), owner_email.strip().lower())
