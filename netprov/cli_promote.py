"""``netprov promote``: the inventory edit that starts a cutover step (netprov/promote.py)."""

from __future__ import annotations

import difflib
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

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
    _print_problems,
    _today,
    app,
    err,
    out,
    select,
)
from netprov.errors import InventoryError, NetprovError
from netprov.inventory import load_inventory
from netprov.models import Phase
from netprov.promote import edited_files, plan_promotions


@app.command()
def promote(
    to: Annotated[Phase, typer.Option("--to", help="The desired phase to write.")],
    inventory: InventoryOpt = Path("inventory"),
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
    """Set the selected sites' desired phase in the inventory files (one phase at a time),
    keeping comments and layout: the change to review and commit before `cutover`."""
    loaded = _load(inventory, today, as_json, "promote")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    steps, refused = plan_promotions(sites, to)
    if refused:
        _refuse(as_json, refused)
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
        _emit_json(
            {
                "command": "promote",
                "ok": True,
                "to": to.value,
                "written": not dry_run,
                "sites": [s.as_dict() for s in steps],
                "items": [str(path) for path in edits],
            }
        )
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
        + ("" if dry_run or not changed else "; review with git diff, then commit")
    )


def _refuse(as_json: bool, reasons: list[str]) -> None:
    if as_json:
        _emit_json({"command": "promote", "ok": False, "refused": reasons, "sites": []})
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
            load_inventory(copy, today=_today(today))
        except InventoryError as exc:
            if not as_json:
                _print_problems(exc.problems)
            _refuse(as_json, [f"the promoted inventory is not valid: {exc}"])
