"""The org's resolution-ladder settings as the core's ``LadderRules``.

Site domains come from ``tldextract``'s bundled Public Suffix List, never fetched
(``suffix_list_urls=()``): ``mail.acme.co.uk`` and ``acme.co.uk`` are one company, ``co.uk`` is none.
The org's own domains are its users' mail domains plus the ``link_org_domains`` setting.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import tldextract
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.sync.link_ladder import LadderRules

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def site_domain(host: str) -> str:
    """The registrable domain of a mail host ("" for a bare public suffix); a private TLD the list
    does not know (``.example``, ``.test``, ``.internal``) counts as one label: ``mail.x.test`` → ``x.test``."""
    host = host.strip().lower().rstrip(".")
    parts = _EXTRACT(host)
    if parts.suffix:
        return parts.top_domain_under_public_suffix
    return ".".join(host.split(".")[-2:]) if "." in host and not parts.ipv4 and not parts.ipv6 else ""


def org_domains(session: Session, org_pk: int, settings: Mapping) -> frozenset[str]:
    """Mail domains of the org's users, and those the admin listed."""
    emails = session.scalars(select(User.email).where(User.org_id == org_pk))
    users = {site_domain(e.rpartition("@")[2]) for e in emails if e and "@" in e}
    return frozenset(d for d in users | {d.lower() for d in settings.get("link_org_domains") or ()} if d)


def ladder_rules(session: Session, org_pk: int, settings: Mapping) -> LadderRules:
    """A by_stage rule stored without stages (set before validation existed) falls back to the default."""
    rule, stages = settings.get("link_opportunity_rule") or "open_newest", tuple(settings.get("link_opportunity_stages") or ())
    if rule == "by_stage" and not stages:
        rule = "open_newest"
    return LadderRules(rule, stages, org_domains(session, org_pk, settings), site_of=site_domain)
