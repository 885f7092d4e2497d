"""The ``netprov`` command line.

Exit codes: 0 success, 1 invalid inventory or failed render, 2 usage error.
Human output goes through rich; ``--json`` prints one JSON document on stdout for CI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from netprov.errors import (
    InventoryError,
    NetprovError,
    Problem,
    RenderError,
    SelectionError,
    Severity,
)
from netprov.inventory import LoadedInventory, load_inventory
from netprov.models import Phase, Site

if TYPE_CHECKING:
    from netprov.twin.fleet import Twin
    from netprov.twin.scenario import Scenario

app = typer.Typer(
    name="netprov",
    help="Provision and cut over office routers to the central provider, safely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

InventoryOpt = Annotated[
    Path, typer.Option("--inventory", "-i", help="Inventory folder.", show_default=True)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
TodayOpt = Annotated[
    str | None,
    typer.Option(help="Date to check contracts against (YYYY-MM-DD); default: today."),
]
LimitOpt = Annotated[list[str] | None, typer.Option("--limit", help="Site id(s), comma-separated.")]
KindOpt = Annotated[list[str] | None, typer.Option("--kind", help="Site kind(s).")]
WaveOpt = Annotated[list[int] | None, typer.Option("--wave", help="Wave number(s).")]
GroupOpt = Annotated[list[str] | None, typer.Option("--group", help="Inventory group(s).")]


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--today"
        ) from None


def _print_problems(problems: Sequence[Problem]) -> None:
    """One line per problem, compiler style (``file:line: field: message``), so editors
    and CI logs can jump to it; never truncated by the terminal width."""
    for problem in problems:
        mark = "[red]error[/]" if problem.severity is Severity.ERROR else "[yellow]warning[/]"
        field = f" [bold]{escape(problem.field)}[/]:" if problem.field else ""
        where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
        # messages echo the user's input: never let it be read as rich markup
        err.print(f"{mark} {escape(where)}:{field} {escape(problem.message)}", soft_wrap=True)


def build_twin_or_exit(loaded: LoadedInventory, **options: Any) -> Twin:
    """A twin of the inventory (``build_twin``'s options), or exit 1 listing each starting
    config line the router refuses (file:line: the refused text and the router's words)."""
    from netprov.twin.fleet import build_twin

    try:
        return build_twin(loaded, **options)
    except InventoryError as exc:
        _print_problems(exc.problems)
        err.print(f"[red]✗ the twin cannot start: {len(exc.problems)} error(s)[/]")
        raise typer.Exit(EXIT_INVALID) from None


def load_scenario_or_exit(scenario: Path | None, known_sites: set[str]) -> Scenario | None:
    """A scenario file, or exit 1 listing its problems (file:line: field: message)."""
    from netprov.twin.scenario import load_scenario

    if scenario is None:
        return None
    try:
        return load_scenario(scenario, known_sites)
    except InventoryError as exc:
        _print_problems(exc.problems)
        err.print(f"[red]✗ scenario {escape(str(scenario))}: {len(exc.problems)} error(s)[/]")
        raise typer.Exit(EXIT_INVALID) from None


def select(
    loaded: LoadedInventory,
    *,
    limit: list[str] | None,
    kind: list[str] | None,
    wave: list[int] | None,
    group: list[str] | None,
) -> list[Site]:
    """The selected sites, or a usage error (exit 2) naming the option and what exists."""
    from netprov.selection import select_sites

    try:
        return select_sites(loaded.sites, limit=limit, kinds=kind, waves=wave, groups=group)
    except SelectionError as exc:
        raise typer.BadParameter(str(exc), param_hint=exc.option) from None


def _emit_json(document: dict[str, Any]) -> None:
    """Every ``--json`` document has one shape (README, "JSON output"): ``command``, ``ok``,
    ``run_id`` where the command is a journaled run, then ``sites`` (one object per site)
    and/or ``items`` (the command's other records)."""
    assert {"command", "ok"} <= document.keys(), document.keys()
    assert isinstance(document.get("sites", []), list), "sites is a list of per-site objects"
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def _load(inventory: Path, today: str | None, as_json: bool, command: str) -> LoadedInventory:
    """Load or exit 1 with every problem listed; never a traceback."""
    try:
        loaded = load_inventory(inventory, today=_today(today))
    except InventoryError as exc:
        errors = [p for p in exc.problems if p.severity is Severity.ERROR]
        if as_json:
            _emit_json(
                {"command": command, "ok": False, "problems": [p.as_dict() for p in exc.problems]}
            )
        else:
            _print_problems(exc.problems)
            unchanged = "; nothing was written" if command == "render" else ""
            err.print(
                f"[red]✗ {inventory}: {len(errors)} error(s)[/], "
                f"{len(exc.problems) - len(errors)} warning(s){unchanged}"
            )
        raise typer.Exit(EXIT_INVALID) from None
    if loaded.warnings and not as_json:
        _print_problems(loaded.warnings)
    return loaded


@app.command()
def validate(
    inventory: InventoryOpt = Path("inventory"),
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Validate the inventory: schema, cross-checks, contracts, CLI-safe strings."""
    loaded = _load(inventory, today, as_json, "validate")
    by_platform: dict[str, int] = {}
    for site in loaded.sites:
        by_platform[site.router.platform.value] = by_platform.get(site.router.platform.value, 0) + 1
    if as_json:
        _emit_json(
            {
                "command": "validate",
                "ok": True,
                "site_count": len(loaded.sites),
                "sites": [
                    {"site": s.id, "platform": s.router.platform.value} for s in loaded.sites
                ],
                "platforms": by_platform,
                "problems": [p.as_dict() for p in loaded.warnings],
            }
        )
        return
    platforms = ", ".join(f"{n} {name}" for name, n in sorted(by_platform.items()))
    out.print(
        f"[green]✓ {inventory}: {len(loaded.sites)} sites valid[/] ({platforms}); "
        f"{len(loaded.warnings)} warning(s)"
    )


def _parse_phases(values: list[str] | None) -> list[Phase]:
    from netprov.selection import split_csv

    names = split_csv(values) or ["all"]
    if "all" in names:
        return list(Phase)
    phases = []
    for name in names:
        try:
            phases.append(Phase(name))
        except ValueError:
            choices = ", ".join(p.value for p in Phase)
            raise typer.BadParameter(
                f"{name!r} is not one of: {choices}, all", param_hint="--phase"
            ) from None
    return phases


@app.command()
def render(
    inventory: InventoryOpt = Path("inventory"),
    phase: Annotated[
        list[str] | None, typer.Option(help="legacy, dual, central, final or all (repeatable).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("build/configs"),
    templates: Annotated[Path | None, typer.Option(help="Templates folder.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Processes rendering (default: one per CPU core)."),
    ] = None,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Render every selected site's complete config for each phase into OUT/<phase>/<site>.cfg.

    Secrets are masked (SECRET-<name>): rendered files are for review and CI, not for pushing.
    Either every file is written or none is.
    """
    from nornir.core.task import AggregatedResult

    from netprov.forked_runner import ForkedRunner
    from netprov.nornir_inventory import make_nornir
    from netprov.progress import ProgressProcessor, make_progress
    from netprov.render import Renderer
    from netprov.tasks.render import render_config

    phases = _parse_phases(phase)
    loaded = _load(inventory, today, as_json, "render")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    if templates is not None and not templates.is_dir():
        raise typer.BadParameter(f"{templates} is not a folder", param_hint="--templates")
    renderer = Renderer(templates)
    nornir = make_nornir(loaded, site_ids=[s.id for s in sites]).with_runner(
        ForkedRunner(workers)  # rendering wants cores, not threads
    )

    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    failures: list[RenderError] = []
    try:
        for current in phases:
            (staging / current.value).mkdir(parents=True, exist_ok=True)
        with make_progress(err, enabled=not as_json) as progress:
            runner = nornir.with_processors([ProgressProcessor(progress, "render")])
            results: AggregatedResult = runner.run(
                task=render_config, phases=phases, renderer=renderer, out_dir=staging, name="render"
            )
        for host_results in results.values():
            exception = host_results[0].exception
            if not host_results.failed:
                continue
            if not isinstance(exception, RenderError):
                raise exception or NetprovError(f"render failed on {host_results[0].host}")
            failures.append(exception)
        if failures:
            _report_render_failures(failures, as_json)
            raise typer.Exit(EXIT_INVALID)
        out_dir.mkdir(parents=True, exist_ok=True)
        for current in phases:
            target = out_dir / current.value
            if target.exists():
                shutil.rmtree(target)
            (staging / current.value).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    written = len(sites) * len(phases)
    if as_json:
        _emit_json(
            {
                "command": "render",
                "ok": True,
                "out": str(out_dir),
                "site_count": len(sites),
                "phases": [p.value for p in phases],
                "files": written,
            }
        )
    else:
        out.print(
            f"[green]✓ rendered {written} configs[/] ({len(sites)} sites x "
            f"{len(phases)} phases) into {out_dir}/<phase>/<site>.cfg"
        )


def _report_render_failures(failures: list[RenderError], as_json: bool) -> None:
    if as_json:
        _emit_json(
            {
                "command": "render",
                "ok": False,
                "problems": [
                    {
                        "severity": "error",
                        "site": f.site_id,
                        "file": f.template,
                        "line": f.line,
                        "message": f.message,
                    }
                    for f in failures
                ],
            }
        )
        return
    for failure in failures[:20]:
        where = failure.template if failure.line is None else f"{failure.template}:{failure.line}"
        err.print(f"[red]error[/] {where}: site {failure.site_id}: {failure.message}")
    if len(failures) > 20:
        err.print(f"... and {len(failures) - 20} more")
    err.print(f"[red]✗ {len(failures)} render failure(s); nothing was written[/]")


@app.command()
def allocate(
    inventory: InventoryOpt = Path("inventory"),
    csv_out: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Also write the provider's order sheet: each site's hand-off, CIR and PIR.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Show each site's guaranteed rate and burst ceiling on its central provider."""
    loaded = _load(inventory, today, as_json, "allocate")
    allocations = loaded.allocations
    if csv_out is not None:
        _write_cir_pir(loaded, csv_out)
    if as_json:
        _emit_json(
            {
                "command": "allocate",
                "ok": True,
                "items": [
                    {
                        "site": a.site_id,
                        "provider": a.provider,
                        "demand_kbps": a.demand_kbps,
                        "guaranteed_kbps": a.guaranteed_kbps,
                        "ceiling_kbps": a.ceiling_kbps,
                    }
                    for a in allocations.values()
                ],
            }
        )
        return
    for provider in loaded.organisation.central_providers:
        rows = [a for a in allocations.values() if a.provider == provider.id]
        if not rows:
            continue
        table = Table(
            title=f"{provider.name} ({provider.id}): {provider.capacity_mbps:g} Mbps, "
            f"oversubscription x{provider.oversubscription:g}",
            header_style="bold",
        )
        for column in ("site", "kind", "demand Mbps", "guaranteed Mbps", "ceiling Mbps"):
            table.add_column(column, justify="left" if column in ("site", "kind") else "right")
        kinds = {s.id: s.kind.value for s in loaded.sites}
        for row in rows:
            table.add_row(
                row.site_id,
                kinds[row.site_id],
                f"{row.demand_kbps / 1000:g}",
                f"{row.guaranteed_kbps / 1000:.2f}",
                f"{row.ceiling_kbps / 1000:g}",
            )
        guaranteed = sum(r.guaranteed_kbps for r in rows) / 1000
        demand = sum(r.demand_kbps for r in rows) / 1000
        table.add_section()
        table.add_row(f"{len(rows)} sites", "", f"{demand:g}", f"{guaranteed:.2f}", "")
        out.print(table)


def _write_cir_pir(loaded: LoadedInventory, path: Path) -> None:
    """A guarantee is enforced by the provider, not the office router: this is what each
    central provider must configure per hand-off (CIR = guaranteed, PIR = ceiling)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "provider",
                "site",
                "site_name",
                "handed_off_by",
                "circuit_id",
                "port",
                "vlan",
                "cir_kbps",
                "pir_kbps",
            ]
        )
        for site in loaded.sites:
            allocation = loaded.allocations.get(site.id)
            if allocation is None:
                continue
            uplink = site.central_uplink
            writer.writerow(
                [
                    allocation.provider,
                    site.id,
                    site.name,
                    uplink.provider,  # the central provider, or its last-mile partner
                    uplink.circuit_id or "",
                    uplink.interface,
                    uplink.vlan or "",
                    allocation.guaranteed_kbps,
                    allocation.ceiling_kbps,
                ]
            )


@app.command()
def schema(
    part: Annotated[
        str, typer.Argument(help="'sites' (a sites/*.yaml file) or 'organisation'.")
    ] = "sites",
) -> None:
    """Print the JSON Schema of an inventory file, for editor completion and validation."""
    from pydantic import BaseModel, create_model

    from netprov.models import Organisation, Site

    model: type[BaseModel]
    if part == "organisation":
        model = Organisation
    elif part == "sites":
        model = create_model("SitesFile", __config__=None, sites=(list[Site], ...))
    else:
        raise typer.BadParameter("expected 'sites' or 'organisation'", param_hint="PART")
    document = model.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"netprov {version('netprov')}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Provision and cut over office routers to the central provider, safely."""


twin_app = typer.Typer(
    help="The device twin: emulated site routers on loopback.", no_args_is_help=True
)
app.add_typer(twin_app, name="twin")


@twin_app.command("up")
def twin_up(
    inventory: InventoryOpt = Path("inventory"),
    scenario: Annotated[Path | None, typer.Option(help="Faults to inject (YAML).")] = None,
    from_backups: Annotated[
        Path | None,
        typer.Option(
            "--from-backups",
            help="Each router starts from its backup in this folder (<site>.cfg): the fleet "
            "as it is.",
        ),
    ] = None,
    hosts_file: Annotated[
        Path, typer.Option("--hosts-file", help="Nornir SimpleInventory hosts file to write.")
    ] = Path(".netprov/twin/hosts.yaml"),
    phase: Annotated[str, typer.Option(help="Phase the routers start in.")] = "legacy",
    time_scale: Annotated[
        float, typer.Option(min=0.001, help="Device timers run this much faster.")
    ] = 1.0,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    today: TodayOpt = None,
) -> None:
    """Run a twin of the inventory's routers on loopback until Ctrl-C / SIGTERM."""
    import asyncio

    from netprov.twin.cli_base import TwinClock
    from netprov.twin.run import serve

    start_phase = _parse_phases([phase])[0]
    loaded = _load(inventory, today, False, "twin up")
    sites = select(loaded, limit=limit, kind=kind, wave=wave, group=group)
    chosen = load_scenario_or_exit(scenario, {s.id for s in loaded.sites})
    twin = build_twin_or_exit(
        loaded,
        scenario=chosen,
        site_ids=[s.id for s in sites],
        clock=TwinClock(time_scale),
        start_phase=start_phase,
        from_backups=from_backups,
    )

    def ready(running: Twin) -> None:
        platforms: dict[str, int] = {}
        for device in running.devices.values():
            platforms[device.platform.value] = platforms.get(device.platform.value, 0) + 1
        summary = ", ".join(f"{n} {name}" for name, n in sorted(platforms.items()))
        out.print(
            f"[green]twin up:[/] {len(running.devices)} routers on 127.0.0.1 ({summary}); "
            f"hosts file {hosts_file}; Ctrl-C to stop",
            soft_wrap=True,
        )

    asyncio.run(serve(twin, hosts_file, ready))
    out.print("twin stopped")


def main() -> None:
    """Entry point: translate netprov's errors into messages and exit codes, never tracebacks."""
    import netprov.cli_check
    import netprov.cli_pipeline
    import netprov.cli_promote  # noqa: F401 - registers the router and check commands on `app`

    try:
        app()
    except NetprovError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_INVALID)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)
