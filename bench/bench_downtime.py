"""What a change costs the office, in seconds without replies, measured on the twin.

    python bench/bench_downtime.py [--reboot-seconds 30]

The twin's office PC on the LAN pings a city service and the internet every 200 ms through
the router (netprov.twin.office). For each platform (a RouterOS 7 and a RouterOS 6 office,
and an IOS office, none with a backup line) and each case, a fresh twin runs in real time
(time scale 1) and netprov's pipeline makes the change; the seconds of replies the PC
lost from just before the push until its pings answer again after the pipeline returned
(the router back, for a reboot) are printed per target, for a target that answered before
the change ("-": it did not, e.g. the city before `dual`).

Cases: a successful change to `dual` and to `central`; a change to `final` (the office
line taken away) while the central line is down (its interface down), or silent (up, but
carrying nothing: only pings find it), so that nothing carries the office's traffic
until the change is reverted: its checks fail, and it is taken back by the undo
(RouterOS: the undo script; IOS: configure revert), or by loading the backup (RouterOS
only: the router refuses a line of the undo, so netprov falls back to the binary backup
and the router reboots; IOS never loads a backup). The twin's reboot takes the
scenario's ``reboot_seconds`` (twin seconds; here real seconds), printed beside a real
router's figure where one is documented. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from netprov.change.outcome import Outcome  # noqa: E402
from netprov.change.pipeline import Pipeline  # noqa: E402
from netprov.inventory.loader import LoadedInventory, load_inventory  # noqa: E402
from netprov.models import Phase  # noqa: E402
from netprov.platforms.device import targets_from_hosts  # noqa: E402 - after the path set-up above
from netprov.render.config import Renderer  # noqa: E402
from netprov.secrets import twin_secret  # noqa: E402
from netprov.state.journal import Journal  # noqa: E402
from netprov.twin.build import build_twin  # noqa: E402
from netprov.twin.cli_base import TwinClock  # noqa: E402
from netprov.twin.office import Ping, lost_seconds  # noqa: E402
from netprov.twin.running import Twin  # noqa: E402
from netprov.twin.scenario import Scenario, SiteFaults  # noqa: E402


@dataclass(frozen=True)
class Platform:
    name: str
    site: str  # a sample office without a backup line: its office line is its failover
    version: str | None = None  # the RouterOS the twin's router runs


PLATFORMS = (
    Platform("RouterOS 7", "kel-hegarsari", "7.16.2"),
    Platform("RouterOS 6", "kel-hegarsari", "6.49.8"),
    Platform("IOS", "dprd"),
)
TARGETS = ("city", "internet")
CENTRAL_DOWN: dict[str, object] = {"uplinks": {"central": {"state": "down"}}}
# the central line up (its interface running) but carrying nothing: every packet lost
# beyond the router, so only the checks' pings can find it dead
CENTRAL_SILENT: dict[str, object] = {
    "uplinks": {"central": {"state": "lossy", "loss_percent": 100}}
}
# the undo line the router refuses in the backup-load case: the office line's netwatch,
# which central -> final removes, added back
UNDO_REFUSED = r"^/tool netwatch add .*comment=netprov:watch-legacy"
# No documented or measured reboot time of a RouterOS router was found (searched: the
# MikroTik manual and forum pages, issue trackers); the nearest is a third-party tool's
# note that a reboot drops the connection "for about a minute" (RexGuard/MikroTik-MCP,
# its mikrotik_reboot tool, https://glama.ai/mcp/servers/RexGuard/MikroTik-MCP/tools/
# mikrotik_reboot): not a measurement. The twin's figure is an assumption.
REAL_REBOOT = (
    "a real RouterOS reboot: no documented or measured figure found; a third-party "
    'tool says "about a minute" (RexGuard/MikroTik-MCP, mikrotik_reboot), not measured'
)
WIDTH = 80


@dataclass(frozen=True)
class Case:
    name: str
    start: Phase
    to: Phase
    faults: dict[str, object]
    routeros_only: bool = False


CASES = (
    Case("change to dual", Phase.LEGACY, Phase.DUAL, {}),
    Case("change to central", Phase.DUAL, Phase.CENTRAL, {}),
    Case("final, central down: undo", Phase.CENTRAL, Phase.FINAL, CENTRAL_DOWN),
    Case("final, central silent: undo", Phase.CENTRAL, Phase.FINAL, CENTRAL_SILENT),
    Case(
        "final, central down: backup",
        Phase.CENTRAL,
        Phase.FINAL,
        {**CENTRAL_DOWN, "reject": [UNDO_REFUSED]},
        routeros_only=True,
    ),
)


@dataclass(frozen=True)
class Measured:
    outcome: Outcome
    lost: dict[str, float | None]  # per target: seconds without replies (None: n/a)
    wall: float


def _answered_again(twin: Twin, site_id: str, target: str, after: float, wait: float) -> float:
    """The twin time of the first ping of ``target`` answered after ``after`` (the end of
    the outage as the office sees it), waiting up to ``wait`` real seconds; else now."""
    deadline = time.monotonic() + wait
    while True:
        pings = twin.pings(site_id, target, since=after)
        answered = next((p.at for p in pings if p.replied), None)
        if answered is not None:
            return answered
        if time.monotonic() > deadline:
            return twin.now()
        time.sleep(0.2)


def _answered(before: list[Ping]) -> bool:
    return bool(before) and before[-1].replied


def measure(loaded: LoadedInventory, platform: Platform, case: Case, reboot: float) -> Measured:
    site_id = platform.site
    faults = SiteFaults.model_validate({**case.faults, "reboot_seconds": reboot})
    versions = {site_id: platform.version} if platform.version else {}
    twin = build_twin(
        loaded,
        site_ids=[site_id],
        scenario=Scenario(sites={site_id: faults}, versions=versions),
        clock=TwinClock(1.0),
        start_phase=case.start,
        host_key_path=Path(tempfile.gettempdir()) / "netprov-bench-downtime-key",
    )
    twin.start_in_thread()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            journal = Journal(f"sqlite:///{Path(tmp) / 'j.db'}", Path(tmp) / "backups")
            pipeline = Pipeline(
                loaded,
                journal,
                targets_from_hosts(twin.hosts_inventory()),
                Renderer(),
                twin_secret,
                journal.start_run("apply"),
            )
            time.sleep(1.0)  # the office's pings before the change
            start = twin.now()
            began = time.perf_counter()
            outcome = pipeline.apply(loaded.site(site_id), case.to)
            wall = time.perf_counter() - began
            end = twin.now()
            lost: dict[str, float | None] = {}
            for target in TARGETS:
                if not _answered(twin.pings(site_id, target, since=start - 0.5, until=start)):
                    lost[target] = None  # nothing to lose: it did not answer before
                    continue
                back = _answered_again(twin, site_id, target, end, 2 * reboot + 10)
                lost[target] = lost_seconds(twin.pings(site_id, target, since=start, until=back))
    finally:
        twin.stop_thread()
    return Measured(outcome, lost, wall)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--reboot-seconds",
        type=float,
        default=SiteFaults().reboot_seconds,
        help="how long the twin's router takes to reboot (the twin's default)",
    )
    args = parser.parse_args()
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # a lost session's banner
    loaded = load_inventory(REPO / "inventory", today=dt.date(2026, 11, 22))
    print("office downtime per change, on the twin in real time (time scale 1)")
    print(f"the twin's reboot: {args.reboot_seconds:.0f} s (assumed: --reboot-seconds)")
    print(textwrap.fill(REAL_REBOOT, WIDTH))
    head = f"{'platform':<10} {'case':<27} {'outcome':<11} "
    print(head + f"{'city s':>6} {'inet s':>6} {'wall s':>6}")
    for platform in PLATFORMS:
        for case in CASES:
            if case.routeros_only and not platform.version:
                print(f"{platform.name:<10} {case.name:<27} (IOS never loads a backup)")
                continue
            found = measure(loaded, platform, case, args.reboot_seconds)
            print(
                f"{platform.name:<10} {case.name:<27} {found.outcome.status:<11} "
                f"{_seconds(found.lost['city']):>6} {_seconds(found.lost['internet']):>6} "
                f"{found.wall:>6.1f}"
            )
            how = found.outcome.reverted
            if how is not None:
                indent = " " * 11
                after = getattr(how, "failed_check", None)  # the first check that failed
                said = f"reverted {how.said()}" + (f" after {after} failed" if after else "")
                print(textwrap.fill(said, WIDTH, initial_indent=indent, subsequent_indent=indent))


if __name__ == "__main__":
    main()
