"""The world around one site's router, as the simulator sees it: its ports and its uplinks.

Both the offline simulation (lockout guard, lint) and the twin build a site's world here; the
twin adds the faults of a scenario (a dead link, loss, a wrong VLAN) as link conditions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from netprov.models import Organisation, Site, StaticAddressing, Uplink
from netprov.phases import Role
from netprov.sim.topology import UplinkSim, World


@dataclass(frozen=True)
class LinkCondition:
    """How an uplink behaves: alive, losing some packets, handed off on another VLAN."""

    alive: bool = True
    loss_percent: int = 0
    provider_vlan: int | None = None
    path_mtu: int = 1500


def site_world(
    site: Site,
    central_services: Sequence[IPv4Network],
    *,
    index: int = 0,
    conditions: Mapping[Role, LinkCondition] | None = None,
) -> World:
    """The uplinks of ``site`` as providers deliver them (all healthy unless conditions say)."""
    conditions = conditions or {}
    uplinks = []
    pairs: list[tuple[Role, Uplink | None, int]] = [
        (Role.LEGACY, site.legacy_uplink, 0),
        (Role.CENTRAL, site.central_uplink, 1),
        (Role.BACKUP, site.backup_uplink, 2),
    ]
    # an office's further ISP lines: leases from a range of their own
    pairs += [(Role.LEGACY, other, 4 + n) for n, other in enumerate(site.other_legacy_uplinks)]
    for offset, (role, uplink, _) in enumerate(pairs):
        if uplink is None:
            continue
        condition = conditions.get(role, LinkCondition())
        addressing = uplink.addressing
        if isinstance(addressing, StaticAddressing):
            gateway, lease = addressing.gateway, None
        else:
            # DHCP / PPPoE: the provider hands out an address of its own
            slot = pairs[offset][2]
            first = "172.30.0.0" if slot < 4 else "172.31.0.0"
            base = int(IPv4Address(first)) + (index * 4 + slot % 4) * 4
            gateway = IPv4Address(base + 1)
            lease = IPv4Interface(f"{IPv4Address(base + 2)}/30")
        uplinks.append(
            UplinkSim(
                role=role,
                port=uplink.interface,
                vlan=condition.provider_vlan or uplink.vlan,
                gateway=gateway,
                lease=lease,
                alive=condition.alive,
                loss_percent=condition.loss_percent,
                path_mtu=condition.path_mtu,
            )
        )
    return World(uplinks, list(central_services))


def site_ports(site: Site, *, extra: Sequence[str] = ()) -> list[str]:
    """The router's physical ports: those the inventory names plus ``extra`` (a platform's)."""
    used = [site.lan.interface, site.central_uplink.interface]
    used += [line.interface for line in site.legacy_lines]
    if site.backup_uplink is not None:
        used.append(site.backup_uplink.interface)
    return sorted({*used, *extra})


def noc_hosts(management_networks: Sequence[IPv4Network]) -> list[IPv4Address]:
    """Where management sessions come from, one host per management network (its first):
    the twin's new sessions, and what the lockout guard keeps reachable.

    Examples:
        >>> noc_hosts([IPv4Network("10.250.10.0/24")])
        [IPv4Address('10.250.10.1')]
    """
    return [IPv4Address(int(net.network_address) + 1) for net in management_networks]


def public_addresses(world: World, site: Site, org: Organisation, index: int) -> None:
    """Each line's public address, from its provider's ranges (one per site and line; the
    world lists them as site_world does: legacy, central, backup, the further lines)."""
    lines = [u for u in (site.legacy_uplink, site.central_uplink, site.backup_uplink) if u]
    seen: set[Role] = set()
    for number, uplink in enumerate(world.uplinks):
        ranges = org.public_ranges([*lines, *site.other_legacy_uplinks][number].provider)
        slot = list(Role).index(uplink.role) if uplink.role not in seen else number + 3
        seen.add(uplink.role)
        if ranges:
            offset = (index * 3 + slot) % (ranges[0].num_addresses - 2)
            uplink.public = ranges[0].network_address + 1 + offset
