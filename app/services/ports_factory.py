"""Build the ports a mailbox's session talks to, from its server profile and the user's org.

Each provider kind maps to one adapter module; kinds whose adapter is not installed yet
fail the session with a clear reason rather than a traceback.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from app.models import Mailbox, User
from app.models.sync_stores import SqlCursorStore, SqlIdMapStore
from app.providers.google import GroupScope, build_google_mailbox
from app.providers.graph import ContactScope, build_graph_mailbox
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.crm_records import mapped_fields
from app.providers.salesforce.crm_translate import SetupHint, salesforce_edge
from app.providers.salesforce.org_schema import core_describe_or_none
from app.runtime import Runtime
from app.services import auto_save, meeting_links
from app.services.autoresolve import autoresolving, rules_of
from app.services.autoresolve_log import session_journal
from app.services.dav_discovery import load_discovery, save_discovery
from app.services.dav_push_subscriptions import registration_urls
from app.services.email_rules import SqlSaveLedger, gmail_options, graph_mail_options, load_save_rules, mail_rules
from app.services.fanned_out_crm import FannedOutCrm
from app.services.folder_states import NOT_AVAILABLE, unavailable_counts
from app.services.google_accounts import session_settings as google_session_settings
from app.services.google_quota import google_quota
from app.services.graph_accounts import session_settings
from app.services.graph_gates import graph_gate
from app.services.mail_hosts import mail_host_policy
from app.services.mailboxes import mailbox_logins
from app.services.session_connection import session_connection
from app.services.session_fields import check_session_fields, fix_hint, forget_session_fields
from app.services.settings import org_settings, user_settings
from app.services.sync_policy import active_table_names, contact_scope, load_table, policy_for
from app.services.sync_runner import SessionPorts
from app.sync.blocklist import blocklisted
from app.sync.email_rules import SaveRules
from app.sync.email_saves import save_emails
from app.sync.errors import AuthFailure, FolderUnavailable, Unsupported
from app.sync.idmap import mailbox_stream
from app.sync.items import FolderKind
from app.sync.mapping import Direction
from app.sync.outcome import KindCounts
from app.sync.policy import SyncPolicy, SyncSession, calendar_bounds
from app.sync.ports import CrmPort, MailboxPort

Describer = Callable[[str], Mapping | None]


class ProviderUnavailable(Unsupported):
    """This server profile's kind has no adapter in this deployment (permanent: never retried)."""


def default_ports(rt: Runtime, mailbox: Mailbox, user: User) -> SessionPorts:
    builders = _builders()
    kind = mailbox.server_profile.kind
    if kind not in builders:
        raise ProviderUnavailable(f"no adapter for {kind!r} mailboxes in this deployment")
    return builders[kind](rt, mailbox, user)


def _builders() -> dict[str, Callable[[Runtime, Mailbox, User], SessionPorts]]:
    return {"imap": imap_ports, "graph": graph_ports, "gmail": google_ports}


@dataclass(frozen=True)
class OwnerContext:
    """What a session needs to know about the mailbox owner, read once from the database."""

    session: SyncSession
    policy: SyncPolicy
    settings: dict
    connection_id: int
    org_pk: int
    fields: dict[str, tuple[str, ...]]
    user_id: int = 0
    save_rules: SaveRules = SaveRules()
    addressbook_name: str | None = None     # the contact scope's address book (None: the first one)
    scope_book_name: str | None = None      # scope salesforce: that book too, if the account has it


def owner_context(rt: Runtime, mailbox: Mailbox, user: User) -> OwnerContext:
    """The owner's Salesforce identity, policy and the fields their mapping tables use.

    Raises the core's AuthFailure when the owner has no usable Salesforce connection and the org
    names no integration user (see `session_connection`)."""
    with rt.db.session_scope() as s:
        u = s.get(User, user.id)
        if u is None:
            raise AuthFailure(f"user {user.id} no longer exists")
        connection_id = session_connection(s, u, mailbox.id).connection_id
        tables = [load_table(s, u, name) for name in active_table_names(u)]
        session = SyncSession(sf_org_id=u.org.sf_org_id, mailbox_id=str(mailbox.id), owner_id=u.sf_user_id,
                              owner_email=u.email, timezone=user_settings(u).get("timezone") or "UTC")
        settings = org_settings(u.org)
        scope, book = contact_scope(u)
        return OwnerContext(session, policy_for(u), settings, connection_id, u.org_id, mapped_fields(tables), u.id,
                            load_save_rules(s, u.id, settings), book if scope == "address_book" else None,
                            book if scope == "salesforce" else None)


def salesforce_client(rt: Runtime, ctx: OwnerContext) -> SalesforceClient:
    """The connection `owner_context` chose (ReauthorizationRequired → AuthFailure)."""
    with salesforce_edge():
        return connect(rt, ctx.connection_id)


