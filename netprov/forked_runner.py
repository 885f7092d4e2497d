"""A Nornir runner for work that needs CPUs, not waiting: hosts split over forked processes.

Nornir's threaded runner suits SSH (threads wait on routers), but rendering 10,000 sites
is pure Python: threads share one core (the GIL) and switching between them costs more
than it gives (40,000 configs: 10 s of Jinja on one core took 25 s over 4 threads). This
runner forks one process per core; each runs the task over a contiguous share of the
hosts, the inventory reached through memory shared at the fork, never pickled. What
comes back is each result's data (the task's return value and exception must pickle);
the parent rebuilds the Results on its own hosts and feeds them to the run's processors
(progress), a share at a time.

Where fork is unavailable, on one core, or for few hosts, it runs them in this process
(serially: nothing to gain from threads here).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from nornir.core.inventory import Host
from nornir.core.processor import Processors
from nornir.core.task import AggregatedResult, MultiResult, Result, Task

# Below this many hosts a fork costs more than it saves.
FORK_FROM = 200


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One Result's data, as it crosses back from a worker."""

    name: str | None
    result: Any
    changed: bool
    diff: str
    failed: bool
    exception: BaseException | None
    severity_level: int


# Set in the parent just before the fork; read by the forked workers: (task, hosts).
_SHARED: tuple[Task, list[Host]] | None = None


class ForkedRunner:
    def __init__(self, num_workers: int | None = None, *, fork_from: int = FORK_FROM) -> None:
        self.num_workers = num_workers or os.cpu_count() or 1
        self.fork_from = fork_from

    def run(self, task: Task, hosts: list[Host]) -> AggregatedResult:
        result = AggregatedResult(task.name)
        forkable = "fork" in mp.get_all_start_methods()
        if len(hosts) < self.fork_from or self.num_workers < 2 or not forkable:
            for host in hosts:
                result[host.name] = task.copy().start(host)
            return result
        global _SHARED  # noqa: PLW0603 - read-only state for the forked workers
        _SHARED = (task, hosts)
        size = -(-len(hosts) // (self.num_workers * 16))
        shares = [range(i, min(i + size, len(hosts))) for i in range(0, len(hosts), size)]
        gc.freeze()  # the workers' collector then never walks (and copies) the inventory
        try:
            with ProcessPoolExecutor(self.num_workers, mp_context=mp.get_context("fork")) as pool:
                for share, outcomes in zip(shares, pool.map(_run_share, shares), strict=True):
                    for index, host_outcomes in zip(share, outcomes, strict=True):
                        host = hosts[index]
                        result[host.name] = _rebuilt(task, host, host_outcomes)
        finally:
            _SHARED = None
            gc.unfreeze()
        return result


def _run_share(share: range) -> list[list[_Outcome]]:
    """In a worker: the task over hosts[share], without processors (the parent runs them)."""
    assert _SHARED is not None
    task, hosts = _SHARED
    outcomes = []
    for index in share:
        instance = task.copy()
        instance.processors = Processors([])
        outcomes.append([_outcome(r) for r in instance.start(hosts[index])])
    return outcomes


def _outcome(result: Result) -> _Outcome:
    exception = result.exception
    if exception is not None and not _pickles(exception):
        exception = RuntimeError(f"{type(exception).__name__}: {exception}")
    return _Outcome(
        result.name,
        result.result,
        result.changed,
        result.diff,
        result.failed,
        exception,
        result.severity_level,
    )


def _pickles(value: object) -> bool:
    try:
        pickle.loads(pickle.dumps(value))  # noqa: S301 - our own bytes, this process
    except Exception:  # any failure means: send something that pickles
        return False
    return True


def _rebuilt(task: Task, host: Host, outcomes: list[_Outcome]) -> MultiResult:
    """The host's MultiResult in the parent, reported to the run's processors."""
    multi = MultiResult(task.name)
    task.processors.task_instance_started(task, host)
    for outcome in outcomes:
        result = Result(
            host,
            result=outcome.result,
            changed=outcome.changed,
            diff=outcome.diff,
            failed=outcome.failed,
            exception=outcome.exception,
            severity_level=outcome.severity_level,
        )
        result.name = outcome.name  # type: ignore[assignment]  # nornir declares it as None
        multi.append(result)
    task.processors.task_instance_completed(task, host, multi)
    return multi
