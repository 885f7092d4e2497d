"""500-device twin driven concurrently by netmiko; prints wall time, twin CPU share, memory.

    python bench/bench_twin.py --devices 500 --workers 50

The twin runs as ``netprov twin up`` in its own process (so its CPU and peak memory are its
own); this process drives every device through connect, ``show running-config`` and a
20-line config push, then checks on the device that the push landed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from netmiko import ConnectHandler

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.synthetic import write_inventory  # noqa: E402 - after the path set-up above
from bench.twin_process import twin_up  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def push(host: dict[str, Any]) -> bool:
    ios = host["platform"] == "cisco_ios"
    with ConnectHandler(
        device_type=host["platform"],
        host=host["hostname"],
        port=host["port"],
        username=host["username"],
        password=host["password"],
        conn_timeout=60,
        banner_timeout=60,
        auth_timeout=60,
    ) as conn:
        running = conn.send_command(
            "show running-config" if ios else "/export terse", read_timeout=60
        )
        assert "hostname" in running or "/system identity" in running
        if ios:
            lines = [f"ip route 10.{200 + n}.0.0 255.255.0.0 10.250.0.1" for n in range(20)]
            conn.send_config_set(lines, error_pattern=r"% Invalid", read_timeout=60)
            check = conn.send_command("show running-config | include 10.219.0.0", read_timeout=60)
        else:
            lines = [
                f"/ip route add dst-address=10.{200 + n}.0.0/16 gateway=10.250.0.1"
                f" comment=netprov:b{n}"
                for n in range(20)
            ]
            conn.send_config_set(lines, read_timeout=60)
            check = conn.send_command("/export terse", read_timeout=60)
        return "10.219.0.0" in check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--workers", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inventory = write_inventory(root / "inventory", args.devices)
        started = time.perf_counter()
        with twin_up(inventory, root) as (twin, hosts_file):
            up = time.perf_counter() - started
            idle_rss = memory_kib(twin.pid, "VmRSS")
            hosts = yaml.safe_load(hosts_file.read_text())
            cpu_before = cpu_seconds(twin.pid)
            wall = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                results = list(pool.map(push, hosts.values()))
            wall = time.perf_counter() - wall
            twin_cpu = cpu_seconds(twin.pid) - cpu_before
            peak = memory_kib(twin.pid, "VmHWM")
    ok = sum(results)
    print(
        f"devices: {len(hosts)} ({ok} pushes verified on the device), "
        f"{args.workers} netmiko workers"
    )
    print(
        f"twin start (build + render legacy configs + listen): {up:.1f} s, "
        f"idle RSS {idle_rss / 1024:.0f} MiB"
    )
    print(
        f"fleet run wall time: {wall:.1f} s (connect + show running-config + 20-line push + check)"
    )
    print(f"twin CPU: {twin_cpu:.1f} s = {100 * twin_cpu / wall:.0f}% of one core during the run")
    print(f"twin peak RSS: {peak / 1024:.0f} MiB = {peak / len(hosts):.0f} KiB per device")
    if ok != len(hosts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
