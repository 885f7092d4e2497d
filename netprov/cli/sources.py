"""``netprov inventory export``: the inventory to its source of truth (Nautobot) or to a
folder of YAML (to review in git, to check offline). The only command that writes to a
source of truth besides ``promote``'s phase field (docs/source-of-truth.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from netprov.cli import tables
from netprov.cli.app import EXIT_INVALID, emit_json, err, load_or_exit, out
from netprov.cli.options import InventoryOpt, JsonOpt, TodayOpt
from netprov.errors import SourceError
from netprov.models import Organisation, Site

inventory_app = typer.Typer(
    help="Export the inventory to Nautobot or a folder of YAML.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

COMMAND = "inventory export"


def export(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="DIR|URL",
            help="nautobot+https://HOST to seed (idempotent), or a folder to write YAML into.",
        ),
    ],
    inventory: InventoryOpt = "inventory",
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Export the inventory to Nautobot, or to a folder of YAML.

    To Nautobot: every site's location, router, interfaces, addresses and circuits, and the
    organisation's settings; found by their names and changed only where they differ, so a
    second export changes nothing. To a folder: organisation.yaml and sites/<kind>.yaml,
    which load back to the same inventory.
    """
    from netprov.inventory.nautobot.client import NautobotSpec, is_nautobot

    loaded = load_or_exit(inventory, today, as_json, COMMAND)
    if not is_nautobot(to):
        _to_folder(loaded.organisation, loaded.sites, loaded.source, Path(to), as_json)
        return
    from netprov.inventory.nautobot.client import NautobotClient
    from netprov.inventory.nautobot.export import export as export_to
    from netprov.inventory.nautobot.export import refusals
    from netprov.secrets import EnvironmentSecrets

    try:
        wanted = loaded.organisation.source_of_truth
        token = {"token": wanted.token} if wanted and wanted.nautobot == to else {}
        spec = NautobotSpec.parse(to, **token)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from None
    refused = refusals(loaded)
    if refused:
        _fail(as_json, refused, "nothing was written")
    try:
        report = export_to(loaded, NautobotClient(spec, EnvironmentSecrets(loaded.root)))
    except SourceError as exc:
        _fail(as_json, [str(exc)], "the export stopped; run it again to finish")
    if as_json:
        emit_json(
            {
                "command": COMMAND,
                "ok": True,
                "to": str(spec),
                "changed": report.changed,
                "beyond": report.beyond,
                "items": report.as_items(),
            }
        )
        return
    if report.changed:
        grid = tables.table()
        tables.name_column(grid, "objects")
        for column in ("created", "updated", "deleted"):
            tables.name_column(grid, column, right=True)
        for item in report.as_items():
            columns = ("endpoint", "created", "updated", "deleted")
            grid.add_row(*(str(item.get(column, 0)) for column in columns))
        tables.show(out, grid, f"{spec}: what changed")
    out.print(
        f"[green]✓ {len(loaded.sites)} sites exported to {spec}[/]: "
        + (f"{report.changed} change(s)" if report.changed else "nothing to change")
    )
    if report.beyond:
        out.print(
            f"[yellow]{len(report.beyond)} site(s) in Nautobot are not in this inventory[/] "
            f"(left as they are): {', '.join(report.beyond)}"
        )


def _to_folder(
    organisation: Organisation, sites: list[Site], source: str, target: Path, as_json: bool
) -> None:
    from netprov.inventory.files import inventory_files, write_inventory

    written = write_inventory(inventory_files(organisation, sites, source), target)
    if as_json:
        emit_json(
            {
                "command": COMMAND,
                "ok": True,
                "to": str(target),
                "items": [str(path) for path in written],
            }
        )
        return
    out.print(
        f"[green]✓ {len(sites)} sites written to {target}[/] ({len(written)} files): "
        f"review with git diff; `netprov check --inventory {target}` works offline"
    )


def _fail(as_json: bool, reasons: list[str], outcome: str) -> NoReturn:
    if as_json:
        emit_json({"command": COMMAND, "ok": False, "refused": reasons})
    for reason in reasons:
        err.print(f"[red]error:[/] {escape(reason)}", soft_wrap=True)
    err.print(outcome)
    raise typer.Exit(EXIT_INVALID)
