"""The worker process's Runtime, built once from the environment when the first job needs it."""
from __future__ import annotations

from app.config import Config
from app.runtime import Runtime

_runtime: Runtime | None = None


def set_runtime(rt: Runtime) -> None:
    global _runtime
    _runtime = rt


def worker_runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime.build(Config.from_env())
    return _runtime
