"""A RouterOS router's own objects as the plan engine (netprov.platforms.routeros.plan)
sees them: what makes one "the same" as an object netprov renders (its identity, adopted
rather than added a second time) and what clashes with the inventory. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from netprov.syntax.routeros import RosCommand

_DEFAULT_NAME = re.compile(r"^\[ find (?:where )?default-name=(\S+) \]$")
# What makes a router's own object "the same one" as an object netprov renders: its menu's
# identity parameters (an object of another menu is adopted only when every rendered value
# but the comment already matches).
IDENTITY: dict[str, tuple[str, ...]] = {
    "/interface pppoe-client": ("interface",),
    "/interface vlan": ("interface", "vlan-id"),
    "/ip address": ("address",),
    "/interface list": ("name",),
    "/interface list member": ("interface", "list"),
    "/ip dhcp-client": ("interface",),
    "/ip dhcp-server": ("interface",),
    "/ip dhcp-server network": ("address",),
    "/ip pool": ("name",),
    "/ip route": ("dst-address", "gateway"),
    "/ip firewall address-list": ("list", "address"),
    "/system ntp client servers": ("address",),
    "/system logging action": ("name",),
    "/snmp community": ("name",),
    "/tool netwatch": ("host",),
    "/ip traffic-flow target": ("dst-address", "port"),
    "/queue simple": ("name",),
}
# Values that must already agree for an adoption: otherwise the router and the inventory
# describe different things and a person decides (the address is on another interface,
# the PPPoE client logs in with another account).
MUST_AGREE: dict[str, tuple[str, ...]] = {
    "/ip address": ("interface",),
    "/interface pppoe-client": ("user",),
}

# How an uplink gets its address: one client per interface (a DHCP client and a PPPoE
# client on the same port are two different uplinks).
UPLINK_CLIENTS = ("/ip dhcp-client", "/interface pppoe-client")


def identity(command: RosCommand) -> tuple[str, ...] | None:
    """The values that make ``command``'s object the one it is (:data:`IDENTITY`)."""
    keys = IDENTITY.get(command.path)
    if keys is None:
        return None
    return tuple(command.params.get(key, "") for key in keys)


def main_table(route: RosCommand) -> bool:
    """Whether a route is in the main table: no routing mark (RouterOS 6), no other
    routing table (RouterOS 7)."""
    return "routing-mark" not in route.params and route.params.get("routing-table", "main") == (
        "main"
    )


def plain(command: RosCommand) -> dict[str, str]:
    """An object's values but its comment."""
    return {k: v for k, v in command.params.items() if k != "comment"}


class RouterObjects:
    """The router's own (untagged) objects, for adoption and conflicts."""

    def __init__(self, commands: list[RosCommand]) -> None:
        self.unowned = [c for c in commands if c.verb == "add" and c.managed_key is None]
        self.bridge_ports = {
            c.params.get("interface", ""): c.params.get("bridge", "")
            for c in self.unowned
            if c.path == "/interface bridge port" and c.params.get("disabled") != "yes"
        }
        # the ports the office disabled (``set [ find default-name=ether6 ] disabled=yes``)
        self.disabled_ports = {
            c.params.get("name") or _DEFAULT_NAME.sub(r"\1", c.selector).strip('"')
            for c in commands
            if c.path == "/interface ethernet" and c.params.get("disabled") == "yes"
        }

    def same(self, wanted: RosCommand, renamed: Mapping[str, str]) -> list[RosCommand]:
        """The router's objects that are ``wanted``, once the interfaces this plan renames
        carry their new names (RouterOS follows a rename everywhere the interface is used)."""
        wanted_identity = identity(wanted)
        candidates = [as_renamed(c, renamed) for c in self.unowned if c.path == wanted.path]
        if wanted.path == "/ip route":  # a route of another table is another route
            candidates = [(c, theirs) for c, theirs in candidates if main_table(c)]
        if wanted_identity is None:
            values = plain(wanted)
            return [c for c, theirs in candidates if plain(theirs) == values]
        return [c for c, theirs in candidates if identity(theirs) == wanted_identity]

    def conflicts(self, wanted: RosCommand) -> list[str]:
        """Why ``wanted`` cannot sit beside what the router holds."""
        found = []
        interface = wanted.params.get("interface", "")
        if wanted.path in {*UPLINK_CLIENTS, "/interface vlan", "/ip address"}:
            bridge = self.bridge_ports.get(interface)
            if bridge:
                found.append(
                    f"{interface} is a port of bridge {bridge!r} on the router: netprov "
                    f"needs it as its own interface ({wanted.path} {label(wanted)}); take it "
                    "out of the bridge or name the bridge in the inventory"
                )
        if wanted.path in {*UPLINK_CLIENTS, "/interface vlan", "/ip address"} and (
            interface in self.disabled_ports
        ):
            # a VLAN runs only while its port does, an address or a DHCP or PPPoE client on a
            # disabled port gets nothing through it (MikroTik manual, "Interface": disabled)
            found.append(
                f"{interface} is disabled on the router: netprov's {wanted.path} "
                f"{label(wanted)} on it would never run; enable the port (the line plugged "
                "in) or name a port that runs in the inventory"
            )
        if wanted.path in UPLINK_CLIENTS:
            found += [
                f"{interface} runs a {other.path} on the router; the inventory says "
                f"{wanted.path}: which uplink is right?"
                for other in self.unowned
                if other.path in UPLINK_CLIENTS
                and other.path != wanted.path
                and interface
                and other.params.get("interface") == interface
                and other.params.get("disabled") != "yes"  # a disabled client runs nothing
            ]
        return found


# parameters that name an interface (RouterOS updates them when the interface is renamed)
NAMING = ("interface", "in-interface", "out-interface", "gateway", "dst", "target")
# menus whose objects are interfaces (a ``name`` there is an interface's name)
INTERFACE_MENUS = frozenset(
    {"/interface pppoe-client", "/interface vlan", "/interface bridge", "/interface ethernet"}
)


def as_renamed(command: RosCommand, renamed: Mapping[str, str]) -> tuple[RosCommand, RosCommand]:
    """(the router's object, as it will read after this plan's renames)."""
    if not renamed or not any(command.params.get(k) in renamed for k in NAMING):
        return command, command
    params = {k: renamed.get(v, v) if k in NAMING else v for k, v in command.params.items()}
    return command, RosCommand(command.path, command.verb, command.selector, params)


def label(command: RosCommand) -> str:
    """How a plan names an object of netprov's: its comment's first word."""
    return command.params.get("comment", "").split(" ")[0]
