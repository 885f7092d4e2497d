"""CLI commands that talk to routers: backup, plan, apply, verify, rollback, runs, run.

Each takes ``--twin`` (start a private twin for the command) or ``--hosts-file`` (a running
twin or any SimpleInventory hosts file); without either, netprov connects to the inventory's
management addresses with credentials from the referenced secrets.
Exit codes: 0 ok (plan: nothing to change), 1 failure, 2 usage error (plan: changes pending).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from netprov.cli import (
    EXIT_INVALID,
    GroupOpt,
    InventoryOpt,
    JsonOpt,
    KindOpt,
    LimitOpt,
    TodayOpt,
    WaveOpt,
    _emit_json,
    _load,
    _today,
    app,
    build_twin_or_exit,
    err,
    load_scenario_or_exit,
    out,
    select,
)
from netprov.device import Target, targets_from_hosts, targets_from_hosts_file
from netprov.errors import DeviceError, JournalError
from netprov.inventory import LoadedInventory
from netprov.journal import Journal
from netprov.models import Phase
from netprov.pipeline import Outcome, Pipeline
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.render import Renderer
from netprov.secrets import EnvironmentSecrets

TwinOpt = Annotated[bool, typer.Option("--twin", help="Start a private twin for this command.")]
HostsOpt = Annotated[
    Path | None, typer.Option("--hosts-file", help="Aim at a running twin's hosts file.")
]
ScenarioOpt = Annotated[Path | None, typer.Option(help="With --twin: faults to inject.")]
FromBackupsOpt = Annotated[
    Path | None,
    typer.Option(
        "--from-backups",
        help="With --twin: each router starts from its backup in this folder (<site>.cfg).",
    ),
]
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Journal URL (default sqlite:///.netprov/state.db).")
]
ChangeOpt = Annotated[str | None, typer.Option("--change-id", help="Change-control reference.")]
BackupsOpt = Annotated[
    Path, typer.Option("--backups", help="Folder for <site>.cfg backups (keep it in git).")
]
WorkersOpt = Annotated[int, typer.Option(min=1, max=200, help="Sites worked on at once.")]
PhaseOpt = Annotated[
    str | None, typer.Option(help="Target phase (default: each site's desired phase).")
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@dataclass
class _Context:
    loaded: LoadedInventory
    pipeline: Pipeline
    site_ids: list[str]


def _real_targets(
    loaded: LoadedInventory, secrets: EnvironmentSecrets, *, passwords: bool = True
) -> dict[str, Target]:
    """The routers at their management addresses; host keys checked against the
    organisation's known_hosts file (``ssh.known_hosts``), else ~/.ssh/known_hosts."""
    known_hosts = loaded.organisation.ssh.known_hosts
    return {
        site.id: Target(
            site.id,
            str(site.router.mgmt_address),
            22,
            site.router.credentials.username,
            secrets(site.router.credentials.password) if passwords else "",
            site.router.platform,
            (loaded.root / known_hosts) if known_hosts else None,
        )
        for site in loaded.sites
    }


def _journal(db: str | None, backups: Path = Path("backups"), *, create: bool = True) -> Journal:
    """Open the journal, or stop with one clear line (exit 1) before any router is touched."""
    try:
        return Journal(db, backups, create=create)
    except JournalError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_INVALID) from None


@contextlib.contextmanager
def _context(
    command: str,
    *,
    inventory: Path,
    twin: bool,
    hosts_file: Path | None,
    scenario: Path | None,
    db: str | None,
    backups: Path,
    change_id: str | None,
    phase: Phase | None,
    today: str | None,
    as_json: bool,
    limit: list[str] | None,
    kind: list[str] | None,
    wave: list[int] | None,
    group: list[str] | None,
    params: str = "",
    from_backups: Path | None = None,
) -> Iterator[_Context]:
    from netprov.twin.cli_base import TwinClock
    from netprov.twin.fleet import Twin, _twin_secret

    if twin and hosts_file:
        raise typer.BadParameter("use either --twin or --hosts-file", param_hint="--twin")
    if from_backups is not None and not twin:
        raise typer.BadParameter("starts a twin: use it with --twin", param_hint="--from-backups")
    loaded = _load(inventory, today, as_json, command)
    journal = _journal(db, backups)
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    site_ids = [s.id for s in sites]
    running_twin: Twin | None = None
    secret: Any
    if twin:
        chosen = load_scenario_or_exit(scenario, {s.id for s in loaded.sites})
        # rehearsals and tests may run device timers (revert, reboot) faster than real time
        scale = float(os.environ.get("NETPROV_TWIN_TIME_SCALE", "1"))
        running_twin = build_twin_or_exit(
            loaded,
            scenario=chosen,
            site_ids=site_ids,
            clock=TwinClock(scale),
            from_backups=from_backups,
        ).start_in_thread()
        targets = targets_from_hosts(running_twin.hosts_inventory())
        secret = _twin_secret
    elif hosts_file:
        data = targets_from_hosts_file(hosts_file)
        targets = data
        secret = _twin_secret if _is_twin_file(hosts_file) else EnvironmentSecrets(inventory)
    else:
        secret = EnvironmentSecrets(inventory)
        targets = _real_targets(loaded, secret)
    # the sites a run was asked to do, so an interrupted run of any kind can be resumed
    recorded = {**(json.loads(params) if params else {}), "sites": site_ids}
    run_id = journal.start_run(
        command,
        phase=phase.value if phase else None,
        change_id=change_id,
        inventory=inventory,
        params=json.dumps(recorded),
    )
    pipeline = Pipeline(loaded, journal, targets, Renderer(), secret, run_id)
    status = "interrupted"
    try:
        yield _Context(loaded, pipeline, site_ids)
        status = "done"
    except typer.Exit as exc:
        status = "done" if exc.exit_code in (0, 2) else "completed_with_failures"
        raise
    finally:
        journal.finish_run(run_id, status)
        if running_twin is not None:
            running_twin.stop_thread()


