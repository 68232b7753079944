"""A chunk's writes on one background thread while the engine reads and looks up the next chunk.

An import's chunk spends most of its time waiting: on Salesforce for the sync-key and person
look-ups, then on the write itself. ``ChunkWrites`` lets the write of chunk N (apply, final ID
map) run while chunk N+1 is read, its stored rows fetched and its look-ups sent; chunk N+1 is
*planned* only after chunk N's ID map is durable, so what the planner sees is what it would see
one chunk at a time. Two chunks naming the same item, UID, key or record are never overlapped:
the next one waits for the write before it reads a row (``touches``). At most one write is in
flight; a write's failure is raised where the engine waits for it, and leaving the block (a
failure of the next chunk's read included) always waits, so no write outlives its session.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any


class ChunkWrites:
    """At most one chunk write in flight; ``overlap`` False runs each write where it is submitted."""

    def __init__(self, overlap: bool) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chunk-writes") if overlap else None
        self._future: Future[Any] | None = None
        self._finish: Callable[[Any], set[str]] = lambda _: set()
        self._touched: frozenset[str] = frozenset()

    def submit(self, write: Callable[[], Any], finish: Callable[[Any], set[str]], touched: Iterable[str]) -> None:
        """Start ``write`` (the previous one must have been waited for); ``finish(result)`` runs on
        the caller's thread in ``wait`` and returns the streams the write holds."""
        assert self._future is None, "wait for the previous chunk's write first"
        if self._pool is None:
            done: Future[Any] = Future()
            done.set_result(write())      # raises here, where it was submitted
            self._future = done
        else:
            self._future = self._pool.submit(write)
        self._finish, self._touched = finish, frozenset(touched)

    def touches(self, names: Iterable[str]) -> bool:
        """Whether the write in flight covers any of these item ids, UIDs, sync keys or record ids."""
        return self._future is not None and not self._touched.isdisjoint(names)

    def wait(self) -> set[str]:
        """The streams the last submitted write holds (empty when none); raises what it raised."""
        if self._future is None:
            return set()
        future, self._future, self._touched = self._future, None, frozenset()
        return self._finish(future.result())

    def __enter__(self) -> ChunkWrites:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Never leave a write running: wait for it; the block's own failure outranks the write's."""
        try:
            if self._future is not None:
                if exc is None:
                    self.wait()
                else:
                    self._future.exception()    # waits; the block's exception is the one raised
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
