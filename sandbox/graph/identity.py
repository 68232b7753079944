"""The fake Entra ID's state: app certificates, granted permissions, sign-ins, codes and refresh tokens.

Access tokens are RS256 JWTs signed by the fake tenant's key and carry what real Graph tokens
carry for authorisation: ``roles`` (application permissions with admin consent) or ``scp``
(delegated permissions the user consented to), ``appid``, ``tid`` and, for a user, ``oid``/``upn``
(Microsoft Learn, "Access token claims reference"). Refresh tokens can be revoked or expired to
reproduce AADSTS50173 / 70008 / 700082.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

# Microsoft Learn, "Microsoft Graph permissions reference": what a full Syncline registration holds.
APPLICATION_ROLES = frozenset({"Calendars.ReadWrite", "Tasks.ReadWrite.All", "Contacts.ReadWrite", "Mail.ReadWrite",
                               "MailboxSettings.ReadWrite", "User.Read.All"})
DELEGATED_SCOPES = frozenset({"Calendars.ReadWrite", "Tasks.ReadWrite", "Contacts.ReadWrite", "Mail.ReadWrite",
                              "MailboxSettings.ReadWrite", "User.Read"})
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
GRAPH_RESOURCE = "https://graph.microsoft.com"
TOKEN_SECONDS = 3599
CODE_SECONDS = 600

# Entra ID's own wording (Microsoft Learn, "Microsoft Entra authentication and authorization error codes").
REFRESH_REFUSALS = {
    50173: "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. "
           "The user might have changed or reset their password.",
    70008: "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. "
           "Send a new interactive authorization request for this user and resource.",
    700082: "AADSTS700082: The refresh token has expired due to inactivity.",
}


@dataclass
class PendingCode:
    """An authorization code waiting to be redeemed (single use, ten minutes)."""

    client_id: str
    redirect_uri: str
    user: str
    scopes: frozenset[str]
    challenge: str
    method: str
    nonce: str
    expires: float


@dataclass
class RefreshGrant:
    client_id: str
    user: str
    scopes: frozenset[str]
    refusal: int | None = None          # set: the next redemption fails with this AADSTS code


@dataclass
class Identity:
    """Per-tenant sign-in state; ``browser_user`` is who is signed in at the fake's authorize page."""

    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                     key_size=2048))
    certificates: dict[str, list[x509.Certificate]] = field(default_factory=dict)   # client id → certs
    roles: dict[str, set[str]] = field(default_factory=dict)        # client id → admin-consented app roles
    scopes: dict[str, set[str]] = field(default_factory=dict)       # client id → consentable delegated scopes
    codes: dict[str, PendingCode] = field(default_factory=dict)
    refresh: dict[str, RefreshGrant] = field(default_factory=dict)
    token_users: dict[str, str] = field(default_factory=dict)       # delegated access token → user
    browser_user: str | None = None
    redeemed: set[str] = field(default_factory=set)

    # -- registration ------------------------------------------------------------------------
    def add_certificate(self, client_id: str, certificate_pem: str) -> None:
        self.certificates.setdefault(client_id, []).append(x509.load_pem_x509_certificate(certificate_pem.encode()))

    def roles_of(self, client_id: str) -> set[str]:
        return self.roles.setdefault(client_id, set(APPLICATION_ROLES))

    def scopes_of(self, client_id: str) -> set[str]:
        return self.scopes.setdefault(client_id, set(DELEGATED_SCOPES))

    def certificate_for(self, client_id: str, header: dict) -> x509.Certificate | None:
        """The registered certificate the assertion names by ``x5t#S256`` (or legacy SHA-1 ``x5t``)."""
        for cert in self.certificates.get(client_id, []):
            named = (str(header.get("x5t#S256") or "").rstrip("="), str(header.get("x5t") or "").rstrip("="))
            if named[0] == _b64(cert.fingerprint(hashes.SHA256())) or named[1] == _b64(cert.fingerprint(hashes.SHA1())):
                return cert
        return None

    # -- tokens ------------------------------------------------------------------------------
    def access_token(self, tenant: str, client_id: str, *, roles: set[str] | None = None,
                     user: str | None = None, scopes: frozenset[str] = frozenset()) -> str:
        now = int(time.time())
        claims: dict = {"aud": GRAPH_RESOURCE, "iss": f"https://sts.windows.net/{tenant}/", "iat": now, "nbf": now,
                        "exp": now + TOKEN_SECONDS, "appid": client_id, "tid": tenant, "ver": "1.0"}
        if user is None:
            claims |= {"roles": sorted(roles or ()), "idtyp": "app", "oid": str(uuid.uuid5(uuid.NAMESPACE_DNS, client_id))}
        else:
            claims |= {"scp": " ".join(sorted(s for s in scopes if s not in OIDC_SCOPES) or ["User.Read"]),
                       "upn": user, "oid": user_oid(user), "idtyp": "user"}
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "fake-tenant-key"})
        if user is not None:
            self.token_users[token] = user.lower()
        return token

    def id_token(self, issuer: str, tenant: str, client_id: str, user: str, nonce: str) -> str:
        now = int(time.time())
        claims = {"aud": client_id, "iss": issuer, "iat": now, "nbf": now, "exp": now + TOKEN_SECONDS,
                  "sub": hashlib.sha256(f"{client_id}:{user}".encode()).hexdigest()[:43], "oid": user_oid(user),
                  "tid": tenant, "preferred_username": user, "name": user.split("@")[0], "ver": "2.0"}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "fake-tenant-key"})

    def new_code(self, pending: PendingCode) -> str:
        code = "0.A" + secrets.token_urlsafe(32)
        self.codes[code] = pending
        return code

    def new_refresh_token(self, grant: RefreshGrant) -> str:
        token = "0.A" + secrets.token_urlsafe(48)
        self.refresh[token] = grant
        return token

    # -- faults ------------------------------------------------------------------------------
    def refuse_refresh(self, user: str, code: int = 50173) -> list[str]:
        """Every refresh token of ``user`` answers ``invalid_grant`` with ``code`` (50173 revoked, 70008 /
        700082 expired); returns that user's delegated access tokens so the caller can revoke them too."""
        if code not in REFRESH_REFUSALS:
            raise ValueError(f"unknown refusal {code}: use one of {sorted(REFRESH_REFUSALS)}")
        for grant in self.refresh.values():
            if grant.user == user.lower():
                grant.refusal = code
        return [t for t, u in self.token_users.items() if u == user.lower()]


def user_oid(user: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "user:" + user.lower()))


def client_info(user: str, tenant: str) -> str:
    """What ``client_info=1`` asks for: base64url JSON of the user's object id and tenant (msal's account key)."""
    raw = json.dumps({"uid": user_oid(user), "utid": tenant}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    """RFC 7636: S256 is BASE64URL(SHA256(verifier)); ``plain`` compares as-is."""
    if method == "S256":
        return _b64(hashlib.sha256(verifier.encode()).digest()) == challenge
    return method == "plain" and verifier == challenge


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
