"""The commands that read or change routers one site at a time: ``backup``, ``plan``,
``apply``, ``adopt``, ``verify``, ``drift`` and ``trust`` (host keys); ``rollback`` is
:mod:`netprov.cli.rollback`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from netprov.change.outcome import Outcome
from netprov.cli import tables
from netprov.cli.app import (
    EXIT_INVALID,
    emit_json,
    err,
    load_or_exit,
    one_phase,
    out,
    select,
)
from netprov.cli.checks_view import checks_tables
from netprov.cli.options import (
    SELECTION,
    TARGETS,
    GroupOpt,
    HostsOpt,
    InventoryOpt,
    JsonOpt,
    KindOpt,
    LimitOpt,
    PhaseOpt,
    RevertOpt,
    RouterOptions,
    TodayOpt,
    WaveOpt,
    YesOpt,
    router_command,
)
from netprov.cli.router_run import (
    ask_or_refuse,
    ask_to_push,
    finish,
    outcome_table,
    resumable,
    router_run,
    run_sites,
    run_sites_any,
    say_departures,
    show_plans,
    summary,
)
from netprov.errors import DeviceError
from netprov.models import Phase
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.platforms.device import targets_from_hosts_file
from netprov.rollout import steps
from netprov.rollout.targets import real_targets
from netprov.secrets import EnvironmentSecrets


@router_command("inventory", *TARGETS, *SELECTION, "commit")
def backup(
    opts: RouterOptions,
    commit: Annotated[
        bool,
        typer.Option(
            "--commit", help="Commit what changed in the backups folder to git (only there)."
        ),
    ] = False,
) -> None:
    """Back up the routers' running configs.

    Each config goes into the journal (sealed) and into <site>.cfg in --backups (secrets
    masked, for git). With --commit the refreshed files are committed, one commit per run naming the
    routers whose config changed (as Oxidized keeps configs in git), so CI plans against
    what the routers hold. Nothing else staged in the repository is committed.
    """

    with router_run("backup", opts) as ctx:
        outcomes = run_sites(ctx, steps.BACKUP, steps.NoArguments(), "backup")
        extra = (
            _commit_backups(opts.backups_dir, ctx.pipeline.run_id, opts.as_json) if commit else {}
        )
        finish("backup", ctx, outcomes, extra)


def _commit_backups(backups: Path, run_id: str, as_json: bool) -> dict[str, Any]:
    from netprov.state.gitrepo import commit_backups

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
    from netprov.state.gitrepo import git

    listed = git(["status", "--porcelain", "--untracked-files=all", "--", "."], backups.resolve())
    return [line[3:] for line in listed.decode().splitlines()]


@router_command("inventory", "phase", *TARGETS, "out_file", "diff", *SELECTION)
def plan(
    opts: RouterOptions,
    phase: PhaseOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Save the plan (JSON), for apply --plan."),
    ] = None,
    diff: Annotated[
        bool, typer.Option("--diff", help="Also show each change as a unified diff.")
    ] = False,
) -> None:
    """Dry run: show each site's change; nothing is pushed.

    Each router's running config is read and backed up first (the journal, and <site>.cfg
    in --backups: backups/ beside the inventory folder unless given). Exit 0 when nothing
    would change, 2 when changes are pending, 1 on errors.
    """

    target = one_phase(phase)
    with router_run("plan", opts, phase=target) as ctx:
        outcomes = run_sites(ctx, steps.PLAN, steps.PlanArguments(phase=target), "plan")
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
        if opts.as_json:  # ok: the exit status, which says whether a change is pending
            clean = not any(o.failed for o in outcomes) and not any(p.changed for p in plans)
            emit_json({**summary("plan", ctx, outcomes), "ok": clean})
        else:
            show_plans(plans, diff=diff, pipeline=ctx.pipeline)
            outcome_table(outcomes, f"plan (run {ctx.pipeline.run_id})")
    if any(o.failed for o in outcomes):
        raise typer.Exit(EXIT_INVALID)
    if any(p.changed for p in plans):
        raise typer.Exit(2)


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


@router_command(
    "inventory",
    "phase",
    *TARGETS,
    "change_id",
    "plan_file",
    "revert_minutes",
    "resume",
    "yes",
    "engine",
    "broker",
    *SELECTION,
)
def apply(
    opts: RouterOptions,
    phase: PhaseOpt = None,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", metavar="FILE", help="Apply a saved plan (refused if stale)."),
    ] = None,
    revert_minutes: RevertOpt = 5,
    resume: Annotated[
        str | None,
        typer.Option(
            "--resume", metavar="RUN", help="Finish an interrupted apply run (its sites, phase)."
        ),
    ] = None,
    yes: YesOpt = False,
) -> None:
    """Push each site's change safely: revert armed, verified.

    Per site: back up, plan, push with a device-side revert armed, verify, then confirm,
    or revert and prove the config is back. Without --yes the plan is shown and asked
    about, and exactly that plan is pushed."""

    if opts.broker is not None and (plan_file is not None or not yes):
        raise typer.BadParameter(
            "on workers, apply plans and pushes on the worker: give --yes (and no --plan); "
            "review first with `netprov plan`",
            param_hint="--engine",
        )
    saved = _load_saved(plan_file) if plan_file else None
    if resume is not None:
        row, remaining = resumable(opts.db, resume, "apply", "confirmed")
        phase = phase or row.phase
        opts = opts.replace(limit=remaining, change_id=opts.change_id or row.change_id)
    target = one_phase(phase)
    ask_or_refuse("apply", yes)
    with router_run("apply", opts, phase=target) as ctx:
        if resume is not None:
            # its locks pass to this run, which first settles what it left armed
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        if saved is not None:
            ctx.site_ids = [s for s in ctx.site_ids if s in saved]
        chosen = [ctx.loaded.site(site_id) for site_id in ctx.site_ids]
        departs = sorted(s.id for s in chosen if target and target is not s.desired_phase)
        if target is not None:
            say_departures("--phase", target, departs, opts.as_json)
        if not yes:
            # show exactly what would be pushed, then push that plan (refused if stale)
            if saved is None:
                planned = run_sites(ctx, steps.PLAN, steps.PlanArguments(phase=target), "plan")
                saved = {o.site: o.plan for o in planned if o.plan is not None}
            pending = [p for p in saved.values() if p.changed]
            if not pending:
                out.print("nothing to change")
                return
            ask_to_push(ctx, pending, "Apply {commands} command(s) to {routers} router(s)?")
        ctx.pipeline.revert_minutes = revert_minutes
        outcomes = run_sites(
            ctx, steps.APPLY, steps.ApplyArguments(phase=target, saved=saved), "apply"
        )
        finish("apply", ctx, outcomes, {"departs_from_inventory": departs})


@router_command("inventory", "phase", *TARGETS, "change_id", "revert_minutes", "yes", *SELECTION)
def adopt(
    opts: RouterOptions,
    phase: PhaseOpt = "legacy",
    revert_minutes: RevertOpt = 5,
    yes: YesOpt = False,
) -> None:
    """Take over what a router in service already holds.

    What the inventory describes (its uplink client, LAN address, DHCP server, ...) is
    tagged netprov:<key> and aligned, nothing added, nothing removed: a safe change of its
    own (backup, revert timer, "the office works as it did" checks). A router whose
    objects clash with the inventory is refused, naming them. Then apply brings the rest
    of the phase."""

    target = one_phase(phase)
    ask_or_refuse("adopt", yes)
    with router_run("adopt", opts, phase=target) as ctx:
        if not yes:
            adoption = steps.PlanArguments(phase=target, adopt=True)
            planned = run_sites(ctx, steps.PLAN, adoption, "plan")
            refused = [o for o in planned if o.failed]
            pending = [
                o.plan.adoption() for o in planned if o.plan and o.plan.adopted and not o.failed
            ]
            if refused:
                outcome_table(refused, "refused")
            if not pending:
                out.print("nothing to adopt")
                if refused:
                    raise typer.Exit(EXIT_INVALID)
                return
            ask_to_push(ctx, pending, "Adopt with {commands} command(s) on {routers} router(s)?")
        ctx.pipeline.revert_minutes = revert_minutes
        outcomes = run_sites(
            ctx, steps.APPLY, steps.ApplyArguments(phase=target, adopt=True), "adopt"
        )
        finish("adopt", ctx, outcomes)


@router_command("inventory", "phase", *TARGETS, "engine", "broker", *SELECTION)
def verify(opts: RouterOptions, phase: PhaseOpt = None) -> None:
    """Run the verification checks on each site.

    What the phase promises, proven on the router: management, each line and its
    gateway, the default route, internet and city services from the LAN, path MTU,
    shaping, DNS filtering, DHCP, the backup line's route. A table per site."""

    target = one_phase(phase)
    with router_run("verify", opts, phase=target) as ctx:
        outcomes = run_sites(ctx, steps.VERIFY, steps.PhaseArguments(phase=target), "verify")
        if not opts.as_json:
            checked = sorted(outcomes, key=lambda o: o.site)
            groups = [(f"{o.site}: {o.status}", [c.as_dict() for c in o.checks]) for o in checked]
            for table in checks_tables(groups):
                out.print(table)
        finish("verify", ctx, outcomes)


