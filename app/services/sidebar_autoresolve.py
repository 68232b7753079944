"""Autoresolve for the sidebar's Save now: what the engine does for a saved email, for this one.

With the org's autoresolve on, the open email's unresolved external participants go through the
engine's own path: the ladder's one look-up (the duplicate check by address), the blocklist
first (a blocked person is never looked up or created), then ``AutoresolvingCrm``'s creates
(Salesforce's duplicate rules honoured), filled from the signature. What it created is journalled
against the user's mailbox with no session (``session_id`` null), listed with the rest and undone
by record id. The user's chosen Names stay; the new people join them where Salesforce's shared
activities allow (Contacts with Contacts; a Lead only alone) and fill an empty Related To.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import User
from app.runtime import Runtime
from app.services import blocklists
from app.services.autoresolve import Created, autoresolving, rules_of
from app.services.autoresolve_log import sidebar_journal
from app.services.link_rules import ladder_rules
from app.services.settings import org_settings
from app.services.sidebar_salesforce import user_crm_port
from app.sync.blocklist import blocklisted
from app.sync.email_links import link_subject
from app.sync.items import EmailMessage
from app.sync.link_ladder import MAX_SHARED_CONTACTS, decide, ladder_query

LEAD_PREFIX = "00Q"


@dataclass(frozen=True)
class Resolved:
    """The autoresolved people the ladder links (the Who first), its Related To, what was created, why."""

    who_ids: tuple[str, ...] = ()
    what_id: str | None = None
    created: tuple[Created, ...] = ()
    reasons: tuple[str, ...] = ()


Resolver = Callable[[EmailMessage, str], Resolved]


def resolver(rt: Runtime, session: Session, user: User) -> Resolver | None:
    """The user's Save-now autoresolve, or None when the org has it off (or there is no mailbox to list under)."""
    settings = org_settings(user.org)
    rules = rules_of(settings)
    if not rules.on or user.mailbox is None:
        return None
    ladder, blocked, mailbox_id = ladder_rules(session, user.org_id, settings), blocklists.for_user(session, user), \
        user.mailbox.id

    def resolve(message: EmailMessage, save_as: str) -> Resolved:
        made: list[Created] = []
        crm = blocklisted(autoresolving(user_crm_port(rt, user), rules, ladder,
                                        sidebar_journal(rt.db, user.org_id, mailbox_id, made)), blocked)
        subject = link_subject(message, user.email)
        facts = crm.lookup_links(ladder_query([subject], ladder))
        decision = decide(subject, facts, ladder, what_with_lead=save_as == "EmailMessage")
        new_ids = {m.record_id for a in facts.created for m in facts.people.get(a, ()) if m.record_id}
        who_ids = tuple(i for i in decision.shared if i in new_ids)
        what_id = decision.what_id if decision.who_id in new_ids else None
        return Resolved(who_ids, what_id, tuple(made), decision.reasons)

    return resolve


def merged(chosen: Sequence[str], what_id: str | None, resolved: Resolved) -> tuple[list[str], str | None]:
    """The user's Names and Related To with the autoresolved people added where Salesforce allows."""
    have = {c[:15] for c in chosen}
    added = [i for i in resolved.who_ids if i[:15] not in have]
    if not added:
        return list(chosen), what_id
    if not chosen:
        who = list(resolved.who_ids)
    elif any(i.startswith(LEAD_PREFIX) for i in [*chosen, *added]):
        return list(chosen), what_id       # a Lead stands alone: the user's choice wins
    else:
        who = [*chosen, *added][:MAX_SHARED_CONTACTS]
    return who, what_id or resolved.what_id
