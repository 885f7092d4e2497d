"""What a RouterOS office's own policy routing is, read from its export. Pure.

Offices with two or three ISP lines balance them with PCC (MikroTik manual, "PCC":
``per-connection-classifier`` hashes the fields it names, keeps the remainder it names),
marking each new LAN connection (``mark-connection``) and routing it by a table of its own
(``mark-routing``; "Mangle", "Policy Routing"). The usual template also marks connections
arriving on each line and routes their packets back out of it (``mark-routing`` in output,
and in prerouting for the LAN's answers). Others fail over by distance (``check-gateway``),
often switched by ``netwatch`` scripts that enable and disable routes by their comments.
RouterOS 6 puts a marked route in a table with ``routing-mark=``; RouterOS 7 names a table
added in ``/routing table`` with ``routing-table=`` ("Moving from ROSv6 to v7").

:func:`read_policy` sorts each rule into what the migration (netprov.platforms.routeros.migration)
does with it: the classification of new LAN connections (disabled at ``central``), the
reply path (kept), the office's default routes in ``main`` (kept below netprov's), the
marked tables and their routes, routing rules and netwatch scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, IPv4Network

from netprov.platforms.routeros.netwatch import Toggle, switched_by
from netprov.syntax.routeros import MANAGED_PREFIX, RosCommand, parse_export
from netprov.syntax.routeros_versions import RosVersion

MANGLE = "/ip firewall mangle"
ROUTE = "/ip route"
NETWATCH = "/tool netwatch"
# routing rules: RouterOS 6 ``/ip route rule``, RouterOS 7 ``/routing rule`` (MikroTik
# manual, "Policy Routing"; "Moving from ROSv6 to v7")
RULE_MENUS = ("/ip route rule", "/routing rule")
MARKING = frozenset({"mark-connection", "mark-routing"})
# matchers that say where a packet comes from (a rule with none of them matches the LAN too)
_FROM = ("in-interface", "in-interface-list", "src-address", "src-address-list")
_DEFAULT = IPv4Network("0.0.0.0/0")


class Kind(StrEnum):
    """What an office's policy routing is made of (the plan names each it found)."""

    PCC = "PCC load balancing"
    NTH = "nth load balancing"
    MARKS = "routing marks on LAN traffic"
    REPLY_PATH = "reply-path marks per line"
    RULES = "routing rules"
    FAILOVER = "failover by distance"
    NETWATCH = "netwatch scripts switching routes and rules"


@dataclass(frozen=True, eq=False)
class Item:
    """One item of the router's own, as its export holds it: its menu, its values, and its
    place among its menu's items (one object per item of one reading: compared by
    identity)."""

    menu: str
    params: Mapping[str, str]
    index: int

    @property
    def enabled(self) -> bool:
        """Not ``disabled=yes``."""
        return self.params.get("disabled") != "yes"

    def describe(self) -> str:
        """How a plan or a refusal names it: its menu's word and its telling values.

        Examples:
            >>> p = {"chain": "prerouting", "action": "mark-routing", "new-routing-mark": "to1",
            ...      "connection-mark": "c1", "in-interface": "LAN"}
            >>> Item(MANGLE, p, 3).describe()
            'mangle prerouting mark-routing to1 (in-interface=LAN connection-mark=c1)'
        """
        params = self.params
        if self.menu == MANGLE:
            mark = params.get("new-routing-mark") or params.get("new-connection-mark", "")
            keys = (*_FROM, "dst-address", "dst-address-list", "connection-mark")
            more = ("per-connection-classifier", "nth", "comment")
            head = f"mangle {params.get('chain', '?')} {params.get('action', 'accept')}"
            return _with(f"{head} {mark}".rstrip(), params, (*keys, *more))
        if self.menu == ROUTE:
            where = params.get("dst-address", "0.0.0.0/0")
            head = f"route {where} via {params.get('gateway', '?')}"
            return _with(head, params, ("distance", "routing-mark", "routing-table", "comment"))
        if self.menu in RULE_MENUS:
            head = f"routing rule {params.get('action', 'lookup')} {params.get('table', '')}"
            told = ("src-address", "dst-address", "interface", "routing-mark", "comment")
            return _with(head.rstrip(), params, told)
        if self.menu == NETWATCH:
            return _with(f"netwatch {params.get('host', '?')}", params, ("comment",))
        return _with(self.menu.lstrip("/"), params, tuple(sorted(params)))