_CONTEXT_OPTIONS = (
    "inventory",
    "twin",
    "from_backups",
    "hosts_file",
    "scenario",
    "db",
    "backups",
    "change_id",
    "today",
    "as_json",
    "limit",
    "kind",
    "wave",
    "group",
)


def _context_from(command: str, options: dict[str, Any], **explicit: Any) -> Any:
    """``_context`` from a command's own options (its ``locals()``): every router command
    takes the same ones, so each need not pass them one by one."""
    chosen: dict[str, Any] = {key: options.get(key) for key in _CONTEXT_OPTIONS}
    chosen["backups"] = options.get("backups") or Path("backups")
    chosen["phase"] = None
    chosen.update(explicit)
    return _context(command, **chosen)


def _is_twin_file(path: Path) -> bool:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return all((host.get("data") or {}).get("twin") for host in data.values())


def _run(
    ctx: _Context, task: Any, description: str, as_json: bool, workers: int, **kwargs: Any
) -> list[Outcome]:
    """Run ``task`` over the selected sites: each site's Outcome (a crash: a failed one)."""
    return [
        r if isinstance(r, Outcome) else Outcome(r.site, "failed", detail=str(r))
        for r in _run_any(ctx, task, description, as_json, workers, **kwargs)
    ]


def _run_any(
    ctx: _Context, task: Any, description: str, as_json: bool, workers: int, **kwargs: Any
) -> list[Any]:
    """Each site's task result, whatever its type; an exception becomes a failed Outcome."""
    from netprov.nornir_inventory import make_nornir
    from netprov.progress import ProgressProcessor, make_progress

    nornir = make_nornir(ctx.loaded, workers=workers, site_ids=ctx.site_ids)
    with make_progress(err, enabled=not as_json) as progress:
        results = nornir.with_processors([ProgressProcessor(progress, description)]).run(
            task=task, pipeline=ctx.pipeline, **kwargs
        )
    outcomes: list[Any] = []
    for name, multi in results.items():
        result = multi[0]
        if result.exception is None and result.result is not None:
            outcomes.append(result.result)
        else:
            outcomes.append(
                Outcome(
                    name, "failed", detail=f"{type(result.exception).__name__}: {result.exception}"
                )
            )
    return outcomes


def _table(outcomes: list[Outcome], title: str) -> None:
    table = Table(title=title, header_style="bold")
    for column in ("site", "status", "detail"):
        table.add_column(column)
    colours = {
        "confirmed": "green",
        "unchanged": "green",
        "verified": "green",
        "backed_up": "green",
        "planned": "cyan",
        "restored": "green",
        "rolled_back": "red",
        "failed": "red",
        "refused": "red",
        "stale": "red",
    }
    for outcome in sorted(outcomes, key=lambda o: o.site):
        colour = colours.get(outcome.status, "white")
        detail = outcome.detail
        if outcome.plan is not None and outcome.status in {"planned", "unchanged"}:
            detail = f"{len(outcome.plan.commands)} command(s)"
        table.add_row(outcome.site, f"[{colour}]{outcome.status}[/]", detail)
    out.print(table)


def _summary(command: str, ctx: _Context, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "command": command,
        "run_id": ctx.pipeline.run_id,
        "ok": not any(o.failed for o in outcomes),
        "sites": [o.as_dict() for o in sorted(outcomes, key=lambda o: o.site)],
    }


