"""The worker process's garbage collector, set for sessions that make and drop many small objects.

An import parses thousands of meetings into short-lived containers. With CPython's defaults (a
young collection every 700 new containers, a full one whenever the old generation has grown by a
quarter) a 5,000-item import spent a quarter of its CPU collecting, most of it in full collections
re-walking what start-up built and never frees: modules, mapping tables, the runtime's pools. The
worker therefore freezes its start-up objects (out of every later collection; they stay alive as
they would anyway) and lets the young generation grow larger between collections, so a session's
cycles are still collected, in fewer passes. ``python bench/initial_import.py`` runs its session
the same way.
"""
from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000   # CPython's default is 700; the older generations keep theirs


def tune_collector() -> None:
    """Import the jobs' modules (so they are frozen too), collect once (garbage is not frozen),
    freeze what survives, then raise the young threshold. Once per process, before its first job."""
    import workers.jobs  # noqa: F401

    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
