"""Whether the city's traffic bypasses a RouterOS office's marks, read from a config: the
policy lint's NP016. Pure.

netprov's bypass (an ``accept`` in the prerouting chain of mangle for each central services
network, templates/mikrotik_routeros/routing.j2) only works above every rule that could
mark that traffic: rules run in order and ``accept`` ends the chain (MikroTik manual,
"Mangle"). A router's own pings do not pass prerouting (locally originated packets go
through output: MikroTik manual, "Packet flow"), so no check on the router can prove it:
it is proven from the config, and in rehearsal by the twin's office PC.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network

from netprov.platforms.routeros.policy import (
    MANGLE,
    MARKING,
    Item,
    Office,
    RouterFacts,
    items_of,
    network_of,
    owned,
    reached_from,
)
from netprov.syntax.routeros import parse_export

BYPASS = "netprov:city-bypass"


def bypass_gaps(config: str, office: Office, city: Iterable[IPv4Network]) -> list[str]:
    """What lets the city's traffic from the LAN be marked onto an office line in
    ``config``: a rule that marks (or jumps) above netprov's bypass that can match it, or a
    city network without a bypass, where the office marks at all. A router's own pings do
    not pass prerouting (MikroTik manual, "Packet flow": locally originated packets go
    through output), so this is proven from the config, not by a ping."""
    commands = parse_export(config)
    router = RouterFacts(commands, office)
    mangle = items_of(commands, MANGLE)
    chains = reached_from("prerouting", mangle)
    marking = [
        i
        for i in mangle
        if i.enabled
        and i.params.get("chain") in chains
        and i.params.get("action") in {*MARKING, "jump"}
        and not owned(i)
    ]
    if not marking:
        return []
    bypasses = [i for i in mangle if i.params.get("comment", "").startswith(BYPASS) and i.enabled]
    top = min((i.index for i in bypasses), default=len(mangle))
    found = []
    for net in city:
        if not any(network_of(b.params.get("dst-address", "")) == net for b in bypasses):
            found.append(f"the city's {net} has no bypass of the office's marks (netprov's)")
    for rule in marking:
        if rule.index < top and router.from_lan(rule.params) and _to_city(rule, router, city):
            found.append(
                f"{rule.describe()} is above netprov's bypass and marks the city's traffic"
            )
    return found


def _to_city(rule: Item, router: RouterFacts, city: Iterable[IPv4Network]) -> bool:
    """Whether a rule can match a packet to one of the ``city`` networks (by its
    destination; any other matcher is taken to match: the lint errs on the side of
    naming a rule)."""
    nets = list(city)
    target = rule.params.get("dst-address")
    if target is not None:
        net = network_of(target)
        hit = net is None or any(net.overlaps(c) for c in nets)
        return hit != target.startswith("!") or net is None
    listed = rule.params.get("dst-address-list")
    if listed is not None:
        entries = [network_of(a) for a in router.address_lists.get(listed.lstrip("!"), [])]
        hit = any(e is None or any(e.overlaps(c) for c in nets) for e in entries)
        return hit != listed.startswith("!")
    return True
