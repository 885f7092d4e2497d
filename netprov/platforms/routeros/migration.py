"""The staged migration of a RouterOS office's own policy routing (PCC, routing marks,
failover by distance and its netwatch scripts) to the central line. Pure: the router's
export, the office the inventory describes and the phase in; the commands on the office's
own objects, their undo, what netprov cannot migrate (NP015) and what the plan says out.

Designed from the MikroTik manual ("Mangle", "Policy Routing", "PCC", "Moving from ROSv6 to
v7": routing tables) and the templates offices run ("load balance PCC 2 line ISP
failover"): the phases of netprov.phases, each a step an office can stay on.

- every phase: the office's own default routes in ``main`` (its failover by distance, a
  DHCP or PPPoE client's default route) stay, their distances kept in order, above every
  default route netprov keeps (1, 5 and 10): netprov's tracked routes decide, the office's
  fail over after them, and its netwatch scripts still switch them (a distance is never
  what a script switches).
- ``dual``: the city's services bypass the marks: netprov's ``accept`` for each central
  services network, above the first rule that marks (templates/mikrotik_routeros/
  routing.j2, placed by netprov.platforms.routeros.plan). Unmarked, that traffic is routed
  by ``main``, where netprov's routes to them go by the central line; the internet stays
  balanced over the office lines.
- ``central``: the classification of new LAN connections is disabled (``disabled=yes``,
  recorded in the undo): new connections are unmarked and ``main``'s default route is the
  central line. The marked tables and the reply-path rules stay, so a connection that came
  in on an office line (to its public address) still answers out of it; a connection
  marked before keeps its mark for its life (MikroTik manual, "Mangle": connection marks).
- ``final``: the office lines go only where the inventory says ``policy_routing:
  retire`` for every one of them; then the rules, routes, tables and netwatch entries that
  name only them go too. Else the site stays at ``central``, and the refusal says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from ipaddress import AddressValueError, IPv4Network

from netprov.models import Phase
from netprov.platforms.base import PolicyMigration
from netprov.platforms.routeros.own_traffic import own_traffic_in_the_way
from netprov.platforms.routeros.policy import (
    MANGLE,
    NETWATCH,
    ROUTE,
    Item,
    Office,
    OfficePolicy,
    RouterFacts,
    items_of,
    owned,
    read_policy,
)
from netprov.syntax.filters import ros_line, ros_value
from netprov.syntax.routeros import parse_export
from netprov.syntax.routeros_versions import RosVersion

# each menu's items as the export holds them, in order (what a ``[ find ... ]`` tells apart)
Menus = dict[str, list[dict[str, str]]]
# the lowest distance an office's own default route keeps: above netprov's tracked routes
# (netprov.phases.DISTANCES: 1, 5, 10), so netprov's decide while they work
OFFICE_DISTANCE = 11
_MAX_DISTANCE = 255


def migrate(
    config: str,
    office: Office,
    phase: Phase,
    city: Iterable[IPv4Network],
    version: RosVersion | None = None,
) -> PolicyMigration:
    """The migration of the office's policy routing in ``config`` (of a router running
    ``version``, where known) for ``phase``."""
    policy = read_policy(config, office, version)
    # the router's own traffic: from dual netprov checks the city's services over central
    own = _own_traffic(config, office, policy, tuple(city)) if phase.has_central else []
    if not policy.found:
        return PolicyMigration(refusals=own)
    steps = PolicyMigration(found=policy.summary(), refusals=own)
    items = _menus(config)
    _keep_below_netprov(policy, office, items, steps)
    final = phase is Phase.FINAL
    retiring = final and all(line.retire for line in office.lines)
    bypass = phase.has_central and policy.marking and not retiring
    if phase is not Phase.LEGACY:
        steps.refusals.extend(_rules_in_the_way(policy, office, phase, tuple(city)))
    if phase.central_primary:
        steps.refusals.extend(_scripts_in_the_way(policy))
        _disable(policy.classifiers, items, steps)
    if final and not retiring:
        kept = [n for n, line in enumerate(office.lines) if not line.retire]
        steps.refusals.append(_stays_at_central(office, kept))
    elif retiring:
        _retire(policy, items, steps)
    return dataclasses.replace(steps, bypass=bypass)


def _own_traffic(
    config: str, office: Office, policy: OfficePolicy, city: tuple[IPv4Network, ...]
) -> list[str]:
    """The office's output-chain marks that catch the router's own traffic (own_traffic)."""
    commands = parse_export(config)
    mangle = [i for i in items_of(commands, MANGLE) if not owned(i)]
    return own_traffic_in_the_way(policy, RouterFacts(commands, office), mangle, city)


def _menus(config: str) -> Menus:
    """Each menu's items as the export holds them, in order (for ``[ find ... ]``)."""
    menus: Menus = {}
    for command in parse_export(config):
        if command.verb == "add":
            menus.setdefault(command.path, []).append(dict(command.params))
    return menus


