"""Person Accounts as Salesforce stores them: one Account row plus a hidden Contact row.

Creating an Account with a LastName makes a Person Account; Salesforce then keeps a Contact
(``IsPersonAccount = true``, ``AccountId`` = the Account) whose id is the Account's read-only
``PersonContactId``. Activities name the person through that Contact (WhoId) and the Account
(WhatId). The Person-prefixed Account fields mirror the Contact's; deleting the Account deletes
the Contact with it (``dml.CASCADE``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .store import Record

if TYPE_CHECKING:
    from .dml import Ctx

# Account field -> the person Contact's field it mirrors
MIRRORED = {"FirstName": "FirstName", "LastName": "LastName", "PersonEmail": "Email",
            "PersonTitle": "Title", "PersonMobilePhone": "MobilePhone", "Phone": "Phone"}


def _name(record: Record) -> str:
    return " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)


def sync_person_contact(ctx: Ctx, account: Record) -> None:
    """Create or refresh the person Contact of a Person Account and stamp ``PersonContactId``."""
    if not account.get("IsPersonAccount"):
        return
    contact_fields = ctx.org.schema.objects["Contact"].fields
    found = ctx.org.store.get(account.get("PersonContactId") or "")
    contact: Record = dict(found[1]) if found else {n: f.default for n, f in contact_fields.items()}
    if not found:
        contact.update(Id=ctx.org.ids.new(ctx.org.schema.objects["Contact"].key_prefix), IsDeleted=False,
                       CreatedDate=ctx.stamp, CreatedById=ctx.user_id, OwnerId=account.get("OwnerId"))
    contact.update({c: account.get(a) for a, c in MIRRORED.items() if c in contact_fields})
    contact.update(AccountId=account["Id"], IsPersonAccount=True, Name=_name(account),
                   LastModifiedDate=ctx.stamp, LastModifiedById=ctx.user_id, SystemModstamp=ctx.stamp)
    ctx.org.store.put("Contact", contact)
    account["PersonContactId"] = contact["Id"]
