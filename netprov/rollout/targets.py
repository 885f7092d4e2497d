"""Which routers a command talks to, and how their secrets resolve: the real ones at their
management addresses (secrets from the environment), or the routers of a hosts file. A
twin's hosts file marks its hosts ``twin``: their secrets are the twin's made-up values.
Shared by the CLI and the scale-out workers, so both aim the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from netprov.inventory.loader import LoadedInventory
from netprov.platforms.device import Target, targets_from_hosts_file
from netprov.secrets import EnvironmentSecrets, twin_secret


def real_targets(
    loaded: LoadedInventory, secrets: EnvironmentSecrets, *, passwords: bool = True
) -> dict[str, Target]:
    """The routers at their management addresses; host keys checked against the
    organisation's known_hosts file (``ssh.known_hosts``), else ~/.ssh/known_hosts."""
    known_hosts = loaded.organisation.ssh.known_hosts
    return {
        site.id: Target(
            site.id,
            str(site.router.mgmt_address),
            22,
            site.router.credentials.username,
            secrets(site.router.credentials.password) if passwords else "",
            site.router.platform,
            (loaded.root / known_hosts) if known_hosts else None,
        )
        for site in loaded.sites
    }


def is_twin_file(path: Path) -> bool:
    """Whether every host of a Nornir hosts file is a twin's (``data.twin``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return all((host.get("data") or {}).get("twin") for host in data.values())


def aim(loaded: LoadedInventory, hosts_file: Path | None) -> tuple[dict[str, Target], Any]:
    """The targets and the secret resolver: a hosts file's routers (a twin's secrets for a
    twin's file), else the real routers with secrets from the environment."""
    if hosts_file is not None:
        if is_twin_file(hosts_file):
            return targets_from_hosts_file(hosts_file), twin_secret
        return targets_from_hosts_file(hosts_file), EnvironmentSecrets(loaded.root)
    secret = EnvironmentSecrets(loaded.root)
    return real_targets(loaded, secret), secret
