"""A signed-in Syncline user on an emulator org holding the Globex story the sidebar tests read.

Shared by the API tests (tests/api/test_sidebar_*.py) and the browser tests: Jane Doe at
Globex Corporation (globex.example), its open Opportunity, Case 00001026, Lead Raj Patel
at Initech, and the user herself, Uma User (uma@acme.example).
"""
from __future__ import annotations

import itertools

from app.models import SalesforceConnection
from app.services.users import find_or_create_org, find_or_create_user

_seq = itertools.count(1)
CASE_NUMBER = 1026


def signed_in_user(app, emu, email: str = "uma@acme.example", first: str = "Uma", last: str = "User",
                   org_name: str = "Acme", sf_org: str | None = None, admin: bool = True):
    """(Syncline user, emulator org id, emulator user id); a second call with `sf_org` adds a colleague."""
    rt = app.extensions["syncline"]
    sf_org = sf_org or emu.create_org(name=org_name)
    sf_user = emu.create_user(sf_org, email=email, admin=admin, first_name=first, last_name=last,
                              username=f"{email}.{next(_seq)}.test")
    tokens = emu.issue_tokens(sf_org, sf_user)
    with rt.db.session_scope() as s:
        org = find_or_create_org(s, sf_org, org_name, tokens["instance_url"])
        user = find_or_create_user(s, org, sf_user_id=sf_user, email=email, name=f"{first} {last}", sf_admin=admin)
        s.add(SalesforceConnection(
            org_id=org.id, user=user, instance_url=tokens["instance_url"], is_org_default=admin,
            access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
            refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
        s.flush()
        return user, sf_org, sf_user


def seed_globex(emu, sf_org: str) -> dict[str, str]:
    """The records the sidebar scenarios expect; returns their ids by role."""
    ids = {"account": emu.insert(sf_org, "Account", {"Name": "Globex Corporation",
                                                     "Website": "https://www.globex.example"})}
    ids["contact"] = emu.insert(sf_org, "Contact", {"FirstName": "Jane", "LastName": "Doe", "Title": "Head of Procurement",
                                                    "Email": "jane.doe@globex.example", "AccountId": ids["account"]})
    ids["opportunity"] = emu.insert(sf_org, "Opportunity", {"Name": "Globex — 500 seats", "StageName": "Proposal/Price Quote",
                                                            "CloseDate": "2025-06-30", "AccountId": ids["account"]})
    with emu.lock:
        emu.orgs[sf_org].autonumbers["Case"] = CASE_NUMBER - 1
    ids["case"] = emu.insert(sf_org, "Case", {"Subject": "Invoice mismatch", "AccountId": ids["account"],
                                              "ContactId": ids["contact"]})
    ids["lead"] = emu.insert(sf_org, "Lead", {"FirstName": "Raj", "LastName": "Patel", "Company": "Initech",
                                              "Email": "raj@initech.example"})
    return ids
