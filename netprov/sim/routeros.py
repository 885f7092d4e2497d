"""MikroTik RouterOS 7 config semantics: menus, ``add/set/remove/print/export``, ``/ping``, files.

State is a set of menus: tables of items (``/ip address``), settings (``/ip dns``) and
tables with built-in default items (``/ip service``). ``/export terse`` renders it with the
same line format netprov's templates produce, so a rendered config and an export compare.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, IPv4Network
from types import MappingProxyType

from netprov.filters import ros_line
from netprov.rossyntax import (
    SETTINGS,
    VERB_NAMED_MENUS,
    VERBS,
    logical_lines,
    params_of,
    tokens_of,
    unquote,
)
from netprov.sim import ros_print
from netprov.sim.ros_firewall import RosFilter
from netprov.sim.ros_menus import EXTRA_PROPERTIES, EXTRA_SETTINGS, known_menu
from netprov.sim.ros_verbatim import VerbatimError, VerbatimMenus
from netprov.sim.topology import Link, RouteEntry, Router, World

Item = dict[str, str]

# Tables: menu -> parameters an item may have (anything else: "expected end of command").
TABLES: dict[str, set[str]] = {
    # what an in-service router holds beside netprov's objects (RouterOS default
    # configuration: a bridge LAN, interface lists WAN/LAN, a static DNS name)
    "/interface bridge": {
        "name",
        "comment",
        "admin-mac",
        "auto-mac",
        "disabled",
        "protocol-mode",
        "vlan-filtering",
    },
    "/interface bridge port": {"bridge", "interface", "comment", "disabled", "hw"},
    "/interface list": {"name", "comment", "include", "exclude"},
    "/interface list member": {"interface", "list", "comment", "disabled"},
    "/ip dns static": {"address", "name", "comment", "disabled", "type"},
    "/interface vlan": {"name", "interface", "vlan-id", "comment", "disabled", "mtu"},
    "/interface pppoe-client": {
        "name",
        "interface",
        "user",
        "password",
        "add-default-route",
        "default-route-distance",
        "use-peer-dns",
        "disabled",
        "comment",
    },
    "/ip address": {"address", "interface", "network", "comment", "disabled"},
    "/ip pool": {"name", "ranges", "comment"},
    "/ip dhcp-server": {
        "name",
        "interface",
        "address-pool",
        "lease-time",
        "comment",
        "disabled",
    },
    "/ip dhcp-server network": {"address", "gateway", "dns-server", "comment"},
    "/ip dhcp-client": {
        "interface",
        "add-default-route",
        "default-route-distance",
        "use-peer-dns",
        "use-peer-ntp",
        "script",
        "comment",
        "disabled",
    },
    "/ip route": {
        "dst-address",
        "gateway",
        "distance",
        "scope",
        "target-scope",
        "check-gateway",
        "comment",
        "disabled",
        "routing-table",
    },
    "/ip firewall filter": {
        "chain",
        "action",
        "protocol",
        "dst-port",
        "src-address",
        "src-address-list",
        "dst-address",
        "dst-address-list",
        "in-interface",
        "out-interface",
        "in-interface-list",
        "out-interface-list",
        "connection-state",
        "connection-nat-state",
        "ipsec-policy",
        "hw-offload",
        "reject-with",
        "jump-target",
        "comment",
        "disabled",
    },
    "/ip firewall address-list": {"list", "address", "comment", "disabled"},
    # what the default configuration's IPv6 firewall uses (MikroTik manual, "Default
    # configurations"; "IPv6 Firewall Filter")
    "/ipv6 firewall filter": {
        "chain",
        "action",
        "protocol",
        "dst-port",
        "src-address",
        "src-address-list",
        "dst-address-list",
        "in-interface",
        "in-interface-list",
        "connection-state",
        "ipsec-policy",
        "hop-limit",
        "comment",
        "disabled",
    },
    "/ipv6 firewall address-list": {"list", "address", "comment", "disabled"},
    "/ip firewall nat": {
        "chain",
        "action",
        "protocol",
        "dst-port",
        "in-interface",
        "out-interface",
        "in-interface-list",
        "out-interface-list",
        "ipsec-policy",
        "to-ports",
        "to-addresses",
        "src-address",
        "comment",
        "disabled",
    },
    "/ip firewall mangle": {
        "chain",
        "action",
        "new-packet-mark",
        "passthrough",
        "comment",
        "disabled",
    },
    "/queue simple": {
        "name",
        "parent",
        "target",
        "dst",
        "max-limit",
        "limit-at",
        "queue",
        "comment",
        "disabled",
    },
    "/queue tree": {
        "name",
        "parent",
        "packet-mark",
        "max-limit",
        "limit-at",
        "comment",
        "disabled",
    },
    "/tool netwatch": {
        "host",
        "interval",
        "type",
        "comment",
        "disabled",
        "up-script",
        "down-script",
    },
    "/system logging": {"action", "topics", "comment", "disabled"},
    "/system logging action": {
        "name",
        "target",
        "remote",
        "remote-port",
        "src-address",
        "comment",
    },
    "/system ntp client servers": {"address", "comment", "disabled"},
    "/ip traffic-flow target": {
        "dst-address",
        "port",
        "version",
        "src-address",
        "comment",
        "disabled",
    },
    "/snmp community": {"name", "addresses", "read-access", "write-access", "comment", "disabled"},
    "/system scheduler": {"name", "interval", "start-time", "on-event", "comment", "disabled"},
    "/system script": {"name", "source", "comment", "policy", "dont-require-permissions"},
    "/ip service": {"name", "address", "disabled", "port"},
    "/interface ethernet": {"name", "default-name", "comment", "disabled", "mtu"},
    "/ipv6 address": {"address", "interface", "advertise", "eui-64", "comment", "disabled"},
    # discovered neighbours (MNDP/CDP/LLDP): read-only, none on the twin's links
    "/ip neighbor": set(),
}
# what each modelled menu accepts: what the twin acts on, and what it keeps (ros_menus)
_KNOWN_PROPERTIES = {
    menu: frozenset(keys | EXTRA_PROPERTIES.get(menu, frozenset())) for menu, keys in TABLES.items()
}
_KNOWN_SETTINGS = {
    menu: frozenset(values.keys() | EXTRA_SETTINGS.get(menu, frozenset()))
    for menu, values in SETTINGS.items()
}
_DEFAULT_SERVICES = {
    "telnet": "23",
    "ftp": "21",
    "www": "80",
    "ssh": "22",
    "www-ssl": "443",
    "api": "8728",
    "winbox": "8291",
    "api-ssl": "8729",
}
EXPORT_ORDER = [
    "/interface bridge",
    "/interface ethernet",
    "/interface vlan",
    "/interface pppoe-client",
    "/interface list",
    "/queue simple",
    "/queue tree",
    "/snmp community",
    "/system logging action",
    "/ip pool",
    "/ip dhcp-server",
    "/interface bridge port",
    "/ip neighbor discovery-settings",
    "/interface list member",
    "/ip address",
    "/ip dhcp-client",
    "/ip dhcp-server network",
    "/ip dns",
    "/ip dns static",
    "/ip firewall address-list",
    "/ip firewall filter",
    "/ip firewall mangle",
    "/ip firewall nat",
    "/ip route",
    "/ip service",
    "/ip traffic-flow",
    "/ip traffic-flow target",
    "/snmp",
    "/system clock",
    "/system identity",
    "/system logging",
    "/system ntp client",
    "/system ntp client servers",
    "/system scheduler",
    "/system script",
    "/tool netwatch",
    "/ipv6 firewall address-list",
    "/ipv6 firewall filter",
    "/tool bandwidth-server",
    "/tool mac-server",
    "/tool mac-server mac-winbox",
    "/tool mac-server ping",
]
_MENUS = (
    set(TABLES)
    | set(SETTINGS)
    | {
        "/system backup",
        "/file",
        "/interface",
        "/ip",
        "/ip firewall",
        "/system",
        "/tool",
        "/queue",
        "/ip traffic-flow",
        "/system ntp",
        "/system ntp client",
        "/system logging",
        "/interface ethernet",
        "/system resource",
        "/system routerboard",
        "/ip arp",
        "/user",
    }
)
_PREFIXES = {" ".join(m.split()[:n]) for m in _MENUS for n in range(1, len(m.split()) + 1)}


# The columns a plain ``print`` shows, as RouterOS 7 orders them (tests/fixtures/real).
_COLUMNS: dict[str, list[str]] = {
    "/ip address": ["address", "network", "interface"],
    "/ip dhcp-client": ["interface", "use-peer-dns", "add-default-route"],
    "/system scheduler": ["name", "start-time", "interval", "on-event"],
    "/ip service": ["name", "port", "address"],
    "/interface ethernet": ["name", "mtu", "mac-address", "arp", "switch"],
    "/snmp community": ["name", "addresses", "security", "read-access", "write-access"],
}


# each menu's flag legend as RouterOS 7 spells it (a column table prints the flags in use)
_LEGENDS: dict[str, str] = {
    "/ip address": "X - DISABLED, I - INVALID; D - DYNAMIC",
    "/interface ethernet": "X - DISABLED, R - RUNNING, S - SLAVE",
    "/snmp community": "* - DEFAULT; X - DISABLED",
}

# what a community shows that is not set: its security and access (MikroTik manual, "SNMP",
# community properties and their defaults)
_SNMP_COMMUNITY_SHOWN: Item = {"security": "none", "read-access": "yes", "write-access": "no"}


# the DHCP lease table, as the DHCP check reads it
_LEASES = re.compile(
    r'/ip dhcp-server lease print terse without-paging(?: where server="?([\w-]+)"?)?'
)
# ``/tool fetch`` of a plain http URL printed to the console (what the egress check sends)
_FETCH = re.compile(r'/tool fetch url="?http://([\d.]+)(?::\d+)?/[^" ]*"? output=user')


# parameters that name an interface (a simple queue's target too) or an interface list
_INTERFACE_KEYS = ("interface", "in-interface", "out-interface")
_QUEUE_INTERFACE_KEYS = (*_INTERFACE_KEYS, "dst")
_INTERFACE_LIST_KEYS = ("list", "in-interface-list", "out-interface-list")


class RosError(ValueError):
    pass


def _duration(text: str) -> float:
    """RouterOS durations: ``30s``, ``5m``, ``1h``, ``1d``, ``00:05:00``."""
    if re.fullmatch(r"\d+:\d{2}:\d{2}", text):
        hours, minutes, seconds = (int(x) for x in text.split(":"))
        return hours * 3600 + minutes * 60 + seconds
    total = 0.0
    for number, unit in re.findall(r"(\d+)([wdhms]?)", text):
        total += int(number) * {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


_RESOLVE = re.compile(r':put \[\s*:resolve (?:domain-name=)?"?([\w.-]+)"?\s*\]')
_PUT = re.compile(r':put ("(?:\\.|[^"\\])*"|[\w.-]+)')  # MikroTik manual, "Scripting"


class RosDevice:
    """State of one RouterOS router."""

    def __init__(
        self,
        *,
        ports: list[str],
        world: World,
        schedule: Callable[[float, Callable[[], None]], Callable[[], None]],
        now: Callable[[], dt.datetime],
        identity: str = "MikroTik",
    ) -> None:
        self.world = world
        self.schedule = schedule
        self.now = now
        self.settings: dict[str, Item] = {menu: dict(values) for menu, values in SETTINGS.items()}
        self.tables: dict[str, list[Item]] = {menu: [] for menu in TABLES}
        self.tables["/interface ethernet"] = [
            {"name": p, "default-name": p, ".default": "yes"}
            for p in ports
            if p.startswith(("ether", "sfp"))
        ]
        self.tables["/ip service"] = [
            {"name": n, "port": p, ".default": "yes"} for n, p in _DEFAULT_SERVICES.items()
        ]
        self.tables["/snmp community"] = [
            {"name": "public", "addresses": "::/0", ".default": "yes"}
        ]
        self.defaults = {
            menu: [dict(item) for item in items] for menu, items in self.tables.items()
        }
        self.files: dict[str, str] = {}
        self.timers: dict[str, Callable[[], None]] = {}
        self.next_id = 1
        self.rejections: list[re.Pattern[str]] = []
        self.ignored: list[re.Pattern[str]] = []  # accepted, never applied (a fault)
        self.on_config_line: Callable[[], None] = lambda: None
        self.on_reboot: Callable[[], None] = lambda: None
        self.booted = now()
        self._loading = False  # a config being loaded as it stands: no script runs
        self.users = ["admin"]  # local users (the twin adds the one it lets log in)
        self.verbatim = VerbatimMenus()  # what the twin does not model, kept as it came
        self._last_menu: str | None = None  # where a new unmodelled menu's block goes

    # --- loading and running commands ----------------------------------------------------

    def load_initial(self, text: str) -> list[tuple[int, str]]:
        """Load a config in either export form: terse (a full path on every line) or the
        default block form (a menu line, then ``add``/``set`` lines relative to it), with
        ``\\`` line continuations joined. The config is the router's as it stands: what its
        scripts made is in it already, so none of them runs (:meth:`boot` runs them)."""
        rejected = []
        path = "/"
        self._loading = True
        try:
            for number, line in logical_lines(text):
                if line.strip() and not line.lstrip().startswith("#"):
                    output, path = self.run(line, path)
                    if output:
                        rejected.append((number, f"{line.strip()} -> {output}"))
        finally:
            self._loading = False
        return rejected

    def boot(self) -> None:
        """The router comes up with its config: each enabled DHCP client obtains a lease,
        and its script runs (MikroTik manual, "DHCP client": script on status change)."""
        for client in list(self.tables["/ip dhcp-client"]):
            if client.get("disabled") != "yes":
                self._lease_event(client)

    def run(self, line: str, path: str) -> tuple[str, str]:
        """Run one command line at menu ``path``; return (output, new path)."""
        try:
            return self._run(line.strip(), path)
        except RosError as exc:
            return str(exc), path

    def _run(self, line: str, path: str) -> tuple[str, str]:
        if not line:
            return "", path
        if self.rejections and any(pattern.search(line) for pattern in self.rejections):
            raise RosError("failure: command rejected by device policy")
        if self.ignored and any(pattern.search(line) for pattern in self.ignored):
            return "", path
        if line.startswith(("/ip dhcp-server lease", "/tool fetch", ":put")):
            special = self._special(line)
            if special is not None:
                return special, path
        menu, verb, args, column = _resolved(line, path)
        if verb is None:
            return "", menu  # navigation only
        output = self._verb(menu, verb, list(args), column)
        if verb in {"add", "set"}:
            self._last_menu = menu
        return output, path

    def _special(self, line: str) -> str | None:
        """What the checks send that is not a menu command; None for anything else."""
        leases = _LEASES.fullmatch(line)
        if leases is not None:
            return self._leases(leases[1])
        fetch = _FETCH.fullmatch(line)
        if fetch is not None:
            return self._fetch(IPv4Address(fetch[1]))
        lookup = _RESOLVE.fullmatch(line)
        if lookup is not None:
            return self._resolve(lookup[1])
        constant = _PUT.fullmatch(line)
        if constant is not None:  # MikroTik manual, "Scripting": :put prints its argument
            return unquote(constant[1])
        return None

    def _leases(self, server: str | None) -> str:
        """Two office PCs holding leases from each enabled server whose pool exists, in
        RouterOS 7's terse form (tests/fixtures/real: ip dhcp-server lease print terse)."""
        pools = {p["name"]: p["ranges"] for p in self.tables["/ip pool"]}
        rows: list[str] = []
        for item in self.tables["/ip dhcp-server"]:
            name = item.get("name", "")
            ranges = pools.get(item.get("address-pool", ""))
            if item.get("disabled") == "yes" or ranges is None or server not in (None, name):
                continue
            first = IPv4Address(ranges.split("-")[0])
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

    def _fetch(self, server: IPv4Address) -> str:
        """``/tool fetch ... output=user`` of an echo service: its body is the caller's
        address (MikroTik manual, Fetch: ``output=user`` prints the data)."""
        seen = self.router().echo(server)
        if seen is None:
            raise RosError("failure: connection timeout")
        return (
            "      status: finished\n  downloaded: 0KiB\n       total: 0KiB\n"
            f"    duration: 1s\n        data: {seen}"
        )

    def _resolve(self, name: str) -> str:
        """``:put [:resolve NAME]``: the router's DNS client, through ``/ip dns servers``."""
        servers = [
            IPv4Address(s) for s in self.settings["/ip dns"].get("servers", "").split(",") if s
        ]
        if not servers:
            raise RosError("failure: dns server failure")
        address = self.router().resolve(name, servers)
        if address is None:
            raise RosError("failure: dns name does not exist")
        return str(address)

    def _verb(self, menu: str, verb: str, args: list[str], column: int) -> str:
        if verb == "export":
            return self._export_command(menu, args)
        if menu == "/" and verb == "ping":
            return self._ping(args)
        if menu == "/" and verb == "import":
            return self._import(args)
        if menu == "/" and verb == "quit":
            return ""
        if menu == "/system backup":
            return self._backup(verb, params_of(args))
        if menu == "/system" and verb == "reboot":
            self.on_reboot()
            return ""
        if menu == "/interface" and verb == "print":
            return self._print_interfaces(args)
        if menu == "/interface vlan" and verb == "print":
            return self._print_vlans(args)
        if menu == "/system resource" and verb == "print":
            return ros_print.settings(self._resource())
        if menu == "/system routerboard" and verb == "print":
            return ros_print.settings(self._routerboard())
        if menu == "/ip route" and verb == "print":
            return self._print_routes(args)
        if menu == "/ip arp" and verb == "print":
            return self._print_arp(args)
        if menu == "/user" and verb == "print":
            return self._print_users(args)
        if menu == "/ip dhcp-client" and verb in {"renew", "release"}:
            # the server answers at once on the twin: the lease is renewed, or released and
            # obtained again; either way the client's script runs (MikroTik manual,
            # "DHCP client": renew, release; script runs on a status change)
            for client in self._select(menu, self.tables[menu], args[0] if args else ""):
                self._lease_event(client)
            return ""
        if menu == "/file" and verb == "print":
            return "\n".join(f" {i} {name}" for i, name in enumerate(sorted(self.files)))
        if menu == "/file" and verb == "remove":
            for arg in args:
                self.files.pop(unquote(arg), None)
            return ""
        if menu in SETTINGS or menu in TABLES:
            try:
                if menu in SETTINGS:
                    return self._setting(menu, verb, args, column)
                return self._table(menu, verb, args, column)
            except RosError:
                if not (self._loading and _routeros6_form(menu, verb, args)):
                    raise
                # the router printed it, in a form of another RouterOS version (RouterOS 6's
                # "/tool mac-server add interface=..." where 7 has a setting): kept as it is
                return self._unmodelled(menu, verb, args)
        if menu not in _MENUS and known_menu(tuple(menu.lstrip("/").split())):
            return self._unmodelled(menu, verb, args)
        raise RosError(f"bad command name {verb} (line 1 column {column})")

    def _unmodelled(self, menu: str, verb: str, args: list[str]) -> str:
        """A menu the twin does not model: its lines are kept as they came, printed back
        in place by ``/export`` (netprov.sim.ros_verbatim)."""
        try:
            output = self.verbatim.run(menu, verb, args, after=self._last_menu)
        except VerbatimError as exc:
            raise RosError(str(exc)) from exc
        if verb in {"add", "set", "remove", "enable", "disable"}:
            self.on_config_line()
        return output

    # --- settings -----------------------------------------------------------------------------

    def _setting(self, menu: str, verb: str, args: list[str], column: int) -> str:
        values = self.settings[menu]
        if verb == "print":
            return ros_print.settings(values)
        if verb != "set":
            raise RosError(f"bad command name {verb} (line 1 column {column})")
        params = params_of(args)
        known = _KNOWN_SETTINGS[menu]
        unknown = [k for k in params if k not in known and not self._kept_as_printed(k)]
        if unknown:
            raise RosError(f"expected end of command (line 1 column {column + len(verb) + 1})")
        for key, value in params.items():
            if key.endswith("interface-list") and value not in self._list_names():
                raise RosError(f"input does not match any value of {key}")
        values.update(params)
        self.on_config_line()
        return ""

    # --- tables -------------------------------------------------------------------------------

    def _table(self, menu: str, verb: str, args: list[str], column: int) -> str:
        items = self.tables[menu]
        if verb == "print":
            return self._print(menu, items, args)
        if verb == "add":
            given, place_before = _add_arguments(tuple(args))
            params = dict(given)
            self._check(menu, params, column + len(verb) + 1)
            if menu == "/ip address" and "network" not in params:
                params["network"] = str(IPv4Interface(params["address"]).network.network_address)
            if menu == "/ip address" and any(
                i.get("address") == params.get("address") for i in items
            ):
                raise RosError("failure: already have such address")
            params[".id"] = f"*{self.next_id:X}"
            self.next_id += 1
            if place_before is None:
                items.append(params)
            else:
                before = self._select(menu, items, place_before)
                if not before:
                    raise RosError("failure: no such item (place-before)")
                items.insert(items.index(before[0]), params)
            if menu == "/system scheduler":
                self._arm(params)
            if menu == "/ip dhcp-client":
                self._lease_event(params)
            self.on_config_line()
            return ""
        if verb in {"set", "remove", "enable", "disable"}:
            selector, rest = (args[0], args[1:]) if args else ("", [])
            targets = self._select(menu, items, selector)
            if verb == "remove":
                for target in targets:
                    if target.get(".default") == "yes":
                        raise RosError("failure: default item can not be removed")
                    items.remove(target)
                    if menu == "/system scheduler":
                        self.timers.pop(target.get("name", ""), lambda: None)()
                    if menu == "/ip dhcp-client":
                        self._lease_event(target, released=True)
            else:
                params = (
                    dict(_parameters(tuple(rest)))
                    if verb == "set"
                    else {"disabled": "yes" if verb == "disable" else "no"}
                )
                self._check(menu, params, column + len(verb) + len(selector) + 2)
                for target in targets:
                    if (
                        menu in _INTERFACE_MENUS
                        and params.get("name", target["name"]) != target["name"]
                    ):
                        self._renamed(target["name"], params["name"])
                    lease = _lease_state(target)
                    target.update(params)
                    if menu == "/ip dhcp-client" and _lease_state(target) != lease:
                        self._lease_event(target)  # on a status change only, not a new script
            self.on_config_line()
            return ""
        if verb == "find":
            return ";".join(
                i[".id"] for i in self._select(menu, items, "[ find " + " ".join(args) + " ]")
            )
        if verb == "move" and args:
            self._move(menu, items, args)
            self.on_config_line()
            return ""
        raise RosError(f"bad command name {verb} (line 1 column {column})")

    def _move(self, menu: str, items: list[Item], args: list[str]) -> None:
        """``move <items> [destination=<item>]``: the items go before ``destination``, or to
        the end without one (MikroTik manual, "Console": move; rule order in "Firewall")."""
        rest, destination = _split_named(args, "destination")
        moving = self._select(menu, items, rest[0] if rest else "")
        if not moving:
            raise RosError("failure: no such item")
        before = self._select(menu, items, destination)[0] if destination else None
        if before is not None and before in moving:
            return
        for item in moving:
            items.remove(item)
        at = items.index(before) if before is not None else len(items)
        items[at:at] = moving

    def _lease_event(self, client: Item, *, released: bool = False) -> None:
        """A DHCP client bound (or lost) its lease: run its ``script`` with ``$bound`` and
        ``$"gateway-address"`` (MikroTik manual, "DHCP client"). The twin runs the one shape
        netprov writes: ``:if ($bound=1) do={...} else={...}``, commands split at ``;``."""
        if self._loading:
            return
        shape = re.fullmatch(
            r":if \(\$bound=1\) do=\{(.*)\} else=\{(.*)\}", client.get("script", ""), re.S
        )
        if shape is None:
            return
        gateway = None
        if not released and client.get("disabled") != "yes":
            router = self.router()
            link = router.links.get(client["interface"])
            uplink = self.world.uplink_for(link) if link else None
            if link and uplink and uplink.gateway and router.link_up(link):
                gateway = uplink.gateway
        body = shape[1] if gateway is not None else shape[2]
        for command in body.split(";"):
            self.run(command.replace('$"gateway-address"', str(gateway)), "/")

    def _renamed(self, old: str, new: str) -> None:
        """RouterOS refers to an interface by its internal id: a rename shows everywhere
        the interface is used (addresses, rules, queues, list members, bridge ports)."""
        for table in self.tables.values():
            for item in table:
                for key in _INTERFACE_REFERENCES & item.keys():
                    if item[key].lstrip("!") == old:
                        item[key] = item[key].replace(old, new, 1)

    def _kept_as_printed(self, key: str) -> bool:
        """A property of a starting config the twin neither models nor lists: the router
        printed it, so it has it (any well-formed property name is kept)."""
        return self._loading and _PROPERTY_NAME.fullmatch(key) is not None

    def _check(self, menu: str, params: Item, column: int) -> None:
        known = _KNOWN_PROPERTIES[menu]
        if not all(key in known or self._kept_as_printed(key) for key in params):
            raise RosError(f"expected end of command (line 1 column {column})")
        for key in _INTERFACE_KEYS:
            self._hardware(params.get(key, "").lstrip("!"))
        table = params.get(_TABLE_KEYS.get(menu, ""), "main")
        if table != "main" and not self._loading and table not in self.routing_tables():
            # RouterOS 7: a table is added in /routing table before anything names it
            # (MikroTik manual, "Moving from ROSv6 to v7": use of routing tables)
            raise RosError(f"input does not match any value of {_TABLE_KEYS[menu]}")
        names: set[str] | None = None  # worked out only for a command that names one
        for key in _QUEUE_INTERFACE_KEYS if menu == "/queue simple" else _INTERFACE_KEYS:
            name = params.get(key, "").lstrip("!")
            if name and name not in (names := names or self.interface_names()):
                raise RosError(f"input does not match any value of {key}")
        address_lists = ("/ip firewall address-list", "/ipv6 firewall address-list")
        for key in () if menu in address_lists else _INTERFACE_LIST_KEYS:
            name = params.get(key, "").lstrip("!")
            if name and name not in self._list_names():
                raise RosError(f"input does not match any value of {key}")
        if params.get("bridge") and params["bridge"] not in {
            i["name"] for i in self.tables["/interface bridge"]
        }:
            raise RosError("input does not match any value of bridge")
        if "address" in params and menu == "/ip address":
            try:
                IPv4Interface(params["address"])
            except (AddressValueError, ValueError) as exc:
                raise RosError("invalid value for argument address") from exc

    def _select(self, menu: str, items: list[Item], selector: str) -> list[Item]:
        selector = selector.strip()
        if menu == "/interface ethernet":
            port = re.fullmatch(r"\[ find default-name=(\S+) \]", selector)
            self._hardware(port[1] if port else "")
        if selector.startswith("["):
            expression = (
                selector.strip("[] ").removeprefix("find").strip().removeprefix("where").strip()
            )
            return [item for item in items if _matches(item, expression)]
        if selector.startswith("*"):
            return [item for item in items if item.get(".id") in selector.split(",")]
        if re.fullmatch(r"[\d,]+", selector):
            indexes = [int(i) for i in selector.split(",")]
            return [items[i] for i in indexes if i < len(items)]
        named = [item for item in items if item.get("name") == unquote(selector)]
        if not named:
            raise RosError(f"no such item ({selector})")
        return named

    def _print(self, menu: str, items: list[Item], args: list[str]) -> str:
        request = ros_print.print_request(args)
        shown = [
            (index, item)
            for index, item in enumerate(items)
            if not request.where or _matches(item, request.where)
        ]
        if request.count_only:
            return str(len(shown))
        legend = _LEGENDS.get(menu, "X - DISABLED")
        rows: list[tuple[int | None, str, Item]] = []
        for index, item in shown:
            flag = "X" if item.get("disabled") == "yes" else " "
            fields = {k: v for k, v in item.items() if not k.startswith(".") and k != "disabled"}
            if menu == "/snmp community":
                fields = {**_SNMP_COMMUNITY_SHOWN, **fields}
                flag = ("*" if item.get(".default") == "yes" else "") + flag.strip() or " "
            if menu == "/interface ethernet":
                fields, flag = self._ethernet_shown(fields, flag)
            rows.append((index, flag, fields))
        return self._format(request, legend, rows, menu)

    def _ethernet_shown(self, fields: Item, flag: str) -> tuple[Item, str]:
        """What ``/interface ethernet print`` shows beside the configured names: MTU, MAC,
        ARP mode, the switch chip, and R while the port is running (tests/fixtures/real:
        interface ethernet print)."""
        identity = self.settings["/system identity"]["name"]
        link = self.router().links.get(fields["name"])
        running = link is not None and self.router().link_up(link)
        shown = {
            "name": fields["name"],
            "mtu": fields.get("mtu", "1500"),
            "mac-address": ros_print.mac_for(f"{identity}/{fields['default-name']}"),
            "arp": "enabled",
            "switch": "switch1",
            **{k: v for k, v in fields.items() if k not in {"name", "mtu"}},
        }
        return shown, flag if flag.strip() else ("R" if running else " ")

    def _format(
        self,
        request: ros_print.PrintRequest,
        legend: str,
        rows: list[tuple[int | None, str, Item]],
        menu: str = "",
    ) -> str:
        if request.form == "terse":
            return "\n".join(ros_print.terse_line(i, f, fields) for i, f, fields in rows)
        if request.form == "as-value":
            return ";".join(
                ";".join(f"{k}={v}" for k, v in fields.items()) for _, _, fields in rows
            )
        if request.form == "detail" or not rows:
            records = [
                ros_print.detail_record(
                    i, f, {k: v for k, v in d.items() if k != "comment"}, d.get("comment", "")
                )
                for i, f, d in rows
            ]
            return f"Flags: {ros_print.detail_legend(legend)}\n" + "\n".join(records)
        columns = _COLUMNS.get(menu) or [k for k in rows[0][2] if k != "comment"][:6]
        table_rows = [
            ("" if i is None else str(i), f.strip(), [fields.get(c, "") for c in columns])
            for i, f, fields in rows
        ]
        return ros_print.table(legend, [c.upper() for c in columns], table_rows)

    def _interface_rows(self) -> list[tuple[int | None, str, Item]]:
        router = self.router()
        identity = self.settings["/system identity"]["name"]
        rows: list[tuple[int | None, str, Item]] = []
        for index, link in enumerate(router.links.values()):
            running = router.link_up(link)
            status = "X" if not link.admin_up else ("R" if running else " ")
            fields: Item = {"name": link.name}
            if link.name == link.port and link.vlan is None:
                fields.update(
                    {
                        "default-name": link.port,
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
                fields["mac-address"] = ros_print.mac_for(f"{identity}/{link.port}")
            fields["link-downs"] = "0"
            rows.append((index, f" {status} ", fields))
        return rows

    def _print_interfaces(self, args: list[str]) -> str:
        request = ros_print.print_request(args)
        rows = [
            row
            for row in self._interface_rows()
            if not request.where or _matches(row[2], request.where)
        ]
        legend = "D - DYNAMIC; X - DISABLED, R - RUNNING; S - SLAVE"
        if request.form != "table":
            return self._format(request, legend, rows)
        table_rows = [
            (
                str(i),
                f.strip(),
                [
                    d["name"],
                    d["type"],
                    d.get("actual-mtu", ""),
                    d.get("l2mtu", ""),
                    d.get("max-l2mtu", ""),
                    d.get("mac-address", ""),
                ],
            )
            for i, f, d in rows
        ]
        columns = ["NAME", "TYPE", "ACTUAL-MTU", "L2MTU", "MAX-L2MTU", "MAC-ADDRESS"]
        return ros_print.table(legend, columns, table_rows)

    def _print_vlans(self, args: list[str]) -> str:
        """VLAN interfaces with what RouterOS shows of them: running, MTU, MAC, ARP and
        loop protection (tests/fixtures/real: interface vlan print detail)."""
        request = ros_print.print_request(args)
        router = self.router()
        identity = self.settings["/system identity"]["name"]
        rows: list[tuple[int | None, str, Item]] = []
        for index, item in enumerate(self.tables["/interface vlan"]):
            link = router.links.get(item["name"])
            running = link is not None and router.link_up(link)
            flag = "X" if item.get("disabled") == "yes" else ("R" if running else " ")
            fields: Item = {"comment": item["comment"]} if item.get("comment") else {}
            fields |= {
                "name": item["name"],
                "mtu": item.get("mtu", "1500"),
                "l2mtu": "1588",
                "mac-address": ros_print.mac_for(f"{identity}/{item['interface']}"),
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
            rows = [row for row in rows if _matches(row[2], request.where)]
        legend = "X - DISABLED, R - RUNNING"
        if request.form != "table":
            return self._format(request, legend, rows)
        table_rows = [
            (str(i), f.strip(), [d["name"], d["mtu"], d["arp"], d["vlan-id"], d["interface"]])
            for i, f, d in rows
        ]
        return ros_print.table(legend, ["NAME", "MTU", "ARP", "VLAN-ID", "INTERFACE"], table_rows)

    def _print_routes(self, args: list[str]) -> str:
        """Routes as RouterOS 7 prints them: static items numbered, dynamic ones not; flags
        D dynamic, X disabled, A active; c connect, s static, d dhcp, v vpn (PPPoE)."""
        request = ros_print.print_request(args)
        router = self.router()
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
        for index, item in enumerate(self.tables["/ip route"]):
            key = (str(_network(item["dst-address"])), item.get("gateway", ""))
            gateway = item.get("gateway", "")
            flags = "X" if item.get("disabled") == "yes" else ("A" if key in active else " ")
            immediate = gateway
            gateway_address = _address(gateway)
            if gateway_address is not None:
                path = router.path(gateway_address)
                immediate = f"{gateway}%{path.link.name}" if path else ""
            fields = {"dst-address": item["dst-address"], "routing-table": "main"}
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
            if item.get("check-gateway"):
                fields["check-gateway"] = item["check-gateway"]
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
        if request.where:
            rows = [row for row in rows if _matches(row[2], request.where)]
        legend = (
            "D - DYNAMIC; X - DISABLED, I - INACTIVE, A - ACTIVE; c - CONNECT, s - STATIC, "
            "d - DHCP, v - VPN"
        )
        if request.form != "table":
            return self._format(request, legend, rows)
        table_rows = [
            (
                "" if i is None else str(i),
                f.replace(" ", ""),
                [d["dst-address"], d["gateway"], d["distance"]],
            )
            for i, f, d in rows
        ]
        return ros_print.table(legend, ["DST-ADDRESS", "GATEWAY", "DISTANCE"], table_rows)

    def _print_arp(self, args: list[str]) -> str:
        """The ARP table: each live line's gateway, and the office PCs holding leases, all
        dynamic, complete and reachable (MikroTik manual, "ARP"; tests/fixtures/real: ip arp
        print, and RouterOS 7's STATUS column in ip arp print without-paging)."""
        request = ros_print.print_request(args)
        router = self.router()
        entries: list[Item] = []
        for link in router.links.values():
            uplink = self.world.uplink_for(link)
            address = router.address_of(link)
            if address is None or not router.link_up(link) or link.dynamic == "pppoe":
                continue
            if uplink is not None and uplink.gateway is not None:
                mac = ros_print.mac_for(f"gateway/{uplink.gateway}")
                entries.append(
                    {
                        "address": str(uplink.gateway),
                        "mac-address": mac,
                        "interface": link.name,
                        "status": "reachable",
                    }
                )
        for lease in ros_print.terse_rows_of(self._leases(None)):
            interface = next(
                (
                    i["interface"]
                    for i in self.tables["/ip dhcp-server"]
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
        rows = [(i, " DC", e) for i, e in enumerate(entries)]
        if request.where:
            rows = [row for row in rows if _matches(row[2], request.where)]
        legend = "X - DISABLED, I - INVALID; H - DHCP, D - DYNAMIC; P - PUBLISHED; C - COMPLETE"
        if request.form != "table":
            return self._format(request, legend, list(rows))
        columns = ["ADDRESS", "MAC-ADDRESS", "INTERFACE", "STATUS"]
        table_rows = [
            (str(i), f.strip(), [e["address"], e["mac-address"], e["interface"], e["status"]])
            for i, f, e in rows
        ]
        return ros_print.table(legend, columns, table_rows)

    def _print_users(self, args: list[str]) -> str:
        """Local users: the default ``admin`` (MikroTik manual, "User") and the twin's login."""
        request = ros_print.print_request(args)
        rows = [
            (i, " ", {"name": name, "group": "full", "address": "", "last-logged-in": ""})
            for i, name in enumerate(self.users)
        ]
        legend = "X - DISABLED"
        if request.form != "table":
            return self._format(request, legend, list(rows))
        columns = ["NAME", "GROUP", "ADDRESS", "LAST-LOGGED-IN"]
        table_rows = [
            (str(i), f.strip(), [u["name"], u["group"], u["address"], u["last-logged-in"]])
            for i, f, u in rows
        ]
        return ros_print.table(legend, columns, table_rows)

    def _routerboard(self) -> Item:
        serial = ros_print.mac_for(self.settings["/system identity"]["name"])
        return {
            "routerboard": "yes",
            "board-name": "RB4011iGS+",
            "model": "RB4011iGS+",
            "serial-number": "D4" + serial.replace(":", "")[2:12],
            "firmware-type": "al2",
            "factory-firmware": "7.16.2",
            "current-firmware": "7.16.2",
            "upgrade-firmware": "7.16.2",
        }

    def _resource(self) -> Item:
        uptime = int((self.now() - self.booted).total_seconds())
        days, rest = divmod(uptime, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        return {
            "uptime": f"{days}d{hours}h{minutes}m{seconds}s"
            if days
            else f"{hours}h{minutes}m{seconds}s",
            "version": "7.16.2 (stable)",
            "build-time": "Nov/28/2024 10:10:47",  # as real 7.x prints it
            "factory-software": "7.16.2",
            "free-memory": "836.5MiB",
            "total-memory": "1024.0MiB",
            "cpu": "ARMv7",
            "cpu-count": "4",
            "cpu-frequency": "1400MHz",
            "cpu-load": "1%",
            "free-hdd-space": "421.0MiB",
            "total-hdd-space": "512.0MiB",
            "write-sect-since-reboot": "1208",
            "write-sect-total": "91840",
            "architecture-name": "arm",
            "board-name": "RB4011iGS+",
            "platform": "MikroTik",
        }

    def _list_names(self) -> set[str]:
        return {i["name"] for i in self.tables["/interface list"]} | {"all", "none", "dynamic"}

    def interface_names(self) -> set[str]:
        names: set[str] = set()
        for menu in _INTERFACE_MENUS:
            names |= {i["name"] for i in self.tables[menu]}
        return names | self.verbatim.interface_names() | {"all", "none"}

    def routing_tables(self) -> set[str]:
        """The routing tables: ``main`` and those ``/routing table`` adds."""
        return {"main"} | self.verbatim.names("/routing table")

    def _hardware(self, name: str) -> None:
        """A starting config naming an Ethernet or SFP port this twin was not given: the
        router printed it, so it has the port (a real backup comes from a bigger model
        than the inventory's port list may say)."""
        if not self._loading or not _HARDWARE_PORT.fullmatch(name):
            return
        ports = self.tables["/interface ethernet"]
        if any(name in (p["name"], p.get("default-name")) for p in ports):
            return
        item = {"name": name, "default-name": name, ".default": "yes"}
        ports.append(item)
        self.defaults.setdefault("/interface ethernet", []).append(dict(item))

    def _bridge_ports(self) -> dict[str, str]:
        """port -> its bridge, for the enabled bridge ports."""
        return {
            port["interface"]: port["bridge"]
            for port in self.tables["/interface bridge port"]
            if port.get("disabled") != "yes"
        }

    def _list_members(self, name: str) -> set[str]:
        return {
            m["interface"]
            for m in self.tables["/interface list member"]
            if m.get("list") == name and m.get("disabled") != "yes"
        }

    # --- export ---------------------------------------------------------------------------------

    def export(
        self, *, terse: bool = True, sensitive: bool = True, under: str = "/", verbose: bool = False
    ) -> str:
        """The config as ``/export`` prints it: ``terse`` one full line per item, else
        blocks under menu lines; ``sensitive`` False leaves secrets out, as RouterOS 7
        does unless asked ``show-sensitive`` (MikroTik manual, "Configuration
        Management": export); ``under`` a menu, only that part; ``verbose`` spells out the
        defaults an item leaves unset (``disabled=no``: tests/fixtures/real, ip address export
        verbose; the twin spells out that one default, not every property's)."""
        lines: list[str] = []
        for menu, block in self._export_blocks(verbose=verbose):
            if under not in {"/", ""} and menu != under and not menu.startswith(under + " "):
                continue
            shown = block if sensitive else [_without_secrets(line) for line in block]
            if terse:
                lines += shown
            elif shown:
                lines.append(menu)
                lines += [line[len(menu) + 1 :] for line in shown]
        stamp = self.now().strftime("%Y-%m-%d %H:%M:%S")
        header = f"# {stamp} by RouterOS 7.16.2\n# model = RB4011iGS+\n"
        return header + "\n".join(lines) + "\n"

    def _export_blocks(self, *, verbose: bool) -> list[tuple[str, list[str]]]:
        """Each menu's terse lines in export order; the menus the twin does not model come
        back where they stood, after the menu they followed when loaded."""
        blocks: list[tuple[str, list[str]]] = []
        placed: set[str] = set()

        def unmodelled_after(anchor: str | None) -> None:
            for menu in self.verbatim.placed_after(anchor):
                if menu not in placed:
                    placed.add(menu)
                    blocks.append((menu, [f"{menu} {line}" for line in self.verbatim.lines(menu)]))
                    unmodelled_after(menu)

        unmodelled_after(None)
        for menu in EXPORT_ORDER:
            blocks.append((menu, self._modelled_block(menu, verbose=verbose)))
            unmodelled_after(menu)
        for menu in self.verbatim.menus:  # after a menu that prints nothing of its own
            if menu not in placed:
                placed.add(menu)
                blocks.append((menu, [f"{menu} {line}" for line in self.verbatim.lines(menu)]))
        return blocks

    def _modelled_block(self, menu: str, *, verbose: bool) -> list[str]:
        block: list[str] = []
        if menu in SETTINGS:
            changed = {k: v for k, v in self.settings[menu].items() if SETTINGS[menu].get(k) != v}
            if changed:
                block.append(ros_line(menu, "set", **changed))
            return block
        defaults = {d.get("default-name", d.get("name")): d for d in self.defaults.get(menu, [])}
        for item in self.tables[menu]:
            params = {k: v for k, v in item.items() if not k.startswith(".")}
            if item.get(".default") != "yes":
                if verbose and "disabled" in TABLES[menu]:
                    params.setdefault("disabled", "no")
                block.append(ros_line(menu, "add", **params))
                continue
            base = defaults.get(item.get("default-name", item.get("name")), {})
            changed = {k: v for k, v in params.items() if base.get(k) != v}
            if not changed:
                continue
            if menu == "/snmp community":
                selector = "[ find default=yes ]"
            elif menu == "/interface ethernet":
                selector = f"[ find default-name={item['default-name']} ]"
            else:
                selector = item["name"]  # a built-in item is named by its name
                changed.pop("name", None)
            block.append(ros_line(menu, "set", selector, **changed))
        return block

    def config_text(self) -> str:
        return self.export(terse=True)

    def _export_command(self, menu: str, args: list[str]) -> str:
        params = params_of([a for a in args if "=" in a])
        flags = {a for a in args if "=" not in a}
        if flags - _EXPORT_FLAGS or set(params) - {"file"}:
            raise RosError("expected end of command (line 1 column 8)")
        text = self.export(
            terse="terse" in flags,
            sensitive="show-sensitive" in flags,
            under=menu,
            verbose="verbose" in flags,
        )
        if "file" in params:
            name = params["file"] if params["file"].endswith(".rsc") else params["file"] + ".rsc"
            self.files[name] = text
            return ""
        return text.rstrip("\n")

    def _import(self, args: list[str]) -> str:
        params = params_of(args)
        name = params.get("file-name") or (unquote(args[0]) if args else "")
        if name not in self.files:
            raise RosError("failure: no such file")
        errors = 0
        path = "/"
        for _, line in logical_lines(self.files[name]):  # either export form
            if line.strip() and not line.lstrip().startswith("#"):
                output, path = self.run(line, path)
                errors += bool(output)
        if errors:
            return f"failure: {errors} line(s) of {name} failed"
        return "\nScript file loaded and executed successfully"

    # --- backup ---------------------------------------------------------------------------------

    def snapshot(self) -> str:
        return json.dumps(
            {
                "settings": self.settings,
                "tables": self.tables,
                "next_id": self.next_id,
                "verbatim": self.verbatim.to_json(),
            }
        )

    def restore(self, data: str) -> None:
        state = json.loads(data)
        for timer in list(self.timers.values()):
            timer()
        self.timers.clear()
        self.settings = state["settings"]
        self.tables = state["tables"]
        self.next_id = state["next_id"]
        self.verbatim = VerbatimMenus.from_json(state.get("verbatim", {}))
        for item in self.tables["/system scheduler"]:
            self._arm(item)
        self.boot()  # loading a backup reboots the router

    def _backup(self, verb: str, params: Item) -> str:
        name = params.get("name", "backup")
        name = name if name.endswith(".backup") else name + ".backup"
        if verb == "save":
            self.files[name] = self.snapshot()
            return "Configuration backup saved"
        if verb == "load":
            if name not in self.files:
                raise RosError("failure: no such file")
            self.restore(self.files[name])
            self.on_reboot()
            return "Restoring system configuration\nSystem configuration restored, rebooting now"
        raise RosError(f"bad command name {verb}")

    # --- scheduler ------------------------------------------------------------------------------

    def _arm(self, item: Item) -> None:
        if item.get("disabled") == "yes" or "interval" not in item:
            return
        name = item.get("name", item[".id"])
        seconds = _duration(item["interval"])

        def fire() -> None:
            if item not in self.tables["/system scheduler"]:
                return
            for command in item.get("on-event", "").split(";"):
                self.run(command, "/")
            if item in self.tables["/system scheduler"]:
                self.timers[name] = self.schedule(seconds, fire)

        self.timers[name] = self.schedule(seconds, fire)

    # --- topology -------------------------------------------------------------------------------

    def router(self) -> Router:
        """The routing model of the current config (it reads only ``ROUTING_MENUS``)."""
        addresses: dict[str, IPv4Interface] = {}
        for item in self.tables["/ip address"]:
            if item.get("disabled") != "yes":
                addresses.setdefault(item["interface"], _interface(item["address"]))
        links: list[Link] = []
        # a bridge port hands its frames to the bridge: an address or a VLAN interface on
        # the port itself gets nothing (MikroTik manual, "Bridging and Switching")
        enslaved = self._bridge_ports()
        ethernet = {i["name"]: i for i in self.tables["/interface ethernet"]}
        for name, item in ethernet.items():
            links.append(
                Link(
                    name,
                    None if name in enslaved else addresses.get(name),
                    item.get("disabled") != "yes",
                    item["default-name"],
                )
            )
        for item in self.tables["/interface bridge"]:
            name = item["name"]  # the LAN side: no provider line behind a bridge
            links.append(Link(name, addresses.get(name), item.get("disabled") != "yes", name))
        for item in self.tables["/interface vlan"]:
            parent = ethernet.get(item["interface"], {})
            up = (
                item.get("disabled") != "yes"
                and parent.get("disabled") != "yes"
                and item["interface"] not in enslaved
            )
            links.append(
                Link(
                    item["name"],
                    addresses.get(item["name"]),
                    up,
                    parent.get("default-name", ""),
                    vlan=int(item["vlan-id"]),
                )
            )
        dynamic: dict[str, int] = {}
        for item in self.tables["/interface pppoe-client"]:
            port = _port_of(item["interface"], links)
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
        for item in self.tables["/ip dhcp-client"]:
            link = next((lk for lk in links if lk.name == item["interface"]), None)
            if link is not None and item.get("disabled") != "yes":
                link.dynamic = "dhcp"
                if item.get("add-default-route", "yes") == "yes":
                    dynamic[link.name] = int(item.get("default-route-distance", "1"))
        routes = []
        for item in self.tables["/ip route"]:
            if item.get("disabled") == "yes":
                continue
            gateway_text = item.get("gateway", "")
            gateway = _address(gateway_text)
            interface = None if gateway else gateway_text
            probe = gateway if item.get("check-gateway") == "ping" and gateway else None
            routes.append(
                RouteEntry(
                    _network(item["dst-address"]),
                    gateway,
                    interface,
                    int(item.get("distance", "1")),
                    probe,
                )
            )
        translated: set[str] = set()
        for item in self.tables["/ip firewall nat"]:
            if (
                item.get("chain") == "srcnat"
                and item.get("action") in {"masquerade", "src-nat"}
                and item.get("disabled") != "yes"
            ):
                if "out-interface" in item:
                    translated.add(item["out-interface"])
                if "out-interface-list" in item:
                    translated |= self._list_members(item["out-interface-list"])
        return Router(
            self.world,
            links,
            routes,
            dynamic,
            translated=translated,
            packet_filter=self.packet_filter(links),
        )

    def packet_filter(self, links: Iterable[Link]) -> RosFilter:
        """The firewall filter, address lists, interface lists and services of this config."""
        lists: dict[str, list[str]] = {}
        for entry in self.tables["/ip firewall address-list"]:
            if entry.get("disabled") != "yes":
                lists.setdefault(entry["list"], []).append(entry["address"])
        members = {
            item["name"]: frozenset(self._list_members(item["name"]))
            for item in self.tables["/interface list"]
        }
        return RosFilter(
            rules=tuple(_visible(rule) for rule in self.tables["/ip firewall filter"]),
            address_lists={name: tuple(found) for name, found in lists.items()},
            list_members=members,
            dynamic=frozenset(link.name for link in links if link.dynamic == "pppoe"),
            services={item["name"]: _visible(item) for item in self.tables["/ip service"]},
        )

    def _ping(self, args: list[str]) -> str:
        params = params_of([a for a in args if "=" in a])
        target_text = params.get("address") or next((a for a in args if "=" not in a), "")
        try:
            target = IPv4Address(unquote(target_text))
        except AddressValueError as exc:
            raise RosError("invalid value for argument address") from exc
        count = int(params.get("count", "4"))
        size = int(params.get("size", "56"))
        source = params.get("src-address")
        replies = self.router().ping(
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


# What ``/export`` flags RouterOS 7 takes (MikroTik manual, "Configuration Management")
_EXPORT_FLAGS = frozenset({"terse", "verbose", "compact", "show-sensitive"})
# Parameters RouterOS 7 counts as sensitive: left out of an export without show-sensitive
# (PPP/PPPoE passwords, user passwords, IPsec and WireGuard keys, SNMP v3 passwords)
_SENSITIVE = re.compile(
    r" (?:password|secret|private-key|pre-shared-key|authentication-password"
    r'|encryption-password|passphrase)=(?:"(?:\\.|[^"\\])*"|\S+)'
)


def _without_secrets(line: str) -> str:
    """Examples:
    >>> _without_secrets("/interface pppoe-client add name=p password=s3cret user=u")
    '/interface pppoe-client add name=p user=u'
    """
    return _SENSITIVE.sub("", line)


def _lease_state(client: Item) -> tuple[str, str]:
    """What a DHCP client's lease depends on: a change of either is a status change."""
    return client.get("disabled", "no"), client.get("interface", "")


def _visible(item: Item) -> Item:
    """An item's parameters without the simulator's own (``.id``, ``.default``)."""
    return {k: v for k, v in item.items() if not k.startswith(".")}


def _matches(item: Item, expression: str) -> bool:
    for term in re.split(r"\s+and\s+", expression.strip()):
        if not term:
            continue
        match = re.fullmatch(r'([\w.-]+)\s*(=|~|!=)\s*(".*"|\S+)', term.strip())
        if match is None:
            return False
        key, operator, raw = match.groups()
        value = unquote(raw)
        actual = item.get(key, item.get("." + key, ""))
        if operator == "=" and actual != value:
            return False
        if operator == "!=" and actual == value:
            return False
        if operator == "~" and not re.search(value, actual):
            return False
    return True


# The menus RosDevice.router() reads for routing, and those its packet filter reads: a
# command in any other menu leaves the model as it was.
ROUTING_MENUS = ("/interface", "/ip address", "/ip dhcp-client", "/ip route", "/ip firewall nat")
FILTER_MENUS = ("/ip firewall filter", "/ip firewall address-list", "/ip service")


def changes_routing(command: str) -> bool:
    """Whether a terse command (a full menu path first) may change :meth:`RosDevice.router`'s
    routes, links or NAT."""
    return command.startswith(ROUTING_MENUS)


def changes_filtering(command: str) -> bool:
    """Whether a terse command may change only the model's packet filter."""
    return command.startswith(FILTER_MENUS)


# The model of a router is rebuilt after every step of a plan (the lockout guard), from the
# same few dozen strings: parsed once (ipaddress objects are immutable).
@functools.lru_cache(maxsize=4096)
def _address(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except (AddressValueError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def _interface(text: str) -> IPv4Interface:
    return IPv4Interface(text)


@functools.lru_cache(maxsize=4096)
def _network(text: str) -> IPv4Network:
    return IPv4Network(text)


def _port_of(name: str, links: list[Link]) -> Link | None:
    return next((link for link in links if link.name == name), None)


# tables whose items are interfaces, and the parameters that name one
_INTERFACE_MENUS = (
    "/interface ethernet",
    "/interface vlan",
    "/interface pppoe-client",
    "/interface bridge",
)
_INTERFACE_REFERENCES = frozenset(
    {"interface", "in-interface", "out-interface", "dst", "gateway", "bridge", "target"}
)


@functools.lru_cache(maxsize=8192)
def _resolved(line: str, path: str) -> tuple[str, str | None, tuple[str, ...], int]:
    """(menu, verb, arguments, column of the verb) of a command line typed at menu ``path``;
    no verb for a line that only moves to a menu. Cached: most lines are the same on every
    router, and ``check`` runs thousands of configs through the simulator."""
    tokens = list(tokens_of(line))
    if not tokens:
        raise RosError("syntax error (line 1 column 1)")
    menu = "" if tokens[0].startswith("/") else path.rstrip("/")
    column = 1
    index = 0
    if tokens[0].startswith("/"):
        first = tokens[0][1:]
        tokens = ([first] if first else []) + tokens[1:]
        column = 2
    while index < len(tokens):
        candidate = f"{menu} {tokens[index]}".strip() if menu else f"/{tokens[index]}"
        named = candidate.replace("/ ", "/")
        if named in _PREFIXES and (tokens[index] not in VERBS or named in VERB_NAMED_MENUS):
            menu = named
            column += len(tokens[index]) + 1
            index += 1
            continue
        break
    menu = menu or "/"
    words = _unmodelled_words(tokens[index:])
    while words and not known_menu((*menu.lstrip("/").split(), *words)):
        words = words[:-1]  # the router names the first word it has no menu for
    if words:
        menu = "/" + " ".join((*menu.lstrip("/").split(), *words))
        column += sum(len(word) + 1 for word in words)
        index += len(words)
    if index == len(tokens):
        return menu, None, (), column
    return menu, tokens[index], tuple(tokens[index + 1 :]), column


# the parameters that name a routing table (RouterOS 7: routes, and mangle's routing marks)
_TABLE_KEYS = {"/ip route": "routing-table", "/ip firewall mangle": "new-routing-mark"}

# RouterOS 6 menus that are settings in 7: a v6 export lists their items (MikroTik manual,
# RouterOS 6 "MAC server": ``set [ find default=yes ] disabled=yes``, ``add interface=``)
_ROUTEROS6_TABLES = {"/tool mac-server", "/tool mac-server mac-winbox"}


def _routeros6_form(menu: str, verb: str, args: list[str]) -> bool:
    """A line of a RouterOS 6 export in a menu RouterOS 7 made a setting."""
    params = params_of([arg for arg in args if not arg.startswith("[")])
    return (
        menu in _ROUTEROS6_TABLES
        and verb in {"add", "set"}
        and set(params) <= {"interface", "disabled"}
    )


_PROPERTY_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")
_HARDWARE_PORT = re.compile(r"(ether|sfp|sfp-sfpplus|qsfp28-|combo)\d+(-\d+)?")


def _unmodelled_words(tokens: list[str]) -> list[str]:
    """The menu words at the start of ``tokens`` (up to the command word, a selector or a
    value): a menu the twin does not model, such as ``routing table``."""
    words: list[str] = []
    for token in tokens:
        if token in VERBS or "=" in token or token.startswith(("[", '"', "*")):
            break
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", token):
            break
        words.append(token)
    return words


@functools.lru_cache(maxsize=8192)
def _parameters(args: tuple[str, ...]) -> Mapping[str, str]:
    """A command's ``key=value`` arguments, read-only (cached like :func:`_resolved`: the
    caller copies them before it stores or changes them)."""
    return MappingProxyType(params_of(args))


@functools.lru_cache(maxsize=8192)
def _add_arguments(args: tuple[str, ...]) -> tuple[Mapping[str, str], str | None]:
    """An ``add``'s parameters (read-only) and its ``place-before=``, if any."""
    rest, place_before = _place_before(list(args))
    return _parameters(tuple(rest)), place_before


def _place_before(args: list[str]) -> tuple[list[str], str | None]:
    """Split ``place-before=`` off an ``add`` (a number, an id or ``[ find ... ]``)."""
    return _split_named(args, "place-before")


def _split_named(args: list[str], name: str) -> tuple[list[str], str | None]:
    """Split the argument ``name=`` (whose value may be a ``[ find ... ]`` of its own)."""
    rest: list[str] = []
    chosen: str | None = None
    tokens = iter(args)
    for token in tokens:
        if token == f"{name}=":
            chosen = next(tokens, "")
        elif token.startswith(f"{name}="):
            chosen = unquote(token.removeprefix(f"{name}="))
        else:
            rest.append(token)
    return rest, chosen
