"""A registered step run over a run's sites by the engine chosen (issue 41: the choice is
made here, below the CLI, which only parses ``--engine``/``--broker`` into a
:class:`Where`): Nornir in this process runs the one generic task; with
:attr:`Engine.CELERY` each site is a task on its region's worker (scale-out,
:mod:`netprov.rollout.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nornir.core.task import Result, Task
from rich.console import Console

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline
from netprov.engines import Engine
from netprov.inventory.loader import LoadedInventory
from netprov.models import Site
from netprov.rollout.steps import A, SiteStep, StepArguments


@dataclass(frozen=True)
class Where:
    """Where a run's site steps run: ``threads`` Nornir threads in this process, or the
    region workers reached through ``broker``, which open the run's inventory, journal,
    backups and hosts file themselves (the paths here; never a secret)."""

    engine: Engine = Engine.INPROCESS
    threads: int = 10
    broker: str | None = None
    inventory: str = "inventory"
    db: str | None = None
    backups: Path = Path("backups")
    hosts_file: Path | None = None
    today: str | None = None


class RunInterrupted(Exception):  # noqa: N818 - a run's state, as the journal names it
    """A run that cannot go on now (its broker went away): journaled ``interrupted``, so
    ``--resume RUN`` continues it; the command exits 1 with one line, no traceback."""


class NotOnWorkers(ValueError):  # noqa: N818 - said as the refusal reads
    """A step only this process runs (a plan shown, a drift read) asked of the workers."""


def site_task(
    task: Task, *, pipeline: Pipeline, step: SiteStep[Any], arguments: StepArguments
) -> Result:
    """The one Nornir task of netprov: ``step`` on the task's site with ``arguments``,
    what it found reported as a Nornir ``Result`` (``failed`` and ``changed`` from an
    outcome)."""
    site: Site = task.host.data["site"]
    found = step.run(pipeline, site, arguments)
    if isinstance(found, Outcome):
        return Result(host=task.host, result=found, changed=found.changed, failed=found.failed)
    return Result(host=task.host, result=found)


def run_step(
    where: Where,
    loaded: LoadedInventory,
    pipeline: Pipeline,
    site_ids: list[str],
    step: SiteStep[A],
    arguments: A,
    description: str,
    *,
    console: Console,
    quiet: bool = False,
    placed: dict[str, str] | None = None,
) -> list[Outcome]:
    """``step`` over ``site_ids`` by the engine ``where`` names: each site's Outcome (a
    crash: a failed one). On workers, ``placed`` gets the worker that ran each site and
    ``console`` a line per region (not when ``quiet``); a broker that goes away raises
    :class:`RunInterrupted`."""
    if where.engine is Engine.CELERY:
        if not step.on_workers:
            raise NotOnWorkers(f"{description} does not run on workers")
        return _on_workers(
            where,
            loaded,
            pipeline,
            site_ids,
            step,
            arguments,
            description,
            console=console,
            quiet=quiet,
            placed={} if placed is None else placed,
        )
    return [
        r if isinstance(r, Outcome) else Outcome(r.site, Status.FAILED, detail=str(r))
        for r in run_in_process(
            where,
            loaded,
            pipeline,
            site_ids,
            step,
            arguments,
            description,
            console=console,
            quiet=quiet,
        )
    ]


def run_in_process(
    where: Where,
    loaded: LoadedInventory,
    pipeline: Pipeline,
    site_ids: list[str],
    step: SiteStep[A],
    arguments: A,
    description: str,
    *,
    console: Console,
    quiet: bool = False,
) -> list[Any]:
    """Each site's step result in this process (Nornir), whatever its type (a drift, a
    preview); an exception becomes a failed Outcome."""
    from netprov.inventory.nornir_plugin import make_nornir
    from netprov.rollout.progress import ProgressProcessor, make_progress

    nornir = make_nornir(loaded, workers=where.threads, site_ids=site_ids)
    with make_progress(console, enabled=not quiet) as progress:
        results = nornir.with_processors([ProgressProcessor(progress, description)]).run(
            task=site_task, pipeline=pipeline, step=step, arguments=arguments
        )
    outcomes: list[Any] = []
    for name, multi in results.items():
        result = multi[0]
        if result.exception is None and result.result is not None:
            outcomes.append(result.result)
        else:
            outcomes.append(
                Outcome(
                    name,
                    Status.FAILED,
                    detail=f"{type(result.exception).__name__}: {result.exception}",
                )
            )
    return outcomes


def _on_workers(
    where: Where,
    loaded: LoadedInventory,
    pipeline: Pipeline,
    site_ids: list[str],
    step: SiteStep[A],
    arguments: A,
    description: str,
    *,
    console: Console,
    quiet: bool,
    placed: dict[str, str],
) -> list[Outcome]:
    """The sites stepped on the region workers, each by its region's queue; a line per
    region when its sites are back. A broker that goes away interrupts the run."""
    from netprov.rollout.engine import dispatch
    from netprov.rollout.progress import make_progress

    assert where.broker is not None  # a Where with Engine.CELERY names its broker
    org = loaded.organisation
    sites = [loaded.site(site_id) for site_id in site_ids]
    references = {
        **dispatch.references(
            where.inventory, where.db, where.backups, where.hosts_file, where.today
        ),
        "revert_minutes": pipeline.revert_minutes,
    }
    regions = [org.region_of(site) for site in sites]
    with make_progress(console, enabled=not quiet) as progress:
        bars = {
            region: progress.add_task(
                f"{description}: region {region}", total=regions.count(region)
            )
            for region in sorted(set(regions))
        }

        def advanced(done: list[bool]) -> None:
            for region, bar in bars.items():
                finished = sum(d for d, r in zip(done, regions, strict=True) if r == region)
                progress.update(bar, completed=finished)

        try:
            outcomes = dispatch.run_wave(
                where.broker,
                org,
                sites,
                run_id=pipeline.run_id,
                references=references,
                step=step,
                arguments=arguments,
                workers=placed,
                progress=advanced,
            )
        except dispatch.BrokerUnavailable as exc:
            raise RunInterrupted(str(exc)) from exc
    if not quiet:
        by_region: dict[str, list[Outcome]] = {}
        for region, outcome in zip(regions, outcomes, strict=True):
            by_region.setdefault(region, []).append(outcome)
        for region, done in sorted(by_region.items()):
            failed = sum(o.failed for o in done)
            console.print(f"region {region}: {len(done)} site(s), {failed} failed")
    return outcomes
