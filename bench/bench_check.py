"""`netprov check` on a 10,000-site synthetic inventory with a stored backup per site.

    python bench/bench_check.py --sites 10000

Backups are the routers' configs as the twin's devices show them (legacy phase), secrets
masked, as `netprov backup` keeps them; the inventory's desired phase is `dual` for every
site, so every site has a real offline plan. `netprov check` then runs as CI runs it, in
its own process, ``--runs`` times (3 by default: on a shared 2-core VM the same run can
take 40 % longer from one minute to the next; the median is printed). Targets (issue 14):
<= 30 s and <= 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.measure import Measured, run_measured  # noqa: E402 - after the path set-up above
from bench.synthetic import write_inventory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="check runs (median shown)")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.prepare is not None:
        _prepare(args.prepare, args.sites)
        return
    from netprov.checks.lint import RULES

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        # in a process of its own: Linux keeps a process's peak memory across exec, so the
        # check, forked from a bench holding 10,000 twin routers, would inherit their peak
        subprocess.run(
            [sys.executable, __file__, "--sites", str(args.sites), "--prepare", str(root)],
            check=True,
        )
        inventory, backups = root / "inventory", root / "backups"
        print(f"prepared {args.sites} sites and backups in {time.perf_counter() - started:.1f} s")
        runs = [_run_check(inventory, backups, root / "report.json") for _ in range(args.runs)]
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    sites = report["sites"]
    planned = sum(1 for s in sites if s.get("planned_commands"))
    commands = sum(len(s.get("planned_commands") or []) for s in sites)
    findings = [f for s in sites for f in s.get("findings", [])]
    for finding in findings[:5]:
        print(f"  {finding['rule']} {finding.get('site')}: {finding['message'][:200]}")
    for run, figures in enumerate(runs, 1):
        print(
            f"run {run}: {figures.wall_s:.1f} s wall, {figures.cpu_s:.1f} CPU-s, "
            f"peak RSS {figures.peak_rss_mib:.0f} MiB, exit {figures.code}"
        )
    wall = statistics.median(f.wall_s for f in runs)
    print(
        f"netprov check: {len(sites)} sites in {wall:.1f} s wall (median of {len(runs)}; "
        f"{len(sites) / wall:,.0f} sites/s): start-up, validate, render, {len(RULES)} lint "
        f"rules, offline plan ({planned} sites, {commands} commands), {len(findings)} findings"
    )
    print(
        f"peak RSS {max(f.peak_rss_mib for f in runs):.0f} MiB (the largest of netprov's "
        f"processes in any run; its forked workers share the inventory's pages with it)"
    )


def _prepare(root: Path, sites: int) -> None:
    """The inventory (desired phase dual) and each router's backup, from the twin."""
    from netprov.inventory.loader import load_inventory
    from netprov.twin.build import build_twin

    inventory = write_inventory(root / "inventory", sites)
    for path in (inventory / "sites").glob("*.yaml"):
        text = path.read_text()
        path.write_text(
            re.sub(r"^  wave: (\d+)$", r"  wave: \1\n  desired_phase: dual", text, flags=re.M)
        )
    twin = build_twin(load_inventory(inventory), host_key_path=root / "key")
    backups = root / "backups"
    backups.mkdir()
    for device in twin.devices.values():
        (backups / f"{device.name}.cfg").write_text(device.stored_config())


def _run_check(inventory: Path, backups: Path, report: Path) -> Measured:
    """``netprov check`` end to end in its own process: wall, CPU and peak memory."""
    command = [sys.executable, "-m", "netprov", "check", "--inventory", str(inventory)]
    command += ["--templates", str(REPO / "templates"), "--backups", str(backups)]
    command += ["--format", "json", "--out", str(report)]
    command += ["--secrets", "skip"]  # as a pull request's CI job: no secret store
    measured = run_measured(command, REPO, report.with_suffix(".stdout"))
    if measured.code not in (0, 1):  # 1: findings that fail the gate
        raise SystemExit(f"netprov check failed: {measured.stderr[-2000:]}")
    return measured


if __name__ == "__main__":
    main()
