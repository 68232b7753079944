"""`SalesforceEmulator`: the Python façade other code uses (orgs, users, tokens, faults).

All state lives in memory (optionally mirrored to JSON under `state_dir`); every method
is thread-safe and may be called while the HTTPS server is handling requests.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import custom_fields, dml, persistence
from .access import grant, permissionable
from .app import EmulatorApp
from .catalog import typed
from .change_events import ChangeEventBus
from .cometd import CometdServer
from .dml import Ctx
from .errors import RecordFailed
from .faults import Faults
from .identity import identity_body, userinfo_body
from .ids import IdFactory, pod_for
from .oauth import Client, OAuthServer
from .schema import FieldDef
from .server import TlsServer
from .store import DuplicateRule, Org, Record, ValidationRule
from .values import format_datetime

ADMIN_PROFILE = "System Administrator"
STANDARD_PROFILE = "Standard User"


class SalesforceEmulator:
    """A multi-org Salesforce REST emulator; `start()` serves it over HTTPS on loopback."""

    def __init__(self, state_dir: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.lock = threading.RLock()
        self.orgs: dict[str, Org] = {}
        self.user_org: dict[str, str] = {}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.faults = Faults()
        self.oauth = OAuthServer(lambda: self.base_url)
        self.faults.bind(self.oauth.expire_sessions, self.oauth.revoke)
        self.state_dir = state_dir
        self.base_url = "https://localhost"
        self.ca_path: str | None = None
        self._login: tuple[str, str] | None = None
        self.received: dict[str, list[str]] = {}   # org → its API requests as text (tests assert what was asked)
        self._server: TlsServer | None = None
        self._saver = persistence.Saver(self) if state_dir else None
        self.cometd = CometdServer(self)          # the Streaming API (/cometd/{version})
        if state_dir:
            persistence.load(self, state_dir)
        for org in self.orgs.values():
            self._publish_changes(org)

    # ---- server --------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> SalesforceEmulator:
        """Serve HTTPS in a background thread; sets `base_url` and `ca_path`."""
        self._server = TlsServer(EmulatorApp(self), host, port, self.state_dir)
        self.base_url = f"https://localhost:{self._server.port}"
        self.ca_path = self._server.ca_path
        self._server.start()
        if self._saver:
            self._saver.start()
        return self

    def stop(self) -> None:
        """Stop serving (and write the state file when persistence is on)."""
        self.cometd.close()
        if self._server:
            self._server.stop()
            self._server = None
        if self._saver:
            self._saver.stop()

    def now(self) -> datetime:
        return self.clock()

    def mark_dirty(self) -> None:
        if self._saver:
            self._saver.dirty.set()

    # ---- orgs and users --------------------------------------------------------------
    def create_org(self, name: str = "Acme", daily_api_max: int = 100_000,
                   syncline_fields: bool = True) -> str:
        """Create an org (with its Organization record); returns its 18-char 00D id.

        `syncline_fields=False` gives an org as a real one arrives: without Syncline's custom
        fields (`Syncline_*__c`), which the Tooling API can then create.
        """
        with self.lock:
            factory = IdFactory(pod_for(len(self.orgs)))
            org_id = factory.new("00D")
            org = Org(org_id, name, factory, self.now(), daily_api_max)
            self.orgs[org_id] = org
            self._system_put(org, "Organization", {
                "Id": org_id, "Name": name, "InstanceName": "EMU" + factory.pod.upper(),
                "IsSandbox": True, "OrganizationType": "Enterprise Edition",
                "TimeZoneSidKey": "GMT"}, None)
            for profile, admin in ((ADMIN_PROFILE, True), (STANDARD_PROFILE, False)):
                self._system_put(org, "Profile", {
                    "Name": profile, "PermissionsManageUsers": admin,
                    "PermissionsCustomizeApplication": admin, "PermissionsApiEnabled": True,
                    "UserType": "Standard"}, None)
            if not syncline_fields:
                for obj in org.schema.objects.values():
                    for field_name in [n for n in obj.fields if n.startswith("Syncline_")]:
                        del obj.fields[field_name]
            custom_fields.register_existing(org, lambda: org.ids.new("00N"))
            self._profile_permission_sets(org)
            self._publish_changes(org)
            return org_id

    def _publish_changes(self, org: Org) -> None:
        """From now on every committed change of a selected entity is a change event (setup's own
        records, made before, are not)."""
        org.changes = ChangeEventBus(first_replay_id=int(self.now().timestamp() * 1000))
        org.store.on_commit = lambda journal: org.changes.publish(journal, org.store.current, self.now())

    def set_change_data_capture(self, org_id: str, enabled: bool = True,
                                entities: set[str] | None = None) -> None:
        """Switch Change Data Capture on or off for an org (off: subscribes are refused, nothing is
        published), optionally with the selected entities (default Account, Contact, Event, Lead,
        Opportunity, Task)."""
        with self.lock:
            bus = self.orgs[org_id].changes
            bus.enabled = enabled
            if entities is not None:
                bus.entities = set(entities)

    def change_events(self, org_id: str) -> list[dict[str, Any]]:
        """The org's retained change events as subscribers see them (payload and replayId)."""
        with self.orgs[org_id].changes.cond:
            return [{"replayId": e.replay_id, **copy.deepcopy(e.payload)} for e in self.orgs[org_id].changes.events]

    def _profile_permission_sets(self, org: Org) -> None:
        """Each profile owns a permission set; the catalog's custom fields are granted to all of them."""
        for profile in org.store.all("Profile"):
            ps = self._system_put(org, "PermissionSet", {
                "Name": f"X{profile['Id'][:15]}", "Label": profile["Name"], "IsOwnedByProfile": True,
                "ProfileId": profile["Id"]}, None)
            for obj in org.schema.objects.values():
                for f in obj.fields.values():
                    if permissionable(f):
                        grant(org, lambda kind, values: self._system_put(org, kind, values, None), ps, obj.name, f.name)

    def create_user(self, org_id: str, email: str, admin: bool = False,
                    first_name: str | None = None, last_name: str | None = None,
                    username: str | None = None, time_zone: str = "GMT",
                    active: bool = True) -> str:
        """Create a User with the admin or standard Profile; returns the 005 id.

        Usernames are unique across all orgs, as in Salesforce (ValueError otherwise).
        """
        with self.lock:
            org = self.orgs[org_id]
            username = username or email
            if any(u.get("Username", "").lower() == username.lower()
                   for o in self.orgs.values() for u in o.store.all("User", True)):
                raise ValueError(f"duplicate username {username}")
            profile = next(p["Id"] for p in org.store.all("Profile")
                           if p["Name"] == (ADMIN_PROFILE if admin else STANDARD_PROFILE))
            local = email.split("@")[0]
            last = last_name or local.split(".")[-1].capitalize()
            user_id = self._system_put(org, "User", {
                "Username": username, "Email": email, "FirstName": first_name,
                "LastName": last, "Name": " ".join(p for p in (first_name, last) if p),
                "Alias": local[:8], "IsActive": active, "ProfileId": profile,
                "TimeZoneSidKey": time_zone, "CommunityNickname": local}, None)
            self.user_org[user_id] = org_id
            if self._login is None:
                self._login = (org_id, user_id)
            return user_id

    def _system_put(self, org: Org, kind: str, values: Record, user_id: str | None) -> str:
        """Write a record the way setup does (no API validation); returns its id."""
        obj = org.schema.objects[kind]
        rid = values.get("Id") or org.ids.new(obj.key_prefix)
        stamp = format_datetime(self.now())
        by = user_id or (rid if kind == "User" else None)
        record = {f.name: f.default for f in obj.fields.values()}
        record.update(values)
        record.update(Id=rid, IsDeleted=False, CreatedDate=stamp, LastModifiedDate=stamp,
                      SystemModstamp=stamp, CreatedById=by, LastModifiedById=by)
        org.store.put(kind, record)
        org.store.clear_journal()
        self.mark_dirty()
        return rid

    def set_login_user(self, org_id: str, user_id: str) -> None:
        """The user `/services/oauth2/authorize` auto-approves as (without login_hint)."""
        self._login = (org_id, user_id)

    def login_user(self, hint: str | None = None) -> tuple[str, str]:
        """(org, user) for an authorize request: login_hint username/email, else default."""
        with self.lock:
            if hint:
                for org in self.orgs.values():
                    for user in org.store.all("User"):
                        if hint.lower() in (user["Username"].lower(), user["Email"].lower()):
                            return org.id, user["Id"]
            if self._login is None:
                from .oauth import OAuthError
                raise OAuthError("invalid_request", "no user to log in as")
            return self._login

    # ---- tokens ----------------------------------------------------------------------
    def issue_tokens(self, org_id: str, user_id: str,
                     client_id: str = "syncline-sandbox") -> dict[str, Any]:
        """Mint tokens directly (no browser); same shape as the OAuth token response."""
        return self.oauth.issue(org_id, user_id, client_id)

    def register_client(self, client_id: str, secret: str | None = None,
                        redirect_uris: list[str] | None = None) -> None:
        """Register a connected app; once any is registered, unknown client_ids fail."""
        self.oauth.clients[client_id] = Client(client_id, secret, list(redirect_uris or []))

    def identity(self, org_id: str, user_id: str) -> dict[str, Any]:
        """The identity-URL body; KeyError when the user is not in this org."""
        with self.lock:
            found = self.orgs[org_id].store.get(user_id)
            if found is None or found[0] != "User":
                raise KeyError(user_id)
            return identity_body(self.base_url, org_id, found[1])

    def userinfo(self, org_id: str, user_id: str) -> dict[str, Any]:
        """The OpenID Connect userinfo body for the token's user."""
        ident = self.identity(org_id, user_id)
        return userinfo_body(ident)

    # ---- API usage -------------------------------------------------------------------
    def api_calls(self, org_id: str) -> int:
        return self.orgs[org_id].api_calls

    def requests_text(self, org_id: str) -> str:
        """Every API request the org received (method, path, decoded query and body), one a line."""
        with self.lock:
            return "\n".join(self.received.get(org_id, ()))

    def record_request(self, org_id: str, text: str) -> None:
        """Keep the org's last 2000 requests' text (see ``requests_text``)."""
        with self.lock:
            kept = self.received.setdefault(org_id, [])
            kept.append(text)
            del kept[:-2000]

    def reset_api_calls(self, org_id: str) -> None:
        with self.lock:
            self.orgs[org_id].api_calls = 0

    def set_daily_api_max(self, org_id: str, maximum: int) -> None:
        """Change the allocation; reaching it makes calls fail with REQUEST_LIMIT_EXCEEDED."""
        with self.lock:
            self.orgs[org_id].daily_api_max = maximum

    # ---- data and configuration -------------------------------------------------------
    def records(self, org_id: str, sobject: str, include_deleted: bool = False) -> list[Record]:
        """Copies of an org's records of one type (for assertions)."""
        with self.lock:
            return copy.deepcopy(self.orgs[org_id].store.all(sobject, include_deleted))

    def insert(self, org_id: str, sobject: str, values: Record,
               user_id: str | None = None) -> str:
        """Create a record with full validation but without an API call (test seeding)."""
        with self.lock:
            org = self.orgs[org_id]
            user = user_id or next(u["Id"] for u in org.store.all("User"))
            ctx = Ctx(org, user, self.now(), Faults())
            try:
                return dml.insert(ctx, sobject, values)
            except RecordFailed:
                org.store.rollback_to(0)
                raise
            finally:
                org.store.clear_journal()
                self.mark_dirty()

    def update(self, org_id: str, sobject: str, record_id: str, values: Record,
               user_id: str | None = None) -> None:
        """Change a record with full validation but without an API call (a user editing in the UI)."""
        with self.lock:
            org = self.orgs[org_id]
            user = user_id or next(u["Id"] for u in org.store.all("User"))
            ctx = Ctx(org, user, self.now(), Faults())
            try:
                dml.update(ctx, record_id, values, sobject)
            except RecordFailed:
                org.store.rollback_to(0)
                raise
            finally:
                org.store.clear_journal()
                self.mark_dirty()

    def add_field(self, org_id: str, sobject: str, name: str, type: str = "string",
                  visible: bool = True, **options: Any) -> None:
        """Declare a custom field (`name` must end in `__c`), e.g. length=80, external_id=True.

        `visible` grants read/edit to every profile (Setup's default); False leaves it hidden by
        field-level security until a FieldPermissions row grants it."""
        if not name.endswith("__c"):
            raise ValueError("custom field names end in __c")
        if type == "string":
            options.setdefault("length", 255)
        with self.lock:
            org = self.orgs[org_id]
            org.schema.objects[sobject].fields[name] = typed(name, type, **options) \
                if "length" not in options else FieldDef(name, type, **options)
            org.schema_modified = self.now()
            custom_fields.register_existing(org, lambda: org.ids.new("00N"))
            if visible:
                self.grant_field(org_id, sobject, name, profiles=True)

    def grant_field(self, org_id: str, sobject: str, name: str, profiles: bool = True,
                    permission_set: str | None = None, edit: bool = True) -> None:
        """Field-level security as an admin sets it: read (and edit) on every profile, or on one permission set."""
        with self.lock:
            org = self.orgs[org_id]
            sets = [p["Id"] for p in org.store.all("PermissionSet") if p.get("IsOwnedByProfile") and profiles]
            for ps in sets + ([permission_set] if permission_set else []):
                grant(org, lambda kind, values: self._system_put(org, kind, values, None), ps, sobject, name, edit)

    def revoke_field(self, org_id: str, sobject: str, name: str) -> None:
        """Remove every FieldPermissions row of a field: it exists, but nobody can see it."""
        with self.lock:
            org = self.orgs[org_id]
            key = f"{sobject}.{name}".lower()
            for row in org.store.all("FieldPermissions"):
                if str(row.get("Field")).lower() == key:
                    org.store.mark_deleted("FieldPermissions", row["Id"], self.now(), format_datetime(self.now()))
            org.store.clear_journal()
            self.mark_dirty()

    def add_validation_rule(self, org_id: str, sobject: str,
                            error_when: Callable[[Record], bool], message: str,
                            field: str | None = None) -> None:
        """Saves of `sobject` where `error_when(record)` fail: FIELD_CUSTOM_VALIDATION_EXCEPTION."""
        with self.lock:
            self.orgs[org_id].validation_rules.append(
                ValidationRule(sobject, error_when, message, field))

    def add_duplicate_rule(self, org_id: str, sobject: str, fields: tuple[str, ...] = ("Email",),
                           match_types: tuple[str, ...] = ()) -> None:
        """Block saves matching an existing record on `fields` (DUPLICATES_DETECTED)."""
        with self.lock:
            self.orgs[org_id].duplicate_rules.append(
                DuplicateRule(sobject, tuple(fields), f"{sobject}_Duplicate_Rule",
                              tuple(match_types)))
