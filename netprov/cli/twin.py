"""``netprov twin up``: a twin of the inventory's routers on loopback, for rehearsals and
for other tools (Ansible, scrapli, napalm) to aim at through its hosts file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from netprov.cli.app import (
    build_twin_or_exit,
    load_or_exit,
    load_scenario_or_exit,
    out,
    parse_phases,
    select,
)
from netprov.cli.options import (
    GroupOpt,
    InventoryOpt,
    KindOpt,
    LimitOpt,
    TodayOpt,
    WaveOpt,
    between,
)

if TYPE_CHECKING:
    from netprov.twin.running import Twin


twin_app = typer.Typer(
    help="The device twin: emulated site routers on loopback.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def twin_up(
    inventory: InventoryOpt = "inventory",
    scenario: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Faults to inject (YAML).")
    ] = None,
    from_backups: Annotated[
        Path | None,
        typer.Option(
            "--from-backups",
            metavar="DIR",
            help="Each router starts from its backup in this folder (<site>.cfg): the fleet "
            "as it is.",
        ),
    ] = None,
    hosts_file: Annotated[
        Path,
        typer.Option(
            "--hosts-file", metavar="FILE", help="Nornir SimpleInventory hosts file to write."
        ),
    ] = Path(".netprov/twin/hosts.yaml"),
    phase: Annotated[
        str,
        typer.Option(
            metavar="PHASE", help="Phase the routers start in: legacy, dual, central or final."
        ),
    ] = "legacy",
    time_scale: Annotated[
        float,
        typer.Option(
            metavar="FACTOR",
            callback=between(0.001),
            help="Device timers (revert, reboot) run this much faster.",
        ),
    ] = 1.0,
    limit: LimitOpt = None,
    kind: KindOpt = None,
    wave: WaveOpt = None,
    group: GroupOpt = None,
    today: TodayOpt = None,
) -> None:
    """Run a twin of the inventory's routers until Ctrl-C.

    Emulated routers on 127.0.0.1 (SSH, their configs from the inventory's phase or
    backups); the hosts file aims netprov (--hosts-file), Nornir, Ansible or scrapli at
    them. Stops on Ctrl-C or SIGTERM."""
    import asyncio

    from netprov.twin.cli_base import TwinClock
    from netprov.twin.run import serve

    start_phase = parse_phases([phase])[0]
    loaded = load_or_exit(inventory, today, False, "twin up")
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
