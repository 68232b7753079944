"""Server profiles, mailboxes, and the sync dashboard."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import StrictSchema, page_schema

URL = validate.URL(schemes={"http", "https"}, require_tld=False)


PUBLIC_HOST = ("A public host: loopback, private, link-local, CGNAT, metadata and non-canonical IP forms "
               "are refused unless SYNCLINE_ALLOWED_MAIL_HOSTS names them")


class EndpointsSchema(StrictSchema):
    """Where the mail server answers; which fields matter depends on the profile kind.

    Name every new host field ``*_host`` and every URL field ``*_url``: the host guard
    (app/services/mail_hosts.py) checks fields by those suffixes.
    """

    imap_host = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": PUBLIC_HOST})
    imap_port = fields.Integer(validate=validate.Range(min=1, max=65535))
    imap_tls = fields.Boolean()
    dav_url = fields.String(validate=URL, load_only=True, metadata={
        "description": "One http(s) URL serving both CalDAV and CardDAV (e.g. Nextcloud's /remote.php/dav/): "
                       "stored as caldav_url and carddav_url where those are not given; " + PUBLIC_HOST})
    caldav_url = fields.String(validate=URL, metadata={"description": "http(s) URL; " + PUBLIC_HOST})
    carddav_url = fields.String(validate=URL, metadata={"description": "http(s) URL; " + PUBLIC_HOST})
    ews_url = fields.String(validate=URL, metadata={"description": "https URL; " + PUBLIC_HOST})
    tenant_id = fields.String(validate=validate.Length(max=64), metadata={
        "description": "graph: the Entra ID tenant (GUID or domain) of the org's app registration"})
    client_id = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "graph: the app registration's application (client) id"})
    authority_url = fields.String(validate=URL, metadata={
        "description": "graph: Entra ID host (default https://login.microsoftonline.com); https; " + PUBLIC_HOST})
    graph_url = fields.String(validate=URL, metadata={
        "description": "graph: Graph base URL (default https://graph.microsoft.com/v1.0); https; " + PUBLIC_HOST})
    google_api_url = fields.String(validate=URL, metadata={
        "description": "gmail: Google APIs root (default https://www.googleapis.com/); https; " + PUBLIC_HOST})
    google_people_url = fields.String(validate=URL, metadata={
        "description": "gmail: People API root (default https://people.googleapis.com/, or google_api_url when "
                       "that is not Google's); https; " + PUBLIC_HOST})
    google_tasks_url = fields.String(validate=URL, metadata={
        "description": "gmail: Tasks API root (default https://tasks.googleapis.com/, or google_api_url when "
                       "that is not Google's); https; " + PUBLIC_HOST})
    google_token_url = fields.String(validate=URL, metadata={
        "description": "gmail: Google's OAuth token endpoint (default https://oauth2.googleapis.com/token); https; "
                       + PUBLIC_HOST})
    google_auth_url = fields.String(validate=URL, metadata={
        "description": "gmail (user_oauth): Google's authorization endpoint (default "
                       "https://accounts.google.com/o/oauth2/v2/auth); https; " + PUBLIC_HOST})
    gmail_push_topic = fields.String(validate=validate.Regexp(
        r"^projects/[^/]+/topics/[^/]+$", error="a Pub/Sub topic name: projects/PROJECT/topics/TOPIC"), metadata={
        "description": "gmail: the Pub/Sub topic Gmail publishes changes to (projects/P/topics/T; Gmail's "
                       "gmail-api-push@system.gserviceaccount.com may publish to it); without it Gmail is not watched"})
    gmail_push_service_account = fields.Email(metadata={
        "description": "gmail: the service account whose OIDC token the topic's push subscription sends to "
                       "/api/v1/google/gmail-notifications (a push signed for any other is refused)"})


AUTH_MODES = ("application", "delegated")
AUTH_MODE_HELP = ("graph: application (default: the app registration reaches every mailbox with admin-consented "
                  "application permissions) or delegated (each mailbox's owner signs in with Microsoft once: "
                  "GET /api/v1/mailboxes/{id}/graph-sign-in)")
PRIVATE_KEY_HELP = ("graph: the app registration certificate's private key, unencrypted PEM (RSA); stored "
                    "encrypted, never shown; used instead of the client secret")
CERTIFICATE_HELP = "graph: the certificate uploaded to the app registration, PEM; its SHA-256 thumbprint is derived"
REQUIRED_ENDPOINTS = {"imap": (), "ews": ("ews_url",), "graph": ("tenant_id", "client_id"), "gmail": ()}
# Kinds whose parts are optional but at least one must be named: an imap profile may be
# IMAP-only (mail), DAV-only (calendar/tasks and/or contacts) or both.
ANY_ENDPOINT = {"imap": ("imap_host", "dav_url", "caldav_url", "carddav_url")}
KIND_HELP = ("imap: standards servers - imap_host for mail saving, caldav_url for calendar and tasks, "
             "carddav_url for contacts (dav_url: one URL for both); give any of them (an IMAP-only or a calendar-only account leaves "
             "the others out, and their folders show as not available on this server); "
             "graph: Office 365 through Microsoft Graph with the org's app registration - endpoints.tenant_id, "
             "endpoints.client_id and client_secret or private_key + certificate; auth_mode application or delegated "
             "(calendar, To Do tasks, contacts and email saves); "
             "gmail: Google Workspace through domain-wide delegation - service_account_key, or per-user sign-in "
             "(calendar, tasks, contacts and email saves)")


SERVICE_ACCOUNT_HELP = ("gmail: the Google Cloud service account's JSON key (the file the console downloads), whose "
                        "client id a Workspace admin granted https://www.googleapis.com/auth/calendar.events under "
                        "domain-wide delegation (plus https://www.googleapis.com/auth/tasks, "
                        "https://www.googleapis.com/auth/contacts and the Gmail scopes for those kinds); stored "
                        "encrypted, never shown")


def check_service_account_key(key: dict, name: str) -> None:
    """The parts of a service-account JSON key the adapter signs with; the message names what is missing."""
    if key.get("type") != "service_account":
        raise ValidationError({name: ['not a service-account key: "type" must be "service_account"']})
    missing = [f for f in ("client_email", "private_key") if not isinstance(key.get(f), str) or not key.get(f)]
    if missing:
        raise ValidationError({name: [f"the key lacks {', '.join(missing)}"]})
    if "PRIVATE KEY-----" not in key["private_key"]:
        raise ValidationError({name: ["private_key is not a PEM private key"]})


class ServerProfileSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    kind = fields.String(required=True, validate=validate.OneOf(tuple(REQUIRED_ENDPOINTS)),
                         metadata={"description": KIND_HELP})
    endpoints = fields.Nested(EndpointsSchema, load_default=dict)
    client_secret = fields.String(load_only=True, validate=validate.Length(min=1, max=1024), metadata={
        "description": "graph: the app registration's client secret; stored encrypted, never shown"})
    auth_mode = fields.String(validate=validate.OneOf(AUTH_MODES), metadata={"description": AUTH_MODE_HELP})
    private_key = fields.String(load_only=True, validate=validate.Length(min=1, max=16384),
                                metadata={"description": PRIVATE_KEY_HELP})
    certificate = fields.String(load_only=True, validate=validate.Length(min=1, max=16384),
                                metadata={"description": CERTIFICATE_HELP})
    certificate_thumbprint = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "graph: SHA-256 thumbprint of the stored certificate (as the Entra admin center shows it)"})
    service_account_key = fields.Dict(load_only=True, metadata={"description": SERVICE_ACCOUNT_HELP})
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _kind_needs_endpoints(self, data, **_):
        if data.get("service_account_key") is not None:
            if data.get("kind") != "gmail":
                raise ValidationError({"service_account_key": ["only a gmail profile has a service-account key"]})
            check_service_account_key(data["service_account_key"], "service_account_key")
        endpoints = data.get("endpoints", {})
        missing = [f for f in REQUIRED_ENDPOINTS.get(data.get("kind"), ()) if not endpoints.get(f)]
        if missing:
            raise ValidationError({"endpoints": [f"a {data['kind']} profile needs {', '.join(missing)}"]})
        _graph_credentials(data)
        any_of = ANY_ENDPOINT.get(data.get("kind"), ())
        if any_of and not any(endpoints.get(f) for f in any_of):
            raise ValidationError({"endpoints": [f"a {data['kind']} profile needs at least one of "
                                                 f"{', '.join(any_of)}"]})


def _graph_credentials(data: dict) -> None:
    """A graph profile authenticates with a client secret or a certificate (key + certificate together)."""
    graph = data.get("kind") == "graph"
    given = [f for f in ("client_secret", "private_key", "certificate", "auth_mode") if data.get(f)]
    if not graph and given:
        raise ValidationError({f: ["only a graph profile has this"] for f in given})
    if graph and bool(data.get("private_key")) != bool(data.get("certificate")):
        missing = "certificate" if data.get("private_key") else "private_key"
        raise ValidationError({missing: ["give private_key and certificate together"]})
    if graph and not data.get("client_secret") and not data.get("certificate"):
        raise ValidationError({"client_secret": ["a graph profile needs the app registration's client secret "
                                                 "(or private_key and certificate)"]})


class CertificateSchema(StrictSchema):
    private_key = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=16384),
                                metadata={"description": PRIVATE_KEY_HELP})
    certificate = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=16384),
                                metadata={"description": CERTIFICATE_HELP})


class AuthModeSchema(StrictSchema):
    auth_mode = fields.String(required=True, validate=validate.OneOf(AUTH_MODES),
                              metadata={"description": AUTH_MODE_HELP})


class MissingPermissionSchema(StrictSchema):
    permission = fields.String(required=True, metadata={"description": "Microsoft Graph permission, e.g. Mail.ReadWrite"})
    needed_for = fields.String(required=True, metadata={
        "description": "The folder kind that needs it (mail, calendar, tasks, contacts) or 'every mailbox'"})


class ConnectionTestSchema(StrictSchema):
    ok = fields.Boolean(required=True, metadata={"description": "A token came and carries every needed permission"})
    auth_mode = fields.String(required=True)
    checked_as = fields.String(allow_none=True, metadata={
        "description": "'the app registration', or the signed-in mailbox whose token was checked (delegated)"})
    granted = fields.List(fields.String(), required=True, metadata={
        "description": "The token's permissions: its roles claim (application) or scp claim (delegated)"})
    missing = fields.List(fields.Nested(MissingPermissionSchema), required=True)
    error = fields.String(allow_none=True, metadata={
        "description": "Why no token came, in one sentence with Entra ID's AADSTS code (null when one came)"})


class GraphSignInSchema(StrictSchema):
    authorize_url = fields.String(required=True, metadata={"description": "Where to send the mailbox's owner"})


class GraphCallbackArgsSchema(StrictSchema):
    state = fields.String(required=True, validate=validate.Length(min=1, max=512))
    code = fields.String(validate=validate.Length(max=8192))
    session_state = fields.String(validate=validate.Length(max=512))
    client_info = fields.String(validate=validate.Length(max=2048))
    error = fields.String(validate=validate.Length(max=256))
    error_description = fields.String(validate=validate.Length(max=4096))
    error_uri = fields.String(validate=validate.Length(max=2048))


class GraphSignedInSchema(StrictSchema):
    mailbox_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "The mailbox's status after the sign-in"})
    message = fields.String(required=True)


class ServiceAccountKeySchema(StrictSchema):
    service_account_key = fields.Dict(required=True, load_only=True, metadata={"description": SERVICE_ACCOUNT_HELP})

    @validates_schema
    def _usable_key(self, data, **_):
        check_service_account_key(data.get("service_account_key") or {}, "service_account_key")


class ClientSecretSchema(StrictSchema):
    client_secret = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024),
                                  metadata={"description": "The app registration's new client secret (graph profiles); "
                                                           "stored encrypted, never shown"})


class ServerProfileSummarySchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class MailboxSchema(StrictSchema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    address = fields.String(required=True)
    username = fields.String(required=True)
    dav_username = fields.String(allow_none=True, metadata={
        "description": "The CalDAV/CardDAV user name where it differs from the IMAP one (null: the same)"})
    has_dav_password = fields.Boolean(metadata={"description": "A separate CalDAV/CardDAV password is stored"})
    server_profile = fields.Nested(ServerProfileSummarySchema, required=True)
    status = fields.String(required=True, metadata={"description": "active | suspended | disabled | needs_reauth"})
    status_reason = fields.String(allow_none=True)
    status_set_by = fields.String(allow_none=True, metadata={
        "description": "system | user | admin: who set the status (an admin's suspension needs an admin)"})
    consecutive_failures = fields.Integer(required=True)
    throttled_failures = fields.Integer(required=True, metadata={
        "description": "Of the consecutive failures, the sessions a service told to wait (rate limit, quota, "
                       "an org paused near its Salesforce API limit): these never suspend the mailbox"})
    has_credentials = fields.Boolean(required=True)
    last_sync_at = fields.DateTime(allow_none=True)
    next_sync_at = fields.DateTime(allow_none=True)


DAV_USERNAME_HELP = ("CalDAV/CardDAV user name when it differs from the IMAP one (e.g. another account); "
                     "only for a server profile with caldav_url or carddav_url")
DAV_PASSWORD_HELP = ("CalDAV/CardDAV password when it differs from the IMAP one (e.g. an app password); "
                     "stored encrypted, never shown; only for a server profile with caldav_url or carddav_url")


class MailboxCreateSchema(StrictSchema):
    server_profile_id = fields.Integer(required=True)
    address = fields.Email(required=True)
    username = fields.String(load_default="", validate=validate.Length(max=320),
                             metadata={"description": "IMAP user name (also DAV's unless dav_username); "
                                                      "defaults to the address"})
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=4096),
                             load_only=True, metadata={"description": "IMAP password (also DAV's unless "
                                                                      "dav_password)"})
    dav_username = fields.String(validate=validate.Length(min=1, max=320), metadata={"description": DAV_USERNAME_HELP})
    dav_password = fields.String(validate=validate.Length(min=1, max=4096), load_only=True,
                                 metadata={"description": DAV_PASSWORD_HELP})
    user_id = fields.Integer(metadata={"description": "Admins only: register for another user of the org"})


class MailboxPatchSchema(StrictSchema):
    server_profile_id = fields.Integer(metadata={"description": (
        "Move to another server profile of the org (e.g. one that adds a CalDAV URL); folders whose server "
        "changed are listed in full on the next session, without duplicates")})
    address = fields.Email()
    username = fields.String(validate=validate.Length(max=320))
    password = fields.String(validate=validate.Length(min=1, max=4096), load_only=True)
    dav_username = fields.String(allow_none=True, validate=validate.Length(min=1, max=320), metadata={
        "description": DAV_USERNAME_HELP + "; null: use the IMAP user name again"})
    dav_password = fields.String(allow_none=True, validate=validate.Length(min=1, max=4096), load_only=True,
                                 metadata={"description": DAV_PASSWORD_HELP + "; null: use the IMAP password again"})


class SuspendSchema(StrictSchema):
    reason = fields.String(load_default="suspended by hand", validate=validate.Length(max=500))


class SyncRequestedSchema(StrictSchema):
    job_id = fields.String(required=True)
    enqueued = fields.Boolean(required=True, metadata={
        "description": "True: a new session was queued, or one follows the session now running (it may have "
                       "read before this request); False: a session already waiting will read every change"})
    message = fields.String(required=True)


class MailboxListArgsSchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    status = fields.String(validate=validate.OneOf(("active", "suspended", "disabled", "needs_reauth")))


MailboxPageSchema = page_schema(MailboxSchema, "MailboxPageSchema")


class FailedItemSchema(StrictSchema):
    sync_key = fields.String(required=True)
    kind = fields.String(required=True)
    object_type = fields.String(required=True)
    mailbox_item_id = fields.String(allow_none=True)
    crm_id = fields.String(allow_none=True)
    error = fields.String(required=True)
    attempts = fields.Integer(required=True)
    given_up = fields.Boolean(required=True, metadata={"description": "No more automatic retries; replay it"})
    will_retry = fields.Boolean(required=True, metadata={
        "description": "The next session retries it (false: a dead letter until replayed or changed)"})


class ReplayedSchema(StrictSchema):
    replayed = fields.Integer(required=True, metadata={"description": "Items the next session will retry"})
