"""What the twin's RouterOS models, as data: each menu's item properties and settings,
the default items, the export order, the menu tree the command line resolves against, and
which properties name interfaces (MikroTik manual, each menu's page; RouterOS 7)."""

from __future__ import annotations

from netprov.sim.routeros.menus import EXTRA_PROPERTIES, EXTRA_SETTINGS
from netprov.syntax.routeros import SETTINGS

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
KNOWN_PROPERTIES = {
    menu: frozenset(keys | EXTRA_PROPERTIES.get(menu, frozenset())) for menu, keys in TABLES.items()
}


KNOWN_SETTINGS = {
    menu: frozenset(values.keys() | EXTRA_SETTINGS.get(menu, frozenset()))
    for menu, values in SETTINGS.items()
}


# Built-in items of tables every router has beside ``/ip service`` and ``/snmp community``
# (MikroTik manual, "Log": four logging rules, info/error/warning to memory and critical
# to echo, and the actions memory, disk, echo and remote). An export changes them by
# number (``/system logging set 0 action=disk``, tests/fixtures/real-configs); ``.key``
# tells a rule from another where an item has no name.
DEFAULT_ITEMS: dict[str, list[Item]] = {
    "/system logging": [
        {"topics": topic, "action": action, ".key": topic, ".default": "yes"}
        for topic, action in (
            ("info", "memory"),
            ("error", "memory"),
            ("warning", "memory"),
            ("critical", "echo"),
        )
    ],
    "/system logging action": [
        {"name": target, "target": target, ".default": "yes"}
        for target in ("memory", "disk", "echo", "remote")
    ],
}


# Menus the twin shows from its world (``print``) whose configured items it keeps as they
# came, like a menu it does not model (MikroTik manual, "ARP": static entries)
KEPT_MENUS = frozenset({"/ip arp"})


DEFAULT_SERVICES = {
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


MENUS = (
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


PREFIXES = {" ".join(m.split()[:n]) for m in MENUS for n in range(1, len(m.split()) + 1)}


# parameters that name an interface (a simple queue's target too) or an interface list
INTERFACE_KEYS = ("interface", "in-interface", "out-interface")


QUEUE_INTERFACE_KEYS = (*INTERFACE_KEYS, "dst")


INTERFACE_LIST_KEYS = ("list", "in-interface-list", "out-interface-list")


# tables whose items are interfaces, and the parameters that name one
INTERFACE_MENUS = (
    "/interface ethernet",
    "/interface vlan",
    "/interface pppoe-client",
    "/interface bridge",
)


INTERFACE_REFERENCES = frozenset(
    {"interface", "in-interface", "out-interface", "dst", "gateway", "bridge", "target"}
)


# the parameters that name a routing table (RouterOS 7: routes, and mangle's routing marks)
TABLE_KEYS = {"/ip route": "routing-table", "/ip firewall mangle": "new-routing-mark"}