def _with(head: str, params: Mapping[str, str], keys: Iterable[str]) -> str:
    shown = " ".join(f"{k}={params[k].strip()}" for k in keys if params.get(k, "").strip())
    return f"{head} ({shown})" if shown else head


@dataclass(frozen=True)
class Line:
    """An office ISP line as the inventory names it, and what ``final`` may do with it."""

    port: str
    vlan: int | None = None
    retire: bool = False
    address: IPv4Interface | None = None  # a static line's address


@dataclass(frozen=True)
class Office:
    """The side of the router the inventory describes: the LAN and the office lines."""

    lan: tuple[str, ...]
    lan_subnets: tuple[IPv4Network, ...]
    lines: tuple[Line, ...]


@dataclass
class OfficePolicy:
    """The router's own policy routing, sorted by what the migration does with each rule."""

    style: str = ""  # how its tables are named: routing-mark (6) or routing tables (7)
    kinds: list[Kind] = field(default_factory=list)
    # prerouting rules that classify new LAN connections onto a line (central disables)
    classifiers: list[Item] = field(default_factory=list)
    # classification rules switched off (by central, or by the office itself)
    dormant: list[Item] = field(default_factory=list)
    # prerouting (or jump) rules that mark: netprov's bypass goes above the first enabled
    first_mark: Item | None = None
    marking: bool = False  # any such rule, enabled or not: the city's bypass stays
    reply_path: list[Item] = field(default_factory=list)
    marks: list[Item] = field(default_factory=list)  # every enabled marking rule
    tables: dict[str, list[Item]] = field(default_factory=dict)  # marked table -> routes
    defaults: list[Item] = field(default_factory=list)  # default routes in main
    # of those, the ones straight over the tracked line that no netwatch script switches:
    # netprov's tracked route takes such a route over (netprov.platforms.routeros.plan)
    adopted: list[Item] = field(default_factory=list)
    # DHCP and PPPoE clients of office lines that install a default route of their own
    dynamic_defaults: list[Item] = field(default_factory=list)
    rules: list[Item] = field(default_factory=list)  # routing rules to other tables
    netwatch: dict[Item, list[Toggle]] = field(default_factory=dict)
    # each office line's interfaces (its port, VLAN, PPPoE client) as the router names them
    line_names: list[frozenset[str]] = field(default_factory=list)
    # the office line each route leaves by (its index in Office.lines), where told
    route_lines: dict[Item, int | None] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """Whether the office routes by anything but ``main`` or fails over on its own."""
        return bool(self.kinds)

    def summary(self) -> str:
        """What the plan says it found.

        Examples:
            >>> OfficePolicy(style="routing-mark (RouterOS 6)", kinds=[Kind.PCC]).summary()
            'policy routing found: PCC load balancing; tables by routing-mark (RouterOS 6)'
        """
        if not self.kinds:
            return ""
        text = "policy routing found: " + ", ".join(kind.value for kind in self.kinds)
        return text + (f"; tables by {self.style}" if self.style else "")


_STYLES = {6: "routing-mark (RouterOS 6)", 7: "routing tables (RouterOS 7)"}


def routing_style(commands: list[RosCommand], version: RosVersion | None = None) -> str:
    """How the router names its tables (none: it has none): RouterOS 7 adds them in
    ``/routing table`` and routes name ``routing-table=``; RouterOS 6 routes carry
    ``routing-mark=`` ("Moving from ROSv6 to v7"). The version its export names
    (netprov.syntax.routeros_versions), else what its lines show. The one place here that tells the
    versions apart.

    Examples:
        >>> routing_style(parse_export("/routing table add fib name=to1"))
        'routing tables (RouterOS 7)'
        >>> routing_style(parse_export("/ip route add gateway=10.0.0.1 routing-mark=to1"))
        'routing-mark (RouterOS 6)'
        >>> routing_style(parse_export("/ip route add gateway=10.0.0.1 routing-mark=to1"),
        ...               RosVersion(7, 16))
        'routing tables (RouterOS 7)'
    """
    found = ""
    for command in commands:
        if command.path in ("/routing table", "/routing rule") or (
            command.path == ROUTE and command.params.get("routing-table", "main") != "main"
        ):
            found = _STYLES[7]
            break
        if command.path == "/ip route rule" or (
            command.path == ROUTE and command.params.get("routing-mark")
        ):
            found = _STYLES[6]
            break
    if found and version is not None:
        return _STYLES.get(version.major, found)
    return found