def _phase(value: str | None) -> Phase | None:
    """One target phase (``all`` is for render only)."""
    if not value:
        return None
    try:
        return Phase(value)
    except ValueError:
        choices = ", ".join(p.value for p in Phase)
        raise typer.BadParameter(
            f"{value!r} is not a phase; choose one of: {choices}", param_hint="--phase"
        ) from None


@app.command()
def backup(
    inventory: InventoryOpt = Path("inventory"),
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
    commit: Annotated[
        bool,
        typer.Option(
            "--commit", help="Commit what changed in the backups folder to git (only there)."
        ),
    ] = False,
) -> None:
    """Back up every selected router's running config (journal + backups/<site>.cfg).

    With ``--commit`` the refreshed files are committed, one commit per run naming the
    routers whose config changed (as Oxidized keeps configs in git), so CI plans against
    what the routers hold. Nothing else staged in the repository is committed.
    """
    from netprov.tasks.pipeline import backup_task

    with _context_from("backup", locals()) as ctx:
        outcomes = _run(ctx, backup_task, "backup", as_json, workers)
        extra = _commit_backups(backups, ctx.pipeline.run_id, as_json) if commit else {}
        _finish("backup", ctx, outcomes, as_json, extra)


def _commit_backups(backups: Path, run_id: str, as_json: bool) -> dict[str, Any]:
    from netprov.gitrepo import commit_backups

    sites = sorted({Path(f).stem for f in _changed_backups(backups)})
    subject = f"netprov backup: {len(sites)} router config(s) changed (run {run_id})"
    done = commit_backups(backups, f"{subject}\n\n" + "\n".join(sites) + "\n")
    if done is None:
        if not as_json:
            err.print(f"backups unchanged: nothing to commit in {backups}")
        return {"commit": None, "committed": []}
    if not as_json:
        err.print(f"committed {done[0][:12]}: {subject}")
    return {"commit": done[0], "committed": done[1]}


def _changed_backups(backups: Path) -> list[str]:
    from netprov.gitrepo import git

    listed = git(["status", "--porcelain", "--untracked-files=all", "--", "."], backups.resolve())
    return [line[3:] for line in listed.decode().splitlines()]


