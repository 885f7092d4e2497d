"""The engine's cost: a synthetic fleet cut over to dual on the twin, in process vs on
Celery region workers (issue 24: the engine adds at most 10 % wall).

    python -m bench.bench_scale_out --sites 1000 --regions 4 --concurrency 10

Both runs have the same concurrency: ``--concurrency`` Nornir threads in process, or two
worker processes of half as many threads each (each serving half the regions' queues), on
a throwaway Redis on loopback (Debian's redis-server: ``make redis``). The twin runs in its
own process and is started afresh for each run, so both start from legacy. Prints each
run's wall time, sites per minute, and the engine's overhead per site.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from bench.synthetic import write_inventory
from bench.twin_process import twin_up
from netprov.cli import app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_regions(inventory: Path, regions: int) -> None:
    """The synthetic sites spread over ``regions`` regions (r0, r1, ...) so that every wave
    has sites in every region: a synthetic site's wave is its index modulo 20, so the
    region follows the index's twentieths (a region per wave would leave all but one
    worker idle in each wave, which measures the fleet's layout, not the engine)."""
    for path in sorted((inventory / "sites").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, site in enumerate(data["sites"]):
            site["region"] = f"r{index // 20 % regions}"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _cutover(root: Path, inventory: Path, hosts: Path, run: str, extra: list[str]) -> Any:
    started = time.perf_counter()
    result = CliRunner().invoke(
        app,
        [
            *("cutover", "--inventory", str(inventory), "--hosts-file", str(hosts)),
            *("--to", "dual", "--yes", "--json", "--max-fail", "100%"),
            *("--db", f"sqlite:///{root / f'{run}.db'}", "--backups", str(root / run)),
            *("--today", "2026-11-22", *extra),
        ],
    )
    wall = time.perf_counter() - started
    document = json.loads(result.stdout)
    confirmed = sum(s["status"] == "confirmed" for s in document["sites"])
    failed = [s for s in document["sites"] if s["status"] != "confirmed"]
    if failed:  # a benchmark of failures measures nothing: say why
        first = failed[0]
        print(f"{run}: {len(failed)} not confirmed, e.g. {first['site']}: {first['detail']}")
    return wall, confirmed, len(document["sites"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise SystemExit("redis-server is not installed: make redis")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inventory = write_inventory(root / "inventory", args.sites)
        _with_regions(inventory, args.regions)
        with twin_up(inventory, root) as (_, hosts):
            local = _cutover(
                root, inventory, hosts, "inprocess", ["--workers", str(args.concurrency)]
            )
        port = _free_port()
        broker = f"redis://127.0.0.1:{port}/0"
        redis = subprocess.Popen(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            cwd=root,
        )
        queues = [f"r{i}" for i in range(args.regions)]
        halves = [",".join(queues[0::2]), ",".join(queues[1::2])]
        workers = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "netprov", "worker", "--queue", half),
                    *("--broker", broker, "--concurrency", str(max(1, args.concurrency // 2))),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for half in halves
        ]
        try:
            time.sleep(3)  # the workers connect to the broker
            with twin_up(inventory, root) as (_, hosts):
                fleet = _cutover(
                    root, inventory, hosts, "celery", ["--engine", "celery", "--broker", broker]
                )
        finally:
            for process in [*workers, redis]:
                process.terminate()
                process.wait(30)
    for name, (wall, confirmed, total) in (("in process", local), ("2 Celery workers", fleet)):
        print(
            f"{name:>16}: {wall:7.1f} s wall, {confirmed}/{total} confirmed, "
            f"{confirmed / wall * 60:6.0f} sites/min"
        )
    overhead = (fleet[0] - local[0]) / local[0]
    per_site = (fleet[0] - local[0]) / max(1, local[2]) * args.concurrency
    print(
        f"engine overhead: {overhead:+.1%} wall ({per_site * 1000:+.0f} ms per site at "
        f"{args.concurrency} at once); target <= +10%"
    )


if __name__ == "__main__":
    main()
