"""Reading the next batches while the caller works on this one: an import's mailbox reads (server
time and parsing) overlap its Salesforce and ID map writes instead of following them."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import TypeVar

B = TypeVar("B")
R = TypeVar("R")


def read_ahead(batches: Iterable[B], read: Callable[[B], R], depth: int = 2) -> Iterator[R]:
    """``read(batch)`` of every batch, in order, one at a time in one worker thread, at most
    ``depth`` batches read ahead of the caller (so the worker never idles while the caller is
    still on an earlier batch). A read's error is raised where its result is taken; closing the
    iterator cancels the reads not begun and waits for the one running (none outlives it)."""
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        pending = iter(batches)
        futures: deque[Future[R]] = deque(pool.submit(read, b) for b in islice(pending, max(depth, 1)))
        try:
            while futures:
                result = futures.popleft().result()
                futures.extend(pool.submit(read, b) for b in islice(pending, 1))
                yield result
        finally:
            for future in futures:
                future.cancel()
