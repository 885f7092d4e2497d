"""The rollout commands: ``cutover`` (canary, waves, the health gate), ``finalize`` (the
office ISP line removed after the soak) and ``drill`` (a failover drill)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from netprov.change.outcome import Outcome, Status
from netprov.cli import tables
from netprov.cli.app import EXIT_INVALID, cancelled, emit_json, err, one_phase, out
from netprov.cli.options import (
    SELECTION,
    TARGETS,
    NowOpt,
    RouterOptions,
    YesOpt,
    between,
    router_command,
)
from netprov.cli.router_run import (
    RunContext,
    ask_or_refuse,
    finish,
    outcome_table,
    resumable,
    router_run,
    run_sites,
    run_sites_any,
    say_departures,
    show_plans,
)
from netprov.models import Phase, Site
from netprov.plan import SitePlan
from netprov.rollout import steps


def _percent(value: str) -> float:
    try:
        number = float(value.rstrip("%"))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a percentage", param_hint="--max-fail"
        ) from None
    if not 0 <= number <= 100:
        raise typer.BadParameter("must be between 0% and 100%", param_hint="--max-fail")
    return number / 100


def _moment(value: str | None) -> dt.datetime | None:
    """``--now``: an ISO time, with an offset (absolute) or without (the organisation's
    wall clock); None means now."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO time (e.g. 2026-11-24T19:30 or 2026-11-24T19:30+07:00)",
            param_hint="--now",
        ) from None


def _on_clock(given: dt.datetime | None, timezone: str) -> dt.datetime:
    """``--now`` as an aware time: a time without an offset is read on the organisation's
    clock; none given is now."""
    zone = ZoneInfo(timezone)
    if given is None:
        return dt.datetime.now(zone)
    return given if given.tzinfo else given.replace(tzinfo=zone)


