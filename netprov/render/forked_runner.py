"""A Nornir runner for work that needs CPUs, not waiting: hosts split over forked processes.

Nornir's threaded runner suits SSH (threads wait on routers), but rendering 10,000 sites
is pure Python: threads share one core (the GIL) and switching between them costs more
than it gives (40,000 configs: 10 s of Jinja on one core took 25 s over 4 threads). This
runner spreads the hosts over one process per core (:func:`netprov.render.forking.forked_map`:
the inventory is reached through memory shared at the fork, never pickled). What comes
back is each result's data (the task's return value must pickle; an exception that does
not is sent as its text); the parent rebuilds the Results on its own hosts and feeds them
to the run's processors (progress) as they come in.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

from nornir.core.inventory import Host
from nornir.core.processor import Processors
from nornir.core.task import AggregatedResult, MultiResult, Result, Task

from netprov.render.forking import forked_map


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


class ForkedRunner:
    def __init__(self, num_workers: int | None = None, *, fork_from: int | None = None) -> None:
        self.num_workers = num_workers
        self.fork_from = fork_from

    def run(self, task: Task, hosts: list[Host]) -> AggregatedResult:
        result = AggregatedResult(task.name)

        def run_one(index: int) -> list[_Outcome]:
            """The task on hosts[index] without processors (the parent runs them)."""
            instance = task.copy()
            instance.processors = Processors([])
            return [_outcome(r) for r in instance.start(hosts[index])]

        outcomes = forked_map(
            run_one, len(hosts), workers=self.num_workers, fork_from=self.fork_from
        )
        for host, host_outcomes in zip(hosts, outcomes, strict=True):
            result[host.name] = _rebuilt(task, host, host_outcomes)
        return result


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
