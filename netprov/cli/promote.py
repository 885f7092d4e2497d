"""``netprov promote``: the edit of the desired state that starts a cutover step, in the
inventory files (keeping comments and layout) or in Nautobot's locations. Offline: no
router is contacted."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from netprov.cli.app import (
    EXIT_INVALID,
    emit_json,
    err,
    load_or_exit,
    out,
    parse_today,
    print_problems,
    select,
)
from netprov.cli.options import (
    GroupOpt,
    InventoryOpt,
    JsonOpt,
    KindOpt,
    LimitOpt,
    TodayOpt,
    WaveOpt,
)
from netprov.errors import InventoryError, NetprovError, SourceError
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.inventory.promote import Promotion, edited_files, plan_promotions, promotion_problems
from netprov.models import Phase


def promote(
    to: Annotated[
        Phase,
        typer.Option(
            "--to",
            metavar="PHASE",
            help="The desired phase to write: legacy, dual, central or final.",
        ),
    ],
    inventory: InventoryOpt = "inventory",
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diff; write nothing.")
    ] = False,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Set the sites' desired phase in the inventory files.

    One phase at a time (a skipped phase is refused), keeping comments and layout: the
    change to review and commit before cutover converges the routers to it."""
    loaded = load_or_exit(inventory, today, as_json, "promote")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    steps, refused = plan_promotions(sites, to)
    if refused:
        _refuse(as_json, refused)
    if loaded.nautobot is not None:
        _promote_in_nautobot(loaded, steps, to, dry_run, as_json, today)
        return
    try:
        edits = edited_files(loaded.root, steps)
    except NetprovError as exc:
        _refuse(as_json, [str(exc)])
    _still_valid(loaded.root, edits, today, as_json)
    if not dry_run:
        for path, (_, new) in edits.items():
            path.write_text(new, encoding="utf-8")
    changed = [s for s in steps if s.changes]
    if as_json:
        _emit_promoted(to, dry_run, steps, [str(path) for path in edits])
        return
    for path, (old, new) in edits.items():
        diff = difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), str(path), str(path)
        )
        out.print(escape("".join(diff)), end="")
    verb = "would set" if dry_run else "set"
    out.print(
        f"{verb} desired_phase {to.value} on {len(changed)} site(s)"
        f" ({len(steps) - len(changed)} already there)"
        + ("" if dry_run or not changed else "; review with git diff, then commit"),
        soft_wrap=False,  # a sentence: wrapped between words
    )


def _promote_in_nautobot(
    loaded: LoadedInventory,
    steps: list[Promotion],
    to: Phase,
    dry_run: bool,
    as_json: bool,
    today: str | None,
) -> None:
    """The sites are kept in Nautobot: their locations' desired phase custom field is what
    changes (nothing else), once the promoted inventory passes the cross-checks."""
    from netprov.inventory.nautobot.client import NautobotClient
    from netprov.inventory.nautobot.export import write_phases
    from netprov.secrets import EnvironmentSecrets

    assert loaded.nautobot is not None
    problems = promotion_problems(loaded, steps, parse_today(today))
    if problems:
        if not as_json:
            print_problems(problems)
        _refuse(as_json, [f"the promoted inventory is not valid: {len(problems)} error(s)"])
    changed = [s for s in steps if s.changes]
    pages: list[str] = []
    if not dry_run:
        client = NautobotClient(loaded.nautobot, EnvironmentSecrets(loaded.root))
        try:
            pages = write_phases(client, {s.site: s.after.value for s in changed})
        except SourceError as exc:
            _refuse(as_json, [str(exc)])
    if as_json:
        _emit_promoted(to, dry_run, steps, pages)
        return
    for step in changed:
        out.print(f"{step.site}: desired_phase {step.before.value} -> {step.after.value}")
    verb = "would set" if dry_run else "set"
    out.print(
        f"{verb} desired_phase {to.value} on {len(changed)} site(s) in {loaded.nautobot}"
        f" ({len(steps) - len(changed)} already there)",
        soft_wrap=False,  # a sentence: wrapped between words
    )


def _emit_promoted(to: Phase, dry_run: bool, steps: list[Promotion], items: list[str]) -> None:
    """promote's JSON document; ``items`` are the files edited, or the locations' pages."""
    emit_json(
        {
            "command": "promote",
            "ok": True,
            "to": to.value,
            "written": not dry_run,
            "sites": [s.as_dict() for s in steps],
            "items": items,
        }
    )


def _refuse(as_json: bool, reasons: list[str]) -> NoReturn:
    if as_json:
        emit_json({"command": "promote", "ok": False, "refused": reasons, "sites": []})
    for reason in reasons:
        err.print(f"[red]refused:[/] {escape(reason)}", soft_wrap=True)
    err.print("nothing was written")
    raise typer.Exit(EXIT_INVALID)


def _still_valid(
    root: Path, edits: dict[Path, tuple[str, str]], today: str | None, as_json: bool
) -> None:
    """The edited inventory must load (the cross-checks see the new phases), or nothing is
    written: a copy with the edits is validated first."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy)
        for path, (_, new) in edits.items():
            (copy / path.relative_to(root)).write_text(new, encoding="utf-8")
        try:
            load_inventory(copy, today=parse_today(today))
        except InventoryError as exc:
            if not as_json:
                print_problems(exc.problems)
            _refuse(as_json, [f"the promoted inventory is not valid: {exc}"])
