"""`netprov check` on a 10,000-site synthetic inventory with a stored backup per site.

    python bench/bench_check.py --sites 10000

Backups are the routers' configs as the twin's devices show them (legacy phase), secrets
masked, as `netprov backup` keeps them; the inventory's desired phase is `dual` for every
site, so every site has a real offline plan. Target: under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import re
import resource
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
    from netprov.check import run_check
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
        started = time.perf_counter()
        report = run_check(inventory, templates=REPO / "templates", backups=backups)
        elapsed = time.perf_counter() - started
    planned = sum(1 for s in report.sites if s.commands)
    for finding in report.findings[:5]:
        print(f"  {finding.rule} {finding.site}: {finding.message[:200]}")
    commands = sum(len(s.commands or []) for s in report.sites)
    print(
        f"check: {len(report.sites)} sites in {elapsed:.1f} s "
        f"({len(report.sites) / elapsed:,.0f} sites/s): "
        f"validate, render, {len(RULES)} lint rules, offline plan ({planned} sites, "
        f"{commands} commands), "
        f"{len(report.findings)} findings"
    )
    print(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        "(incl. preparing backups)"
    )


if __name__ == "__main__":
    main()