def _finish(
    command: str,
    ctx: _Context,
    outcomes: list[Outcome],
    as_json: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    if as_json:
        _emit_json({**_summary(command, ctx, outcomes), **(extra or {})})
    else:
        _table(outcomes, f"{command} (run {ctx.pipeline.run_id})")
    if any(o.failed for o in outcomes):
        raise typer.Exit(EXIT_INVALID)


@app.command()
def plan(
    inventory: InventoryOpt = Path("inventory"),
    phase: PhaseOpt = None,
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    out_file: Annotated[Path | None, typer.Option("--out", help="Save the plan (JSON).")] = None,
    diff: Annotated[
        bool, typer.Option("--diff", help="Also show each change as a unified diff.")
    ] = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Dry run: back up, compute and show each site's change; change nothing.

    Exit 0 when nothing would change, 2 when changes are pending, 1 on errors.
    """
    from netprov.tasks.pipeline import plan_task

    target = _phase(phase)
    with _context_from("plan", locals(), phase=target) as ctx:
        outcomes = _run(ctx, plan_task, "plan", as_json, workers, phase=target)
        plans = [o.plan for o in outcomes if o.plan is not None]
        if out_file is not None:
            out_file.write_text(
                json.dumps(
                    {
                        "run": ctx.pipeline.run_id,
                        "plans": [p.as_dict(driver_for(p.platform).mask_secrets) for p in plans],
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
        if as_json:
            _emit_json(_summary("plan", ctx, outcomes))
        else:
            _show_plans(plans, diff=diff, pipeline=ctx.pipeline)
            _table(outcomes, f"plan (run {ctx.pipeline.run_id})")
    if any(o.failed for o in outcomes):
        raise typer.Exit(EXIT_INVALID)
    if any(p.changed for p in plans):
        raise typer.Exit(2)


def _show_plans(plans: list[SitePlan], *, diff: bool, pipeline: Pipeline) -> None:
    """Every command in full (wrapped by the terminal, never cut), like ``terraform plan``;
    with ``diff``, the unified diff of what each plan touches. Secrets masked."""
    from netprov.plan import unified_diff

    for site_plan in sorted(plans, key=lambda p: p.site_id):
        if not site_plan.changed:
            continue
        driver = driver_for(site_plan.platform)
        out.print(
            f"[bold]{site_plan.site_id}[/] -> {site_plan.phase.value}: "
            f"{len(site_plan.commands)} command(s)"
        )
        for warning in site_plan.warnings:
            out.print(Text(f"! {warning}", style="yellow"), soft_wrap=True)
        for command in site_plan.commands:
            removal = driver.removes(command)
            style = "red" if removal else "green"
            line = pipeline.masked(site_plan.platform, command)
            out.print(Text(f"{'-' if removal else '+'} {line}", style=style), soft_wrap=True)
        if diff:
            for line in pipeline.masked(site_plan.platform, unified_diff(site_plan)).splitlines():
                style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
                out.print(Text(line, style=style), soft_wrap=True)


def _ask_to_push(ctx: _Context, pending: list[SitePlan], question: str) -> None:
    """Show exactly what would be pushed, ask (``question`` with ``{commands}`` and
    ``{routers}``), and narrow the run to those routers; a "no" changes nothing."""
    _show_plans(pending, diff=False, pipeline=ctx.pipeline)
    commands = sum(len(p.commands) for p in pending)
    if not typer.confirm(question.format(commands=commands, routers=len(pending)), default=False):
        err.print("aborted; nothing was changed")
        raise typer.Exit(EXIT_INVALID)
    ctx.site_ids = [p.site_id for p in pending]


def _load_saved(path: Path) -> dict[str, SitePlan]:
    from netprov.models import Platform

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            p["site"]: SitePlan(
                p["site"],
                Platform(p["platform"]),
                Phase(p["phase"]),
                p["running_fingerprint"],
                p["commands"],
                p["undo"],
                p.get("candidate"),
            )
            for p in data["plans"]
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise typer.BadParameter(
            f"{path} is not a netprov plan: {exc}", param_hint="--plan"
        ) from exc


@app.command()
def apply(
    inventory: InventoryOpt = Path("inventory"),
    phase: PhaseOpt = None,
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    change_id: ChangeOpt = None,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="Apply a saved plan (refused if stale).")
    ] = None,
    revert_minutes: Annotated[
        int, typer.Option(min=1, max=120, help="Device-side revert timer.")
    ] = 5,
    resume: Annotated[
        str | None,
        typer.Option("--resume", help="Finish an interrupted apply run (its sites and phase)."),
    ] = None,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Back up, plan, push with a device-side revert, verify, confirm or roll back, per site."""
    from netprov.tasks.pipeline import apply_task, plan_task

    saved = _load_saved(plan_file) if plan_file else None
    if resume is not None:
        row, limit = _resumable(db, resume, "apply", "confirmed")
        phase = phase or row.phase
        change_id = change_id or row.change_id
    target = _phase(phase)
    with _context_from("apply", locals(), phase=target) as ctx:
        if resume is not None:
            # its locks pass to this run, which first settles what it left armed
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        if saved is not None:
            ctx.site_ids = [s for s in ctx.site_ids if s in saved]
        if not yes:
            # show exactly what would be pushed, then push that plan (refused if stale)
            if saved is None:
                planned = _run(ctx, plan_task, "plan", as_json, workers, phase=target)
                saved = {o.site: o.plan for o in planned if o.plan is not None}
            pending = [p for p in saved.values() if p.changed]
            if not pending:
                out.print("nothing to change")
                return
            _ask_to_push(ctx, pending, "Apply {commands} command(s) to {routers} router(s)?")
        ctx.pipeline.revert_minutes = revert_minutes
        outcomes = _run(ctx, apply_task, "apply", as_json, workers, phase=target, saved=saved)
        _finish("apply", ctx, outcomes, as_json)


@app.command()
def adopt(
    inventory: InventoryOpt = Path("inventory"),
    phase: PhaseOpt = "legacy",
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    change_id: ChangeOpt = None,
    revert_minutes: Annotated[
        int, typer.Option(min=1, max=120, help="Device-side revert timer.")
    ] = 5,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Take over what a router in service already holds that the inventory describes (its
    uplink client, LAN address, DHCP server, ...): tag each object netprov:<key> and align
    its values, nothing added, nothing removed. A safe change of its own (backup, revert
    timer, "the office works as it did" checks); a router whose objects clash with the
    inventory is refused, naming them. Then `apply` brings the rest of the phase."""
    from netprov.tasks.pipeline import apply_task, plan_task

    target = _phase(phase)
    with _context_from("adopt", locals(), phase=target) as ctx:
        if not yes:
            planned = _run(ctx, plan_task, "plan", as_json, workers, phase=target)
            refused = [o for o in planned if o.failed]
            pending = [
                o.plan.adoption() for o in planned if o.plan and o.plan.adopted and not o.failed
            ]
            if refused:
                _table(refused, "refused")
            if not pending:
                out.print("nothing to adopt")
                if refused:
                    raise typer.Exit(EXIT_INVALID)
                return
            _ask_to_push(ctx, pending, "Adopt with {commands} command(s) on {routers} router(s)?")
        ctx.pipeline.revert_minutes = revert_minutes
        outcomes = _run(ctx, apply_task, "adopt", as_json, workers, phase=target, adopt=True)
        _finish("adopt", ctx, outcomes, as_json)


@app.command()
def verify(
    inventory: InventoryOpt = Path("inventory"),
    phase: PhaseOpt = None,
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Run the verification checks on every selected site."""
    from netprov.tasks.pipeline import verify_task

    target = _phase(phase)
    with _context_from("verify", locals(), phase=target) as ctx:
        outcomes = _run(ctx, verify_task, "verify", as_json, workers, phase=target)
        if not as_json:
            for outcome in outcomes:
                for check in outcome.checks:
                    if not check.ok:
                        out.print(
                            f"[red]✗[/] {outcome.site}: {check.name}: expected {check.expected}, "
                            f"observed {check.observed}",
                            soft_wrap=True,
                        )
        _finish("verify", ctx, outcomes, as_json)


@app.command()
def drift(
    inventory: InventoryOpt = Path("inventory"),
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Read-only: each router against its desired phase in git, the phase it is in (from
    its config, beside the journal's), and what would converge it. Nothing is stored.

    Exit 0 when every router holds its desired config, 2 when any differs, 1 when a
    router could not be read.
    """
    from netprov.drift import Drift, DriftState
    from netprov.tasks.pipeline import drift_task

    with _context_from("drift", locals()) as ctx:
        found = _run_any(ctx, drift_task, "drift", as_json, workers)
        drifts = sorted((d for d in found if isinstance(d, Drift)), key=lambda d: d.site)
        failures = sorted((o for o in found if isinstance(o, Outcome)), key=lambda o: o.site)
        if as_json:
            sites = [
                {**d.as_dict(), "status": d.state.value, "detail": d.describe()} for d in drifts
            ]
            sites += [o.as_dict() for o in failures]
            _emit_json(
                {
                    "command": "drift",
                    "ok": not failures,
                    "run_id": ctx.pipeline.run_id,
                    "sites": sites,
                }
            )
        else:
            _drift_table(drifts, failures, ctx.pipeline.run_id)
    if failures:
        raise typer.Exit(EXIT_INVALID)
    if any(d.state is not DriftState.IN_SYNC for d in drifts):
        raise typer.Exit(2)


def _drift_table(drifts: list[Any], failures: list[Outcome], run_id: str) -> None:
    from netprov.drift import DriftState

    colours = {
        DriftState.IN_SYNC: "green",
        DriftState.PENDING: "cyan",
        DriftState.AHEAD: "red",
        DriftState.DRIFTED: "red",
        DriftState.CHANGING: "yellow",
    }
    table = Table(title=f"drift (run {run_id})", header_style="bold")
    for column in ("site", "desired (git)", "router", "journal", "state", "detail"):
        table.add_column(column)
    for d in drifts:
        table.add_row(
            d.site,
            d.desired.value,
            d.actual.value if d.actual else "-",
            d.journal.value if d.journal else "-",
            f"[{colours[d.state]}]{d.state.value}[/]",
            escape(d.describe()),
        )
    for o in failures:
        table.add_row(o.site, "", "", "", "[red]failed[/]", escape(o.detail))
    out.print(table)


@app.command()
def rollback(
    inventory: InventoryOpt = Path("inventory"),
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    run: Annotated[
        str | None, typer.Option("--run", help="Restore the backup of this run.")
    ] = None,
    before: Annotated[
        str | None, typer.Option("--before", help="Restore the last backup before this run.")
    ] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Finish an interrupted rollback run.")
    ] = None,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Restore sites to a backed-up config (default: the one taken before their last change)."""
    from netprov.tasks.pipeline import rollback_task

    if resume is not None:
        row, limit = _resumable(db, resume, "rollback", "rolled_back")
        saved = json.loads(row.params or "{}")
        run, before = run or saved.get("run"), before or saved.get("before")
    if not yes and not typer.confirm("Roll back the selected routers?", default=False):
        err.print("aborted; nothing was changed")
        raise typer.Exit(EXIT_INVALID)
    params = json.dumps({"run": run, "before": before})
    with _context_from("rollback", locals(), params=params) as ctx:
        if resume is not None:
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        outcomes = _run(
            ctx, rollback_task, "rollback", as_json, workers, run_id=run, before_run=before
        )
        _finish("rollback", ctx, outcomes, as_json)


@app.command()
def trust(
    inventory: InventoryOpt = Path("inventory"),
    hosts_file: HostsOpt = None,
    known_hosts: Annotated[
        Path | None,
        typer.Option(
            "--known-hosts",
            help="File to record keys in (default: the targets' own, else ~/.ssh/known_hosts).",
        ),
    ] = None,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Record routers' SSH host keys (trust on first use, explicitly): every later session
    refuses a router whose key differs. Check the fingerprints against the routers'."""
    from netprov.hostkeys import fetch_host_key, record

    loaded = _load(inventory, today, as_json, "trust")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    targets = (
        targets_from_hosts_file(hosts_file)
        if hosts_file
        else _real_targets(loaded, EnvironmentSecrets(inventory), passwords=False)
    )
    rows = []
    for site in sites:
        target = targets.get(site.id)
        if target is None:
            rows.append({"site": site.id, "status": "failed", "detail": "no connection target"})
            continue
        path = known_hosts or target.known_hosts or Path.home() / ".ssh" / "known_hosts"
        try:
            key = fetch_host_key(target)
        except DeviceError as exc:
            rows.append({"site": site.id, "status": "failed", "detail": str(exc)})
            continue
        status = record(path, key)
        rows.append(
            {"site": site.id, "status": status, "detail": f"{key.key_type} {key.fingerprint}"}
        )
    ok = all(row["status"] != "failed" for row in rows)
    if as_json:
        _emit_json({"command": "trust", "ok": ok, "sites": rows})
    else:
        table = Table(header_style="bold")
        for column in ("site", "status", "key"):
            table.add_column(column, no_wrap=column != "site")
        for row in rows:
            table.add_row(row["site"], row["status"], row["detail"])
        out.print(table)
    if not ok:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def unlock(
    site_id: Annotated[str, typer.Argument(metavar="SITE", help="Site id.")],
    run: Annotated[str, typer.Option("--run", help="The run holding the lock (see status).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release a site's lock held by a run that will not finish (a person's decision; check
    the router first: `netprov plan` shows whether it holds an unconfirmed change)."""
    journal = _journal(db, create=False)
    holder = journal.lock_holder(site_id)
    released = journal.force_unlock(site_id, run)
    if as_json:
        _emit_json(
            {
                "command": "unlock",
                "ok": released,
                "sites": [
                    {
                        "site": site_id,
                        "status": "unlocked" if released else "failed",
                        "detail": holder,
                    }
                ],
            }
        )
    elif released:
        out.print(f"{site_id}: lock of run {run} released")
    else:
        err.print(f"[red]error:[/] {site_id} is not locked by run {run} (holder: {holder})")
    if not released:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def runs(
    db: DbOpt = None,
    as_json: JsonOpt = False,
    last: Annotated[int, typer.Option(min=1, help="How many runs.")] = 20,
) -> None:
    """Run history from the journal."""
    rows = _journal(db, create=False).runs(last)
    if as_json:
        _emit_json(
            {
                "command": "runs",
                "ok": True,
                "items": [
                    {
                        "id": r.id,
                        "command": r.command,
                        "phase": r.phase,
                        "user": r.user,
                        "change_id": r.change_id,
                        "git_commit": r.git_commit,
                        "status": r.status,
                        "started_at": r.started_at,
                        "finished_at": r.finished_at,
                    }
                    for r in rows
                ],
            }
        )
        return
    table = Table(header_style="bold")
    for column in ("run", "command", "phase", "user", "change", "status", "started"):
        # ids and times are copied into other commands: never cut or folded
        table.add_column(column, no_wrap=column in {"run", "started"})
    for r in rows:
        table.add_row(
            r.id,
            r.command,
            r.phase or "",
            r.user,
            r.change_id or "",
            r.status,
            r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    out.print(table)


@app.command("run")
def run_detail(
    run_id: Annotated[str, typer.Argument(help="Run id (see `netprov runs`).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every step of one run, per site."""
    row, steps = _journal(db, create=False).run(run_id)
    if row is None:
        err.print(f"[red]error:[/] no run {run_id!r} in the journal")
        raise typer.Exit(EXIT_INVALID)
    if as_json:
        _emit_json(
            {
                "command": "run",
                "ok": True,
                "run_id": row.id,
                "run_command": row.command,
                "status": row.status,
                "items": [
                    {
                        "site": s.site,
                        "step": s.step,
                        "ok": s.ok,
                        "detail": s.detail,
                        "diff": s.diff,
                        "at": s.at,
                    }
                    for s in steps
                ],
            }
        )
        return
    out.print(
        f"run {row.id}: {row.command} {row.phase or ''} by {row.user}, {row.status}"
        f"{', change ' + row.change_id if row.change_id else ''}"
    )
    for s in steps:
        mark = "[green]✓[/]" if s.ok else "[red]✗[/]"
        detail = s.detail if len(s.detail) < 120 else s.detail[:117] + "..."
        out.print(
            f"  {mark} {s.at.strftime('%H:%M:%S')} {s.site:<24} {s.step:<12} {detail}",
            soft_wrap=True,
        )


def _resumable(db: str | None, run_id: str, command: str, done_step: str) -> tuple[Any, list[str]]:
    """The interrupted ``command`` run ``run_id`` and the sites it had not finished (a site is
    finished when the run journaled ``done_step`` for it, successfully). A run whose process
    still holds its locks is refused: resuming it would race it."""
    journal = _journal(db, create=False)
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


NowOpt = Annotated[
    str | None,
    typer.Option(
        help="Time to check maintenance windows at (ISO; without an offset it is the "
        "organisation's time zone); default now."
    ),
]


@app.command()
def cutover(
    inventory: InventoryOpt = Path("inventory"),
    to: Annotated[
        str | None,
        typer.Option("--phase", "--to", help="Target phase (default: each site's desired phase)."),
    ] = None,
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    change_id: ChangeOpt = None,
    max_fail: Annotated[
        str, typer.Option("--max-fail", help="Health gate per wave, e.g. 10%.")
    ] = "10%",
    wave_size: Annotated[
        int | None, typer.Option(min=1, help="Waves of N sites (after the canary).")
    ] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue an interrupted cutover run.")
    ] = None,
    now: NowOpt = None,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Move sites to the central provider: canary first, then waves, with a health gate."""
    from netprov.cutover import WaveResult, cutover_target, plan_waves, run_cutover
    from netprov.tasks.pipeline import cutover_task

    if resume is not None:
        row, _ = _resumable(db, resume, "cutover", "confirmed")
        saved = json.loads(row.params)
        to, max_fail, wave_size = saved["to"], saved["max_fail"], saved["wave_size"]
        limit, kind, wave, group = saved["limit"], saved["kind"], saved["wave"], saved["group"]
        change_id = change_id or row.change_id
    params = json.dumps(
        {
            "to": to,
            "max_fail": max_fail,
            "wave_size": wave_size,
            "limit": limit,
            "kind": kind,
            "wave": wave,
            "group": group,
            "resumed_from": resume,
        }
    )
    gate = _percent(max_fail)
    target = _phase(to)
    given = _moment(now)
    with _context_from("cutover", locals(), phase=target, params=params) as ctx:
        moment = _on_clock(given, ctx.loaded.organisation.timezone)
        if resume is not None:
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        chosen = [ctx.loaded.site(site_id) for site_id in ctx.site_ids]
        departs = [
            s.id for s in chosen if target and cutover_target(s, target) != cutover_target(s, None)
        ]
        if departs and not as_json:
            err.print(
                f"[yellow]--to {target}[/] departs from the inventory for {len(departs)} site(s)"
                f" ({', '.join(departs[:5])}{', ...' if len(departs) > 5 else ''}): their"
                " desired_phase stays as git says; record it with `netprov promote`",
                soft_wrap=True,
            )
        waves = plan_waves(chosen, wave_size)

        def run_wave(sites: list[Any]) -> list[Outcome]:
            ctx.site_ids = [s.id for s in sites]
            return _run(
                ctx,
                cutover_task,
                f"wave ({len(sites)} sites)",
                as_json,
                workers,
                to=target,
                now=moment,
            )

        def proceed(number: int, result: WaveResult) -> bool:
            if not as_json:
                _table(result.outcomes, f"wave {number}: {result.failure_rate:.0%} failed")
            return yes or typer.confirm(
                f"Wave {number} done. Continue with the next wave?", default=False
            )

        result = run_cutover(ctx.pipeline, waves, run_wave=run_wave, max_fail=gate, proceed=proceed)
        if as_json:
            _emit_json(
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
                }
            )
        else:
            last = result.waves[-1] if result.waves else None
            if last is not None:  # earlier waves were shown between waves
                _table(last.outcomes, f"wave {last.number}: {last.failure_rate:.0%} failed")
            if result.stopped:
                err.print(f"[red]{result.stopped}[/]; {len(result.untouched)} site(s) not touched")
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


@app.command()
def status(
    inventory: InventoryOpt = Path("inventory"),
    db: DbOpt = None,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Every site's desired phase (git) beside its confirmed phase and last step (the
    journal), and whether they agree; no router contact (``netprov drift`` reads routers)."""
    from netprov.drift import phase_rank

    loaded = _load(inventory, today, as_json, "status")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    journal = _journal(db, create=False)
    rows: list[dict[str, Any]] = []
    for site in sites:
        last = journal.last_step(site.id)
        confirmed = Phase(journal.confirmed_phase(site.id) or "legacy")
        order = phase_rank(confirmed) - phase_rank(site.desired_phase)
        rows.append(
            {
                "site": site.id,
                "kind": site.kind.value,
                "wave": site.wave,
                "desired": site.desired_phase.value,
                "phase": confirmed.value,
                "state": "in_sync" if order == 0 else ("pending" if order < 0 else "ahead"),
                "last_step": last.step if last else None,
                "last_ok": last.ok if last else None,
                "at": last.at.isoformat() if last else None,
            }
        )
    if as_json:
        _emit_json({"command": "status", "ok": True, "sites": rows})
        return
    table = Table(header_style="bold")
    for column in (
        "site",
        "kind",
        "wave",
        "desired (git)",
        "phase (journal)",
        "state",
        "last step",
    ):
        table.add_column(column)
    colours = {"in_sync": "green", "pending": "cyan", "ahead": "red"}
    for row in rows:
        mark = (
            "" if row["last_ok"] is None else ("[green]✓[/] " if row["last_ok"] else "[red]✗[/] ")
        )
        table.add_row(
            row["site"],
            row["kind"],
            str(row["wave"]),
            row["desired"],
            row["phase"],
            f"[{colours[row['state']]}]{row['state']}[/]",
            f"{mark}{row['last_step'] or ''}",
        )
    out.print(table)


@app.command()
def report(
    inventory: InventoryOpt = Path("inventory"),
    db: DbOpt = None,
    lang: Annotated[str, typer.Option(help="id (Bahasa Indonesia) or en.")] = "id",
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "build/report.html"
    ),
    today: TodayOpt = None,
) -> None:
    """Write the managers' HTML report: progress, failures, allocation, contracts, budget."""
    from netprov.report import TEXT, render_html, report_data

    if lang not in TEXT:
        raise typer.BadParameter("choose id or en", param_hint="--lang")
    loaded = _load(inventory, today, False, "report")
    data = report_data(loaded, _journal(db, create=False), _today(today) or dt.date.today())
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(render_html(loaded, data, lang), encoding="utf-8")
    out.print(f"report written: {out_file.resolve()}", soft_wrap=True)


@app.command()
def evidence(
    site_id: Annotated[str, typer.Argument(metavar="SITE", help="Site id.")],
    inventory: InventoryOpt = Path("inventory"),
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the pack.")] = Path(
        "build/evidence"
    ),
    today: TodayOpt = None,
) -> None:
    """Write the audit pack of one office (configs, diff, checks, journal; secrets masked)."""
    from netprov.evidence import write_evidence

    loaded = _load(inventory, today, False, "evidence")
    try:
        site = loaded.site(site_id)
    except KeyError:
        raise typer.BadParameter(f"unknown site {site_id!r}", param_hint="SITE") from None
    mask = driver_for(site.router.platform).mask_secrets
    try:
        pack = write_evidence(_journal(db, backups, create=False), site_id, out_dir, mask)
    except LookupError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"evidence pack written: {pack.resolve()}", soft_wrap=True)


@app.command()
def finalize(
    inventory: InventoryOpt = Path("inventory"),
    soak: Annotated[
        str, typer.Option(help="How long a site must run clean on central (14d, 12h).")
    ] = "14d",
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    change_id: ChangeOpt = None,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Remove the office ISP line from sites that have run clean on central for the soak."""
    from netprov.cutover import parse_duration
    from netprov.tasks.pipeline import finalize_task

    try:
        period = parse_duration(soak)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--soak") from None
    if not yes and not typer.confirm("Remove the legacy line from soaked sites?", default=False):
        err.print("aborted; nothing was changed")
        raise typer.Exit(EXIT_INVALID)
    with _context_from("finalize", locals(), phase=Phase.FINAL) as ctx:
        outcomes = _run(ctx, finalize_task, "finalize", as_json, workers, soak=period)
        _finish("finalize", ctx, outcomes, as_json)


@app.command()
def drill(
    inventory: InventoryOpt = Path("inventory"),
    twin: TwinOpt = False,
    from_backups: FromBackupsOpt = None,
    hosts_file: HostsOpt = None,
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
    backups: BackupsOpt = Path("backups"),
    change_id: ChangeOpt = None,
    now: NowOpt = None,
    yes: YesOpt = False,
    workers: WorkersOpt = 10,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Failover drill: take each site's primary line down, expect the backup line to carry
    the office within settings.drill_failover_seconds, bring the primary back, prove the
    config is unchanged. Inside maintenance windows only; a failed drill exits 1."""
    from netprov.tasks.pipeline import drill_task

    given = _moment(now)
    if not yes and not typer.confirm(
        "Take the primary line of the selected sites down for a failover drill?", default=False
    ):
        err.print("aborted; nothing was changed")
        raise typer.Exit(EXIT_INVALID)
    with _context_from("drill", locals()) as ctx:
        moment = _on_clock(given, ctx.loaded.organisation.timezone)
        outcomes = _run(ctx, drill_task, "drill", as_json, workers, now=moment)
        _finish("drill", ctx, outcomes, as_json)
