"""A faithful local Salesforce REST API emulator, served over real HTTPS on loopback.

Public API (stable)::

    from sandbox.salesforce import SalesforceEmulator
    emu = SalesforceEmulator()                 # in memory; SalesforceEmulator(state_dir=DIR) persists JSON
    emu.start(host="127.0.0.1", port=0)        # HTTPS in a thread; emu.base_url, emu.ca_path
    org = emu.create_org(name="Acme", daily_api_max=100_000)      # '00D...' (18 chars)
    user = emu.create_user(org, email="ann@acme.test", admin=True)  # '005...'; Profile by admin flag
    tok = emu.issue_tokens(org, user)          # OAuth token response: access_token, refresh_token,
                                               # instance_url, id, token_type, issued_at, signature, scope
    emu.api_calls(org); emu.reset_api_calls(org); emu.set_daily_api_max(org, n)
    emu.requests_text(org)                     # every API request received (method, path, decoded query/body)
                                               # GET /services/data/vNN.N/limits reports the same
                                               # counter as DailyApiRequests {Max, Remaining}
    emu.faults.latency_ms = 50                 # per request
    emu.faults.fail_next(503, count=2)         # next N API requests answer 503 SERVER_UNAVAILABLE
                                               # (403 REQUEST_LIMIT_EXCEEDED, 401 INVALID_SESSION_ID, 500)
    emu.faults.fail_for(503, seconds=10)       # a storm: every API request answers 503 for 10 s
    emu.faults.fail_matching("FROM Profile", 500)   # the next request whose path/SOQL holds the text fails
    emu.faults.lock_rows(count=3)              # next N record writes: UNABLE_TO_LOCK_ROW
    emu.faults.lock_rows_for(seconds=10)       # every record write in the window: UNABLE_TO_LOCK_ROW
    emu.faults.expire_sessions()               # every access token → 401 INVALID_SESSION_ID
    emu.faults.revoke_refresh_token(rt)        # refresh → 400 invalid_grant
    emu.faults.refuse_refresh(count=1)         # next N refreshes → 400 invalid_grant (refuse_refresh_for(s))
    emu.faults.clear()
    emu.records(org, "Event")                  # copies of live records (include_deleted=True for bin)
    emu.insert(org, "Contact", {...})          # seed with full validation, no API call counted
    emu.update(org, "Contact", rid, {...})     # edit the same way (a user in the Salesforce UI)
    emu.add_field(org, "Event", "Foo__c", "string", length=80)   # visible=False: hidden by field-level security
    emu.create_org(name, syncline_fields=False)  # a real org's start: no Syncline_*__c fields (Tooling API creates them:
                                               # tooling/sobjects/CustomField, tooling/query; FLS via PermissionSet,
                                               # FieldPermissions, PermissionSetAssignment)
    emu.grant_field(org, "Contact", "X__c"); emu.revoke_field(org, "Contact", "X__c")   # FLS for every profile
    emu.add_validation_rule(org, "Event", lambda r: ..., "message", field="Subject")
    emu.add_duplicate_rule(org, "Contact", ("Email",), match_types=("Lead",))
    emu.register_client("cid", secret=None, redirect_uris=[...])  # none registered → any client_id
    emu.set_login_user(org, user)              # who /services/oauth2/authorize approves as
    emu.oauth.rotate_refresh_tokens = True     # refresh responses then carry a new refresh_token
    emu.clock = lambda: datetime(...)          # server time (getUpdated/getDeleted windows, TODAY)
    # Streaming API: POST /cometd/{version} (Bayeux long polling: /meta/handshake, subscribe with the
    # replay extension, connect, disconnect); every committed DML of a selected entity is a Change
    # Data Capture event on /data/ChangeEvents and /data/<Object>ChangeEvent, kept 72 h (emu clock)
    emu.cometd.timeout_s = 110.0               # how long /meta/connect holds without events
    emu.cometd.forget_clients()                # next message of every client: 403::Unknown client
    emu.set_change_data_capture(org, False)    # subscribes refused, nothing published (entities={...})
    emu.change_events(org)                     # retained events: replayId + payload (ChangeEventHeader…)
    emu.stop()

Clients: `requests.Session()` with `trust_env = False` and `verify = emu.ca_path` (this
machine's REQUESTS_CA_BUNDLE would override verify otherwise), and for simple-salesforce
`Salesforce(instance_url=emu.base_url, session_id=tok["access_token"], session=s)`.
CLI: `python -m sandbox.salesforce --port N --state-dir DIR`.
"""
from .emulator import SalesforceEmulator
from .faults import Faults
from .oauth import pkce_challenge

__all__ = ["SalesforceEmulator", "Faults", "pkce_challenge"]
