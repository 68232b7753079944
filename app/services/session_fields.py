"""Before a session writes: can its Salesforce user see and write every custom field it needs?

Checked with a fresh describe of each object through the session's own connection, all at
once (field-level security is per user, the describe cache is per org), at most once per connection per describe TTL while
it passes; a failure is never remembered, so a session after the admin's fix checks again. A
session Salesforce stops mid-way for a lost field forgets the pass (`forget_session_fields`).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.describe import DESCRIBE_TTL_S
from app.providers.salesforce.field_setup import fresh_describe
from app.providers.salesforce.org_schema import core_describe
from app.runtime import Runtime
from app.state import keys
from app.sync.errors import SetupRequired
from app.sync.salesforce_fields import field_problems, session_needs, setup_message


def fix_hint(org_pk: int, sf_org_id: str) -> str:
    """The command and the endpoint that create Syncline's fields and grant access to them."""
    return (f"`syncline salesforce setup-fields --org {sf_org_id}` (or POST /api/v1/orgs/{org_pk}/salesforce/fields "
            "as an admin)")


def check_session_fields(rt: Runtime, client: SalesforceClient, connection_id: int, who: str,
                         mapped: Mapping[str, Iterable[str]], written: Iterable[str], hint: str) -> None:
    """Raise the core's SetupRequired (one sentence: field, user, fix) when a needed field is unusable."""
    needs = session_needs(mapped, written)
    digest = hashlib.sha256(repr(sorted((o, sorted(f)) for o, f in needs.items())).encode()).hexdigest()[:16]
    marker = keys.salesforce_fields_verified(connection_id)
    stored = rt.redis.client.get(marker)
    if stored in (digest, digest.encode()):
        return
    def describe(object_type: str) -> dict | None:
        meta = fresh_describe(client, object_type)
        return core_describe(meta) if meta is not None else None

    objects = sorted(needs)
    with salesforce_edge(), ThreadPoolExecutor(max(1, min(len(objects), 4)), "describe") as pool:
        described = dict(zip(objects, pool.map(describe, objects)))  # at once: a first session waits for one
        problems = field_problems(needs, lambda o: described[o] if o in described else describe(o))
    if problems:
        raise SetupRequired(setup_message(problems, who, hint))
    rt.redis.client.set(marker, digest, ex=DESCRIBE_TTL_S)


def forget_session_fields(rt: Runtime, connection_id: int) -> None:
    """Drop the remembered pass: Salesforce refused one of Syncline's fields after the check (the
    field was deleted or the user lost access), so the next session checks again before writing."""
    rt.redis.client.delete(keys.salesforce_fields_verified(connection_id))