def cached_describer(client: SalesforceClient) -> Describer:
    """Describe in the core's format, once per object per session (and 12 h in Redis)."""
    memo: dict[str, Mapping | None] = {}

    def describe_object(object_type: str) -> Mapping | None:
        if object_type not in memo:
            memo[object_type] = core_describe_or_none(client, object_type)
        return memo[object_type]

    return describe_object


def mailbox_options(endpoints: Mapping[str, Any], settings: Mapping[str, Any],
                    rules: SaveRules | None = None) -> MailboxOptions:
    """Plaintext only where the admin's endpoints say so (imap_tls false, http:// DAV URLs);
    the mail listing also looks for the user's compose saves and auto-saved threads."""
    plaintext = (bool(endpoints.get("imap_host")) and endpoints.get("imap_tls", True) is False) or any(
        str(endpoints.get(k) or "").startswith("http://") for k in ("caldav_url", "carddav_url"))
    return MailboxOptions(category=settings["salesforce_category"], salesforce_folder=settings["salesforce_folder"],
                          allow_plaintext=plaintext, ca_file=endpoints.get("ca_file") or None,
                          mail_rules=mail_rules(rules or SaveRules()))


def imap_ports(rt: Runtime, mailbox: Mailbox, user: User) -> SessionPorts:
    """IMAP + CalDAV/CardDAV mailbox, the owner's Salesforce, and saving tagged emails."""
    ctx = owner_context(rt, mailbox, user)
    endpoints = dict(mailbox.server_profile.endpoints or {})
    (login, password), dav_login = mailbox_logins(rt, mailbox)
    options = dataclasses.replace(mailbox_options(endpoints, ctx.settings, ctx.save_rules),
                                  host_policy=mail_host_policy(rt.config), timezone=ctx.session.timezone,
                                  addressbook_name=ctx.addressbook_name, scope_book_name=ctx.scope_book_name,
                                  push_registrations=registration_urls(rt, mailbox.id))
    port = build_mailbox(endpoints, login, password, options, dav_login, load_discovery(rt, mailbox.id))
    synced = [k for k in port.folders if ctx.policy.option(k).direction is not Direction.NONE]
    try:
        with ThreadPoolExecutor(1, "discovery") as pool:   # a first session finds its collections meanwhile
            pool.submit(port.find_collections, synced)
            crm, describer = crm_side(rt, ctx, [ctx.save_rules.save_as] if endpoints.get("imap_host") else [])
    except BaseException:
        port.close()
        raise
    steps = [email_step(rt, ctx, port, crm, describer) if endpoints.get("imap_host") else no_mail_step]
    steps.append(meeting_link_step(rt, ctx, crm))

    def close() -> None:
        port.close()
        save_discovery(rt, mailbox.id, port.discovered())

    return SessionPorts(mailbox=port, crm=crm, describe=describer, extra_steps=steps, close=close,
                        setup_lost=lambda: forget_session_fields(rt, ctx.connection_id))


def crm_side(rt: Runtime, ctx: OwnerContext, saves_email: list[str]) -> tuple[CrmPort, Describer]:
    """The owner's Salesforce, its fields checked first, blocklisted addresses kept out."""
    client = salesforce_client(rt, ctx)
    hint = SetupHint(ctx.session.owner_email, fix_hint(ctx.org_pk, ctx.session.sf_org_id))
    check_session_fields(rt, client, ctx.connection_id, hint.who, ctx.fields, saves_email, hint.fix)
    port = SalesforceCrmPort(client, ctx.session.owner_id, fields=ctx.fields, setup=hint)
    mailbox_id = int(ctx.session.mailbox_id)
    fanned = FannedOutCrm(port, rt.db, ctx.org_pk, mailbox_id)
    resolving = autoresolving(fanned, rules_of(ctx.settings), ctx.policy.ladder or ctx.save_rules.ladder,
                              session_journal(rt.db, ctx.org_pk, mailbox_id))
    crm = blocklisted(resolving, ctx.save_rules.blocked)   # outermost: blocked people never reach autoresolve
    return crm, cached_describer(client)


