"""The RQ side: cron scheduler → queue → worker runs the heartbeat; SIGTERM stops a worker cleanly."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import redis as redis_lib
from rq import Queue

from app.state import keys, queues
from workers import jobs
from workers.scheduler import build_scheduler
from workers.schedules import Schedule


def test_scheduler_enqueues_heartbeat_and_worker_runs_it(sqlite_app):
    rt = sqlite_app.extensions["syncline"]
    connection = rt.redis.client
    scheduler = build_scheduler(connection, (Schedule("heartbeat", jobs.heartbeat, queues.DEFAULT, 60),))
    assert [j.name for j in scheduler.enqueue_jobs()] == ["heartbeat"]
    assert Queue(queues.DEFAULT, connection=connection).count == 1

    from workers.worker import run_worker

    run_worker(rt, burst=True)
    assert float(connection.get(keys.heartbeat())) > time.time() - 60
    assert Queue(queues.DEFAULT, connection=connection).count == 0


def test_worker_process_shuts_down_gracefully_on_sigterm(tmp_path, redis_url, migrated_databases):
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": migrated_databases[0]["sqlite"],
           "SYNCLINE_INSTANCE_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:  # wait until it is listening (signal handlers are installed by then)
        lines.append(line)
        if "Listening on" in line:
            break
    time.sleep(1.0)  # RQ logs "Listening" just before it installs its SIGTERM handler
    assert redis_lib.Redis.from_url(redis_url).keys("rq:worker:*"), "".join(lines)
    proc.send_signal(signal.SIGTERM)
    output = "".join(lines) + proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "warm shut down" in output.lower()


def test_each_job_logs_one_json_line_with_its_id(sqlite_app, capsys):
    import json

    rt = sqlite_app.extensions["syncline"]
    job = Queue(queues.DEFAULT, connection=rt.redis.client).enqueue(jobs.heartbeat)
    from workers.worker import run_worker

    run_worker(rt, burst=True)
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines() if l.startswith("{")]
    job_lines = [l for l in lines if l.get("job_id") == job.id]
    assert {l["msg"] for l in job_lines} >= {"heartbeat", "job"}
    summary = next(l for l in job_lines if l["msg"] == "job")
    assert summary["status"] == "finished" and summary["job"] == "workers.jobs.heartbeat"


def test_worker_started_before_redis_waits_for_it_instead_of_exiting(tmp_path, migrated_databases):
    from tests.realservers.redis_server import RestartableRedis

    socket = tmp_path / "outage-redis.sock"
    env = {**os.environ, "REDIS_URL": f"unix://{socket}", "DATABASE_URL": migrated_databases[0]["sqlite"],
           "SYNCLINE_INSTANCE_DIR": str(tmp_path)}
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    server = None
    try:
        deadline = time.monotonic() + 30
        while "redis unavailable" not in log_path.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, log_path.read_text()
        server = RestartableRedis(str(tmp_path))          # Redis appears at the configured socket
        job = Queue(queues.DEFAULT, connection=redis_lib.Redis.from_url(server.url)).enqueue(jobs.heartbeat)
        while job.get_status(refresh=True) != "finished" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert job.get_status() == "finished", log_path.read_text()
        assert log_path.read_text().count("redis unavailable; reconnecting with backoff") == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if server is not None:
            server.stop()


def test_the_worker_process_freezes_its_start_up_objects_and_collects_young_ones_less_often(
        tmp_path, redis_url, migrated_databases):
    """`python -m app worker` tunes its collector before its first job (workers/collector.py):
    what the jobs see is the process's own state, read by jobs that run in it."""
    import gc

    from workers.collector import YOUNG_GENERATION_THRESHOLD

    queue = Queue(queues.DEFAULT, connection=redis_lib.Redis.from_url(redis_url))
    frozen, threshold = queue.enqueue(gc.get_freeze_count), queue.enqueue(gc.get_threshold)
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": migrated_databases[0]["sqlite"],
           "SYNCLINE_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "app", "worker", "--burst"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert frozen.return_value() > 10_000        # the modules, the runtime and the jobs' imports
    assert threshold.return_value()[0] == YOUNG_GENERATION_THRESHOLD


def test_garbage_made_before_the_collector_is_tuned_is_collected_not_frozen():
    script = """
import gc, weakref
gc.disable()                      # only tune_collector's own collection can free the cycle
class Node: pass
node = Node(); node.me = node; ref = weakref.ref(node); del node
from workers.collector import tune_collector
tune_collector()
print(ref() is None, gc.get_freeze_count() > 0)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True"], done.stdout + done.stderr
