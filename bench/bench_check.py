"""`netprov check` on a 10,000-site synthetic inventory with a stored backup per site.

    python bench/bench_check.py --sites 10000

Backups are the routers' configs as the twin's devices show them (legacy phase), secrets
masked, as `netprov backup` keeps them; the inventory's desired phase is `dual` for every
site, so every site has a real offline plan. `netprov check` then runs as CI runs it, in
its own process. Targets (issue 14): <= 30 s and <= 300 MiB.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synthetic import write_inventory  # noqa: E402 - after the path set-up above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=10_000)
    args = parser.parse_args()
    from netprov.inventory import load_inventory
    from netprov.lint import RULES
    from netprov.twin.fleet import build_twin

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inventory = write_inventory(root / "inventory", args.sites)
        for path in (inventory / "sites").glob("*.yaml"):
            text = path.read_text()
            path.write_text(
                re.sub(r"^  wave: (\d+)$", r"  wave: \1\n  desired_phase: dual", text, flags=re.M)
            )
        started = time.perf_counter()
        loaded = load_inventory(inventory)
        twin = build_twin(loaded, host_key_path=root / "key")
        backups = root / "backups"
        backups.mkdir()
        for device in twin.devices.values():
            text = device.running_config()
            text = text.replace("twin-netprovsnmpcommunity", "SECRET-NETPROV_SNMP_COMMUNITY")
            text = text.replace("twin-netprovpppoepassword", "SECRET-NETPROV_PPPOE_PASSWORD")
            (backups / f"{device.name}.cfg").write_text(text)
        del twin, loaded
        print(f"prepared {args.sites} sites and backups in {time.perf_counter() - started:.1f} s")
        figures = _run_check(inventory, backups, root / "report.json")
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    sites = report["sites"]
    planned = sum(1 for s in sites if s.get("planned_commands"))
    commands = sum(len(s.get("planned_commands") or []) for s in sites)
    findings = [f for s in sites for f in s.get("findings", [])]
    for finding in findings[:5]:
        print(f"  {finding['rule']} {finding.get('site')}: {finding['message'][:200]}")
    print(
        f"netprov check: {len(sites)} sites in {figures['wall_s']:.1f} s wall, "
        f"{figures['cpu_s']:.1f} CPU-s ({len(sites) / figures['wall_s']:,.0f} sites/s): "
        f"start-up, validate, render, {len(RULES)} lint rules, offline plan ({planned} sites, "
        f"{commands} commands), {len(findings)} findings, exit {figures['exit']:.0f}"
    )
    print(
        f"peak RSS {figures['peak_rss_mib']:.0f} MiB (the largest of netprov's processes; "
        f"its forked workers share the inventory's pages with it)"
    )


def _run_check(inventory: Path, backups: Path, report: Path) -> dict[str, float]:
    """``netprov check`` end to end in its own process: wall, CPU and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "netprov", "check", "--inventory", str(inventory)]
    command += ["--templates", str(REPO / "templates"), "--backups", str(backups)]
    started = time.perf_counter()
    completed = subprocess.run(
        [*command, "--format", "json", "--out", str(report)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    wall = time.perf_counter() - started
    if completed.returncode not in (0, 1):  # 1: findings that fail the gate
        raise SystemExit(f"netprov check failed: {completed.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mib": after.ru_maxrss / 1024,
        "exit": completed.returncode,
    }


if __name__ == "__main__":
    main()
