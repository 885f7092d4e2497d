"""The inventory commands: ``validate``, ``render``, ``allocate`` and ``schema``
(``promote`` is :mod:`netprov.cli.promote`). Offline: no router is contacted."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from netprov.cli import tables
from netprov.cli.app import (
    EXIT_INVALID,
    emit_json,
    err,
    load_or_exit,
    out,
    parse_phases,
    print_problems,
    select,
)
from netprov.cli.options import (
    GroupOpt,
    InventoryOpt,
    JsonOpt,
    KindOpt,
    LimitOpt,
    SecretsOpt,
    TodayOpt,
    WaveOpt,
    between,
)
from netprov.errors import NetprovError, RenderError
from netprov.inventory.loader import LoadedInventory
from netprov.secrets import SecretMode


def validate(
    inventory: InventoryOpt = "inventory",
    as_json: JsonOpt = False,
    today: TodayOpt = None,
    secrets: SecretsOpt = SecretMode.RESOLVE,
) -> None:
    """Validate the inventory: schema, cross-checks, secrets.

    Every problem at once, as file:line: field: message (schema, duplicates, overlaps,
    gateways, providers, capacity, contracts, strings safe on a router's command line).
    Every secret reference is resolved here, no value shown (--secrets skip in a CI job
    without the secret store)."""
    from netprov.checks.secret_refs import check_secrets, unresolved

    loaded = load_or_exit(
        inventory, today, as_json, "validate", also=lambda exc: unresolved(exc, secrets)
    )
    checked = check_secrets(loaded, secrets)
    if checked.problems:
        if as_json:
            problems = [p.as_dict() for p in [*loaded.warnings, *checked.problems]]
            document = {"command": "validate", "ok": False, "problems": problems}
            emit_json({**document, "secrets": checked.as_dict()})
        else:
            print_problems(checked.problems)
            err.print(
                f"[red]✗ {inventory}: {len(checked.problems)} error(s)[/], "
                f"{len(loaded.warnings)} warning(s)"
            )
        raise typer.Exit(EXIT_INVALID)
    by_platform: dict[str, int] = {}
    for site in loaded.sites:
        by_platform[site.router.platform.value] = by_platform.get(site.router.platform.value, 0) + 1
    if as_json:
        emit_json(
            {
                "command": "validate",
                "ok": True,
                "site_count": len(loaded.sites),
                "sites": [
                    {"site": s.id, "platform": s.router.platform.value} for s in loaded.sites
                ],
                "platforms": by_platform,
                "problems": [p.as_dict() for p in loaded.warnings],
                "secrets": checked.as_dict(),
            }
        )
        return
    platforms = ", ".join(f"{n} {name}" for name, n in sorted(by_platform.items()))
    note = f"; {checked.note}" if checked.note else ""
    out.print(
        f"[green]✓ {inventory}: {len(loaded.sites)} sites valid[/] ({platforms}); "
        f"{len(loaded.warnings)} warning(s){note}",
        soft_wrap=False,  # a sentence: wrapped between words
    )


def render(
    inventory: InventoryOpt = "inventory",
    phase: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PHASE",
            help="legacy, dual, central, final or all (repeatable; default: all).",
        ),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Output folder.")] = Path(
        "build/configs"
    ),
    templates: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Templates folder (default: netprov's own)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=between(1, 64),
            help="Processes rendering, 1-64 (default: one per CPU core).",
        ),
    ] = None,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Render each site's config for each phase into files.

    One complete config per site and phase, into OUT/<phase>/<site>.cfg. Secrets are
    masked (SECRET-<name>): rendered files are for review and CI, not for pushing. Either
    every file is written or none is.
    """
    from nornir.core.task import AggregatedResult

    from netprov.inventory.nornir_plugin import make_nornir
    from netprov.render.config import Renderer
    from netprov.render.forked_runner import ForkedRunner
    from netprov.rollout.progress import ProgressProcessor, make_progress
    from netprov.tasks.render import render_config

    phases = parse_phases(phase)
    loaded = load_or_exit(inventory, today, as_json, "render")
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
        emit_json(
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
            f"{len(phases)} phases) into {out_dir}/<phase>/<site>.cfg",
            soft_wrap=False,  # a sentence: wrapped between words
        )


def _report_render_failures(failures: list[RenderError], as_json: bool) -> None:
    if as_json:
        emit_json(
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


def allocate(
    inventory: InventoryOpt = "inventory",
    csv_out: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            metavar="FILE",
            help="Also write the provider's order sheet: each site's hand-off, CIR and PIR.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    today: TodayOpt = None,
) -> None:
    """Show each site's guaranteed rate and burst ceiling.

    Per central provider: each site's demand, its guaranteed share and its burst ceiling
    (Mbps), from the organisation's bandwidth policy."""
    loaded = load_or_exit(inventory, today, as_json, "allocate")
    allocations = loaded.allocations
    if csv_out is not None:
        _write_cir_pir(loaded, csv_out)
    if as_json:
        _emit_allocations(loaded)
        return
    kinds = {s.id: s.kind.value for s in loaded.sites}
    for provider in loaded.organisation.central_providers:
        rows = [
            (a.site_id, kinds[a.site_id], a.demand_kbps, a.guaranteed_kbps, a.ceiling_kbps)
            for a in allocations.values()
            if a.provider == provider.id
        ]
        if rows:
            title = (
                f"{provider.name} ({provider.id}): {provider.capacity_mbps:g} Mbps, "
                f"oversubscription x{provider.oversubscription:g}"
            )
            tables.allocation_table(out, title, rows)


def _emit_allocations(loaded: LoadedInventory) -> None:
    """allocate's JSON: a row per site (``sites``, as every command names them) and a
    row per central provider (``providers``), rates in kbps."""
    rows = list(loaded.allocations.values())
    emit_json(
        {
            "command": "allocate",
            "ok": True,
            "sites": [
                {
                    "site": a.site_id,
                    "provider": a.provider,
                    "demand_kbps": a.demand_kbps,
                    "guaranteed_kbps": a.guaranteed_kbps,
                    "ceiling_kbps": a.ceiling_kbps,
                }
                for a in rows
            ],
            "providers": [
                {
                    "provider": p.id,
                    "name": p.name,
                    "capacity_kbps": round(p.capacity_mbps * 1000),
                    "oversubscription": p.oversubscription,
                    "sites": sum(a.provider == p.id for a in rows),
                    "demand_kbps": sum(a.demand_kbps for a in rows if a.provider == p.id),
                    "guaranteed_kbps": sum(a.guaranteed_kbps for a in rows if a.provider == p.id),
                }
                for p in loaded.organisation.central_providers
            ],
        }
    )


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


def schema(
    part: Annotated[
        str,
        typer.Argument(
            metavar="sites|organisation",
            help="sites (a sites/*.yaml file) or organisation (organisation.yaml).",
        ),
    ] = "sites",
) -> None:
    """Print the JSON Schema of an inventory file (editors).

    Every field has its meaning, unit and an example: point a YAML plugin at the file
    (a "# yaml-language-server: $schema=sites.schema.json" first line, as the sample
    inventory has) and the editor completes, checks and explains as you type."""
    from pydantic import BaseModel, Field, create_model

    from netprov.models import Organisation, Site

    model: type[BaseModel]
    if part == "organisation":
        model = Organisation
    elif part == "sites":
        described = Field(description="The sites of this file, one entry per office.")
        model = create_model("SitesFile", __config__=None, sites=(list[Site], described))
    else:
        raise typer.BadParameter("expected 'sites' or 'organisation'", param_hint="PART")
    document = model.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
