"""`syncline up` with the sandbox: start and seed the local servers, then the product's processes.

Registered as the `syncline.sandbox` entry point `up`; the product finds it there and never
imports this package.
"""
from __future__ import annotations

import os
import signal

import click

from app.runtime import Runtime
from app.services.sync_queue import enqueue_session
from app.supervisor import Supervisor
from sandbox.mailservers import ServerUnavailable, reserve_port  # stdlib and requests only: always importable


def run_up_with_sandbox(rt: Runtime, host: str, port: int, children: dict[str, list[str]],
                        extra_env: dict[str, str], graph: bool = False, google: bool = False) -> None:
    """Start and seed the sandbox in this process, then the children pointed at it; Ctrl-C stops all.
    ``graph``: also an Office 365-style mailbox on the Graph fake (sandbox/office365.py); ``google``: a
    Google Workspace-style one on the Google fake (sandbox/google_workspace.py).

    The sandbox servers live here, not in the children, so restarting a child never moves them.
    """
    api_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
    public_url = os.environ.get("SYNCLINE_PUBLIC_URL") or api_url
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a TERM while starting still stops the servers
    reserve_port(port)  # the API child binds it only after the sandbox servers have taken theirs
    try:
        from sandbox.banner import announce_when_ready, sandbox_banner
        from sandbox.environment import SandboxEnvironment  # the emulator needs trustme
        from sandbox.seed import seed_sandbox

        env = SandboxEnvironment.start(rt.config.instance_dir / "sandbox", public_url)
        office = _start_beside(env, "office365", "GraphSandbox", "graph") if graph else None
        workspace = _start_beside(env, "google_workspace", "GoogleSandbox", "google") if google else None
    except (ImportError, ServerUnavailable) as exc:  # e.g. Radicale or trustme not installed
        rt.close()
        raise click.ClickException(f"the sandbox cannot start ({exc}); install the sandbox extra "
                                   "(`pip install -e '.[sandbox]'`), or run `syncline up --no-sandbox`") from None
    try:
        if env.dovecot_note:
            click.echo(env.dovecot_note)
        seed = seed_sandbox(rt, env)
        enqueue_session(rt, seed.rows.mailbox_id, "forced", seed.sf_org_id)
        banner, graph_env = sandbox_banner(api_url, env, seed), {}
        if office is not None:
            from sandbox.office365 import banner_lines, seed_graph_mailbox

            olivia = seed_graph_mailbox(rt, env, office, seed.sf_org_id)
            enqueue_session(rt, olivia.mailbox_id, "forced", seed.sf_org_id)
            banner, graph_env = "\n".join([banner.rstrip("\n"), *banner_lines(api_url, olivia), ""]), office.env()
        if workspace is not None:
            from sandbox.google_workspace import banner_lines as google_lines
            from sandbox.google_workspace import seed_google_mailbox

            gwen = seed_google_mailbox(rt, env, workspace, seed.sf_org_id)
            enqueue_session(rt, gwen.mailbox_id, "forced", seed.sf_org_id)
            banner = "\n".join([banner.rstrip("\n"), *google_lines(api_url, gwen), ""])
            graph_env = {**graph_env, **workspace.env()}
        click.echo(f"sandbox ready: Salesforce emulator {env.emulator.base_url}, CalDAV/CardDAV {env.dav_url}"
                   + (f", IMAP 127.0.0.1:{env.dovecot.port}" if env.dovecot else "")
                   + (f", Graph {office.fake.graph_url}" if office else "")
                   + (f", Google {workspace.fake.api_root}" if workspace else ""))
        click.echo(f"Syncline API on {api_url}/api/docs  (Ctrl-C stops everything)")
        announce_when_ready(api_url, banner, click.echo)
        Supervisor(children, extra_env={**extra_env, **env.salesforce_env(), **env.mail_env(), **graph_env,
                                          "SYNCLINE_PUBLIC_URL": public_url}).run()
    finally:
        for fake in (office, workspace):
            if fake is not None:
                fake.stop()
        env.stop()
        rt.close()


def _start_beside(env, module: str, name: str, folder: str):
    """A provider fake (``sandbox.<module>.<name>``) under the sandbox folder; the other servers stop if
    it cannot start."""
    import importlib

    try:
        return getattr(importlib.import_module(f"sandbox.{module}"), name).start(env.directory / folder)
    except BaseException:
        env.stop()
        raise
