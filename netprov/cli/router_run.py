"""What the router commands share: one journaled run over the selected sites (its
targets, twin, journal and pipeline), running a task on each site with progress, and
showing or printing the outcomes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from netprov.change.outcome import Outcome
from netprov.change.pipeline import Pipeline
from netprov.cli import tables
from netprov.cli.app import (
    EXIT_CANCELLED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    build_twin_or_exit,
    cancelled,
    emit_json,
    err,
    load_or_exit,
    load_scenario_or_exit,
    open_journal,
    out,
    select,
)
from netprov.cli.options import RouterOptions
from netprov.engines import Engine
from netprov.inventory.loader import LoadedInventory
from netprov.models import Phase
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.platforms.device import targets_from_hosts
from netprov.render.config import Renderer
from netprov.rollout.runner import (
    NotOnWorkers,
    RunInterrupted,
    Where,
    run_in_process,
    run_step,
)
from netprov.rollout.steps import A, SiteStep
from netprov.rollout.targets import aim
from netprov.state.journal_rows import RunStatus


@dataclass
class RunContext:
    """One journaled run of a router command: the inventory, the pipeline that works on
    routers (journal, targets, secrets, run id), the sites still to do, the options, and
    where the sites are stepped (the engine)."""

    loaded: LoadedInventory
    pipeline: Pipeline
    site_ids: list[str]
    opts: RouterOptions
    where: Where


@contextlib.contextmanager
def router_run(
    command: str, opts: RouterOptions, *, phase: Phase | None = None, params: str = ""
) -> Iterator[RunContext]:
    """A journaled run of ``command`` over the selected sites: the routers are a private
    twin (``--twin``), a running twin (``--hosts-file``) or the real ones; the run is
    finished in the journal however the command ends (``interrupted`` if it dies)."""
    from netprov.secrets import twin_secret
    from netprov.twin.cli_base import SCALE_VARIABLE, TwinClock, time_scale
    from netprov.twin.running import Twin

    twin, hosts_file, scenario = opts.twin, opts.hosts_file, opts.scenario
    try:  # rehearsals and tests may run device timers (revert, reboot) faster than real time
        scale = time_scale(os.environ.get(SCALE_VARIABLE)) if twin else 1.0
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=SCALE_VARIABLE) from None
    from_backups, inventory = opts.from_backups, opts.inventory
    if twin and hosts_file:
        raise typer.BadParameter("use either --twin or --hosts-file", param_hint="--twin")
    chosen_where = where(opts)
    if from_backups is not None and not twin:
        raise typer.BadParameter("starts a twin: use it with --twin", param_hint="--from-backups")
    loaded = load_or_exit(inventory, opts.today, opts.as_json, command)
    journal = open_journal(opts.db, opts.backups_dir)
    sites = select(loaded, limit=opts.limit, kind=opts.kind, wave=opts.wave, group=opts.group)
    site_ids = [s.id for s in sites]
    running_twin: Twin | None = None
    secret: Any
    if twin:
        chosen = load_scenario_or_exit(scenario, {s.id for s in loaded.sites})
        running_twin = build_twin_or_exit(
            loaded,
            scenario=chosen,
            site_ids=site_ids,
            clock=TwinClock(scale),
            from_backups=from_backups,
        ).start_in_thread()
        targets = targets_from_hosts(running_twin.hosts_inventory())
        secret = twin_secret
    else:
        targets, secret = aim(loaded, hosts_file)
    # the sites a run was asked to do, so an interrupted run of any kind can be resumed
    recorded = {**(json.loads(params) if params else {}), "sites": site_ids}
    run_id = journal.start_run(
        command,
        phase=phase,
        change_id=opts.change_id,
        inventory=loaded.root,
        params=json.dumps(recorded),
    )
    pipeline = Pipeline(loaded, journal, targets, Renderer(), secret, run_id)
    if opts.verbose or opts.session_log is not None:
        keep_transcripts(pipeline, opts.session_log, echo=opts.verbose)
    status = RunStatus.INTERRUPTED
    try:
        yield RunContext(loaded, pipeline, site_ids, opts, chosen_where)
        status = RunStatus.DONE
    except typer.Exit as exc:
        status = (
            RunStatus.DONE
            if exc.exit_code in (EXIT_OK, EXIT_USAGE)
            else RunStatus.CANCELLED
            if exc.exit_code == EXIT_CANCELLED
            else RunStatus.COMPLETED_WITH_FAILURES
        )
        raise
    except RunInterrupted as exc:  # the journal keeps it "interrupted": resumable
        err.print(
            f"[red]{exc}[/]: run {run_id} interrupted, nothing more sent; what was done is "
            f"journaled. Resume it with `netprov {command} --resume {run_id}`",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INVALID) from None
    finally:
        journal.finish_run(run_id, status)
        if running_twin is not None:
            running_twin.stop_thread()


def keep_transcripts(pipeline: Pipeline, folder: Path | None, *, echo: bool) -> None:
    """Every session of the run writes what it sends and reads (``-v``: stderr,
    ``--session-log``: a file per router), masked as the run masks what it journals."""
    from netprov.platforms.transcript import Transcript

    pipeline.targets.update(  # in place: the pipeline's sessions share the mapping
        {
            site: dataclasses.replace(
                target,
                transcript=Transcript(
                    folder, echo, functools.partial(pipeline.masked, target.platform)
                ),
            )
            for site, target in pipeline.targets.items()
        }
    )


def where(opts: RouterOptions) -> Where:
    """Where the run's site steps run, from ``--engine`` and ``--broker`` (they go
    together); workers reach routers, not this process. An invalid combination is a usage
    error, before anything starts."""
    if opts.engine not in set(Engine):
        raise typer.BadParameter("choose inprocess or celery", param_hint="--engine")
    engine = Engine(opts.engine)
    if (engine is Engine.CELERY) != (opts.broker is not None):
        raise typer.BadParameter("--engine celery goes with --broker", param_hint="--broker")
    if engine is Engine.CELERY and (opts.verbose or opts.session_log is not None):
        raise typer.BadParameter(
            "a region worker's sessions are on its own machine: -v and --session-log "
            "transcribe the sessions of --engine inprocess",
            param_hint="--engine",
        )
    if engine is Engine.CELERY and opts.twin:
        raise typer.BadParameter(
            "workers cannot reach a private twin: start one with `netprov twin up` and "
            "aim with --hosts-file",
            param_hint="--engine",
        )
    return Where(
        engine,
        threads=opts.workers,
        broker=opts.broker,
        inventory=opts.inventory,
        db=opts.db,
        backups=opts.backups_dir,
        hosts_file=opts.hosts_file,
        today=opts.today,
    )


def run_sites(
    ctx: RunContext,
    step: SiteStep[A],
    arguments: A,
    description: str,
    *,
    placed: dict[str, str] | None = None,
) -> list[Outcome]:
    """Run ``step`` over the selected sites by the engine the options chose: each site's
    Outcome (a crash: a failed one). With ``--engine celery`` ``placed`` gets the worker
    that ran each site."""
    try:
        return run_step(
            ctx.where,
            ctx.loaded,
            ctx.pipeline,
            ctx.site_ids,
            step,
            arguments,
            description,
            console=err,
            quiet=ctx.opts.as_json,
            placed=placed,
        )
    except NotOnWorkers as exc:
        raise typer.BadParameter(str(exc), param_hint="--engine") from None


def run_sites_any(ctx: RunContext, step: SiteStep[A], arguments: A, description: str) -> list[Any]:
    """Each site's step result in this process, whatever its type; an exception becomes a
    failed Outcome."""
    return run_in_process(
        ctx.where,
        ctx.loaded,
        ctx.pipeline,
        ctx.site_ids,
        step,
        arguments,
        description,
        console=err,
        quiet=ctx.opts.as_json,
    )


def outcome_table(outcomes: list[Outcome], title: str) -> None:
    """What the command did per site: status and detail (a plan's: its command count)."""
    rows = []
    for outcome in outcomes:
        detail = outcome.detail
        if outcome.plan is not None and outcome.status in {"planned", "unchanged"}:
            detail = f"{len(outcome.plan.commands)} command(s)"
        rows.append((outcome.site, outcome.status, detail))
    tables.outcome_table(out, rows, title)


def say_departures(option: str, target: Phase, departs: list[str], as_json: bool) -> None:
    """Name the sites a ``--phase``/``--to`` takes elsewhere than their ``desired_phase``
    in git (on stderr; ``--json`` has them as ``departs_from_inventory``): git stays as it
    is, so ``drift`` and ``check`` will report them until ``netprov promote`` records it."""
    if not departs or as_json:
        return
    more = ", ..." if len(departs) > 5 else ""
    err.print(
        f"[yellow]{option} {target}[/] departs from the inventory for {len(departs)} site(s)"
        f" ({', '.join(sorted(departs)[:5])}{more}): their desired_phase stays as git says;"
        " record it with `netprov promote`",
    )


def summary(command: str, ctx: RunContext, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "command": command,
        "run_id": ctx.pipeline.run_id,
        "ok": not any(o.failed for o in outcomes),
        "sites": [o.as_dict() for o in sorted(outcomes, key=lambda o: o.site)],
    }


def finish(
    command: str, ctx: RunContext, outcomes: list[Outcome], extra: dict[str, Any] | None = None
) -> None:
    """Print the outcomes (a table, or the ``--json`` summary with ``extra``); exit 1 if any
    site failed."""
    if ctx.opts.as_json:
        emit_json({**summary(command, ctx, outcomes), **(extra or {})})
    else:
        outcome_table(outcomes, f"{command} (run {ctx.pipeline.run_id})")
    if any(o.failed for o in outcomes):
        raise typer.Exit(EXIT_INVALID)


def show_plans(
    plans: list[SitePlan], *, diff: bool, pipeline: Pipeline, console: Console = out
) -> None:
    """Every command in full (wrapped by the terminal, never cut), like ``terraform plan``;
    with ``diff``, the unified diff of what each plan touches. Secrets masked."""
    from netprov.plan import unified_diff

    for site_plan in sorted(plans, key=lambda p: p.site_id):
        if not site_plan.changed:
            continue
        driver = driver_for(site_plan.platform)
        console.print(
            f"[bold]{site_plan.site_id}[/] -> {site_plan.phase.value}: "
            f"{len(site_plan.commands)} command(s)"
        )
        for warning in site_plan.warnings:
            console.print(Text(f"! {warning}", style="yellow"), soft_wrap=True)
        for command in site_plan.commands:
            removal = driver.removes(command)
            style = "red" if removal else "green"
            line = pipeline.masked(site_plan.platform, command)
            console.print(Text(f"{'-' if removal else '+'} {line}", style=style), soft_wrap=True)
        if diff:
            for line in pipeline.masked(site_plan.platform, unified_diff(site_plan)).splitlines():
                style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
                console.print(Text(line, style=style), soft_wrap=True)


def stdin_is_terminal() -> bool:
    """Whether a person can answer here (stdin is a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def ask_or_refuse(command: str, yes: bool) -> None:
    """A change without ``--yes`` shows its plan and asks; with no terminal to ask on (CI,
    a pipe, cron) it refuses in one line, exit 2, before any router is read, rather than
    take the silence of a closed stdin for an answer."""
    if yes or stdin_is_terminal():
        return
    err.print(
        f"[red]error:[/] netprov {command} asks before it changes a router, and stdin is "
        "not a terminal: review with `netprov plan`, then run it again with --yes",
        soft_wrap=True,
    )
    raise typer.Exit(EXIT_USAGE)


def ask_to_push(ctx: RunContext, pending: list[SitePlan], question: str) -> None:
    """Show exactly what would be pushed, ask (``question`` with ``{commands}`` and
    ``{routers}``), and narrow the run to those routers; a "no" changes nothing."""
    show_plans(pending, diff=False, pipeline=ctx.pipeline)
    commands = sum(len(p.commands) for p in pending)
    if not typer.confirm(question.format(commands=commands, routers=len(pending)), default=False):
        cancelled()
    ctx.site_ids = [p.site_id for p in pending]


def resumable(db: str | None, run_id: str, command: str, done_step: str) -> tuple[Any, list[str]]:
    """The interrupted ``command`` run ``run_id`` and the sites it had not finished (a site is
    finished when the run journaled ``done_step`` for it, successfully). A run whose process
    still holds its locks is refused: resuming it would race it."""
    journal = open_journal(db, create=False)
    row, steps = journal.run(run_id)
    if row is None or row.command != command:
        raise typer.BadParameter(
            f"no {command} run {run_id!r} in the journal", param_hint="--resume"
        )
    if journal.run_alive(run_id):
        raise typer.BadParameter(
            f"run {run_id} is still running (its process holds its locks)", param_hint="--resume"
        )
    finished = {s.site for s in steps if s.step == done_step and s.ok}
    asked = json.loads(row.params or "{}").get("sites") or sorted({s.site for s in steps})
    remaining = [site for site in asked if site not in finished]
    if not remaining and command != "cutover":  # a cutover resumed reconciles, harmlessly
        raise typer.BadParameter(
            f"run {run_id} finished every site; nothing to resume", param_hint="--resume"
        )
    return row, remaining
