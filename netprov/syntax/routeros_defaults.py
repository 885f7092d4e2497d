"""What an exact RouterOS undo needs to know of the router's menus, shared by the planner
(netprov.platforms.routeros.plan) and the twin (netprov.sim.routeros.router): which menus keep
their items in an order the router uses, which can ``unset`` a property, and the values a
property has when nothing set it.

The menus' commands are RouterOS 7.16.2's own, as its console describes them
(``/console/inspect``, published per version by tikoci/restraml, ``docs/7.16.2/
inspect.json``): a menu with ``move`` (and ``add ... place-before=``) is ordered, every
other list menu appends what is added and offers no way to place it.
"""

from __future__ import annotations

# list menus with ``move``: the router goes through their items in order (firewall rules,
# simple queues, DNS static entries, bridge ports, ...), restraml 7.16.2
ORDERED = frozenset(
    {
        "/interface bridge calea",
        "/interface bridge filter",
        "/interface bridge nat",
        "/interface bridge port",
        "/interface wifi access-list",
        "/interface wifi provisioning",
        "/interface wireguard peers",
        "/ip dns static",
        "/ip firewall calea",
        "/ip firewall filter",
        "/ip firewall mangle",
        "/ip firewall nat",
        "/ip firewall raw",
        "/ip hotspot ip-binding",
        "/ip hotspot walled-garden",
        "/ip hotspot walled-garden ip",
        "/ip ipsec policy",
        "/ip proxy access",
        "/ip socks access",
        "/ipv6 firewall filter",
        "/ipv6 firewall mangle",
        "/ipv6 firewall nat",
        "/ipv6 firewall raw",
        "/queue simple",
        "/routing filter rule",
        "/routing rule",
    }
)
# list menus netprov writes objects into that have no ``move``: an item's place among the
# others means nothing to the router, and one added again is appended (restraml 7.16.2)
ORDER_FREE = frozenset(
    {
        "/interface list",
        "/interface list member",
        "/interface pppoe-client",
        "/interface vlan",
        "/ip address",
        "/ip dhcp-client",
        "/ip dhcp-server",
        "/ip dhcp-server network",
        "/ip firewall address-list",
        "/ip pool",
        "/ip route",
        "/ip traffic-flow target",
        "/snmp community",
        "/system logging",
        "/system logging action",
        "/system ntp client servers",
        "/system scheduler",
        "/system script",
        "/tool netwatch",
    }
)
# menus with an ``unset`` command (restraml 7.16.2), among those netprov writes
UNSETTABLE = frozenset(
    {
        "/interface bridge port",
        "/interface ethernet",
        "/interface pppoe-client",
        "/ip dhcp-client",
        "/ip dhcp-server network",
        "/ip firewall filter",
        "/ip firewall mangle",
        "/ip firewall nat",
        "/ip route",
        "/ip service",
        "/queue simple",
        "/routing table",
        "/tool netwatch",
    }
)

# The value a property has when nothing set it, where the manual documents it and an
# ``/export`` leaves it out at that value (a router's own export never prints it: the
# corpus in tests/fixtures/real-configs). Setting it back is how an undo takes away a value
# netprov gave an object that had none. ``disabled`` is not here: a RouterOS 6 DHCP client
# or server is added disabled (netprov.syntax.routeros_versions).
DEFAULTS: dict[str, dict[str, str]] = {
    # "DHCP" (client): add-default-route, use-peer-dns and use-peer-ntp default yes; no
    # script unless one is set
    "/ip dhcp-client": {
        "add-default-route": "yes",
        "use-peer-dns": "yes",
        "use-peer-ntp": "yes",
        "script": "",
    },
    # "PPPoE" (client): add-default-route, use-peer-dns and dial-on-demand default no
    "/interface pppoe-client": {
        "add-default-route": "no",
        "use-peer-dns": "no",
        "dial-on-demand": "no",
    },
    # "IP Services": a service answers every address, and is enabled, unless set
    "/ip service": {"address": "", "disabled": "no"},
    # "SNMP": the built-in community is enabled unless set
    "/snmp community": {"disabled": "no"},
    # "Mangle": a rule takes part unless disabled (disabled: default no); central disables
    # an office's PCC classification and its undo enables it again (issue 40)
    "/ip firewall mangle": {"disabled": "no"},
}
# defaults that differ between RouterOS 6 and 7, by major version: a DHCP server leases
# for 30 minutes on RouterOS 7 ("DHCP": lease-time; the RouterOS 7.12 default
# configuration in tests/fixtures/real-configs prints its lease-time=10m, so 10m is not
# 7's default), for 10 minutes on RouterOS 6 (wiki "Manual:IP/DHCP Server": lease-time)
_NONE = "0.0.0.0"  # noqa: S104 - an address property's "none", not a listening socket
# RouterOS 6's NTP client names its servers in primary-ntp/secondary-ntp, 0.0.0.0 when
# none (wiki "Manual:System/Time": primary-ntp, secondary-ntp, default 0.0.0.0)
BY_VERSION: dict[int, dict[str, dict[str, str]]] = {
    6: {
        "/ip dhcp-server": {"lease-time": "10m"},
        "/system ntp client": {"primary-ntp": _NONE, "secondary-ntp": _NONE},
    },
    7: {"/ip dhcp-server": {"lease-time": "30m"}},
}
# a comment set to "" is no comment ("Console": comment; an export prints none)
NO_COMMENT = ""


def default(menu: str, prop: str, major: int = 7) -> str | None:
    """The documented value ``prop`` has in ``menu`` on RouterOS ``major`` when nothing set
    it (None: unknown).

    Examples:
        >>> default("/ip dhcp-client", "use-peer-ntp"), default("/ip route", "distance")
        ('yes', None)
        >>> default("/ip address", "comment"), default("/ip dhcp-server", "lease-time", 6)
        ('', '10m')
    """
    if prop == "comment":
        return NO_COMMENT
    versioned = BY_VERSION.get(major, {}).get(menu, {})
    return versioned.get(prop, DEFAULTS.get(menu, {}).get(prop))
