"""A city's cutover legacy -> central on the twin: wall time, and what each router was asked.

    python bench/bench_cutover.py                 # the 82-site sample city
    python bench/bench_cutover.py --synthetic 500 # 500 synthetic sites

The twin runs as ``netprov twin up`` in its own process (its CPU is its own) and, when it
stops, writes how many SSH sessions and shell commands each router received. The cutover is
the ``netprov cutover`` command (canary, then waves; legacy -> dual -> central per site), run
in this process with every site treated as inside its maintenance window (the benchmark
measures the change, not the calendar). Prints wall time, sites confirmed, and sessions and
commands per site and per phase step (issue 14: <= 40 s for the city, <= 150 s for 500).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from typer.testing import CliRunner  # noqa: E402

import netprov.rollout.cutover  # noqa: E402
from bench.synthetic import write_inventory  # noqa: E402
from bench.twin_process import twin_up  # noqa: E402
from netprov.cli import app  # noqa: E402


def _floor_per_step(db: str, run_id: str) -> float:
    """The fewest round trips a phase step can take: its backup, its push, one command per
    verification check the journal recorded, its confirm (median over the steps)."""
    from netprov.state.journal import Journal

    _, steps = Journal(db).run(run_id)
    checks = [len(json.loads(s.detail)) for s in steps if s.step == "verified" and s.detail]
    return 3 + statistics.median(checks) if checks else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=0, help="N synthetic sites")
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    netprov.rollout.cutover.in_window = lambda window, when: True  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inventory = (
            write_inventory(root / "inventory", args.synthetic)
            if args.synthetic
            else REPO / "inventory"
        )
        stats = root / "stats.json"
        with twin_up(inventory, root, stats=stats) as (_, hosts):
            started = time.perf_counter()
            result = CliRunner().invoke(
                app,
                [
                    "cutover",
                    "--inventory",
                    str(inventory),
                    "--hosts-file",
                    str(hosts),
                    "--to",
                    "central",
                    "--yes",
                    "--json",
                    "--max-fail",
                    "100%",
                    "--workers",
                    str(args.workers),
                    "--db",
                    f"sqlite:///{root / 'j.db'}",
                    "--backups",
                    str(root / "backups"),
                    "--today",
                    "2026-11-22",
                ],
            )
            wall = time.perf_counter() - started
        document: dict[str, Any] = json.loads(result.stdout)
        counts: dict[str, dict[str, int]] = json.loads(stats.read_text(encoding="utf-8"))
        floor = _floor_per_step(f"sqlite:///{root / 'j.db'}", document["run_id"])
    outcomes = document["sites"]
    confirmed = [o for o in outcomes if o["status"] == "confirmed"]
    steps = 2  # legacy -> dual -> central
    sessions = [c["ssh_sessions"] for c in counts.values()]
    commands = [c["commands"] for c in counts.values()]
    trips = [c["round_trips"] for c in counts.values()]
    print(f"{len(counts)} sites, {args.workers} workers: cutover legacy -> central")
    print(f"wall time: {wall:.1f} s; {len(confirmed)}/{len(outcomes)} confirmed")
    print(
        f"SSH sessions per site: median {statistics.median(sessions):g}, max {max(sessions)}; "
        f"per phase step {statistics.median(sessions) / steps:g}"
    )
    print(
        f"shell commands per site: median {statistics.median(commands):g}, max {max(commands)}; "
        f"per phase step {statistics.median(commands) / steps:g}"
    )
    print(
        f"round trips per site: median {statistics.median(trips):g}, max {max(trips)}; "
        f"per phase step {statistics.median(trips) / steps:g} (floor {floor:g}: backup 1, "
        f"push 1, one per check, confirm 1; ratio {statistics.median(trips) / steps / floor:.2f})"
    )
    for outcome in outcomes:
        if outcome["status"] != "confirmed":
            print(f"  {outcome['site']}: {outcome['status']}: {outcome['detail'][:300]}")
    if len(confirmed) != len(outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