# what the migration changes on an object of the office's: never what finds it
_SWITCHED = frozenset({"disabled", "distance", "default-route-distance"})


# what an item has where its export says nothing: a route is in main (MikroTik manual,
# "IP Routing"); RouterOS 7 names it so, RouterOS 6 has no routing-table at all
_UNSAID = {ROUTE: {"routing-table": "main"}}


def where(menu: str, params: dict[str, str], items: Menus) -> str:
    """A ``[ find ... ]`` for one of the router's own items, however it stands when the
    command or its undo runs: by its comment where no other item of the menu has it, else
    by every value it has but those the migration changes, and what it lacks that another
    item with those values has (``!routing-mark``: a main route beside a marked one of the
    same gateway; a RouterOS 7 route's ``routing-table=main``).

    Examples:
        >>> rule = {"chain": "prerouting", "action": "mark-connection", "comment": "isp2"}
        >>> where(MANGLE, rule, {MANGLE: [rule]})
        '[ find where comment=isp2 ]'
        >>> where(MANGLE, rule, {MANGLE: [rule, rule]})
        '[ find where action=mark-connection and chain=prerouting and comment=isp2 ]'
        >>> main = {"gateway": "10.0.0.1", "distance": "1"}
        >>> marked = {"gateway": "10.0.0.1", "distance": "1", "routing-mark": "to1"}
        >>> where(ROUTE, main, {ROUTE: [main, marked]})
        '[ find where gateway=10.0.0.1 and !routing-mark ]'
    """
    comment = params.get("comment")
    same = [i for i in items.get(menu, []) if i.get("comment") == comment]
    if comment and len(same) == 1:
        return f"[ find where comment={ros_value(comment)} ]"
    unsaid = _UNSAID.get(menu, {})
    keys = sorted(k for k in params if k not in _SWITCHED)
    terms = [f"{k}={ros_value(params[k])}" for k in keys]
    for other in items.get(menu, []):
        if any(other.get(k, unsaid.get(k, "")) != params[k] for k in keys):
            continue
        for key in sorted(other):
            if key in params or key in _SWITCHED or not other[key]:
                continue
            term = f"{key}={unsaid[key]}" if key in unsaid else f"!{key}"
            if term not in terms and other[key] != unsaid.get(key):
                terms.append(term)
    return "[ find where " + " and ".join(terms) + " ]"


def _set(item: Item, items: Menus, **values: str) -> str:
    return f"{item.menu} set {where(item.menu, dict(item.params), items)} " + " ".join(
        f"{k.replace('_', '-')}={ros_value(v)}" for k, v in values.items()
    )


def _keep_below_netprov(
    policy: OfficePolicy,
    office: Office,
    items: Menus,
    steps: PolicyMigration,
) -> None:
    """The office's default routes in ``main`` (and the default-route distance of its
    other lines' DHCP and PPPoE clients) shifted together above netprov's: their order
    among themselves kept. The client of the line netprov tracks is left alone (netprov
    takes its default route away when it adopts it), and so is a default route straight
    over that line (netprov's tracked route takes it over)."""
    tracked = policy.line_names[0] if policy.line_names else frozenset()
    clients = [c for c in policy.dynamic_defaults if c.params.get("interface", "") not in tracked]
    defaults = [r for r in policy.defaults if r not in policy.adopted]
    distances = [_distance(r.params.get("distance")) for r in defaults]
    distances += [_distance(c.params.get("default-route-distance")) for c in clients]
    if not distances or min(distances) >= OFFICE_DISTANCE:
        return
    shift = OFFICE_DISTANCE - min(distances)
    # the one the office prefers least goes first, so that between two commands the
    # router's way out (the NOC's too) never leaves by another line; the undo the reverse
    moves = [(r, "distance", r.params.get("distance")) for r in defaults]
    moves += [
        (c, "default_route_distance", c.params.get("default-route-distance")) for c in clients
    ]
    undo: list[str] = []
    for item, key, said in sorted(moves, key=lambda m: -_distance(m[2])):
        before = _distance(said)
        after = str(min(before + shift, _MAX_DISTANCE))
        steps.commands.append(_set(item, items, **{key: after}))
        undo.insert(0, _set(item, items, **{key: str(before)}))
    steps.undo.extend(undo)
    steps.notices.append(
        "keeps the office's own default routes below netprov's (distance "
        f"+{shift}, their order kept): "
        + "; ".join(r.describe() for r in defaults)
        + "".join(f"; {c.menu} on {c.params.get('interface', '?')}" for c in clients)
    )


