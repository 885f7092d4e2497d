"""``netprov twin up`` in its own process for the benchmarks (its CPU and memory its own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def twin_up(
    inventory: Path, root: Path, *, limit: list[str] | None = None, stats: Path | None = None
) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Start a twin for ``inventory`` (optionally only ``limit``), wait for its hosts file,
    yield (process, hosts file); stop it afterwards. ``stats``: where the twin writes the SSH
    sessions and commands each router received when it stops."""
    hosts_file = root / "hosts.yaml"
    hosts_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "netprov",
        "twin",
        "up",
        "--inventory",
        str(inventory),
        "--hosts-file",
        str(hosts_file),
    ]
    if limit:
        command += ["--limit", ",".join(limit)]
    env = {**os.environ, **({"NETPROV_TWIN_STATS": str(stats)} if stats else {})}
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while not hosts_file.exists():
            if process.poll() is not None:
                raise SystemExit(f"twin failed: {process.stderr.read() if process.stderr else ''}")
            time.sleep(0.1)
        yield process, hosts_file
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
