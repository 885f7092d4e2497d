"""The safe change against the bare floor, on the same twin IOS routers, in one run.

    python bench/bench_change.py --devices 100 --workers 10

Safe change: ``Pipeline.apply`` to ``dual``, the first change of a cutover (the central line
brought in beside the office ISP; straight to ``central`` the lockout guard refuses it:
the way back to the NOC would move onto a line not proven yet) (guard, backup, plan, lockout
simulation,
change marker, commit-confirm push, every verification check, confirm, journal). Floor: a
plain threaded netmiko script doing what a hand-written one would: connect, ``show
running-config`` (backup), push the same commands netprov pushed, one ping of the central
probe, disconnect.
Each runs on a freshly started twin (``netprov twin up``, its own process) so both start from
the legacy config. Prints wall time, this process's CPU, and the ratio (issue 14: <= 2x).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from netmiko import ConnectHandler

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synthetic import write_inventory  # noqa: E402 - after the path set-up above
from bench.twin_process import twin_up  # noqa: E402
from netprov.change.pipeline import Pipeline  # noqa: E402
from netprov.inventory.loader import load_inventory  # noqa: E402
from netprov.models import Phase, Platform  # noqa: E402
from netprov.platforms.device import targets_from_hosts  # noqa: E402
from netprov.render.config import Renderer  # noqa: E402
from netprov.secrets import twin_secret  # noqa: E402
from netprov.state.journal import Journal  # noqa: E402


@contextmanager
def twin(inventory: Path, root: Path, limit: list[str]) -> Iterator[dict[str, Any]]:
    with twin_up(inventory, root, limit=limit) as (_, hosts_file):
        yield yaml.safe_load(hosts_file.read_text(encoding="utf-8"))


def timed(work: Callable[[], list[bool]]) -> tuple[float, float, list[bool]]:
    cpu, wall = time.process_time(), time.perf_counter()
    results = work()
    return time.perf_counter() - wall, time.process_time() - cpu, results


def floor_change(host: dict[str, Any], commands: list[str]) -> bool:
    with ConnectHandler(
        device_type="cisco_ios",
        host=host["hostname"],
        port=host["port"],
        username=host["username"],
        password=host["password"],
        conn_timeout=60,
        ssh_strict=False,  # a script like this one rarely checks host keys: the floor
    ) as conn:
        running = conn.send_command("show running-config", read_timeout=60)
        conn.send_config_set(commands, read_timeout=60)
        replies = conn.send_command("ping 199.7.83.42 repeat 5", read_timeout=60)  # central probe
        return "hostname" in running and "Success rate is 100 percent" in replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("NETPROV_TWIN_TIME_SCALE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inventory = write_inventory(root / "inventory", args.devices * 8)
        loaded = load_inventory(inventory, today=dt.date(2026, 11, 22))
        ios = [s.id for s in loaded.sites if s.router.platform is Platform.CISCO_IOS]
        chosen = ios[: args.devices]

        with twin(inventory, root, chosen) as hosts:
            journal = Journal(f"sqlite:///{root / 'j.db'}", root / "backups")
            pipeline = Pipeline(
                loaded,
                journal,
                targets_from_hosts(hosts),
                Renderer(),
                twin_secret,
                journal.start_run("apply"),
            )

            pushed: dict[str, list[str]] = {}

            def safe() -> list[bool]:
                with ThreadPoolExecutor(max_workers=args.workers) as pool:
                    outcomes = list(
                        pool.map(lambda s: pipeline.apply(loaded.site(s), Phase.DUAL), chosen)
                    )
                for outcome in outcomes:
                    if outcome.plan is not None:  # the floor pushes what netprov pushed
                        pushed[outcome.site] = pipeline.resolved(
                            loaded.site(outcome.site), outcome.plan
                        ).commands
                return [o.status == "confirmed" for o in outcomes]

            safe_wall, safe_cpu, safe_ok = timed(safe)

        commands = pushed
        with twin(inventory, root, chosen) as hosts:

            def floor() -> list[bool]:
                with ThreadPoolExecutor(max_workers=args.workers) as pool:
                    return list(pool.map(lambda s: floor_change(hosts[s], commands[s]), chosen))

            floor_wall, floor_cpu, floor_ok = timed(floor)

    print(f"{len(chosen)} twin IOS routers, {args.workers} workers")
    print(
        f"safe change: {safe_wall:.1f} s wall, {safe_cpu:.1f} CPU-s "
        f"({sum(safe_ok)}/{len(chosen)} confirmed)"
    )
    print(
        f"bare netmiko floor (backup + push + one check): {floor_wall:.1f} s wall, "
        f"{floor_cpu:.1f} CPU-s ({sum(floor_ok)}/{len(chosen)} ok)"
    )
    print(f"ratio: {safe_wall / floor_wall:.1f}x wall (target <= 2x)")
    if not all(safe_ok) or not all(floor_ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
