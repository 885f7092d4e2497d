"""Where a rule or queue netprov adds goes among a RouterOS router's own. Pure.

RouterOS tries a chain's rules top to bottom and the first rule that takes a packet
decides it (MikroTik manual, "Firewall: Filter", "Firewall: NAT": an accept, drop or
translation ends its way through the chain; a FastTrack rule sends its connection's later
packets past the filter and the simple queues, "Firewall: FastTrack"); simple queues are
tried in order and the first that fits takes the packet ("Queues": Simple Queue). A rule
netprov appends below an office rule that takes the same traffic with another outcome
keeps no promise: the office's rule shadows it.

So each rule of netprov's goes just above the first office rule of its chain that may take
some of its traffic otherwise (``place-before=``), and no higher: netprov's rules are
scoped to what netprov owns (its LAN, the interface list WAN, the management networks), so
what they take there is what netprov promises, and everything else still meets the office's
rules first. Rules netprov translates with (its masquerade per line) are appended: an office
rule above them that leaves some traffic untranslated (an IPsec exemption) is the office's
choice. Whether two rules may take the same packet is read from their matchers; a matcher
not read here may match anything, so netprov's rule goes above a rule that might shadow it.

Mangle is placed by what a rule marks, not by an outcome: netprov's city bypass (an accept
per central services network, templates/mikrotik_routeros/routing.j2) goes above the
office's first rule of its chain that marks a connection or routing, or jumps to a chain
that may ("Mangle": rules run in order, accept ends the chain), whatever that rule matches
(the policy lint's NP016 proves the rest); netprov's other mangle rules are appended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from ipaddress import IPv4Network, ip_network

from netprov.platforms.routeros.queues import first_taker
from netprov.syntax.routeros import RosCommand

Params = Mapping[str, str]

# the menus whose order netprov places its objects in
PLACED = frozenset(
    {
        "/ip firewall filter",
        "/ipv6 firewall filter",
        "/ip firewall nat",
        "/ip firewall mangle",
        "/queue simple",
    }
)
# what a rule does with a packet it takes, by its action (an action not here lets the packet
# go on: log, passthrough, marks, address lists)
_OUTCOME = {
    "accept": "pass",
    "drop": "block",
    "reject": "block",
    "tarpit": "block",
    "fasttrack-connection": "fasttrack",
    "jump": "jump",  # another chain decides: may be anything
    "return": "return",
    "masquerade": "source",
    "src-nat": "source",
    "same": "source",
    "netmap": "netmap",
    "dst-nat": "destination",
    "redirect": "redirect",
}
_TRANSLATING = frozenset({"masquerade", "src-nat", "same", "netmap"})
# netprov's mangle rules that go above the office's marks, and what marks (or may)
_BYPASS = "netprov:city-bypass"
_MARKING = frozenset({"mark-connection", "mark-routing", "jump"})


def _ports(text: str) -> list[tuple[int, int]]:
    spans = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            spans.append((int(low), int(high or low)))
    return spans


def _networks(values: Iterable[str]) -> list[IPv4Network] | None:
    """The IPv4 networks of ``values`` (None: one is no network: a name, a range)."""
    found = []
    for value in values:
        try:
            network = ip_network(value, strict=False)
        except ValueError:
            return None
        if isinstance(network, IPv4Network):
            found.append(network)
    return found


def _protocols_meet(ours: Params, theirs: Params) -> bool:
    a, b = ours.get("protocol"), theirs.get("protocol")
    return a is None or b is None or a == b


def _ports_meet(a: str | None, b: str | None) -> bool:
    """Examples:
    >>> _ports_meet("53", "53,853"), _ports_meet("22,443", "1024-65535"), _ports_meet(None, "1")
    (True, False, True)
    """
    if not a or not b or a.startswith("!") or b.startswith("!"):
        return True
    spans = [(x, y) for x in _ports(a) for y in _ports(b)]
    return not spans or any(x[0] <= y[1] and y[0] <= x[1] for x, y in spans)


def _states_meet(ours: Params, theirs: Params) -> bool:
    """Connection states (``established,related``) and NAT states (``dstnat``, ``!dstnat``)
    some packet may have for both rules."""
    states = ours.get("connection-state"), theirs.get("connection-state")
    if states[0] and states[1] and not set(states[0].split(",")) & set(states[1].split(",")):
        return False
    nat = ours.get("connection-nat-state"), theirs.get("connection-nat-state")
    if nat[0] and nat[1] and nat[0].lstrip("!") == nat[1].lstrip("!"):
        return nat[0] == nat[1]  # dstnat and !dstnat: no packet is both
    return True


class _Side:
    """What an interface matcher pair (``in-interface``, ``in-interface-list``) allows."""

    def __init__(self, allowed: set[str] | None, excluded: set[str]) -> None:
        self.allowed, self.excluded = allowed, excluded

    def meets(self, other: _Side) -> bool:
        allowed = self.allowed if other.allowed is None else other.allowed
        if self.allowed is not None and other.allowed is not None:
            allowed = self.allowed & other.allowed
        excluded = self.excluded | other.excluded
        return allowed is None or bool(allowed - excluded)


class Placement:
    """The router's rules and queues, and what netprov's would meet among them."""

    def __init__(self, router: list[RosCommand], wanted: list[RosCommand]) -> None:
        both = [*router, *wanted]
        self.lists: dict[str, set[str]] = {}
        includes: dict[str, set[str]] = {}
        for command in both:
            params = command.params
            if command.verb != "add" or params.get("disabled") == "yes":
                continue
            if command.path == "/interface list member" and "interface" in params:
                self.lists.setdefault(params.get("list", ""), set()).add(params["interface"])
            if command.path == "/interface list" and params.get("include"):
                includes[params.get("name", "")] = set(params["include"].split(","))
        for name, included in includes.items():
            for other in included:
                self.lists.setdefault(name, set()).update(self.lists.get(other, set()))
        self.addresses: dict[str, list[str]] = {}
        for command in both:
            if command.path == "/ip firewall address-list" and command.verb == "add":
                entry = command.params
                self.addresses.setdefault(entry.get("list", ""), []).append(
                    entry.get("address", "")
                )
        self.lan = {
            c.params.get("interface", "")
            for c in wanted
            if c.path == "/ip address" and (c.managed_key or "").startswith("netprov:lan-")
        }
        self.ours = [c for c in wanted if c.path in PLACED and c.verb == "add"]

    # --- interfaces, addresses, ports, states ----------------------------------------------

    def _side(self, params: Params, direction: str) -> _Side:
        allowed: set[str] | None = None
        excluded: set[str] = set()
        for key in (f"{direction}-interface", f"{direction}-interface-list"):
            raw = params.get(key)
            if raw is None:
                continue
            negated, value = raw.startswith("!"), raw.lstrip("!")
            if key.endswith("-list"):
                if value == "all":
                    names: set[str] | None = None
                elif value == "none":
                    names = set()
                elif value == "dynamic":
                    continue  # the PPP interfaces: not read here, may be any
                else:
                    names = self.lists.get(value, set())
            else:
                names = {value}
            if negated:
                excluded |= names or set()
            elif names is not None:
                allowed = names if allowed is None else allowed & names
        return _Side(allowed, excluded)

    def _addresses(self, params: Params, key: str) -> list[IPv4Network] | None:
        """The networks ``key`` (``src``/``dst``) limits a rule to; None: any (or unread)."""
        plain, listed = params.get(f"{key}-address"), params.get(f"{key}-address-list")
        if plain is not None and not plain.startswith("!"):
            return _networks([plain])
        if listed is not None and not listed.startswith("!"):
            return _networks(self.addresses.get(listed, []))
        return None

    def overlap(self, ours: Params, theirs: Params) -> bool:
        """Whether some packet may match both rules (a matcher not read here: it may)."""
        if "ipsec" in theirs.get("ipsec-policy", ""):
            return False  # the office's IPsec traffic: netprov promises nothing of it
        return (
            all(self._side(ours, d).meets(self._side(theirs, d)) for d in ("in", "out"))
            and all(self._addresses_meet(ours, theirs, key) for key in ("src", "dst"))
            and _protocols_meet(ours, theirs)
            and all(_ports_meet(ours.get(k), theirs.get(k)) for k in ("dst-port", "src-port"))
            and _states_meet(ours, theirs)
        )

    def _addresses_meet(self, ours: Params, theirs: Params, key: str) -> bool:
        a, b = self._addresses(ours, key), self._addresses(theirs, key)
        return a is None or b is None or any(x.overlaps(y) for x in a for y in b)

    # --- where netprov's rules go ------------------------------------------------------------

    def shadowing(
        self, ours: RosCommand, office: list[RosCommand], owner: Mapping[int, str]
    ) -> RosCommand | None:
        """The first rule (or queue) of the router's in ``ours``'s chain that may take its
        traffic first with another outcome: the office's, or one of netprov's that comes
        after ``ours`` in netprov's config; None: none does (append it). ``office``: the
        router's objects of the menu in order; ``owner``: the comment of netprov's each
        router object has or is given by this plan (a rule it takes over)."""
        if ours.path == "/queue simple":
            return self._queue(ours, office, owner)
        if ours.path == "/ip firewall mangle":
            return _first_mark(ours, office, owner)
        params = ours.params
        action = params.get("action", "accept")
        if ours.path == "/ip firewall nat" and action in _TRANSLATING:
            return None
        order = {c.params.get("comment", ""): i for i, c in enumerate(self.ours)}
        mine = order.get(params.get("comment", ""), -1)
        outcome = _OUTCOME.get(action, action)
        for rule in office:
            theirs = rule.params
            tag = owner.get(id(rule))
            if tag is not None and order.get(tag, -1) <= mine:
                continue  # netprov's, above it in netprov's config (or going away)
            if theirs.get("chain") != params.get("chain") or theirs.get("disabled") == "yes":
                continue
            theirs_outcome = _OUTCOME.get(theirs.get("action", "accept"))
            if theirs_outcome is None or theirs_outcome == outcome:
                continue
            if self.overlap(params, theirs):
                return rule
        return None

    def _queue(
        self, ours: RosCommand, office: list[RosCommand], owner: Mapping[int, str]
    ) -> RosCommand | None:
        name = ours.params.get("name")
        if any(q.params.get("parent") == name for q in self.ours):
            return None  # an inner queue takes nothing itself ("HTB")
        theirs = [q for q in office if id(q) not in owner]
        found = first_taker([q.params for q in theirs], ours.params, self.lan)
        return None if found is None else theirs[found]

    def place(
        self, menu: str, office: list[RosCommand], owner: Mapping[int, str]
    ) -> dict[str, RosCommand]:
        """For each of netprov's objects of ``menu`` (by comment) the router's object it
        must come before. Netprov's own keep their order where it matters: one that comes
        earlier in netprov's config goes at least as high as a later one that may take
        some of its traffic otherwise (the NOC's accept above the drop of the others)."""
        chosen: dict[str, RosCommand] = {}
        position = {id(rule): index for index, rule in enumerate(office)}
        after: list[tuple[RosCommand, RosCommand | None]] = []  # later ones, their places
        for ours in reversed([c for c in self.ours if c.path == menu]):
            found = self.shadowing(ours, office, owner)
            for later, place in after:
                if place is None or not self._contends(ours, later):
                    continue
                if found is None or position[id(place)] < position[id(found)]:
                    found = place
            after.append((ours, found))
            if found is not None:
                chosen[ours.params.get("comment", "")] = found
        return chosen

    def _contends(self, ours: RosCommand, later: RosCommand) -> bool:
        """Whether ``later`` of netprov's, in the same chain, may take some of ``ours``'s
        traffic with another outcome."""
        a, b = ours.params, later.params
        if ours.path == "/queue simple" or a.get("chain") != b.get("chain"):
            return False  # netprov's inner queue takes nothing: their order is free
        outcome = _OUTCOME.get(a.get("action", "accept"))
        return outcome != _OUTCOME.get(b.get("action", "accept")) and self.overlap(a, b)


def _first_mark(
    ours: RosCommand, office: list[RosCommand], owner: Mapping[int, str]
) -> RosCommand | None:
    """For netprov's city bypass: the office's first enabled rule of its chain that marks,
    or jumps to a chain that may, whatever it matches; None for netprov's other mangle
    rules (appended) or where the office marks nothing there."""
    if not ours.params.get("comment", "").startswith(_BYPASS):
        return None
    for rule in office:
        theirs = rule.params
        if id(rule) in owner or theirs.get("disabled") == "yes":
            continue
        if theirs.get("chain") == ours.params.get("chain") and theirs.get("action") in _MARKING:
            return rule
    return None
