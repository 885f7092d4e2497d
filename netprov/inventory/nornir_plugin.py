"""Nornir inventory plugin: hosts built from the validated netprov model.

Each host's ``data["site"]`` is the :class:`~netprov.models.Site` itself (not a dict copy),
and the defaults carry the organisation and the bandwidth allocations, so tasks get
validated models. Groups (``kind:opd``, ``wave:2``, ``group:opd-utama``,
``platform:cisco_ios``) let Nornir's filters select sites the way engineers talk.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path

from nornir.core import Nornir
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)
from nornir.plugins.runners import ThreadedRunner

from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Platform, Site
from netprov.platforms import DRIVERS

# How the real clients name each platform (the drivers know).
NETMIKO_PLATFORM: dict[Platform, str] = {p: d.netmiko_device_type for p, d in DRIVERS.items()}
NAPALM_PLATFORM: dict[Platform, str] = {p: d.napalm_driver for p, d in DRIVERS.items()}


def group_names(site: Site) -> list[str]:
    return [
        f"kind:{site.kind.value}",
        f"wave:{site.wave}",
        f"platform:{site.router.platform.value}",
        *(f"group:{name}" for name in site.groups),
    ]


def build_inventory(loaded: LoadedInventory) -> Inventory:
    defaults = Defaults(
        data={"organisation": loaded.organisation, "allocations": loaded.allocations}
    )
    groups: Groups = Groups()
    hosts: Hosts = Hosts()
    for site in loaded.sites:
        parents = ParentGroups()
        for name in group_names(site):
            if name not in groups:
                groups[name] = Group(name=name, defaults=defaults)
            parents.append(groups[name])
        hosts[site.id] = Host(
            name=site.id,
            hostname=str(site.router.mgmt_address),
            username=site.router.credentials.username,
            platform=NETMIKO_PLATFORM[site.router.platform],
            groups=parents,
            data={"site": site},
            connection_options={
                "napalm": ConnectionOptions(platform=NAPALM_PLATFORM[site.router.platform]),
                "netmiko": ConnectionOptions(platform=NETMIKO_PLATFORM[site.router.platform]),
            },
            defaults=defaults,
        )
    return Inventory(hosts=hosts, groups=groups, defaults=defaults)


class NetprovInventory:
    """Entry point ``NetprovInventory`` for ``InitNornir(inventory={"plugin": ...})``."""

    def __init__(self, inventory_dir: str = "inventory", today: str | None = None) -> None:
        self.inventory_dir = Path(inventory_dir)
        self.today = dt.date.fromisoformat(today) if today else None

    def load(self) -> Inventory:
        return build_inventory(load_inventory(self.inventory_dir, today=self.today))


# Nornir logs a traceback per failed host; netprov reports failures as results instead.
_NORNIR_LOG = logging.getLogger("nornir")
_NORNIR_LOG.addHandler(logging.NullHandler())
_NORNIR_LOG.propagate = False


def make_nornir(
    loaded: LoadedInventory, *, workers: int = 20, site_ids: Iterable[str] | None = None
) -> Nornir:
    """A Nornir over the inventory (optionally only ``site_ids``), with the threaded runner.

    A failed task is data (its result says why, one line per site in the CLI's table):
    Nornir's own logger would print a traceback per failed host (see ``_NORNIR_LOG``).
    """
    nornir = Nornir(inventory=build_inventory(loaded), runner=ThreadedRunner(num_workers=workers))
    if site_ids is not None:
        wanted = set(site_ids)
        nornir = nornir.filter(filter_func=lambda host: host.name in wanted)
    return nornir