@router_command(
    "inventory",
    "to",
    *TARGETS,
    "change_id",
    "max_fail",
    "wave_size",
    "resume",
    "now",
    "diff",
    "yes",
    "engine",
    "broker",
    *SELECTION,
)
def cutover(
    opts: RouterOptions,
    to: Annotated[
        str | None,
        typer.Option(
            "--phase",
            "--to",
            metavar="PHASE",
            help="Target phase: legacy, dual, central or final (default: each site's "
            "desired_phase in git).",
        ),
    ] = None,
    max_fail: Annotated[
        str,
        typer.Option(
            "--max-fail",
            metavar="PERCENT",
            help="Health gate: a wave with more failed sites stops the rollout.",
        ),
    ] = "10%",
    wave_size: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=between(1),
            help="Waves of N sites after the canary (default: the inventory's waves).",
        ),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", metavar="RUN", help="Continue an interrupted cutover run."),
    ] = None,
    now: NowOpt = None,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Without --yes: the canary's commands in full, and a diff."),
    ] = False,
    yes: YesOpt = False,
) -> None:
    """Move sites to the central provider: canary, waves, gate.

    Wave 0 (the canary) first, then the inventory's waves, each site stepped through the
    phases to its desired_phase in git (legacy, dual, central) inside its maintenance
    window; a wave over the health gate stops the rollout. Without --yes each of the
    canary's phase steps is shown (a line per site) and asked about before it is pushed,
    then each later wave; with no terminal to ask on, it refuses."""
    from netprov.rollout.cutover import WaveResult, plan_waves, run_cutover

    if opts.broker is not None and not yes:
        raise typer.BadParameter(
            "on workers, cutover plans and pushes on the workers: give --yes; review "
            "first with `netprov plan`",
            param_hint="--engine",
        )
    if resume is not None:
        row, _ = resumable(opts.db, resume, "cutover", "confirmed")
        saved = json.loads(row.params)
        to, max_fail, wave_size = saved["to"], saved["max_fail"], saved["wave_size"]
        opts = opts.replace(
            limit=saved["limit"],
            kind=saved["kind"],
            wave=saved["wave"],
            group=saved["group"],
            change_id=opts.change_id or row.change_id,
        )
    params = json.dumps(
        {
            "to": to,
            "max_fail": max_fail,
            "wave_size": wave_size,
            "limit": opts.limit,
            "kind": opts.kind,
            "wave": opts.wave,
            "group": opts.group,
            "resumed_from": resume,
        }
    )
    gate = _percent(max_fail)
    target = one_phase(to)
    given = _moment(now)
    ask_or_refuse("cutover", yes)
    with router_run("cutover", opts, phase=target, params=params) as ctx:
        moment = _on_clock(given, ctx.loaded.organisation.timezone)
        if resume is not None:
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        chosen = [ctx.loaded.site(site_id) for site_id in ctx.site_ids]
        departs = _departures(chosen, target, opts.as_json)
        waves = plan_waves(chosen, wave_size)
        workers: dict[str, str] = {}
        halted: list[str] = []  # the operator said no between two of the canary's steps

        def run_wave(sites: list[Any]) -> list[Outcome]:
            if not yes and sites is waves[0]:  # the canary: each step shown and agreed to
                return _canary_by_steps(ctx, sites, target, moment, diff, halted)
            ctx.site_ids = [s.id for s in sites]
            return run_sites(
                ctx,
                steps.CUTOVER,
                steps.CutoverArguments(to=target, now=moment),
                f"wave ({len(sites)} sites)",
                placed=workers,
            )

        def proceed(number: int, result: WaveResult) -> bool:
            if not opts.as_json:
                outcome_table(result.outcomes, f"wave {number}: {result.failure_rate:.0%} failed")
            return not halted and (
                yes
                or typer.confirm(
                    f"Wave {number} done. Continue with the next wave?",
                    default=False,
                    err=opts.as_json,
                )
            )

        result = run_cutover(ctx.pipeline, waves, run_wave=run_wave, max_fail=gate, proceed=proceed)
        result.stopped = result.stopped or (halted[0] if halted else None)
        if opts.as_json:
            emit_json(
                {
                    "command": "cutover",
                    "run_id": ctx.pipeline.run_id,
                    "ok": result.ok,
                    "stopped": result.stopped,
                    "untouched": result.untouched,
                    "departs_from_inventory": departs,
                    "now": moment.isoformat(),
                    "skipped": [o.site for o in result.skipped],
                    "sites": [o.as_dict() for w in result.waves for o in w.outcomes],
                    "waves": [
                        {
                            "wave": w.number,
                            "failure_rate": w.failure_rate,
                            "sites": [o.as_dict() for o in w.outcomes],
                        }
                        for w in result.waves
                    ],
                    **({"engine": "celery", "workers": workers} if opts.broker is not None else {}),
                }
            )
        else:
            last = result.waves[-1] if result.waves else None
            if last is not None:  # earlier waves were shown between waves
                outcome_table(last.outcomes, f"wave {last.number}: {last.failure_rate:.0%} failed")
            if result.stopped:
                untouched = (
                    f"; {len(result.untouched)} site(s) not touched" if result.untouched else ""
                )
                err.print(f"[red]{result.stopped}[/]{untouched}")
            if result.nothing_attempted:
                err.print(
                    f"[red]no site was inside its maintenance window at {moment:%Y-%m-%d %H:%M %Z}"
                    f"[/] ({len(result.skipped)} skipped); nothing was changed"
                )
            elif result.skipped:
                err.print(f"{len(result.skipped)} site(s) skipped: outside their window")
            out.print(
                f"cutover run {ctx.pipeline.run_id}: "
                + ("[green]done[/]" if result.ok else "[red]not clean[/]")
            )
        if not result.ok:
            raise typer.Exit(EXIT_INVALID)


def _departures(chosen: list[Site], target: Phase | None, as_json: bool) -> list[str]:
    """The sites ``--to`` takes elsewhere than git says, named on stderr."""
    from netprov.rollout.cutover import cutover_target

    departs = [
        s.id for s in chosen if target and cutover_target(s, target) != cutover_target(s, None)
    ]
    if target is not None:
        say_departures("--to", target, departs, as_json)
    return departs


def _canary_by_steps(
    ctx: RunContext,
    wave: list[Site],
    to: Phase | None,
    now: dt.datetime,
    diff: bool,
    halted: list[str],
) -> list[Outcome]:
    """The canary without --yes: a phase step at a time, each step's plans shown (a line
    per site, with ``diff`` every command) and agreed to before it is pushed, so a site
    going legacy -> central shows and asks for central once dual is confirmed. A "no"
    before the first push cancels; a later "no" stops the rollout (``halted``), the
    canary at the phase it reached."""

    done: dict[str, Outcome] = {}
    start: dict[str, str] = {}
    pending, step = wave, 0
    while pending:
        asked = _ask_canary(ctx, pending, to, now, diff, step)
        if asked is None:
            halted.append(f"stopped by the operator in wave 0 before step {step + 1}")
            break
        plans, previews = asked
        for preview in previews:
            if preview.actual is not None:
                start.setdefault(preview.site, preview.actual.value)
        ctx.site_ids = [s.id for s in pending]
        outcomes = run_sites(
            ctx,
            steps.CUTOVER,
            steps.CutoverArguments(to=to, now=now, shown=plans),
            "wave 0 (canary)",
        )
        more = {p.site for p in previews if p.pushes and len(p.steps) > 1}
        for outcome in outcomes:
            if outcome.status == Status.CONFIRMED and outcome.site in start:
                reached = outcome.detail.rpartition(" -> ")[2]
                outcome.detail = f"{start[outcome.site]} -> {reached}"
            done[outcome.site] = outcome
        confirmed = {o.site for o in outcomes if o.status == Status.CONFIRMED}
        pending = [s for s in pending if s.id in more & confirmed]
        step += 1
    return [done[s.id] for s in wave if s.id in done]


