"""Run a twin in the foreground until Ctrl-C or SIGTERM (``netprov twin up``)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

from netprov.twin.running import Twin


async def serve(twin: Twin, hosts_file: Path, on_ready: Callable[[Twin], None]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await twin.start()
    twin.write_hosts_file(hosts_file)
    on_ready(twin)
    try:
        await stop.wait()
    finally:
        await twin.stop()
        hosts_file.unlink(missing_ok=True)  # it points at listeners that no longer exist
        stats = os.environ.get("NETPROV_TWIN_STATS")
        if stats:  # for benchmarks: what each router was asked
            counts = {
                name: {
                    "ssh_sessions": d.ssh_sessions,
                    "commands": d.commands,
                    "round_trips": d.round_trips,
                }
                for name, d in twin.devices.items()
            }
            Path(stats).write_text(json.dumps(counts, indent=1), encoding="utf-8")
