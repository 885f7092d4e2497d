"""Connection targets (from a Nornir SimpleInventory hosts file) and opening sessions.

The sessions themselves, one class per platform with one signature, live in the drivers
(:mod:`netprov.platforms`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from netprov.errors import DeviceError
from netprov.models import Platform
from netprov.platforms import Session, Target, driver_for


def targets_from_hosts_file(path: Path) -> dict[str, Target]:
    """Targets from a Nornir SimpleInventory hosts file (as ``netprov twin up`` writes)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DeviceError(f"cannot read hosts file {path}: {exc}") from exc
    return targets_from_hosts(data)


def targets_from_hosts(data: dict[str, Any]) -> dict[str, Target]:
    """Targets from SimpleInventory-style host entries (a file's content or a twin's)."""
    targets = {}
    for name, host in data.items():
        data = host.get("data") or {}
        known_hosts = data.get("known_hosts")
        targets[name] = Target(
            name,
            str(host["hostname"]),
            int(host.get("port") or 22),
            str(host["username"]),
            str(host["password"]),
            Platform(host["platform"]),
            Path(known_hosts) if known_hosts else None,
            float(data.get("time_scale") or 1.0),
        )
    return targets


def connect(
    target: Target,
    *,
    change_id: str,
    attempts: int = 1,
    wait: float = 1.0,
    timeout: float = 30,
) -> Session:
    """Open a session, retrying (e.g. while a router reboots after a restore)."""
    driver = driver_for(target.platform)
    for attempt in range(attempts):
        try:
            return driver.open(target, change_id=change_id, timeout=timeout)
        except DeviceError:
            if attempt == attempts - 1:
                raise
            time.sleep(wait)
    raise DeviceError(f"{target.site_id}: cannot connect")


__all__ = ["DeviceError", "Target", "connect", "targets_from_hosts", "targets_from_hosts_file"]
