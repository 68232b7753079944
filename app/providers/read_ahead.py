"""Reading the next batch while the caller works on this one: an import's mailbox reads (server
time and parsing) overlap its Salesforce and ID map writes instead of following them."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

B = TypeVar("B")
R = TypeVar("R")


def read_ahead(batches: Iterable[B], read: Callable[[B], R]) -> Iterator[R]:
    """``read(batch)`` of every batch, in order, at most one read running ahead in one worker
    thread. A read's error is raised where its result is taken; closing the iterator waits for
    the read in flight (none outlives it)."""
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        pending = iter(batches)

        def submit() -> Future | None:
            for batch in pending:
                return pool.submit(read, batch)
            return None

        future = submit()
        try:
            while future is not None:
                result = future.result()
                future = submit()
                yield result
        finally:
            if future is not None:
                future.cancel()
