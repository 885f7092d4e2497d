"""What the journal knows, without touching a router: ``runs``, ``run``, ``status``, the
managers' ``report``, an office's ``evidence`` pack, and ``unlock`` (a person releasing a
stuck run's lock)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from netprov.cli import tables
from netprov.cli.app import (
    EXIT_INVALID,
    emit_json,
    err,
    load_or_exit,
    open_journal,
    out,
    parse_today,
    select,
)
from netprov.cli.checks_view import checks_tables
from netprov.cli.options import (
    BackupsOpt,
    DbOpt,
    GroupOpt,
    InventoryOpt,
    JsonOpt,
    KindOpt,
    LimitOpt,
    TodayOpt,
    WaveOpt,
    backups_folder,
    between,
)
from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.state.journal import Step


def unlock(
    site_id: Annotated[str, typer.Argument(metavar="SITE", help="Site id.")],
    run: Annotated[
        str,
        typer.Option(
            "--run",
            metavar="RUN",
            help="The run holding the lock (a site it refuses says: locked by run RUN).",
        ),
    ],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release a site's lock held by a run that will not finish.

    A person's decision: check the router first (netprov plan shows whether it holds an
    unconfirmed change)."""
    journal = open_journal(db, create=False)
    holder = journal.lock_holder(site_id)
    released = journal.force_unlock(site_id, run)
    if as_json:
        emit_json(
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
        err.print(f"[red]error:[/] {_not_released(site_id, run, holder)}")
    if not released:
        raise typer.Exit(EXIT_INVALID)


def _not_released(site_id: str, run: str, holder: str | None) -> str:
    """Why ``unlock`` released nothing, and what to do instead."""
    if holder is None:
        return f"{site_id} is not locked: nothing to release"
    return (
        f"{site_id} is locked by run {holder}, not {run}; if run {holder} will never "
        f"finish: netprov unlock {site_id} --run {holder}"
    )


def run_record(row: Any) -> dict[str, Any]:
    """A run as ``--json`` names it, in ``runs`` and ``run`` alike."""
    return {
        "run_id": row.id,
        "command": row.command,
        "phase": row.phase,
        "user": row.user,
        "change_id": row.change_id,
        "git_commit": row.git_commit,
        "status": row.status,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


def step_detail(step: Any) -> str:
    """A step's detail for people: a verification's or drill's checks summed up (they are
    in its ``data``), else the detail as journaled."""
    if step.step in {Step.VERIFIED, Step.DRILLED} and isinstance(step.data, list):
        checks = [c for c in step.data if isinstance(c, dict)]
        failed = sum(not c.get("ok") for c in checks)
        return f"{len(checks)} check(s), {failed} failed"
    return str(step.detail)


def runs(
    db: DbOpt = None,
    as_json: JsonOpt = False,
    last: Annotated[
        int, typer.Option(metavar="N", callback=between(1), help="How many runs, newest first.")
    ] = 20,
) -> None:
    """Run history from the journal.

    The newest runs first: id, when it started (this machine's time), command, phase,
    how it ended. netprov run RUN shows one in full."""
    rows = open_journal(db, create=False).runs(last)
    if as_json:
        emit_json(
            {
                "command": "runs",
                "ok": True,
                "items": [run_record(r) for r in rows],
            }
        )
        return
    tables.runs_table(out, rows)


def run_detail(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="Run id (see netprov runs).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every step of one run, per site.

    Each step with its time and detail; each verification's checks as a table."""
    row, steps = open_journal(db, create=False).run(run_id)
    if row is None:
        err.print(f"[red]error:[/] no run {run_id!r} in the journal")
        raise typer.Exit(EXIT_INVALID)
    if as_json:
        emit_json(
            {
                "command": "run",
                "ok": True,
                "run_id": row.id,
                "run": run_record(row),
                "items": [
                    {
                        "site": s.site,
                        "step": s.step,
                        "ok": s.ok,
                        "detail": step_detail(s),
                        "phase": s.phase,
                        "data": s.data,
                        "diff": s.diff,
                        "at": s.at,
                    }
                    for s in steps
                ],
            }
        )
        return
    out.print(
        f"run {row.id}: {row.command}{' ' + row.phase if row.phase else ''} by "
        f"{escape(row.user)}, {row.status}"
        f"{', change ' + escape(row.change_id) if row.change_id else ''}",
        soft_wrap=False,  # a sentence: wrapped between words
    )
    checked: list[tuple[str, list[dict[str, Any]]]] = []
    shown = []
    for s in steps:
        detail = step_detail(s)
        if s.step in {Step.VERIFIED, Step.DRILLED} and isinstance(s.data, list):
            detail += " (below)"
            checks = [c for c in s.data if isinstance(c, dict)]
            checked.append((f"{s.site}: {s.step} at {tables.local_time(s.at, '%H:%M:%S')}", checks))
        shown.append((s.at, s.site, str(s.step), s.ok, detail))
    if not shown:  # drift journals a run, not steps: nothing is pushed or stored
        out.print("no steps journaled")
        return
    tables.steps_table(out, shown)
    for table in checks_tables(checked):
        out.print(table)


def status(
    inventory: InventoryOpt = "inventory",
    db: DbOpt = None,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Each site's desired phase beside the journal's (offline).

    Every site's desired phase (git) beside the phase the journal last recorded its router
    in, whether they agree, and its last step. No router is contacted (netprov drift
    reads the routers).

    The journal records a router's phase at each confirm, rollback or revert (the phase of
    the config restored) and cutover reconciliation."""
    from netprov.checks.drift import phase_rank

    loaded = load_or_exit(inventory, today, as_json, "status")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    journal = open_journal(db, create=False)
    rows: list[dict[str, Any]] = []
    for site in sites:
        last = journal.last_step(site.id)
        record = journal.phase_record(site.id)
        phase = record.phase if record is not None else Phase.LEGACY  # never changed
        order = 0 if phase is None else phase_rank(phase) - phase_rank(site.desired_phase)
        state = "in_sync" if order == 0 else ("pending" if order < 0 else "ahead")
        rows.append(
            {
                "site": site.id,
                "kind": site.kind.value,
                "wave": site.wave,
                "desired_phase": site.desired_phase.value,
                # None: the router matched no phase netprov renders
                "journal_phase": phase.value if phase is not None else None,
                "state": state if phase is not None else "drifted",
                "last_step": last.step if last else None,
                "last_ok": last.ok if last else None,
                "last_run_id": last.run_id if last else None,
                "last_at": last.at if last else None,
            }
        )
    if as_json:
        emit_json({"command": "status", "ok": True, "sites": rows})
        return
    tables.status_table(out, rows)


def report(
    inventory: InventoryOpt = "inventory",
    db: DbOpt = None,
    lang: Annotated[
        str, typer.Option(metavar="id|en", help="id (Bahasa Indonesia) or en (English).")
    ] = "id",
    out_file: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="HTML file to write.")
    ] = Path("build/report.html"),
    today: TodayOpt = None,
) -> None:
    """Write the managers' HTML report.

    For the heads of office and the budget holders: progress, failures in plain words,
    contracts, allocation and budget in rupiah; times on the organisation's clock."""
    from netprov.reports.managers import render_html, report_data
    from netprov.reports.words import TEXT

    if lang not in TEXT:
        raise typer.BadParameter("choose id or en", param_hint="--lang")
    loaded = load_or_exit(inventory, today, False, "report")
    data = report_data(
        loaded, open_journal(db, create=False), parse_today(today) or dt.date.today()
    )
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(render_html(loaded, data, lang), encoding="utf-8")
    out.print(f"report written: {out_file.resolve()}", soft_wrap=True)


def evidence(
    site_id: Annotated[str, typer.Argument(metavar="SITE", help="Site id.")],
    inventory: InventoryOpt = "inventory",
    db: DbOpt = None,
    backups: BackupsOpt = None,
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder for the pack.")
    ] = Path("build/evidence"),
    today: TodayOpt = None,
) -> None:
    """Write one office's audit pack.

    Its configs before and after, the diff, the checks and the journal's story, secrets
    masked: for an inspector."""
    from netprov.reports.evidence import write_evidence

    loaded = load_or_exit(inventory, today, False, "evidence")
    try:
        site = loaded.site(site_id)
    except KeyError:
        from netprov.suggest import closest, did_you_mean

        guess = closest(site_id, [s.id for s in loaded.sites])
        meant = f"\n  {did_you_mean(guess)}" if guess else ""
        raise typer.BadParameter(f"unknown site {site_id!r}{meant}", param_hint="SITE") from None
    mask = driver_for(site.router.platform).mask_secrets
    try:
        journal = open_journal(db, backups_folder(inventory, backups), create=False)
        pack = write_evidence(journal, site_id, out_dir, mask)
    except LookupError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"evidence pack written: {pack.resolve()}", soft_wrap=True)
