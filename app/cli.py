"""The `syncline` command: migrations, orgs/users/tokens without a browser, and the processes.

Every failure ends with one sentence on stderr and exit status 1, never a traceback.
"""
from __future__ import annotations

import os
from typing import NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy import select

from app.models import Org, User
from app.runtime import runtime


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _org(session, sf_org_id: str) -> Org:
    org = session.scalar(select(Org).where(Org.sf_org_id == sf_org_id))
    if org is None:
        _fail(f"no org with Salesforce org id {sf_org_id!r}; create it with `syncline org create`")
    return org


def _user(session, email: str, sf_org_id: str | None) -> User:
    query = select(User).where(User.email == email)
    if sf_org_id:
        query = query.where(User.org_id == _org(session, sf_org_id).id)
    users = list(session.scalars(query))
    if not users:
        _fail(f"no user with email {email!r}" + (f" in org {sf_org_id}" if sf_org_id else ""))
    if len(users) > 1:
        _fail(f"{email!r} exists in several orgs; add --org SF_ORG_ID")
    return users[0]


@click.group("db", help="Database schema migrations (Alembic).")
def db_group():
    pass


@db_group.command("upgrade", help="Migrate the database to the newest schema (or to REVISION).")
@click.argument("revision", default="head")
def db_upgrade(revision: str):
    from app.connection_checks import database_problem
    from app.migrate import upgrade

    url = runtime().config.database_url
    if problem := database_problem(url):
        _fail(problem.sentence)
    upgrade(url, revision)
    click.echo(f"database migrated to {revision}")


@click.group("org", help="Manage orgs (tenants) without a browser.")
def org_group():
    pass


@org_group.command("create", help="Create an org, e.g. for automation or a sandbox.")
@click.option("--sf-org-id", required=True, help="Salesforce org id (00D…, 15 or 18 characters).")
@click.option("--name", required=True, help="Display name.")
@click.option("--instance-url", default=None,
              help="https://yourdomain.my.salesforce.com (Salesforce API hosts or SALESFORCE_ALLOWED_HOSTS only)")
def org_create(sf_org_id: str, name: str, instance_url: str | None):
    from app.services.users import find_or_create_org

    if not (sf_org_id.isalnum() and len(sf_org_id) in (15, 18) and sf_org_id.startswith("00D")):
        _fail(f"{sf_org_id!r} is not a Salesforce org id (00D followed by 12 or 15 letters/digits)")
    if instance_url is not None:
        instance_url = _trusted_instance_url(instance_url)
    with runtime().db.session_scope() as session:
        if session.scalar(select(Org).where(Org.sf_org_id == sf_org_id)):
            _fail(f"org {sf_org_id} already exists")
        org = find_or_create_org(session, sf_org_id, name, instance_url)
        session.flush()
        click.echo(f"org {org.id} created ({sf_org_id}, {name})")


def _trusted_instance_url(url: str) -> str:
    """The same SSRF guard the Salesforce client applies, so no stored URL is refused later."""
    from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url

    try:
        return check_instance_url(url, runtime().config.salesforce_allowed_hosts)
    except UntrustedInstanceUrl as exc:
        _fail(f"--instance-url refused: {exc}")


@click.group("user", help="Manage users without a browser.")
def user_group():
    pass


@user_group.command("create", help="Create a user in an org.")
@click.option("--org", "sf_org_id", required=True, help="Salesforce org id of the user's org.")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--sf-user-id", default=None, help="Salesforce user id (005…); generated when omitted.")
@click.option("--admin", is_flag=True, help="Grant the Syncline admin role.")
def user_create(sf_org_id: str, email: str, name: str, sf_user_id: str | None, admin: bool):
    from app.services.users import find_or_create_user

    if "@" not in email:
        _fail(f"{email!r} is not an email address")
    with runtime().db.session_scope() as session:
        org = _org(session, sf_org_id)
        if session.scalar(select(User).where(User.org_id == org.id, User.email == email)):
            _fail(f"user {email} already exists in org {sf_org_id}")
        user = find_or_create_user(session, org, sf_user_id=sf_user_id or _placeholder_user_id(session),
                                   email=email, name=name)
        user.admin_granted = admin
        session.flush()
        click.echo(f"user {user.id} created ({email}, role {user.role})")


def _placeholder_user_id(session) -> str:
    count = session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0
    return f"005LOCAL{count + 1:07d}"


@click.group("token", help="Manage API tokens without a browser.")
def token_group():
    pass


@token_group.command("create", help="Create an API token for a user and print it (shown once).")
@click.option("--email", required=True)
@click.option("--org", "sf_org_id", default=None, help="Needed when the email exists in several orgs.")
@click.option("--name", default="cli")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expiry in days (default: never).")
def token_create(email: str, sf_org_id: str | None, name: str, days: int | None):
    from app.services.tokens import issue_token

    with runtime().db.session_scope() as session:
        _, plaintext = issue_token(session, _user(session, email, sf_org_id), name=name, ttl_days=days)
    click.echo(plaintext)


def register_commands(app: Flask) -> None:
    from app.cli_salesforce import salesforce_group
    from app.processes import process_commands

    for group in (db_group, org_group, user_group, token_group, salesforce_group, *process_commands):
        app.cli.add_command(group)


def _create_app_for_cli() -> Flask:
    from app import create_app

    return create_app()


class SynclineGroup(FlaskGroup):
    """A command that cannot start (settings, database, Redis, a taken folder or port) says why in one
    sentence and exits 1; only a real bug is left to show its traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            sentence = _startup_sentence(exc)
            if sentence is None:
                raise
            raise click.ClickException(sentence) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """`syncline --help` with a broken configuration: the sentence, not Flask's traceback."""
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except Exception as exc:
            sentence = _startup_sentence(exc)
            if sentence is None:
                raise
            click.echo(f"Error: {sentence}", err=True)
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)


def _startup_sentence(exc: BaseException) -> str | None:
    from app.config import ConfigError
    from app.connection_checks import failure_sentence
    from app.instance_lock import CannotStart

    if isinstance(exc, ConfigError | CannotStart):
        return str(exc)
    return failure_sentence(exc, *_configured_urls())


def _configured_urls() -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL as this process reads them (for naming where a failure happened)."""
    from app.config import Config

    try:
        config = Config.from_env()
    except Exception:  # the failure being reported may be this very configuration
        return os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    return config.database_url, config.redis_url


main = SynclineGroup(create_app=_create_app_for_cli, add_default_commands=False, add_version_option=False,
                     help="Syncline: server-side sync between mailboxes and Salesforce.")
