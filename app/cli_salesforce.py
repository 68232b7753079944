"""`syncline salesforce …`: set up a real org's custom fields without a browser.

Uses the org's default Salesforce connection (an admin's, from their sign-in); every failure is
one sentence and exit status 1.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from app.runtime import runtime
from app.sync.errors import SyncError

ORG_HELP = "Salesforce org id (00D…) of the Syncline org."


def _with_org(sf_org_id: str, action: Callable[..., dict[str, Any]], what: str) -> dict[str, Any]:
    """Run `action(rt, session, org, None)` (as the org's default connection); a failure is one sentence."""
    from app.cli import _fail, _org

    with runtime().db.session_scope() as session:
        try:
            return action(runtime(), session, _org(session, sf_org_id), None)
        except SyncError as exc:
            _fail(f"Salesforce {what} failed: {exc}")


@click.group("salesforce", help="Salesforce org setup: the custom fields Syncline needs.")
def salesforce_group():
    pass


@salesforce_group.command("setup-fields", help="Create Syncline's custom fields in the org, grant read/edit "
                                               "through the Syncline_Sync_Fields permission set, assign it to the "
                                               "org's Syncline users and resume mailboxes waiting for it. "
                                               "Idempotent: a second run changes nothing.")
@click.option("--org", "sf_org_id", required=True, help=ORG_HELP)
def setup_fields_command(sf_org_id: str):
    from app.services.salesforce_fields import setup_fields

    report = _with_org(sf_org_id, setup_fields, "field setup")
    for label, key in (("created", "created"), ("granted read/edit on", "granted"),
                       ("assigned the permission set to", "assigned"), ("resumed mailboxes", "resumed_mailboxes")):
        if report[key]:
            click.echo(f"{label}: {', '.join(str(v) for v in report[key])}")
    if not report["changed"]:
        click.echo("nothing to do: every field exists and every Syncline user can use it")


@salesforce_group.command("fields", help="Show which of Syncline's custom fields exist and are usable.")
@click.option("--org", "sf_org_id", required=True, help=ORG_HELP)
def fields_command(sf_org_id: str):
    from app.services.salesforce_fields import field_status

    status = _with_org(sf_org_id, field_status, "field check")
    for row in status["fields"]:
        state = "ok" if row["writable"] else "hidden or read-only" if row["defined"] else "missing"
        if not row["object_available"]:
            state = "object not available in this org"
        click.echo(f"{row['object']}.{row['field']}: {state}")
    if status["users_without_permission_set"]:
        click.echo("without the permission set: " + ", ".join(status["users_without_permission_set"]))
    click.echo("ready" if status["ready"] else "not ready: run `syncline salesforce setup-fields --org "
               f"{sf_org_id}`")
