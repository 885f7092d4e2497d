"""``netprov rollback``: sites restored to a backed-up config through the safe change
pipeline, after naming each router and the backup it would get back."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from netprov.cli import tables
from netprov.cli.app import (
    EXIT_INVALID,
    cancelled,
    err,
    load_or_exit,
    open_journal,
    out,
    select,
)
from netprov.cli.options import (
    SELECTION,
    RouterOptions,
    YesOpt,
    router_command,
)
from netprov.cli.router_run import (
    ask_or_refuse,
    finish,
    resumable,
    router_run,
    run_sites,
)
from netprov.rollout import steps


@router_command(
    "inventory",
    "twin",
    "from_backups",
    "hosts_file",
    "db",
    "backups",
    "run",
    "before",
    "resume",
    "yes",
    "engine",
    "broker",
    *SELECTION,
)
def rollback(
    opts: RouterOptions,
    run: Annotated[
        str | None, typer.Option("--run", metavar="RUN", help="Restore the backup of this run.")
    ] = None,
    before: Annotated[
        str | None,
        typer.Option("--before", metavar="RUN", help="Restore the last backup before this run."),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option("--resume", metavar="RUN", help="Finish an interrupted rollback run."),
    ] = None,
    yes: YesOpt = False,
) -> None:
    """Restore sites to a backed-up config.

    By default the backup taken before the site's last change. What the router holds is
    backed up first; the journal records the phase the restored config is in."""

    if resume is not None:
        row, remaining = resumable(opts.db, resume, "rollback", "rolled_back")
        opts = opts.replace(limit=remaining)
        saved = json.loads(row.params or "{}")
        run, before = run or saved.get("run"), before or saved.get("before")
    ask_or_refuse("rollback", yes)
    if not yes:
        _ask_rollback(opts, run, before)
    params = json.dumps({"run": run, "before": before})
    with router_run("rollback", opts, params=params) as ctx:
        if resume is not None:
            ctx.pipeline.journal.take_over(resume, ctx.pipeline.run_id)
        outcomes = run_sites(
            ctx,
            steps.ROLLBACK,
            steps.RollbackArguments(run_id=run, before_run=before),
            "rollback",
        )
        finish("rollback", ctx, outcomes)


def _ask_rollback(opts: RouterOptions, run: str | None, before: str | None) -> None:
    """Name each router, the phase and the backup it would get back (time, run), from the
    journal alone, and ask; a "no", or nothing to restore, changes nothing."""
    from netprov.change.restore import backup_phase, chosen_backup, taken

    console = err if opts.as_json else out  # --json keeps stdout for its document
    loaded = load_or_exit(opts.inventory, opts.today, opts.as_json, "rollback")
    sites = select(loaded, limit=opts.limit, kind=opts.kind, wave=opts.wave, group=opts.group)
    journal = open_journal(opts.db, opts.backups_dir)
    restorable, none = [], []
    for site in sites:
        backup = chosen_backup(journal, site.id, run_id=run, before_run=before)
        if isinstance(backup, str):
            none.append(f"{site.id} ({backup})")
            continue
        restorable.append(site.id)
        said = (
            f"restores {site.id} to its backup taken at phase {backup_phase(journal, backup)}, "
            f"{taken(backup)} (run {backup.run_id})"
        )
        console.print(tables.hanging(said, console.width))
    if none:
        more = f", and {len(none) - 5} more" if len(none) > 5 else ""
        console.print(
            tables.hanging(f"nothing to restore on {', '.join(none[:5])}{more}", console.width)
        )
    if not restorable:
        err.print("nothing to roll back; nothing was changed")
        raise typer.Exit(EXIT_INVALID)
    named = restorable[0] if len(restorable) == 1 else f"these {len(restorable)} routers"
    question = f"Restore {named} to {'this backup' if len(restorable) == 1 else 'these backups'}?"
    if not typer.confirm(question, default=False, err=opts.as_json):
        cancelled()
