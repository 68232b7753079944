"""Seeding the sandbox: Sandbox Co in the emulator, Ann's calendar, tasks, contacts and mail on
the loopback servers, and the Syncline rows (org, user, connection, profile, mailbox, token).

Idempotent: each part is created once (the servers' own content is the record of that) and
found again on later starts; only what must follow the servers (ports, stale tokens) is updated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from imapclient import IMAPClient

from app.runtime import Runtime
from app.services.settings import DEFAULT_ORG_SETTINGS
from sandbox import seed_data as data
from sandbox.environment import SandboxEnvironment
from sandbox.mailservers import DavAccount, ImapAccount
from sandbox.salesforce import SalesforceEmulator
from sandbox.salesforce.persistence import save as save_emulator
from sandbox.seed_syncline import SynclineRows, seed_syncline

log = logging.getLogger("syncline.sandbox")


@dataclass(frozen=True)
class SandboxSeed:
    """What a newcomer needs to see and use the sandbox (the token and passwords are throwaway)."""

    sf_org_id: str
    sf_user_id: str
    rows: SynclineRows
    dav: DavAccount
    imap: ImapAccount | None


def seed_sandbox(rt: Runtime, env: SandboxEnvironment, today: date | None = None) -> SandboxSeed:
    """Seed every part that is missing; safe to call on every start."""
    today = today or datetime.now(UTC).date()
    sf_org_id, sf_user_id = seed_salesforce(env.emulator, today)
    env.emulator.set_login_user(sf_org_id, sf_user_id)  # "Sign in with Salesforce" approves as Ann
    dav = env.radicale.add_user(data.MAILBOX_USERNAME, env.state.mailbox_password)
    seed_dav(dav, today)
    imap = None
    if env.dovecot is not None:
        imap = env.dovecot.add_user(data.MAILBOX_USERNAME, env.state.mailbox_password)
        seed_imap(imap, today)
    rows = seed_syncline(rt, env, sf_org_id, sf_user_id)
    return SandboxSeed(sf_org_id, sf_user_id, rows, dav, imap)


def seed_salesforce(emu: SalesforceEmulator, today: date) -> tuple[str, str]:
    """(org id, admin user id) of Sandbox Co; created with its records only when the org is new."""
    existing = _find_org(emu)
    if existing is not None:
        return existing
    org_id = emu.create_org(data.ORG_NAME)
    user_id = emu.create_user(org_id, data.ADMIN["email"], admin=True, first_name=data.ADMIN["first_name"],
                              last_name=data.ADMIN["last_name"])
    accounts = {key: emu.insert(org_id, "Account", values, user_id) for key, values in data.ACCOUNTS.items()}
    contacts = {key: emu.insert(org_id, "Contact", {**values, "AccountId": accounts[account]}, user_id)
                for key, (account, values) in data.CONTACTS.items()}
    for lead in data.LEADS:
        emu.insert(org_id, "Lead", lead, user_id)
    emu.insert(org_id, "Opportunity", {**data.opportunity(today), "AccountId": accounts["northwind"]}, user_id)
    emu.insert(org_id, "Event", {**data.salesforce_event(today), "OwnerId": user_id, "WhoId": contacts["maria"],
                                 "WhatId": accounts["northwind"]}, user_id)
    if emu.state_dir:
        save_emulator(emu, emu.state_dir)  # now, not within the next second: the Syncline rows point at it
    log.info("sandbox salesforce org seeded", extra={"ctx": {"sf_org_id": org_id}})
    return org_id, user_id


def _find_org(emu: SalesforceEmulator) -> tuple[str, str] | None:
    for org in emu.orgs.values():
        if org.name == data.ORG_NAME:
            users = [u for u in emu.records(org.id, "User") if u["Email"] == data.ADMIN["email"]]
            if users:
                return org.id, users[0]["Id"]
    return None


def seed_dav(account: DavAccount, today: date) -> None:
    """Calendar, task list and address book, each filled once when it is first created."""
    for name, display, components, resources in (
            ("calendar", "Work", ("VEVENT",), data.calendar_events(today)),
            ("tasks", "Tasks", ("VTODO",), data.tasks(today)),
            ("contacts", "Contacts", None, data.address_book(DEFAULT_ORG_SETTINGS["salesforce_category"]))):
        if account.has_collection(name):
            continue
        if components is None:
            account.make_addressbook(name, display)
        else:
            account.make_calendar(name, components, display)
        for resource in resources:
            _put_new(account, name, resource)


def _put_new(account: DavAccount, collection: str, resource: data.DavResource) -> None:
    """PUT only if absent (If-None-Match: *): a user's own edits are never overwritten."""
    content_type = "text/vcard" if resource.name.endswith(".vcf") else "text/calendar"
    url = f"{account.principal_url}{collection}/{resource.name}"
    response = account.session().put(url, data=resource.text.encode("utf-8"), headers={
        "Content-Type": f"{content_type}; charset=utf-8", "If-None-Match": "*"})
    if response.status_code not in (201, 204, 412):
        raise RuntimeError(f"PUT {url}: {response.status_code} {response.text[:300]}")


def seed_imap(account: ImapAccount, today: date) -> None:
    """Three messages, appended once: the Salesforce folder existing means this already ran."""
    folder, keyword = DEFAULT_ORG_SETTINGS["salesforce_folder"], DEFAULT_ORG_SETTINGS["salesforce_category"]
    client = IMAPClient(account.host, account.port, ssl=False, timeout=10)
    try:
        client.login(account.username, account.password)
        if client.folder_exists(folder):
            return
        messages = data.emails(today, keyword, folder)
        for message in sorted(messages, key=lambda m: m.folder == folder):  # the folder last: it marks "done"
            if message.folder == folder and not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(message.folder, message.raw, flags=message.keywords)
    finally:
        client.logout()