def graph_ports(rt: Runtime, mailbox: Mailbox, user: User) -> SessionPorts:
    """Office 365 through Graph (calendar, To Do tasks, contacts and mail) and the owner's Salesforce.

    The delta view spans the sync window as it is now; msal's token cache goes back to the profile
    (application mode) or to the mailbox (delegated sign-in)."""
    ctx = owner_context(rt, mailbox, user)
    crm, describer = crm_side(rt, ctx, [ctx.save_rules.save_as])
    settings, keep_cache = session_settings(rt, mailbox)     # the app's, or the mailbox's own sign-in
    user_name = mailbox.username or mailbox.address
    port = build_graph_mailbox(settings, user_name, calendar_bounds(ctx.policy, ctx.session.now),
                               owner_zone=ctx.session.timezone,
                               contacts=ContactScope(ctx.scope_book_name or ctx.addressbook_name,
                                                     with_default=not ctx.addressbook_name),
                               mail=graph_mail_options(ctx.save_rules), gate=graph_gate(rt, settings, user_name),
                               on_token_cache=keep_cache)

    def close() -> None:
        port.close()
        keep_cache(port.tokens.cache_state())

    steps = [email_step(rt, ctx, port, crm, describer), meeting_link_step(rt, ctx, crm)]
    return SessionPorts(mailbox=port, crm=crm, describe=describer, extra_steps=steps, close=close,
                        setup_lost=lambda: forget_session_fields(rt, ctx.connection_id))


def google_ports(rt: Runtime, mailbox: Mailbox, user: User) -> SessionPorts:
    """Google Workspace (calendar, tasks of the default list, contacts and Gmail saves) and the owner's Salesforce."""
    ctx = owner_context(rt, mailbox, user)
    crm, describer = crm_side(rt, ctx, [ctx.save_rules.save_as])
    settings, user_name = google_session_settings(rt, mailbox), mailbox.username or mailbox.address
    port = build_google_mailbox(settings, user_name, calendar_bounds(ctx.policy, ctx.session.now),
                                contacts=GroupScope(ctx.scope_book_name or ctx.addressbook_name,
                                                    only=bool(ctx.addressbook_name)),
                                mail=gmail_options(ctx.save_rules), quota=google_quota(rt, settings, user_name))
    steps = [unless_unavailable(email_step(rt, ctx, port, crm, describer)), meeting_link_step(rt, ctx, crm)]
    return SessionPorts(mailbox=port, crm=crm, describe=describer, extra_steps=steps, close=port.close,
                        setup_lost=lambda: forget_session_fields(rt, ctx.connection_id))


def no_mail_step() -> dict:
    """A DAV-only account: no mail to save, shown as such on the dashboard (not an error)."""
    reason = f"{NOT_AVAILABLE}: the server profile has no imap_host"
    return {"counts": unavailable_counts({FolderKind.MAIL: reason})}


def unless_unavailable(step: Callable[[], dict]) -> Callable[[], dict]:
    """A mail step whose kind the account does not offer (e.g. Gmail scopes not granted) shows so, not a failure."""

    def save_tagged_emails() -> dict:
        try:
            return step()
        except FolderUnavailable as exc:
            return {"counts": unavailable_counts({FolderKind.MAIL: f"{NOT_AVAILABLE}: {exc}"})}

    return save_tagged_emails


def meeting_link_step(rt: Runtime, ctx: OwnerContext, crm: CrmPort) -> Callable[[], dict]:
    """After the mirror: meetings saved from the sidebar get their chosen Name/Related To."""

    def link_saved_meetings() -> dict:
        return meeting_links.link_saved_meetings(rt, crm, ctx.user_id, ctx.org_pk)

    return link_saved_meetings


def email_step(rt: Runtime, ctx: OwnerContext, mailbox: MailboxPort, crm: CrmPort,
               describer: Describer) -> Callable[[], dict]:
    """Saving tagged, Compose-mode and auto-saved-thread emails, once per Message-ID per org, as the
    org's Task or EmailMessage; returns dashboard counts and errors."""

    def save_tagged_emails() -> dict:
        rules = ctx.save_rules
        outcome = save_emails(ctx.session, mailbox, crm, SqlIdMapStore(rt.db, ctx.org_pk, ctx.session.sf_org_id),
                              SqlCursorStore(rt.db), ctx.policy, describer(rules.save_as), rules,
                              SqlSaveLedger(rt.db, ctx.org_pk, ctx.user_id))
        if rules.auto.backfill and mailbox_stream(FolderKind.MAIL) not in outcome.held_streams:
            with rt.db.session_scope() as s:     # the window was listed and saved: later sessions read the cursor
                auto_save.backfill_done(s, ctx.user_id, rules.auto.since)
        counts = outcome.counts.get(FolderKind.MAIL, KindCounts())
        errors = [{"kind": e.kind.value, "item": e.sync_key, "action": e.action, "code": e.code,
                   "reason": e.message, "will_retry": e.retried} for e in outcome.errors]
        skipped = dict(outcome.skips_by_kind.get(FolderKind.MAIL, {}))   # e.g. auto-saves of blocked people only
        return {"counts": {FolderKind.MAIL.value: {**dataclasses.asdict(counts), "skipped_because": skipped}},
                "errors": errors, "skipped_items": [i.as_dict() for i in outcome.skipped_items]}

    return save_tagged_emails
