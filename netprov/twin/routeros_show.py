"""What the twin's RouterOS prints: ``print`` of each menu in the forms netprov and other
clients send (plain columns, ``terse``, ``detail``, ``where``), the interface, VLAN, route,
ARP and user tables, ``/system resource`` and ``routerboard``, and the lines the checks send
that are not menu commands (DHCP leases, ``/tool fetch``, ``:resolve``, ``:put``). Each form
follows real RouterOS 7 output (tests/fixtures/real).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from ipaddress import IPv4Address
from typing import TYPE_CHECKING

from netprov.sim.routeros import forwarding, lines
from netprov.sim.routeros.lines import RosError
from netprov.sim.routeros.schema import Item
from netprov.syntax.routeros import unquote
from netprov.twin import routeros_print, routeros_version

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice

# The columns a plain ``print`` shows, as RouterOS 7 orders them (tests/fixtures/real).
COLUMNS: dict[str, list[str]] = {
    "/ip address": ["address", "network", "interface"],
    "/ip dhcp-client": ["interface", "use-peer-dns", "add-default-route"],
    "/system scheduler": ["name", "start-time", "interval", "on-event"],
    "/ip service": ["name", "port", "address"],
    "/interface ethernet": ["name", "mtu", "mac-address", "arp", "switch"],
    "/snmp community": ["name", "addresses", "security", "read-access", "write-access"],
}


# each menu's flag legend as RouterOS 7 spells it (a column table prints the flags in use)
LEGENDS: dict[str, str] = {
    "/ip address": "X - DISABLED, I - INVALID; D - DYNAMIC",
    "/interface ethernet": "X - DISABLED, R - RUNNING, S - SLAVE",
    "/snmp community": "* - DEFAULT; X - DISABLED",
}


# what a community shows that is not set: its security and access (MikroTik manual, "SNMP",
# community properties and their defaults)
SNMP_COMMUNITY_SHOWN: Item = {"security": "none", "read-access": "yes", "write-access": "no"}


# the DHCP lease table, as the DHCP check reads it
LEASES = re.compile(
    r'/ip dhcp-server lease print terse without-paging(?: where server="?([\w-]+)"?)?'
)


# ``/tool fetch`` of a plain http URL printed to the console (what the egress check sends)
FETCH = re.compile(r'/tool fetch url="?http://([\d.]+)(?::\d+)?/[^" ]*"? output=user')


RESOLVE = re.compile(r':put \[\s*:resolve (?:domain-name=)?"?([\w.-]+)"?\s*\]')


PUT = re.compile(r':put ("(?:\\.|[^"\\])*"|[\w.-]+)')  # MikroTik manual, "Scripting"


ARP_FIELDS = ("address", "mac-address", "interface")


class RosShow:
    """The printed views of one router's state (:class:`RosDevice` holds the state)."""

    def __init__(self, device: RosDevice) -> None:
        self.device = device

    def settings(self, values: Item) -> str:
        """``print`` of a settings menu: one ``key: value`` line each."""
        return routeros_print.settings(values)

    def files(self) -> str:
        """``/file print``: the router's files, numbered."""
        return "\n".join(f" {i} {name}" for i, name in enumerate(sorted(self.device.files)))

    def special(self, line: str) -> str | None:
        """What the checks send that is not a menu command; None for anything else."""
        leases = LEASES.fullmatch(line)
        if leases is not None:
            return self.leases(leases[1])
        fetch = FETCH.fullmatch(line)
        if fetch is not None:
            return self.fetch(IPv4Address(fetch[1]))
        lookup = RESOLVE.fullmatch(line)
        if lookup is not None:
            return self.resolve(lookup[1])
        constant = PUT.fullmatch(line)
        if constant is not None:  # MikroTik manual, "Scripting": :put prints its argument
            return unquote(constant[1])
        return None

    def leases(self, server: str | None) -> str:
        """Two office PCs holding leases from each enabled server whose pool exists, in
        RouterOS 7's terse form (tests/fixtures/real: ip dhcp-server lease print terse)."""
        pools = {p["name"]: p["ranges"] for p in self.device.tables["/ip pool"]}
        rows: list[str] = []
        for item in self.device.tables["/ip dhcp-server"]:
            name = item.get("name", "")
            ranges = pools.get(item.get("address-pool", ""))
            if item.get("disabled") == "yes" or ranges is None or server not in (None, name):
                continue
            # ranges: "a-b", "a-b,c-d" or a prefix "a/n" (MikroTik manual, "IP pools")
            first = lines.interface(ranges.split(",")[0].split("-")[0]).ip
            for n in range(2):
                address, mac = first + 89 + n, f"02:00:5E:10:00:{n + 1:02X}"
                rows.append(
                    f"{len(rows):>2} D address={address} mac-address={mac} "
                    f'client-id=1:{mac.lower()} address-lists="" server={name} '
                    f'dhcp-option="" status=bound expires-after=52m last-seen=8m '
                    f"active-address={address} active-mac-address={mac} active-server={name} "
                    f"host-name=PC-{n + 1}"
                )
        return "\n".join(rows)

    def fetch(self, server: IPv4Address) -> str:
        """``/tool fetch ... output=user`` of an echo service: its body is the caller's
        address (MikroTik manual, Fetch: ``output=user`` prints the data)."""
        seen = self.device.router().echo(server)
        if seen is None:
            raise RosError("failure: connection timeout")
        return (
            "      status: finished\n  downloaded: 0KiB\n       total: 0KiB\n"
            f"    duration: 1s\n        data: {seen}"
        )

    def resolve(self, name: str) -> str:
        """``:put [:resolve NAME]``: the router's DNS client, through ``/ip dns servers``."""
        servers = [
            IPv4Address(s)
            for s in self.device.settings["/ip dns"].get("servers", "").split(",")
            if s
        ]
        if not servers:
            raise RosError("failure: dns server failure")
        address = self.device.router().resolve(name, servers)
        if address is None:
            raise RosError("failure: dns name does not exist")
        return str(address)

    def print(self, menu: str, items: list[Item], args: list[str]) -> str:
        request = routeros_print.print_request(args)
        shown = [
            (index, item)
            for index, item in enumerate(items)
            if not request.where or lines.matches(item, request.where, menu)
        ]
        if request.count_only:
            return str(len(shown))
        legend = LEGENDS.get(menu, "X - DISABLED")
        rows: list[tuple[int | None, str, Item]] = []
        for index, item in shown:
            flag = "X" if item.get("disabled") == "yes" else " "
            fields = {k: v for k, v in item.items() if not k.startswith(".") and k != "disabled"}
            if menu == "/snmp community":
                fields = {**SNMP_COMMUNITY_SHOWN, **fields}
                flag = ("*" if item.get(".default") == "yes" else "") + flag.strip() or " "
            if menu == "/interface ethernet":
                fields, flag = self.ethernet_shown(fields, flag)
            rows.append((index, flag, fields))
        return self.format(request, legend, rows, menu)

    def ethernet_shown(self, fields: Item, flag: str) -> tuple[Item, str]:
        """What ``/interface ethernet print`` shows beside the configured names: MTU, MAC,
        ARP mode, the switch chip, and R while the port is running (tests/fixtures/real:
        interface ethernet print)."""
        identity = self.device.settings["/system identity"]["name"]
        link = self.device.router().links.get(fields["name"])
        running = link is not None and self.device.router().link_up(link)
        shown = {
            "name": fields["name"],
            "mtu": fields.get("mtu", "1500"),
            "mac-address": routeros_print.mac_for(f"{identity}/{fields['default-name']}"),
            "arp": "enabled",
            "switch": "switch1",
            **{k: v for k, v in fields.items() if k not in {"name", "mtu"}},
        }
        return shown, flag if flag.strip() else ("R" if running else " ")

    def printed(
        self,
        request: routeros_print.PrintRequest,
        legend: str,
        rows: Sequence[tuple[int | None, str, Item]],
        columns: dict[str, str],
    ) -> str:
        """``rows`` as ``print`` shows them in the request's form; a table has ``columns``,
        each header with the field it shows (empty where a row has none)."""
        if request.form != "table":
            return self.format(request, legend, list(rows))
        table_rows = [
            (str(i), flags.strip(), [item.get(key, "") for key in columns.values()])
            for i, flags, item in rows
        ]
        return routeros_print.table(legend, list(columns), table_rows)

    def format(
        self,
        request: routeros_print.PrintRequest,
        legend: str,
        rows: list[tuple[int | None, str, Item]],
        menu: str = "",
    ) -> str:
        if request.form == "terse":
            return "\n".join(routeros_print.terse_line(i, f, fields) for i, f, fields in rows)
        if request.form == "as-value":
            return ";".join(
                ";".join(f"{k}={v}" for k, v in fields.items()) for _, _, fields in rows
            )
        if request.form == "detail" or not rows:
            records = [
                routeros_print.detail_record(
                    i, f, {k: v for k, v in d.items() if k != "comment"}, d.get("comment", "")
                )
                for i, f, d in rows
            ]
            return f"Flags: {routeros_print.detail_legend(legend)}\n" + "\n".join(records)
        columns = COLUMNS.get(menu) or [k for k in rows[0][2] if k != "comment"][:6]
        table_rows = [
            ("" if i is None else str(i), f.strip(), [fields.get(c, "") for c in columns])
            for i, f, fields in rows
        ]
        return routeros_print.table(legend, [c.upper() for c in columns], table_rows)

    def interface_rows(self) -> list[tuple[int | None, str, Item]]:
        router = self.device.router()
        identity = self.device.settings["/system identity"]["name"]
        rows: list[tuple[int | None, str, Item]] = []
        factory = {
            i["name"]: i.get("default-name", i["name"])
            for i in self.device.tables["/interface ethernet"]
        }
        bridges = {i["name"] for i in self.device.tables["/interface bridge"]}
        for index, link in enumerate(router.links.values()):
            running = router.link_up(link)
            status = "X" if not link.admin_up else ("R" if running else " ")
            fields: Item = {"name": link.name}
            if link.name in factory or link.name in bridges:
                fields.update(
                    {
                        "default-name": factory.get(link.name, link.name),
                        "type": "ether",
                        "mtu": "1500",
                        "actual-mtu": "1500",
                        "l2mtu": "1592",
                        "max-l2mtu": "9578",
                    }
                )
            elif link.dynamic == "pppoe":
                fields.update({"type": "pppoe-out", "mtu": "1480", "actual-mtu": "1480"})
            else:
                fields.update(
                    {"type": "vlan", "mtu": "1500", "actual-mtu": "1500", "l2mtu": "1588"}
                )
            if link.dynamic != "pppoe":
                port = factory.get(link.name, link.port or link.name)
                fields["mac-address"] = routeros_print.mac_for(f"{identity}/{port}")
            fields["link-downs"] = "0"
            rows.append((index, f" {status} ", fields))
        return rows

    def print_interfaces(self, args: list[str]) -> str:
        request = routeros_print.print_request(args)
        rows = [
            row
            for row in self.interface_rows()
            if not request.where or lines.matches(row[2], request.where)
        ]
        legend = "D - DYNAMIC; X - DISABLED, R - RUNNING; S - SLAVE"
        return self.printed(
            request,
            legend,
            rows,
            {
                "NAME": "name",
                "TYPE": "type",
                "ACTUAL-MTU": "actual-mtu",
                "L2MTU": "l2mtu",
                "MAX-L2MTU": "max-l2mtu",
                "MAC-ADDRESS": "mac-address",
            },
        )

    def print_vlans(self, args: list[str]) -> str:
        """VLAN interfaces with what RouterOS shows of them: running, MTU, MAC, ARP and
        loop protection (tests/fixtures/real: interface vlan print detail)."""
        request = routeros_print.print_request(args)
        router = self.device.router()
        identity = self.device.settings["/system identity"]["name"]
        rows: list[tuple[int | None, str, Item]] = []
        for index, item in enumerate(self.device.tables["/interface vlan"]):
            link = router.links.get(item["name"])
            running = link is not None and router.link_up(link)
            flag = "X" if item.get("disabled") == "yes" else ("R" if running else " ")
            fields: Item = {"comment": item["comment"]} if item.get("comment") else {}
            fields |= {
                "name": item["name"],
                "mtu": item.get("mtu", "1500"),
                "l2mtu": "1588",
                "mac-address": routeros_print.mac_for(f"{identity}/{item['interface']}"),
                "arp": "enabled",
                "arp-timeout": "auto",
                "loop-protect": "default",
                "loop-protect-status": "off",
                "loop-protect-send-interval": "5s",
                "loop-protect-disable-time": "5m",
                "vlan-id": item["vlan-id"],
                "interface": item["interface"],
                "use-service-tag": "no",
            }
            rows.append((index, flag, fields))
        if request.where:
            rows = [row for row in rows if lines.matches(row[2], request.where)]
        legend = "X - DISABLED, R - RUNNING"
        columns = {"NAME": "name", "MTU": "mtu", "ARP": "arp", "VLAN-ID": "vlan-id"}
        return self.printed(request, legend, rows, {**columns, "INTERFACE": "interface"})

    def print_routes(self, args: list[str]) -> str:
        """Routes as RouterOS 7 prints them: static items numbered, dynamic ones not; flags
        D dynamic, X disabled, A active; c connect, s static, d dhcp, v vpn (PPPoE)."""
        request = routeros_print.print_request(args)
        router = self.device.router()
        active = {(str(r.prefix), str(r.gateway or r.interface)) for r in router.active_routes()}
        rows: list[tuple[int | None, str, Item]] = []
        for route in router.connected():
            key = (str(route.prefix), str(route.interface))
            address = router.address_of(router.links[str(route.interface)])
            fields = {
                "dst-address": str(route.prefix),
                "routing-table": "main",
                "gateway": str(route.interface),
                "immediate-gw": str(route.interface),
                "distance": "0",
                "scope": "10",
                "suppress-hw-offload": "no",
                "local-address": f"{address.ip if address else ''}%{route.interface}",
            }
            rows.append((None, "DAc" if key in active else "D c", fields))
        for index, item in enumerate(self.device.tables["/ip route"]):
            destination = item.get("dst-address", forwarding.DEFAULT_ROUTE)
            key = (str(lines.network(destination)), item.get("gateway", ""))
            gateway = item.get("gateway", "")
            main = forwarding.in_main_table(item)
            flags = (
                "X" if item.get("disabled") == "yes" else ("A" if main and key in active else " ")
            )
            immediate = gateway
            gateway_address = lines.address(gateway)
            if gateway_address is not None:
                # the neighbour on the link a (recursive) gateway resolves to, never through
                # the default route: "" while it does not resolve (the route is inactive)
                hop = router.next_hop_of(gateway_address)
                immediate = "" if hop is None else hop[0].name
                if hop is not None and hop[1] is not None:
                    immediate = f"{hop[1]}%{immediate}"
            table = item.get("routing-table", item.get("routing-mark", "main"))
            fields = {"dst-address": destination, "routing-table": table}
            if item.get("comment"):
                fields = {"comment": item["comment"], **fields}
            fields |= {
                "gateway": gateway,
                "immediate-gw": immediate,
                "distance": item.get("distance", "1"),
                "scope": item.get("scope", "30"),
                "target-scope": item.get("target-scope", "10"),
                "suppress-hw-offload": "no",
            }
            for name in ("check-gateway", "routing-mark"):  # routing-mark: RouterOS 6's
                if item.get(name):
                    fields[name] = item[name]
            rows.append((index, f"{flags}s", fields))
        for route in router.dynamic_defaults():
            gateway = str(route.gateway)
            link = router.links.get(route.interface or "")
            kind = "v" if link is not None and link.dynamic == "pppoe" else "d"
            flags = ("DA" if (str(route.prefix), gateway) in active else "D ") + kind
            rows.append(
                (
                    None,
                    flags,
                    {
                        "dst-address": str(route.prefix),
                        "routing-table": "main",
                        "gateway": gateway,
                        "immediate-gw": f"{gateway}%{route.interface}",
                        "distance": str(route.distance),
                        "scope": "30",
                        "target-scope": "10",
                        "suppress-hw-offload": "no",
                    },
                )
            )
        legend = (
            "D - DYNAMIC; X - DISABLED, I - INACTIVE, A - ACTIVE; c - CONNECT, s - STATIC, "
            "d - DHCP, v - VPN"
        )
        if self.device.version.major < 7:
            rows, legend = routeros_version.v6_routes(rows), routeros_version.V6_ROUTE_LEGEND
        if request.where:
            rows = [row for row in rows if lines.matches(row[2], request.where)]
        if request.form != "table":
            return self.format(request, legend, rows)
        table_rows = [
            (
                "" if i is None else str(i),
                f.replace(" ", ""),
                [d["dst-address"], d["gateway"], d["distance"]],
            )
            for i, f, d in rows
        ]
        return routeros_print.table(legend, ["DST-ADDRESS", "GATEWAY", "DISTANCE"], table_rows)

    def print_arp(self, args: list[str]) -> str:
        """The ARP table: each live line's gateway, and the office PCs holding leases, all
        dynamic, complete and reachable (MikroTik manual, "ARP"; tests/fixtures/real: ip arp
        print, and RouterOS 7's STATUS column in ip arp print without-paging)."""
        request = routeros_print.print_request(args)
        router = self.device.router()
        statics = [  # the static entries a config adds, in the columns' order
            (" C" if "mac-address" in i else "  ", {k: i[k] for k in ARP_FIELDS if k in i} | i)
            for i in self.device.verbatim.items("/ip arp")
        ]
        entries: list[Item] = []
        for link in router.links.values():
            uplink = self.device.world.uplink_for(link)
            address = router.address_of(link)
            if address is None or not router.link_up(link) or link.dynamic == "pppoe":
                continue
            if uplink is not None and uplink.gateway is not None:
                mac = routeros_print.mac_for(f"gateway/{uplink.gateway}")
                entries.append(
                    {
                        "address": str(uplink.gateway),
                        "mac-address": mac,
                        "interface": link.name,
                        "status": "reachable",
                    }
                )
        for lease in routeros_print.terse_rows_of(self.leases(None)):
            interface = next(
                (
                    i["interface"]
                    for i in self.device.tables["/ip dhcp-server"]
                    if i.get("name") == lease.get("server")
                ),
                "",
            )
            entries.append(
                {
                    "address": lease.get("address", ""),
                    "mac-address": lease.get("mac-address", ""),
                    "interface": interface,
                    "status": "reachable",
                }
            )
        shown = statics + [(" DC", entry) for entry in entries]  # static entries first
        rows = [(i, flags, entry) for i, (flags, entry) in enumerate(shown)]
        if request.where:
            rows = [row for row in rows if lines.matches(row[2], request.where)]
        legend = "X - DISABLED, I - INVALID; H - DHCP, D - DYNAMIC; P - PUBLISHED; C - COMPLETE"
        columns = {"ADDRESS": "address", "MAC-ADDRESS": "mac-address", "INTERFACE": "interface"}
        return self.printed(request, legend, rows, {**columns, "STATUS": "status"})

    def print_users(self, args: list[str]) -> str:
        """Local users: the default ``admin`` (MikroTik manual, "User") and the twin's login."""
        request = routeros_print.print_request(args)
        rows = [
            (i, " ", {"name": name, "group": "full", "address": "", "last-logged-in": ""})
            for i, name in enumerate(self.device.users)
        ]
        columns = {"NAME": "name", "GROUP": "group", "ADDRESS": "address"}
        return self.printed(
            request, "X - DISABLED", rows, {**columns, "LAST-LOGGED-IN": "last-logged-in"}
        )

    def routerboard(self) -> Item:
        serial = routeros_print.mac_for(self.device.settings["/system identity"]["name"])
        return routeros_version.routerboard(
            self.device.version, "D4" + serial.replace(":", "")[2:12]
        )

    def resource(self) -> Item:
        uptime = int((self.device.now() - self.device.booted).total_seconds())
        days, rest = divmod(uptime, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        shown = f"{hours}h{minutes}m{seconds}s"
        return routeros_version.resource(self.device.version, f"{days}d{shown}" if days else shown)
