"""`syncline serve` as a real gunicorn process: requests gunicorn refuses itself get the API's JSON."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sandbox.mailservers import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def serve(tmp_path_factory, redis_url):
    """One `python -m app serve` on a free port (SQLite file, the suite's Redis); stopped by its pid."""
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESFORCE_", "SYNCLINE_"))}
    env.update(SYNCLINE_ENV="test", SYNCLINE_INSTANCE_DIR=str(tmp), DATABASE_URL=f"sqlite:///{tmp / 'serve.db'}",
               REDIS_URL=redis_url, SYNCLINE_SECRET_KEYS=Fernet.generate_key().decode(), LOG_LEVEL="WARNING")
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    _wait_for_port(port, proc, tmp / "serve.log")
    yield port
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("serve did not listen")


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes (requests/urllib refuse to build these requests) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /api/v1/health?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n", 431),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (b"NOT A REQUEST\r\n\r\n", 400),
    (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header Name: v\r\n\r\n", 400),
], ids=["request-line-too-long", "too-many-headers", "header-too-large", "malformed-request-line", "bad-header-name"])
def test_requests_gunicorn_refuses_are_answered_with_the_json_error_shape(serve, request_bytes, status):
    code, headers, body = _raw(serve, request_bytes)
    assert code == status
    assert headers["content-type"] == "application/json"
    error = json.loads(body)
    assert set(error) == {"code", "message", "errors"} and error["code"] == status and error["message"]


def test_ordinary_requests_still_reach_the_app(serve):
    code, headers, body = _raw(serve, b"GET /api/v1/nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (code, headers["content-type"], json.loads(body)["code"]) == (404, "application/json", 404)