def table_of(route: Mapping[str, str]) -> str:
    """The table a route is in: its ``routing-mark`` (6), its ``routing-table`` (7), else
    ``main``."""
    return route.get("routing-mark") or route.get("routing-table") or "main"


def items_of(commands: list[RosCommand], menu: str) -> list[Item]:
    """The items ``add`` made in ``menu``, in the order the export holds them."""
    adds = [c for c in commands if c.path == menu and c.verb == "add"]
    return [Item(menu, c.params, n) for n, c in enumerate(adds)]


def owned(item: Item) -> bool:
    """Whether netprov owns the item (its comment starts ``netprov:``)."""
    return item.params.get("comment", "").startswith(MANAGED_PREFIX)


def network_of(text: str) -> IPv4Network | None:
    """A matcher's prefix (its ``!`` left out); None for what is no IPv4 prefix."""
    try:
        return IPv4Network(text.lstrip("!"), strict=False)
    except (AddressValueError, ValueError):
        return None


def _address(text: str) -> IPv4Address | None:
    net = network_of(text) if "/" not in text and not text.startswith("!") else None
    return net.network_address if net is not None and net.prefixlen == 32 else None


class RouterFacts:
    """The export's facts the sorting needs: lists, line interfaces, addresses."""

    def __init__(self, commands: list[RosCommand], office: Office) -> None:
        self.commands = commands
        self.office = office
        self.members: dict[str, set[str]] = {}
        for item in items_of(commands, "/interface list member"):
            if item.enabled and "interface" in item.params:
                self.members.setdefault(item.params.get("list", ""), set()).add(
                    item.params["interface"]
                )
        self.address_lists: dict[str, list[str]] = {}
        for item in items_of(commands, "/ip firewall address-list"):
            if item.enabled:
                self.address_lists.setdefault(item.params.get("list", ""), []).append(
                    item.params.get("address", "")
                )
        self.routes = items_of(commands, ROUTE)
        self.line_names = [self._names_of(line) for line in office.lines]
        self.lines_all = frozenset().union(*self.line_names) if self.line_names else frozenset()
        self.line_subnets = [self._subnets(names) for names in self.line_names]

    def _names_of(self, line: Line) -> frozenset[str]:
        """The interfaces a line is on: its port or VLAN, and a PPPoE client on either."""
        names = {line.port} if line.vlan is None else set()
        for vlan in items_of(self.commands, "/interface vlan"):
            params = vlan.params
            if params.get("interface") == line.port and params.get("vlan-id") == str(line.vlan):
                names.add(params.get("name", ""))
        for client in items_of(self.commands, "/interface pppoe-client"):
            if client.params.get("interface") in names:
                names.add(client.params.get("name", ""))
        return frozenset(names)

    def _subnets(self, names: frozenset[str]) -> list[IPv4Network]:
        found = []
        for item in items_of(self.commands, "/ip address"):
            if item.params.get("interface") in names:
                try:
                    found.append(IPv4Interface(item.params.get("address", "")).network)
                except (AddressValueError, ValueError):
                    continue
        return found

    def lan_list(self, name: str) -> bool:
        """Whether interface list ``name`` holds the LAN."""
        return bool(self.members.get(name.lstrip("!"), set()) & set(self.office.lan))

    def office_list(self, name: str) -> bool:
        """Whether interface list ``name`` holds office lines only."""
        members = self.members.get(name.lstrip("!"), set())
        return bool(members) and members <= self.lines_all

    def from_lan(self, params: Mapping[str, str]) -> bool:
        """Whether a rule can match packets from the LAN: it names the LAN (its interface,
        a list holding it, a source in its subnets) or nothing of where packets come from.
        What cannot be told (a source list of names) counts as the LAN."""
        if not any(k in params for k in _FROM):
            return True
        if "in-interface" in params:
            return self._holds(params["in-interface"], lambda v: v in self.office.lan)
        if "in-interface-list" in params:
            return self._holds(params["in-interface-list"], self.lan_list)
        if "src-address" in params:
            return self._holds(params["src-address"], self._lan_source)
        return self._holds(
            params["src-address-list"],
            lambda name: any(self._lan_source(a) for a in self.address_lists.get(name, [])),
        )

    def _lan_source(self, text: str) -> bool:
        net = network_of(text)
        return net is None or any(net.overlaps(s) for s in self.office.lan_subnets)

    @staticmethod
    def _holds(value: str, test: Callable[[str], bool]) -> bool:
        """A matcher's value (``!`` negates it) tested for the LAN."""
        return test(value.lstrip("!")) != value.startswith("!")

    def from_line(self, params: Mapping[str, str]) -> bool:
        """Whether a rule matches only packets arriving on the office lines."""
        interface = params.get("in-interface", "")
        if interface and not interface.startswith("!"):
            return interface in self.lines_all
        listed = params.get("in-interface-list", "")
        return bool(listed) and not listed.startswith("!") and self.office_list(listed)

    def straight_over(self, route: Mapping[str, str]) -> int | None:
        """The office line a route's gateway is on itself (an interface of the line or
        an address on its subnet; not through another route)."""
        gateway = route.get("gateway", "").split("%")[0].split("@")[0]
        address = _address(gateway)
        for index, names in enumerate(self.line_names):
            subnets = self.line_subnets[index]
            if gateway in names or (address and any(address in n for n in subnets)):
                return index
        return None

    def line_of(self, route: Mapping[str, str]) -> int | None:
        """Which office line a route leaves by (its index), when the export tells: its
        gateway an interface of the line, an address on the line's subnet, or an address
        a host route sends there (a recursive route); None: not told."""
        gateway = route.get("gateway", "").split("%")[0].split("@")[0]
        for _ in range(4):  # a recursive gateway, a few levels deep at most
            for index, names in enumerate(self.line_names):
                if gateway in names:
                    return index
            address = _address(gateway)
            if address is None:
                return None
            for index, subnets in enumerate(self.line_subnets):
                if any(address in subnet for subnet in subnets):
                    return index
            host = next(
                (
                    r
                    for r in self.routes
                    if r.enabled
                    and table_of(r.params) == "main"
                    and network_of(r.params.get("dst-address", "")) == IPv4Network(f"{address}/32")
                ),
                None,
            )
            if host is None:
                return None
            gateway = host.params.get("gateway", "").split("%")[0].split("@")[0]
        return None