def _distance(text: str | None) -> int:
    """A route's distance as the export prints it (a route or client without one has the
    manual's default, 1)."""
    return int(text) if text and text.isdigit() else 1


def _disable(rules: list[Item], items: Menus, steps: PolicyMigration) -> None:
    """Each rule switched off, recorded in the undo (switched on again)."""
    for rule in rules:
        steps.commands.append(_set(rule, items, disabled="yes"))
        steps.undo.insert(0, _set(rule, items, disabled="no"))


def _rules_in_the_way(
    policy: OfficePolicy, office: Office, phase: Phase, city: tuple[IPv4Network, ...]
) -> list[str]:
    """Routing rules that send LAN traffic to an office line's table whatever the marks
    say: netprov's bypass is a mangle rule and cannot stop them (MikroTik manual, "Policy
    Routing": routing rules). From ``dual`` the city's traffic must not be sent there; from
    ``central`` none of the LAN's."""
    found = []
    for rule in policy.rules:
        params = rule.params
        if params.get("routing-mark"):
            continue  # for packets the office's mangle marked: the bypass leaves them be
        source = _net(params.get("src-address", "0.0.0.0/0"))
        from_lan = params.get("interface", office.lan[0] if office.lan else "") in office.lan
        from_lan = from_lan and (
            source is None or any(source.overlaps(s) for s in office.lan_subnets)
        )
        if not from_lan:
            continue
        target = _net(params.get("dst-address", "0.0.0.0/0"))
        to_city = target is None or any(target.overlaps(c) for c in city)
        if phase is Phase.DUAL and not to_city:
            continue
        found.append(
            f"{rule.describe()}: sends the LAN's traffic to table {params.get('table', '?')} "
            "whatever netprov's bypass of the marks says; netprov does not migrate routing "
            "rules: take it out of the router, or give it a dst-address outside the city's "
            "networks and let the phase after dual route the rest"
        )
    return found


def _net(text: str) -> IPv4Network | None:
    try:
        return IPv4Network(text, strict=False)
    except (AddressValueError, ValueError):
        return None


def _scripts_in_the_way(policy: OfficePolicy) -> list[str]:
    """Netwatch scripts that switch on again a rule ``central`` switches off: the next time
    the line comes back, the LAN would be balanced over the office lines again."""
    found = []
    for watch, toggles in policy.netwatch.items():
        for toggle in toggles:
            if not toggle.enables or toggle.menu != MANGLE:
                continue
            hit = [c for c in policy.classifiers if c.params.get("comment") == toggle.comment]
            if hit:
                found.append(
                    f"{watch.describe()}: its script enables the mangle rules commented "
                    f"{toggle.comment!r} that central disables ({hit[0].describe()}): when "
                    "the line comes back the LAN is balanced over the office lines again; "
                    "take that line out of the script (or the comment off the rules)"
                )
                break
    return found


def _stays_at_central(office: Office, kept: list[int]) -> str:
    names = ", ".join(
        office.lines[n].port + (f" VLAN {office.lines[n].vlan}" if office.lines[n].vlan else "")
        for n in kept
    )
    return (
        f"final would take away office lines the router's policy routing names ({names}): "
        "the site stays at central; say policy_routing: retire on each office line in the "
        "inventory to have final remove them and the rules naming only them"
    )


# what makes an office line (its address, its DHCP or PPPoE client, its VLAN), by the key
# that names the line's interface, in the order final removes them
_LINE_OBJECTS = (
    ("/ip address", "interface"),
    ("/ip dhcp-client", "interface"),
    ("/interface pppoe-client", "name"),
    ("/interface vlan", "name"),
)
# menus whose items the router goes through in order (MikroTik manual, "Firewall": rules
# are matched top to bottom; ``move``, ``add place-before=``)
_ORDERED = frozenset({MANGLE, "/ip firewall nat", "/ip firewall filter"})
# what final removes, in this order (what names a thing goes before the thing)
_RETIRED_MENUS = (
    MANGLE,
    "/ip firewall nat",
    "/ip firewall filter",
    NETWATCH,
    ROUTE,
    "/interface list member",
)


