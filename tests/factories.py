"""Builders for orgs, users and tokens, going through the same services the product uses."""
from __future__ import annotations

import itertools

from app.models import Mailbox, Org, SalesforceConnection, ServerProfile, User
from app.services.tokens import issue_token
from app.services.users import find_or_create_org, find_or_create_user

_seq = itertools.count(1)


class Factory:
    def __init__(self, app):
        self.rt = app.extensions["syncline"]

    def org(self, name: str = "Acme") -> Org:
        n = next(_seq)
        with self.rt.db.session_scope() as s:
            return find_or_create_org(s, f"00D{n:012d}AAA", name, "https://acme.my.salesforce.com")

    def user(self, org: Org, *, email: str | None = None, admin: bool = False, sf_admin: bool = False) -> User:
        n = next(_seq)
        with self.rt.db.session_scope() as s:
            user = find_or_create_user(s, s.get(Org, org.id), sf_user_id=f"005{n:012d}AAA",
                                       email=email or f"user{n}@example.test", name=f"User {n}", sf_admin=sf_admin)
            user.admin_granted = admin
            return user

    def token(self, user: User, ttl_days: int | None = None) -> str:
        with self.rt.db.session_scope() as s:
            _, plaintext = issue_token(s, s.get(User, user.id), ttl_days=ttl_days)
            return plaintext

    def auth(self, user: User) -> dict:
        return {"Authorization": f"Bearer {self.token(user)}"}

    def mailbox(self, user: User, kind: str = "imap", endpoints: dict | None = None, password: str = "secret") -> Mailbox:
        import json

        with self.rt.db.session_scope() as s:
            profile = ServerProfile(org_id=user.org_id, name=f"{kind}-{next(_seq)}", kind=kind,
                                    endpoints=endpoints or {"imap_host": "127.0.0.1"})
            s.add(profile)
            s.flush()
            mailbox = Mailbox(org_id=user.org_id, user_id=user.id, server_profile_id=profile.id,
                              address=user.email, username=user.email,
                              credentials_enc=self.rt.secrets.encrypt(json.dumps({"password": password})))
            s.add(mailbox)
            s.flush()
            return mailbox

    def salesforce_user(self, emu, *, admin: bool = True, org_name: str = "Acme",
                        syncline_fields: bool = True) -> tuple[User, str, str]:
        """A Syncline user signed in to a fresh emulator org: (user, emulator org id, emulator user id)."""
        sf_org = emu.create_org(name=org_name, syncline_fields=syncline_fields)
        n = next(_seq)
        sf_user = emu.create_user(sf_org, email=f"admin{n}@{org_name.lower()}.test", admin=admin)
        tokens = emu.issue_tokens(sf_org, sf_user)
        with self.rt.db.session_scope() as s:
            org = find_or_create_org(s, sf_org, org_name, tokens["instance_url"])
            user = find_or_create_user(s, org, sf_user_id=sf_user, email=f"admin{n}@{org_name.lower()}.test",
                                       sf_admin=admin)
            s.add(SalesforceConnection(
                org_id=org.id, user=user, instance_url=tokens["instance_url"], is_org_default=admin,
                access_token_enc=self.rt.secrets.encrypt(tokens["access_token"]),
                refresh_token_enc=self.rt.secrets.encrypt(tokens["refresh_token"])))
            s.flush()
            return user, sf_org, sf_user
