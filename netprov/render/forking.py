"""Work that needs CPUs, not waiting, spread over forked processes: one per core.

Rendering and the offline simulators are pure Python: threads share one core (the GIL).
``forked_map`` forks workers that reach the work (and the inventory behind it) through
memory shared at the fork, never pickled; only each item's result comes back. Before the
fork the collector's objects are frozen, so the workers' collector never walks (and so
copies) the parent's heap.

Where fork is unavailable, on one core, or for few items, it runs them in this process.
One ``forked_map`` at a time per process (the work is handed over in a module global).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")

# Below this many items a fork costs more than it saves.
FORK_FROM = 200
# Items per hand-over: small enough that no core waits long for the last one.
CHUNK = 100

_WORK: Callable[[int], Any] | None = None


def forked_map(
    work: Callable[[int], R],
    count: int,
    *,
    workers: int | None = None,
    fork_from: int | None = None,
    chunk: int | None = None,
) -> Iterator[R]:
    """``work(i)`` for each i in ``range(count)``, in order, as the results come in."""
    workers = workers or os.cpu_count() or 1
    fork_from = FORK_FROM if fork_from is None else fork_from
    chunk = chunk or CHUNK
    if count < fork_from or workers < 2 or "fork" not in mp.get_all_start_methods():
        yield from (work(index) for index in range(count))
        return
    global _WORK  # noqa: PLW0603 - handed to the forked workers through memory
    _WORK = work
    gc.freeze()
    try:
        size = max(1, min(chunk, count // (workers * 8)))
        shares = [range(i, min(i + size, count)) for i in range(0, count, size)]
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            for results in pool.map(_run_share, shares):
                yield from results
    finally:
        _WORK = None
        gc.unfreeze()


def _run_share(share: range) -> list[Any]:
    assert _WORK is not None
    return [_WORK(index) for index in share]