def _retire(policy: OfficePolicy, items: Menus, steps: PolicyMigration) -> None:
    """Final with every office line retired: every rule that names only them goes (a mark,
    a table and its routes, a route out of a line, a netwatch entry probing through one, a
    NAT or filter rule on one, a list membership), and the router's tables of them."""
    names = _Retired(policy)
    gone: list[tuple[str, dict[str, str]]] = []
    for menu in _RETIRED_MENUS:
        for index, params in enumerate(items.get(menu, [])):
            if not params.get("comment", "").startswith("netprov:") and names.only(
                menu, index, params
            ):
                gone.append((menu, params))
    for params in items.get("/routing table", []):
        if params.get("name") in names.tables:
            gone.append(("/routing table", params))
    # the further lines themselves (the one netprov tracks is netprov's: the plan's own)
    for menu, key in _LINE_OBJECTS:
        for params in items.get(menu, []):
            if params.get(key, "") in names.others:
                gone.append((menu, params))
    for menu, params in gone:
        steps.commands.append(f"{menu} remove {where(menu, params, items)}")
    steps.undo[:0] = _readded(gone, items)
    if gone:
        steps.notices.append(
            f"final removes {len(gone)} of the office's objects naming only its retired lines"
        )


class _Retired:
    """What names only the retired lines: their interfaces, their marked tables and the
    connection marks that lead there, the routes out of them."""

    def __init__(self, policy: OfficePolicy) -> None:
        self.lines = frozenset().union(*policy.line_names) if policy.line_names else frozenset()
        self.others = frozenset().union(*policy.line_names[1:])
        # the marked tables whose every route leaves by an office line (a VPN's stays)
        self.tables = {
            table
            for table, routes in policy.tables.items()
            if all(policy.route_lines.get(route) is not None for route in routes)
        }
        # the connection marks that lead to those tables
        leading = {
            r.params.get("connection-mark", "")
            for r in policy.marks
            if r.params.get("action") == "mark-routing"
            and r.params.get("new-routing-mark") in self.tables
        }
        self.marks = {
            r.params.get("new-connection-mark", "")
            for r in policy.marks
            if r.params.get("action") == "mark-connection"
            and r.params.get("new-connection-mark") in leading
        }
        self.routes = {r.index for r, line in policy.route_lines.items() if line is not None}
        self.pinned = {
            r.params.get("dst-address", "").removesuffix("/32")
            for r, line in policy.route_lines.items()
            if line is not None
        }

    def only(self, menu: str, index: int, params: dict[str, str]) -> bool:
        """Whether the ``index``-th item of ``menu`` names only retired lines."""
        interfaces = {params.get(k, "").lstrip("!") for k in ("in-interface", "out-interface")}
        if interfaces & self.lines:
            return True
        if menu == MANGLE:
            marks = (params.get("new-routing-mark"), params.get("routing-mark"))
            conns = (params.get("new-connection-mark"), params.get("connection-mark"))
            return bool(self.tables.intersection(marks) or self.marks.intersection(conns))
        if menu == ROUTE:
            table = params.get("routing-mark") or params.get("routing-table") or "main"
            return table in self.tables or index in self.routes
        if menu == NETWATCH:
            return params.get("host", "") in self.pinned
        return menu == "/interface list member" and params.get("interface", "") in self.lines


def _readded(gone: list[tuple[str, dict[str, str]]], items: Menus) -> list[str]:
    """The undo of the removals: each item added back as it was, the last removed first
    (tables before their routes, routes before the rules naming them), in an ordered
    menu before the item that followed it."""
    lines = []
    for menu, params in reversed(gone):
        line = ros_line(menu, "add", **params)
        menu_items = items.get(menu, [])
        at = next(n for n, p in enumerate(menu_items) if p is params)
        if menu in _ORDERED and at + 1 < len(menu_items):
            # the item that followed it is back by now (added back before it) or never left
            line += f" place-before={where(menu, menu_items[at + 1], items)}"
        lines.append(line)
    return lines
