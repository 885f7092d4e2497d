"""IOS-XE routing ``show`` output the twin prints: ``show ip route`` (the table, one
entry, the summary) and ``show ip cef`` (the FIB entry packets follow), laid out as the
real commands print them (``tests/fixtures/real/cisco_ios``, ntc-templates' captures).
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

from netprov.sim.ios.router import IosDevice
from netprov.sim.topology import Router
from netprov.twin.ios_show import INVALID_INPUT


def show_ip_route_summary(router: Router) -> str:
    """Routes by source (tests/fixtures/real/cisco_ios/show_ip_route_summary)."""
    active = router.active_routes()
    connected = sum(1 for r in active if r.code == "C")
    static = len(active) - connected
    rows = [
        ("connected", 0, connected * 2),  # each with its local /32
        ("static", 0, static),
        ("application", 0, 0),
        ("internal", 2, 0),
    ]
    lines = [
        "IP routing table name is default (0x0)",
        "IP routing table maximum-paths is 32",
        "Route Source    Networks    Subnets     Replicates  Overhead    Memory (bytes)",
    ]
    total_networks = total_subnets = total_overhead = total_memory = 0
    for source, networks, subnets in rows:
        overhead, memory = 96 * (networks + subnets), 288 * (networks + subnets)
        if source == "internal":
            lines.append(f"{source:<16}{networks:<48}{memory}")
        else:
            lines.append(f"{source:<16}{networks:<12}{subnets:<12}{0:<12}{overhead:<12}{memory}")
        total_networks += networks
        total_subnets += subnets
        total_overhead += overhead
        total_memory += memory
    lines.append(
        f"{'Total':<16}{total_networks:<12}{total_subnets:<12}{0:<12}{total_overhead:<12}"
        f"{total_memory}"
    )
    return "\n".join(lines)


def show_ip_route(device: IosDevice) -> str:
    """``show ip route``: codes, gateway of last resort, the table."""
    router = device.router()
    routes = router.active_routes()
    default = next((r for r in routes if r.prefix.prefixlen == 0), None)
    header = [
        "Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP",
        "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area ",
        "       * - candidate default, U - per-user static route",
        "",
    ]
    if default is not None and default.gateway is not None:
        header.append(f"Gateway of last resort is {default.gateway} to network 0.0.0.0")
    elif default is not None:
        header.append("Gateway of last resort is 0.0.0.0 to network 0.0.0.0")
    else:
        header.append("Gateway of last resort is not set")
    lines = [*header, ""]
    for route in routes:
        if route.code == "C":
            lines.append(f"C        {route.prefix} is directly connected, {route.interface}")
            link = router.links[route.interface or ""]
            address = router.address_of(link)
            if address is not None:
                lines.append(f"L        {address.ip}/32 is directly connected, {route.interface}")
            continue
        code = "S*" if route.prefix.prefixlen == 0 else "S "
        via = (
            f"via {route.gateway}" if route.gateway else f"is directly connected, {route.interface}"
        )
        if route.gateway and route.interface:
            via += f", {route.interface}"
        if route.gateway:
            lines.append(f"{code}      {route.prefix} [{route.distance}/0] {via}")
        else:
            lines.append(f"{code}      {route.prefix} {via}")
    return "\n".join(lines)


def show_ip_route_entry(device: IosDevice, prefix: str, mask: str | None) -> str:
    """``show ip route A [M]``: the detailed entry napalm's ``get_route_to`` reads."""
    router = device.router()
    routes = router.active_routes()
    if mask is not None:
        try:
            wanted = IPv4Network(f"{prefix}/{mask}")
        except ValueError:
            return INVALID_INPUT
        found = [r for r in routes if r.prefix == wanted]
    else:
        address = IPv4Address(prefix)
        found = sorted(
            (r for r in routes if address in r.prefix), key=lambda r: -r.prefix.prefixlen
        )[:1]
    if not found:
        return "% Network not in table" if mask else "% Subnet not in table"
    route = found[0]
    if route.code == "C":
        return "\n".join(
            [
                f"Routing entry for {route.prefix}",
                '  Known via "connected", distance 0, metric 0 (connected, via interface)',
                "  Routing Descriptor Blocks:",
                f"  * directly connected, via {route.interface}",
                "      Route metric is 0, traffic share count is 1",
            ]
        )
    supernet = ", supernet" if route.prefix.prefixlen < 8 else ""
    default = ", candidate default path" if route.prefix.prefixlen == 0 else ""
    hop = f"  * {route.gateway}" if route.gateway else "  * directly connected"
    if route.interface:
        hop += f", via {route.interface}"
    return "\n".join(
        [
            f"Routing entry for {route.prefix}{supernet}",
            f'  Known via "static", distance {route.distance}, metric 0{default}',
            "  Routing Descriptor Blocks:",
            hop,
            "      Route metric is 0, traffic share count is 1",
        ]
    )


def show_ip_cef_entry(device: IosDevice, address: str) -> str:
    """``show ip cef A``: the FIB entry packets to ``A`` follow, as IOS 15 prints it (the
    prefix, then ``nexthop <neighbour> <interface>``, ``attached to <interface>`` or
    ``receive for <interface>``; ``no route`` without one; the same lines as the entries
    of ntc-templates' ``show ip cef detail`` captures)."""
    try:
        target = IPv4Address(address)
    except ValueError:
        return INVALID_INPUT
    router = device.router()
    for link in router.links.values():
        own = router.address_of(link)
        if own is not None and own.ip == target and router.link_up(link):
            return f"{target}/32\n  receive for {link.name}"
    entry = router.forwarding(target)
    if entry is None:
        return "0.0.0.0/0\n  no route"
    if entry.next_hop is None:
        return f"{entry.prefix}\n  attached to {entry.link.name}"
    return f"{entry.prefix}\n  nexthop {entry.next_hop} {entry.link.name}"
