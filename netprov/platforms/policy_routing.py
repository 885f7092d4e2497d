"""Policy routing a router in service holds: what sends office traffic past the main
routing table, where netprov's routes are. One entry per platform (each driver calls its
own), pure.

A router that balances its LAN over several lines marks connections (RouterOS PCC,
``mark-routing``; a routing rule; IOS ``ip policy route-map``): marked traffic is routed by
its own table, which netprov's new default route does not touch, so the office would stay
on the old lines after a "successful" cutover. On RouterOS netprov migrates it phase by
phase (netprov.platforms.routeros.migration) and names what it cannot; IOS policy-based routing
is refused, naming each interface and what to change there by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from ipaddress import IPv4Network

from netprov.models import Phase, PolicyRoutingFate, Site, StaticAddressing
from netprov.platforms.base import PolicyMigration
from netprov.platforms.ios.plan import clean_ios
from netprov.platforms.routeros.migration import migrate
from netprov.platforms.routeros.policy import Line, Office
from netprov.syntax import routeros_versions


def office_of(site: Site) -> Office:
    """The side of a RouterOS router the inventory describes: its LAN and office lines."""
    lines = tuple(
        Line(
            port=line.interface,
            vlan=line.vlan,
            retire=line.policy_routing is PolicyRoutingFate.RETIRE,
            address=line.addressing.address
            if isinstance(line.addressing, StaticAddressing)
            else None,
        )
        for line in site.legacy_lines
    )
    subnets = tuple(address.network for address in site.lan.interfaces)
    return Office((site.lan.interface,), subnets, lines)


def routeros_policy_migration(
    config: str, site: Site, phase: Phase, city: Sequence[IPv4Network]
) -> PolicyMigration:
    """The migration of a RouterOS office's PCC, routing marks and failover, phase by phase
    (ros_migration.migrate), the export read as the plan reads it: for the version it
    names (else the inventory's ``router.os_version``), what that version leaves unsaid
    said (netprov.syntax.routeros_versions)."""
    version = routeros_versions.export_version(config)
    if version is None and site.router.os_version is not None:
        version = routeros_versions.version_of(site.router.os_version)
    view = routeros_versions.explicit_defaults(config, version)
    return migrate(view, office_of(site), phase, city, version)


def ios_policy_migration(
    config: str, site: Site, phase: Phase, city: Sequence[IPv4Network]
) -> PolicyMigration:
    """IOS policy-based routing is not migrated, whatever the phase: each interface that
    has it is named, with what to change by hand (Cisco IOS IP Routing: Protocol-Independent
    Configuration Guide, "Policy-Based Routing": a route-map's ``set ip next-hop`` sends
    matched packets past the routing table, ``ip policy route-map`` applies it to what an
    interface receives, ``ip local policy route-map`` to the router's own packets)."""
    rules = ios_policy_routing(clean_ios(config))
    if not rules:
        return PolicyMigration()
    refusals = [
        f"{rule}: netprov migrates RouterOS policy routing only; by hand: for dual, put a "
        "deny entry for the city's central services networks first in the route-map (its "
        "traffic then follows the routing table, where netprov's routes go by the central "
        "line); for central, take the ip policy route-map line off the interface"
        for rule in rules
    ]
    return PolicyMigration(
        found="policy routing found: IOS policy-based routing", refusals=refusals
    )


_IOS_POLICY = re.compile(r"^ ip policy route-map (\S+)$", re.M)


def ios_policy_routing(config: str) -> list[str]:
    """Each interface with policy-based routing (``ip policy route-map``) and the router's
    own ``ip local policy route-map`` (Cisco IOS IP Routing: Protocol-Independent
    Configuration Guide, "Policy-Based Routing"), with what the route-map sets.

    Examples:
        >>> ios_policy_routing(
        ...     "interface Gi0/0/1\\n ip policy route-map LB\\n!\\n"
        ...     "route-map LB permit 10\\n set ip next-hop 192.0.2.1\\n!"
        ... )
        ['interface Gi0/0/1: ip policy route-map LB (set ip next-hop 192.0.2.1)']
    """
    found: list[str] = []
    interface = None
    for line in config.splitlines():
        if line.startswith("interface "):
            interface = line.removeprefix("interface ")
        elif not line.startswith(" "):
            interface = None
        policy = _IOS_POLICY.match(line)
        if policy is not None and interface is not None:
            found.append(f"interface {interface}: ip policy route-map {policy[1]}")
        local = re.match(r"^ip local policy route-map (\S+)$", line)
        if local is not None:
            found.append(f"ip local policy route-map {local[1]}")
    return [_with_sets(text, config) for text in found]


def _with_sets(text: str, config: str) -> str:
    name = text.rsplit(" ", 1)[1]
    sets = re.findall(
        rf"^route-map {re.escape(name)} permit \d+\n(?: .*\n)*?( set (?:ip|interface) .*)$",
        config,
        re.M,
    )
    return text + (f" ({'; '.join(s.strip() for s in sets)})" if sets else "")
