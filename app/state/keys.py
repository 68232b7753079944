"""Every Redis key Syncline uses, in one place, so formats never drift apart."""
from __future__ import annotations

PREFIX = "syncline"


def heartbeat() -> str:
    """Written by the scheduler's heartbeat job; readiness shows its age."""
    return f"{PREFIX}:heartbeat"


def oauth_state(state: str) -> str:
    """PKCE verifier of a sign-in in progress (10 minutes)."""
    return f"{PREFIX}:oauth:state:{state}"


def salesforce_refresh_lock(connection_id: int) -> str:
    """Held while one process refreshes a connection's access token (one refresh at a time)."""
    return f"{PREFIX}:sf:refresh-lock:{connection_id}"


def salesforce_api_usage(org_pk: int) -> str:
    """Hash {used, max, at}: the org's last seen `Sforce-Limit-Info: api-usage=used/max`."""
    return f"{PREFIX}:sf:api-usage:{org_pk}"


def salesforce_paused_until(org_pk: int) -> str:
    """Epoch seconds until which the org's Salesforce work is paused (REQUEST_LIMIT_EXCEEDED)."""
    return f"{PREFIX}:sf:paused-until:{org_pk}"


def salesforce_limits_recheck(org_pk: int) -> str:
    """Held (SET NX, TTL) by the one process re-reading the org's /limits while usage is over the reserve."""
    return f"{PREFIX}:sf:limits-recheck:{org_pk}"


def salesforce_describe(org_pk: int, sobject: str) -> str:
    """Cached, trimmed `describe` of one sObject type for one org (JSON, TTL)."""
    return f"{PREFIX}:sf:describe:{org_pk}:{sobject.lower()}"


def salesforce_fields_verified(connection_id: int) -> str:
    """Digest of the custom fields a connection's user was last seen able to use (TTL: the describe's)."""
    return f"{PREFIX}:sf:fields-verified:{connection_id}"


def mailbox_lock(mailbox_id: int) -> str:
    """Held by the one sync session of a mailbox that may run at a time."""
    return f"{PREFIX}:lock:mailbox:{mailbox_id}"


def mailbox_progress(mailbox_id: int) -> str:
    """Hash: live progress of the running session (stage, counts), for the dashboard."""
    return f"{PREFIX}:progress:mailbox:{mailbox_id}"


def idle_check_mark(mailbox_id: int) -> str:
    """Set (with a TTL) while a due mailbox waits in a batched idle check, so ticks do not queue it twice."""
    return f"{PREFIX}:idle-check:{mailbox_id}"


def sync_job_id(mailbox_id: int) -> str:
    """Stable RQ job id of a mailbox's session, so duplicates cannot pile up in the queue."""
    return f"sync-mailbox-{mailbox_id}"


def gate_slots(service: str, mailbox: str) -> str:
    """Sorted set: holders of one mailbox's concurrency slots at ``service`` (graph, gmail…), scored by expiry."""
    return f"{PREFIX}:{service}:slots:{mailbox}"


def gate_budget(service: str, mailbox: str) -> str:
    """Hash {bucket: units}: one mailbox's requests (or quota units) at ``service`` over the budget window."""
    return f"{PREFIX}:{service}:budget:{mailbox}"


def push_followup_job_id(mailbox_id: int) -> str:
    """Stable RQ job id of the one session a push asked for while another session ran."""
    return f"push-followup-{mailbox_id}"


def graph_sign_in(state: str) -> str:
    """msal's auth code flow of an Office 365 mailbox sign-in in progress, with its mailbox (10 minutes)."""
    return f"{PREFIX}:graph:sign-in:{state}"


def google_sign_in(state: str) -> str:
    """PKCE verifier and mailbox of a Google sign-in in progress (10 minutes)."""
    return f"{PREFIX}:google:sign-in:{state}"


def org_poll_lock(org_pk: int) -> str:
    """Held by the one Salesforce change poll of an org that may run at a time."""
    return f"{PREFIX}:lock:org-poll:{org_pk}"


def org_poll_job_id(org_pk: int) -> str:
    """Stable RQ job id of an org's change poll, so polls cannot pile up in the queue."""
    return f"poll-org-{org_pk}"


def org_poll_stats(org_pk: int) -> str:
    """Hash: how many change polls an org ran and the Salesforce calls they cost (metrics)."""
    return f"{PREFIX}:sf:org-poll-stats:{org_pk}"


def metrics_sessions() -> str:
    """Hash status → finished sessions, added to by every worker (see app.state.shared_metrics)."""
    return f"{PREFIX}:metrics:sessions"


def metrics_session_seconds() -> str:
    """Hash status → seconds spent in sessions of that status."""
    return f"{PREFIX}:metrics:session_seconds"


def metrics_items() -> str:
    """Hash "kind<US>action" → items synced."""
    return f"{PREFIX}:metrics:items"


def metrics_idle_checks() -> str:
    """Hash result ("unchanged", "session", "busy") → mailboxes the batched idle check answered so."""
    return f"{PREFIX}:metrics:idle_checks"


def metrics_push_connections(kind: str, owner: str) -> str:
    """One push process's live connections of a kind; expires unless the process renews it."""
    return f"{PREFIX}:metrics:push:{kind}:{owner}"


def push_live(mailbox_id: int) -> str:
    """String: how push watches a mailbox now ("imap-idle", "dav-poll", …), kept alive by the push
    watcher's heartbeat (TTL): gone means push is not live and only the schedule syncs it."""
    return f"{PREFIX}:push:live:{mailbox_id}"


def push_freshness(mailbox_id: int) -> str:
    """Hash {last_change_at}: when the push watcher last saw the mailbox change (ISO 8601, UTC)."""
    return f"{PREFIX}:push:freshness:{mailbox_id}"


def push_members(group: str) -> str:
    """Sorted set member → expiry (Redis time, seconds): the push watchers of a group alive now."""
    return f"{PREFIX}:push:members:{group}"
