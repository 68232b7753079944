"""One Google user's shared quota budgets (Redis), with the per-minute limits the operator configured.

Gmail counts quota units (under Google's 15,000 per user per minute), Calendar, People and Tasks
requests per user per minute; every worker process charges the same budgets, so two sessions of one
user (or a session and a push) cannot together overrun Google's per-user limits.
"""
from __future__ import annotations

from app.providers.google import GoogleSettings
from app.providers.google.quota import GoogleQuota
from app.runtime import Runtime
from app.state.request_gate import RedisRequestGate, mailbox_gate_id

WINDOW_SECONDS = 60.0
BUCKET_SECONDS = 10.0     # six buckets a minute: a spent minute frees in steps of ten seconds, not all at once


def google_quota(rt: Runtime, settings: GoogleSettings, user: str) -> GoogleQuota:
    """Budgets of ``user`` under the project Google counts against (its service account or OAuth client)."""
    config = rt.config
    grant = settings.user_grant
    project = grant.client.client_id if grant is not None else str(settings.service_account.get("client_email") or "")
    limits = {"gmail": (config.google_gmail_units_per_minute, "quota units"),
              "calendar": (config.google_calendar_requests_per_minute, "requests"),
              "people": (config.google_people_requests_per_minute, "requests"),
              "tasks": (config.google_tasks_requests_per_minute, "requests")}
    gate_id = mailbox_gate_id(project, user)
    return GoogleQuota({api: RedisRequestGate(rt.redis.client, gate_id, max_concurrent=1, budget=budget,
                                              window=WINDOW_SECONDS, bucket=BUCKET_SECONDS,
                                              service=f"Google {api.capitalize()}" if api != "gmail" else "Gmail",
                                              unit=unit)
                        for api, (budget, unit) in limits.items()})
