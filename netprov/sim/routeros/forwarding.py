"""What a RouterOS router's state means for packets: its routing model (interfaces,
addresses, routes, DHCP and PPPoE uplinks, NAT) for the simulated world, the input filter
new management sessions meet, and ``/ping`` through that model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from ipaddress import AddressValueError, IPv4Address, IPv4Interface
from typing import TYPE_CHECKING

from netprov.sim.policy_routes import PolicyRouter
from netprov.sim.routeros import lines as ros_lines
from netprov.sim.routeros.firewall import RosFilter
from netprov.sim.routeros.lines import RosError
from netprov.sim.routeros.marks import RosMarks
from netprov.sim.topology import Link, RouteEntry
from netprov.syntax import routeros_versions
from netprov.syntax.routeros import params_of, unquote

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


# /export leaves out a route's dst-address when it is the default route, 0.0.0.0/0
# (MikroTik manual, "IP Routing": default route; RouterOS 6 exports print "add
# gateway=..." so, tests/fixtures/real-configs)
DEFAULT_ROUTE = "0.0.0.0/0"


def in_main_table(route: Mapping[str, str]) -> bool:
    """Whether a route is in the main table, the one the router forwards by unless policy
    routing picks another: RouterOS 6 puts a route with a ``routing-mark`` in that mark's
    table, RouterOS 7 in its ``routing-table`` (manual, "Policy Routing"; "Moving from
    ROSv6 to v7": routing marks became tables)."""
    return not route.get("routing-mark") and route.get("routing-table", "main") == "main"


def router_of(device: RosDevice) -> PolicyRouter:
    """The routing model of the current config (it reads only ``ROUTING_MENUS``)."""
    addresses: dict[str, IPv4Interface] = {}
    for item in device.tables["/ip address"]:
        if item.get("disabled") != "yes":
            addresses.setdefault(item["interface"], ros_lines.interface(item["address"]))
    links: list[Link] = []
    # a bridge port hands its frames to the bridge: an address or a VLAN interface on
    # the port itself gets nothing (MikroTik manual, "Bridging and Switching")
    enslaved = _bridge_ports(device)
    # a port is known by the name it has: the inventory names the port its line is plugged
    # into as the office named it (MikroTik manual, "Ethernet": default-name stays, name is
    # the owner's)
    ethernet = {i["name"]: i for i in device.tables["/interface ethernet"]}
    for name, item in ethernet.items():
        links.append(
            Link(
                name,
                None if name in enslaved else addresses.get(name),
                item.get("disabled") != "yes",
                name,
            )
        )
    bridges = {i["name"]: i for i in device.tables["/interface bridge"]}
    for name, item in bridges.items():
        # a line may come in untagged through one of its ports (an ISP's router beside
        # the office's servers) or tagged, to a VLAN interface on it
        links.append(
            Link(name, addresses.get(name), item.get("disabled") != "yes", name, bridge=True)
        )
    for item in device.tables["/interface vlan"]:
        # on a port, or on a bridge: the frames tagged with its VLAN ID from any of the
        # bridge's ports (MikroTik manual, "Bridging and Switching", "VLAN")
        parent = ethernet.get(item["interface"]) or bridges.get(item["interface"]) or {}
        up = (
            item.get("disabled") != "yes"
            and bool(parent)
            and parent.get("disabled") != "yes"
            and item["interface"] not in enslaved
        )
        links.append(
            Link(
                item["name"],
                addresses.get(item["name"]),
                up,
                item["interface"] if parent else "",
                vlan=int(item["vlan-id"]),
            )
        )
    dynamic: dict[str, int] = {}
    for item in device.tables["/interface pppoe-client"]:
        port = ros_lines.port_of(item["interface"], links)
        links.append(
            Link(
                item["name"],
                None,
                item.get("disabled") != "yes",
                port.port if port else "",
                vlan=port.vlan if port else None,
                dynamic="pppoe",
            )
        )
        if item.get("add-default-route") == "yes":
            dynamic[item["name"]] = int(item.get("default-route-distance", "1"))
    for item in device.tables["/ip dhcp-client"]:
        # a client whose interface is gone is printed without one: it runs nowhere
        link = next((lk for lk in links if lk.name == item.get("interface")), None)
        if link is not None and item.get("disabled") != "yes":
            link.dynamic = "dhcp"
            if item.get("add-default-route", "yes") == "yes":
                dynamic[link.name] = int(item.get("default-route-distance", "1"))
    routes = []
    tables: dict[str, list[RouteEntry]] = {}
    fib = fib_tables(device)
    for item in device.tables["/ip route"]:
        if item.get("disabled") == "yes":
            continue
        gateway_text = item.get("gateway", "").split("@")[0]
        gateway = ros_lines.address(gateway_text)
        interface = None if gateway else gateway_text
        probe = gateway if item.get("check-gateway") == "ping" and gateway else None
        entry = RouteEntry(
            ros_lines.network(item.get("dst-address", DEFAULT_ROUTE)),
            gateway,
            interface,
            int(item.get("distance", "1")),
            probe,
        )
        if in_main_table(item):
            routes.append(entry)
        else:
            table = item.get("routing-mark") or item.get("routing-table", "main")
            if fib is None or table in fib:
                tables.setdefault(table, []).append(entry)
    translated: set[str] = set()
    for item in device.tables["/ip firewall nat"]:
        if (
            item.get("chain") == "srcnat"
            and item.get("action") in {"masquerade", "src-nat"}
            and item.get("disabled") != "yes"
        ):
            if "out-interface" in item:
                translated.add(item["out-interface"])
            if "out-interface-list" in item:
                translated |= _list_members(device, item["out-interface-list"])
    return PolicyRouter(
        device.world,
        links,
        routes,
        dynamic,
        translated=translated,
        packet_filter=packet_filter_of(device, links),
        tables=tables,
        classifier=marks_of(device, links),
    )


def fib_tables(device: RosDevice) -> set[str] | None:
    """The tables whose routes RouterOS 7 forwards by: those ``/routing table`` added with
    ``fib`` (MikroTik manual, "Routing table": fib, whether the table's routes are
    installed in the FIB; a mark naming another finds nothing there and falls back to
    ``main``). None: RouterOS 6, where every ``routing-mark`` is a table."""
    if not routeros_versions.routing_tables(device.version):
        return None
    lines = device.verbatim.menus.get("/routing table", [])
    return {
        line.params["name"]
        for line in lines
        if line.verb == "add" and "fib" in line.args and "name" in line.params
    }


def marks_of(device: RosDevice, links: Iterable[Link]) -> RosMarks:
    """The policy routing of this config: its mangle rules, routing rules (RouterOS 6
    ``/ip route rule``, 7 ``/routing rule``, kept as the router holds them), the lists
    they name, and the router's tracked connections (netprov.sim.routeros.marks)."""
    lists: dict[str, list[str]] = {}
    for entry in device.tables["/ip firewall address-list"]:
        if entry.get("disabled") != "yes":
            lists.setdefault(entry["list"], []).append(entry["address"])
    members = {
        item["name"]: frozenset(_list_members(device, item["name"]))
        for item in device.tables["/interface list"]
    }
    router_addresses = frozenset(
        ros_lines.interface(item["address"]).ip
        for item in device.tables["/ip address"]
        if item.get("disabled") != "yes"
    )
    rules = [*device.verbatim.items("/ip route rule"), *device.verbatim.items("/routing rule")]
    return RosMarks(
        rules=tuple(ros_lines.visible(rule) for rule in device.tables["/ip firewall mangle"]),
        routing_rules=tuple(rules),
        address_lists={name: tuple(found) for name, found in lists.items()},
        list_members=members,
        local=router_addresses | {a.ip for link in links if (a := link.address) is not None},
        connections=device.connections,
    )


def packet_filter_of(
    device: RosDevice, links: Iterable[Link], menu: str = "/ip firewall filter"
) -> RosFilter:
    """The firewall filter (or, ``menu``, its NAT), address lists, interface lists and
    services of this config."""
    lists: dict[str, list[str]] = {}
    for entry in device.tables["/ip firewall address-list"]:
        if entry.get("disabled") != "yes":
            lists.setdefault(entry["list"], []).append(entry["address"])
    members = {
        item["name"]: frozenset(_list_members(device, item["name"]))
        for item in device.tables["/interface list"]
    }
    return RosFilter(
        rules=tuple(ros_lines.visible(rule) for rule in device.tables[menu]),
        address_lists={name: tuple(found) for name, found in lists.items()},
        list_members=members,
        dynamic=frozenset(link.name for link in links if link.dynamic == "pppoe"),
        services={item["name"]: ros_lines.visible(item) for item in device.tables["/ip service"]},
    )


def ping(device: RosDevice, args: list[str]) -> str:
    params = params_of([a for a in args if "=" in a])
    target_text = params.get("address") or next((a for a in args if "=" not in a), "")
    try:
        target = IPv4Address(unquote(target_text))
    except AddressValueError as exc:
        raise RosError("invalid value for argument address") from exc
    count = int(params.get("count", "4"))
    size = int(params.get("size", "56"))
    source = params.get("src-address")
    replies = router_of(device).ping(
        target,
        count,
        size=size,
        df="do-not-fragment" in args,
        source=IPv4Address(unquote(source)) if source else None,
    )
    lines = ["  SEQ HOST                                     SIZE TTL TIME       STATUS"]
    for seq in range(count):
        if seq < replies:
            lines.append(f"  {seq:>3} {target!s:<40} {size:>4} {57:>3} 12ms")
        else:
            lines.append(f"  {seq:>3} {target!s:<40}                     timeout")
    loss = round(100 * (count - replies) / count) if count else 100
    summary = f"    sent={count} received={replies} packet-loss={loss}%"
    if replies:
        summary += " min-rtt=12ms avg-rtt=12ms max-rtt=12ms"
    lines.append(summary)
    return "\n".join(lines)


def _bridge_ports(device: RosDevice) -> dict[str, str]:
    """port -> its bridge, for the enabled bridge ports."""
    return {
        port["interface"]: port["bridge"]
        for port in device.tables["/interface bridge port"]
        if port.get("disabled") != "yes"
    }


def _list_members(device: RosDevice, name: str) -> set[str]:
    """The interfaces of a list (a member whose interface is gone is printed without one,
    tests/fixtures/real-configs: ``/interface list member add list=ISP``)."""
    return {
        m["interface"]
        for m in device.tables["/interface list member"]
        if m.get("list") == name and m.get("disabled") != "yes" and "interface" in m
    }
