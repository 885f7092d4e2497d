"""A throwaway Redis on loopback (Debian's ``redis-server``, installed by ``make redis``;
CI=true asks for it): the scale-out tier's broker, the Nautobot tier's cache."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from tests.postgres_server import free_port

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

__all__ = ["REDIS", "free_port", "installed", "running_redis"]


def installed() -> bool:
    return Path(REDIS).exists()


def running_redis(port: int, cwd: Path) -> subprocess.Popen[bytes]:
    """A Redis on 127.0.0.1:``port`` that keeps nothing on disk, once it answers."""
    import redis

    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return server
