"""One lock around a fake's public methods: the engine writes a chunk on one thread while it reads
the next on another (``app.sync.chunk_writes``), as a real port's server takes concurrent requests;
the in-memory fakes keep plain dicts, which must not change under a reader's loop."""
from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

C = TypeVar("C", bound=type)

FAKES_LOCK = threading.RLock()   # one for every fake: a call may go from one fake into another


def serialized(cls: C) -> C:
    """Wrap each public method defined on ``cls`` (not generators: their bodies run outside the call)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member) or inspect.isgeneratorfunction(member):
            continue
        setattr(cls, name, _locked(member))
    return cls


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with FAKES_LOCK:
            return method(*args, **kwargs)
    return call