def read_policy(config: str, office: Office, version: RosVersion | None = None) -> OfficePolicy:
    """The office's policy routing in ``config`` (an export, terse or block form) of a
    router running ``version`` (None: not known), sorted (see the module's docstring);
    netprov's own objects are left out."""
    commands = parse_export(config)
    router = RouterFacts(commands, office)
    style = routing_style(commands, version)
    policy = OfficePolicy(style=style, line_names=router.line_names)
    mangle = [i for i in items_of(commands, MANGLE) if not owned(i)]
    _sort_mangle(policy, router, mangle)
    routes = [i for i in router.routes if not owned(i)]
    for route in routes:
        policy.route_lines[route] = router.line_of(route.params)
        table = table_of(route.params)
        if table != "main":
            policy.tables.setdefault(table, []).append(route)
        elif network_of(route.params.get("dst-address", "0.0.0.0/0")) == _DEFAULT:
            policy.defaults.append(route)
    # a DHCP client installs the lease's default route unless told not to; a PPPoE client
    # only when told (MikroTik manual, "DHCP client", "PPPoE": add-default-route)
    for menu, unsaid in (("/ip dhcp-client", "yes"), ("/interface pppoe-client", "no")):
        for client in items_of(commands, menu):
            on_line = client.params.get("interface") in router.lines_all
            adds = client.params.get("add-default-route", unsaid) == "yes"
            if on_line and adds and client.enabled and not owned(client):
                policy.dynamic_defaults.append(client)
    for menu in RULE_MENUS:
        for rule in items_of(commands, menu):
            if rule.enabled and rule.params.get("table", "main") != "main":
                policy.rules.append(rule)
    for watch in items_of(commands, NETWATCH):
        script = watch.params.get("up-script", "") + "\n" + watch.params.get("down-script", "")
        toggles = switched_by(script)
        if toggles and not owned(watch):
            policy.netwatch[watch] = toggles
    switched = {t.comment for toggles in policy.netwatch.values() for t in toggles}
    policy.adopted = [
        r
        for r in policy.defaults
        if router.straight_over(r.params) == 0 and r.params.get("comment") not in switched
    ]
    _kinds(policy)
    return policy