@router_command("inventory", *TARGETS, *SELECTION)
def drift(opts: RouterOptions) -> None:
    """Compare each router with its desired phase (read-only).

    Each router against its desired phase in git: the phase its config is in, beside the
    one the journal recorded, and what would converge it. Nothing is pushed or stored.

    Exit 0 when every router holds its desired config, 2 when any differs, 1 when a
    router could not be read.
    """
    from netprov.checks.drift import Drift, DriftState

    with router_run("drift", opts) as ctx:
        found = run_sites_any(ctx, steps.DRIFT, steps.NoArguments(), "drift")
        drifts = sorted((d for d in found if isinstance(d, Drift)), key=lambda d: d.site)
        failures = sorted((o for o in found if isinstance(o, Outcome)), key=lambda o: o.site)
        if opts.as_json:
            sites = [
                {**d.as_dict(), "status": d.state.value, "detail": d.describe()} for d in drifts
            ]
            sites += [o.as_dict() for o in failures]
            emit_json(
                {
                    "command": "drift",
                    # the exit status: 0 only when every router holds its desired config
                    "ok": not failures and all(d.state is DriftState.IN_SYNC for d in drifts),
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
    rows = [{**d.as_dict(), "status": d.state.value, "detail": d.describe()} for d in drifts]
    rows += [{"site": o.site, "status": "failed", "detail": o.detail} for o in failures]
    tables.drift_table(out, rows, f"drift (run {run_id})")


def trust(
    inventory: InventoryOpt = "inventory",
    hosts_file: HostsOpt = None,
    known_hosts: Annotated[
        Path | None,
        typer.Option(
            "--known-hosts",
            metavar="FILE",
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
    """Record the routers' SSH host keys.

    Trust on first use, explicitly: every later session refuses a router whose key
    differs. Check the fingerprints printed against the routers' own."""
    from netprov.platforms.hostkeys import fetch_host_key, record

    loaded = load_or_exit(inventory, today, as_json, "trust")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    targets = (
        targets_from_hosts_file(hosts_file)
        if hosts_file
        else real_targets(loaded, EnvironmentSecrets(loaded.root), passwords=False)
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
        emit_json({"command": "trust", "ok": ok, "sites": rows})
    else:
        tables.trust_table(out, rows)
    if not ok:
        raise typer.Exit(EXIT_INVALID)
