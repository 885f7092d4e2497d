"""What a change costs the office, in seconds without replies, measured on the twin.

    python bench/bench_downtime.py [--reboot-seconds 30]

The twin's office PC on the LAN pings a city service and the internet every 200 ms through
the router (netprov.twin.office). For each platform (a RouterOS and an IOS office of the
sample city) and each case, a fresh twin runs in real time (time scale 1) and netprov's
pipeline makes the change; the seconds of replies the PC lost from just before the push
until the pipeline returned (the router back, for a reboot) are printed per target, for
a target that answered before the change ("-": it did not, e.g. the city before `dual`).

Cases: a successful change to `dual` and to `central`; a change to `central` whose check
fails (the filtering resolvers answer a blocked name: the traffic itself flows, so what
the office loses is the change and its revert), taken back by the undo (RouterOS: the
undo script; IOS: configure revert), and the same taken back by loading the backup
(RouterOS only: the router refuses a line of the undo, so netprov falls back to the
binary backup and the router reboots; IOS never loads a backup). The twin's reboot time
is the scenario's `reboot_seconds`: printed beside, and the figure the backup-load case
pays. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from netprov.device import targets_from_hosts  # noqa: E402 - after the path set-up above
from netprov.inventory import LoadedInventory, load_inventory  # noqa: E402
from netprov.journal import Journal  # noqa: E402
from netprov.models import Phase  # noqa: E402
from netprov.outcome import Outcome  # noqa: E402
from netprov.pipeline import Pipeline  # noqa: E402
from netprov.render import Renderer  # noqa: E402
from netprov.twin.cli_base import TwinClock  # noqa: E402
from netprov.twin.fleet import build_twin, twin_secret  # noqa: E402
from netprov.twin.office import lost_seconds  # noqa: E402
from netprov.twin.scenario import Scenario, SiteFaults  # noqa: E402

SITES = {"RouterOS": "kel-hegarsari", "IOS": "setda"}
TARGETS = ("city", "internet")
# the undo line the router refuses in the backup-load case: the NOC route dual -> central
# removes, added back
UNDO_REFUSED = r"^/ip route add .*comment=netprov:mgmt-return-1"


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
    Case("failed check, undo", Phase.DUAL, Phase.CENTRAL, {"dns_unfiltered": True}),
    Case(
        "failed check, backup load",
        Phase.DUAL,
        Phase.CENTRAL,
        {"dns_unfiltered": True, "reject": [UNDO_REFUSED]},
        routeros_only=True,
    ),
)


@dataclass(frozen=True)
class Measured:
    outcome: Outcome
    lost: dict[str, float | None]  # per target: seconds without replies (None: n/a)
    wall: float
    reboots: list[float | None]  # how long each reboot kept the router away


def measure(loaded: LoadedInventory, site_id: str, case: Case, reboot: float) -> Measured:
    faults = SiteFaults.model_validate({**case.faults, "reboot_seconds": reboot})
    twin = build_twin(
        loaded,
        site_ids=[site_id],
        scenario=Scenario(sites={site_id: faults}),
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
            time.sleep(0.5)
            lost: dict[str, float | None] = {}
            for target in TARGETS:
                before = twin.pings(site_id, target, since=start - 0.5, until=start)
                during = twin.pings(site_id, target, since=start, until=end)
                answered = bool(before) and before[-1].replied
                lost[target] = lost_seconds(during) if answered and during else None
            reboots = [r.seconds for r in twin.reboots(site_id)]
    finally:
        twin.stop_thread()
    return Measured(outcome, lost, wall, reboots)


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
    loaded = load_inventory(REPO / "inventory", today=dt.date(2026, 11, 22))
    print(
        f"office downtime per change, on the twin in real time (reboot {args.reboot_seconds:.0f} s)"
    )
    print(
        f"{'platform':<9} {'case':<26} {'outcome':<12} {'city s':>7} {'inet s':>7} "
        f"{'wall s':>7}  reverted by"
    )
    for platform, site_id in SITES.items():
        for case in CASES:
            if case.routeros_only and platform != "RouterOS":
                print(
                    f"{platform:<9} {case.name:<26} {'n/a':<12} {'-':>7} {'-':>7} {'-':>7}  "
                    "(IOS reverts by its archive, never a backup load)"
                )
                continue
            found = measure(loaded, site_id, case, args.reboot_seconds)
            how = found.outcome.reverted
            said = how.said() if how is not None else ""
            print(
                f"{platform:<9} {case.name:<26} {found.outcome.status:<12} "
                f"{_seconds(found.lost['city']):>7} {_seconds(found.lost['internet']):>7} "
                f"{found.wall:>7.1f}  {said}"
            )


if __name__ == "__main__":
    main()