def _sort_mangle(policy: OfficePolicy, router: RouterFacts, mangle: list[Item]) -> None:
    """Classification, reply path and the first marking rule of the prerouting chain. A
    classification rule switched off (by central, or by the office) is still the office's:
    dormant, it keeps the bypass and says what the office has."""
    chains = reached_from("prerouting", mangle)
    routing_marks = {
        i.params.get("connection-mark", "")
        for i in mangle
        if i.enabled and i.params.get("action") == "mark-routing"
    }
    for item in mangle:
        params, action = item.params, item.params.get("action", "accept")
        in_prerouting = params.get("chain") in chains
        if in_prerouting and action in {*MARKING, "jump"}:
            policy.marking = True
            if item.enabled and policy.first_mark is None:
                policy.first_mark = item
        if action not in MARKING:
            continue
        lan = in_prerouting and router.from_lan(params) and not router.from_line(params)
        feeds = params.get("new-connection-mark", "") in routing_marks
        classifies = lan and (
            feeds if action == "mark-connection" else "connection-mark" not in params
        )
        if not item.enabled:
            if classifies or (lan and action == "mark-connection"):
                policy.dormant.append(item)
            continue
        policy.marks.append(item)
        if classifies:
            policy.classifiers.append(item)  # a new LAN connection's mark, or a packet's
        elif action == "mark-connection":
            if feeds and (router.from_line(params) or params.get("chain") == "input"):
                policy.reply_path.append(item)
        elif params.get("chain") == "output" and "connection-mark" in params:
            policy.reply_path.append(item)


def reached_from(chain: str, mangle: Sequence[Item]) -> set[str]:
    """``chain`` and the chains its ``jump`` rules reach (MikroTik manual, "Mangle":
    jump, return)."""
    chains = {chain}
    grew = True
    while grew:
        grew = False
        for item in mangle:
            target = item.params.get("jump-target")
            if item.params.get("chain") in chains and target and target not in chains:
                chains.add(target)
                grew = True
    return chains


def _kinds(policy: OfficePolicy) -> None:
    kinds = policy.kinds
    classifying = [*policy.classifiers, *policy.dormant]
    if any("per-connection-classifier" in c.params for c in classifying):
        kinds.append(Kind.PCC)
    if any("nth" in c.params for c in classifying):
        kinds.append(Kind.NTH)
    balancing = ("per-connection-classifier", "nth")
    if any(not any(k in c.params for k in balancing) for c in classifying):
        kinds.append(Kind.MARKS)
    if policy.reply_path:
        kinds.append(Kind.REPLY_PATH)
    if policy.rules:
        kinds.append(Kind.RULES)
    # default routes over two ways out or more (office lines, where the export tells; else
    # gateways) fail over by distance: main's (the office's own static routes, and its
    # further lines' DHCP and PPPoE clients: the tracked line's is netprov's to take), or
    # a marked table's
    tracked = policy.line_names[0] if policy.line_names else frozenset()
    ways: set[object] = {
        policy.route_lines.get(d)
        if policy.route_lines.get(d) is not None
        else d.params.get("gateway", "")
        for d in policy.defaults
    }
    ways |= {
        c.params.get("interface", "")
        for c in policy.dynamic_defaults
        if c.params.get("interface", "") not in tracked
    }
    tables = [
        [r for r in routes if network_of(r.params.get("dst-address", "0.0.0.0/0")) == _DEFAULT]
        for routes in policy.tables.values()
    ]
    if len(ways) >= 2 or any(len(defaults) >= 2 for defaults in tables):
        kinds.append(Kind.FAILOVER)
    if policy.netwatch:
        kinds.append(Kind.NETWATCH)
