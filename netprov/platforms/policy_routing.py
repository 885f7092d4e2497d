"""Policy routing a router in service holds: what sends office traffic past the main
routing table, where netprov's routes are. Pure readers of a running config, one per
platform (each driver calls its own).

A router that balances its LAN over several lines marks connections (RouterOS PCC,
``mark-routing``; a ``/routing rule``; IOS ``ip policy route-map``): marked traffic is
routed by its own table, which netprov's new default route does not touch, so the office
would stay on the old lines after a "successful" cutover. Such a router is refused, naming
each rule, until the inventory's owner takes the rules out (or netprov learns to adopt
them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from netprov.rossyntax import MANAGED_PREFIX, parse_export

# what a mangle rule matches on, to name it (MikroTik manual, "Mangle")
_ROS_MATCHERS = (
    "in-interface",
    "in-interface-list",
    "src-address",
    "src-address-list",
    "dst-address-type",
    "connection-mark",
    "per-connection-classifier",
)


# where routing rules are: RouterOS 7's /routing rule, RouterOS 6's /ip route rule (MikroTik
# manual, "Moving from ROSv6 to v7": policy routing rules)
_RULE_MENUS = ("/routing rule", "/ip route rule")


def routeros_policy_routing(config: str) -> list[str]:
    """Each enabled rule of the router's own that routes by another table: a mangle
    ``mark-routing`` (RouterOS 6 and 7; MikroTik manual, "Mangle" and "Policy Routing")
    and a routing rule looking up a table other than ``main`` (``/routing rule`` on
    RouterOS 7, ``/ip route rule`` on 6).

    Examples:
        >>> routeros_policy_routing(
        ...     "/ip firewall mangle add action=mark-routing chain=prerouting "
        ...     "connection-mark=isp1_con in-interface=LAN new-routing-mark=to_isp1"
        ... )
        ['mangle prerouting mark-routing to_isp1 (in-interface=LAN connection-mark=isp1_con)']
        >>> routeros_policy_routing("/routing rule add action=lookup table=main")
        []
        >>> routeros_policy_routing("/ip route rule add src-address=10.1.0.0/24 table=isp2")
        ['routing rule lookup isp2 (src-address=10.1.0.0/24)']
    """
    found: list[str] = []
    for command in parse_export(config):
        params = command.params
        if command.verb != "add" or params.get("disabled") == "yes":
            continue
        if params.get("comment", "").startswith(MANAGED_PREFIX):
            continue
        if command.path == "/ip firewall mangle" and params.get("action") == "mark-routing":
            found.append(_mangle(params))
        if command.path in _RULE_MENUS and params.get("action", "lookup").startswith("lookup"):
            found += _rule(params)
    return found


def _mangle(params: Mapping[str, str]) -> str:
    matchers = " ".join(f"{k}={params[k]}" for k in _ROS_MATCHERS if k in params)
    mark = params.get("new-routing-mark", "?")
    text = f"mangle {params.get('chain', '?')} mark-routing {mark}"
    return text + (f" ({matchers})" if matchers else "")


def _rule(params: Mapping[str, str]) -> list[str]:
    table = params.get("table", "main")
    if table == "main":
        return []
    keys = ("src-address", "dst-address", "interface", "routing-mark")
    where = " ".join(f"{k}={params[k]}" for k in keys if k in params)
    return [f"routing rule lookup {table}" + (f" ({where})" if where else "")]


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