def _ask_canary(
    ctx: RunContext, wave: list[Site], to: Phase | None, now: dt.datetime, diff: bool, step: int
) -> tuple[dict[str, SitePlan], list[Any]] | None:
    """Show what the canary's next step would push (a line per site; with ``diff`` every
    command and a diff), ask, and hand back the plans shown and the previews; a "no"
    before the first push cancels (nothing was changed), a later one is None."""
    from netprov.rollout.cutover import Preview

    console = err if ctx.opts.as_json else out  # --json keeps stdout for its document
    ctx.site_ids = [s.id for s in wave]
    found = run_sites_any(
        ctx, steps.CUTOVER_PREVIEW, steps.CutoverArguments(to=to, now=now), "plan the canary"
    )
    previews = sorted(
        (p if isinstance(p, Preview) else Preview(p.site, note=p.detail) for p in found),
        key=lambda p: p.site,
    )
    title = "wave 0 (canary)" + (f", step {step + 1}" if step else "")
    console.print(f"[bold]{title}: {len(previews)} site(s)[/]")
    for preview in previews:
        console.print(tables.hanging(f"  {preview.line()}", console.width))
    plans = {p.site: p.plan for p in previews if p.plan is not None}
    if diff:
        show_plans(list(plans.values()), diff=True, pipeline=ctx.pipeline, console=console)
    pushing = [p for p in previews if p.pushes]
    if not pushing:
        console.print(f"{title}: nothing to push")
        return plans, previews
    commands = sum(len(p.plan.commands) for p in pushing if p.plan is not None)
    phases = "/".join(sorted({p.steps[0].value for p in pushing}))  # each site's next step
    question = f"Push wave 0 ({phases}): {commands} command(s) to {len(pushing)} router(s)?"
    if not typer.confirm(question, default=False, err=ctx.opts.as_json):
        if step == 0:
            cancelled(ctx.pipeline.run_id)
        return None
    return plans, previews


@router_command(
    "inventory",
    "soak",
    "twin",
    "from_backups",
    "hosts_file",
    "db",
    "backups",
    "change_id",
    "yes",
    *SELECTION,
)
def finalize(
    opts: RouterOptions,
    soak: Annotated[
        str,
        typer.Option(
            metavar="DURATION", help="How long a site must run clean on central (14d, 12h)."
        ),
    ] = "14d",
    yes: YesOpt = False,
) -> None:
    """Remove the office ISP line after a clean soak on central.

    central -> final, only for sites that ran clean on central for --soak and pass a
    fresh verification."""
    from netprov.rollout.cutover import parse_duration

    try:
        period = parse_duration(soak)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--soak") from None
    ask_or_refuse("finalize", yes)
    if not yes and not typer.confirm("Remove the legacy line from soaked sites?", default=False):
        cancelled()
    with router_run("finalize", opts, phase=Phase.FINAL) as ctx:
        outcomes = run_sites(ctx, steps.FINALIZE, steps.FinalizeArguments(soak=period), "finalize")
        finish("finalize", ctx, outcomes)


@router_command("inventory", *TARGETS, "change_id", "now", "yes", "engine", "broker", *SELECTION)
def drill(opts: RouterOptions, now: NowOpt = None, yes: YesOpt = False) -> None:
    """Failover drill: primary line down, the backup line must carry.

    Each site's primary line is taken down (a device-side revert armed); the backup line
    must carry the office within settings.drill_failover_seconds; the primary comes back
    and the config must be unchanged. Inside maintenance windows only; a failed drill
    exits 1."""

    given = _moment(now)
    ask_or_refuse("drill", yes)
    if not yes and not typer.confirm(
        "Take the primary line of the selected sites down for a failover drill?", default=False
    ):
        cancelled()
    with router_run("drill", opts) as ctx:
        moment = _on_clock(given, ctx.loaded.organisation.timezone)
        outcomes = run_sites(ctx, steps.DRILL, steps.DrillArguments(now=moment), "drill")
        finish("drill", ctx, outcomes)
