"""The router's own traffic and an office's output chain of mangle. Pure.

A RouterOS router's own packets (its ``/ping``, netprov's probes sent with
``src-address``, DNS, ``/tool fetch``) do not pass prerouting: they pass the output chain
of mangle, and a ``mark-routing`` there routes them again by the marked table (MikroTik
manual, "Packet Flow in RouterOS": locally generated packets, output, then the routing
adjustment; "Mangle": mark-routing, RouterOS 6 ``new-routing-mark`` naming a
``routing-mark`` table, RouterOS 7 a ``/routing table``). netprov's bypass of the marks is
in prerouting, for the office PCs; an output rule that catches the router's traffic to the
city's services (or everything) sends netprov's own checks of a central phase by an office
line, and every via-central check fails: a rollback. :func:`own_traffic_in_the_way` names
each such rule before any push (NP015), with what to change by hand.

Not in the way: the reply path (``connection-mark=`` of connections that came in on a
line: the router's own new connections carry none, unless an output ``mark-connection``
gives it), a rule for other destinations, one below an ``accept`` for the city's
destinations, one for what leaves by an office line anyway (``out-interface``), and a mark
whose table holds no route for the destination (the lookup falls back to ``main``,
MikroTik manual "Policy Routing") unless the router's OSPF or BGP fills that table: a
learned default route netprov cannot shift, counted as there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network

from netprov.platforms.routeros.policy import (
    MANGLE,
    Item,
    OfficePolicy,
    RouterFacts,
    network_of,
    reached_from,
)

_DEFAULT = IPv4Network("0.0.0.0/0")
# matchers the router's own packets never carry: they arrive on no interface
_INBOUND = ("in-interface", "in-interface-list")


def own_traffic_in_the_way(
    policy: OfficePolicy,
    router: RouterFacts,
    mangle: Sequence[Item],
    city: Sequence[IPv4Network],
) -> list[str]:
    """The office's output-chain routing marks that catch the router's own traffic to the
    city's services (``city``), or all of it, each named with what to change by hand."""
    found: list[str] = []
    chains = reached_from("output", mangle)
    # connection marks the output chain gives to the router's own traffic for the city
    # (one for what leaves by an office line anyway, or for other destinations, does not)
    given = {
        i.params.get("new-connection-mark", "")
        for i in mangle
        if i.enabled
        and i.params.get("chain") in chains
        and i.params.get("action") == "mark-connection"
        and not _inbound(i.params)
        and not _leaves_by_office_line(i.params, router)
        and _targets(i.params, router, city) is not None
    }
    learned = _learned_tables(router)
    accepted: list[IPv4Network] = []  # city destinations an accept above took out
    for item in mangle:
        params = item.params
        if not item.enabled or params.get("chain") not in chains or _inbound(params):
            continue
        if _leaves_by_office_line(params, router):
            continue
        targets = _targets(params, router, city)
        if targets is None:
            continue  # other destinations only
        action = params.get("action", "accept")
        if action == "accept" and not _narrowed(params):
            accepted += [t for t in targets if t != _DEFAULT]
            continue
        if action != "mark-routing":
            continue
        mark = params.get("connection-mark")
        if mark and mark != "no-mark" and mark not in given:
            continue  # the reply path: the router's own new connections carry no such mark
        table = params.get("new-routing-mark", "")
        left = [t for t in targets if not any(t.subnet_of(a) for a in accepted if t != _DEFAULT)]
        if not left:
            continue
        routes = policy.tables.get(table, [])
        reached = table in learned or any(
            any(_covers(r.params, t) for t in left) for r in routes if r.enabled
        )
        if reached:
            found.append(_refusal(item, table, table in learned, left, city))
    return found


def _inbound(params: Mapping[str, str]) -> bool:
    return any(k in params and not params[k].startswith("!") for k in _INBOUND)


def _narrowed(params: Mapping[str, str]) -> bool:
    """An accept that holds for part of the traffic only (a protocol, a port, a source)."""
    return any(k in params for k in ("protocol", "dst-port", "src-address", "src-address-list"))


def _leaves_by_office_line(params: Mapping[str, str], router: RouterFacts) -> bool:
    """A rule for packets whose route out is an interface the office named (``out-interface``
    in output: the first routing decision's, MikroTik manual "Packet Flow in RouterOS"): the
    city's traffic leaves by netprov's central line, which a rule written before it names
    not (an office line, or another of the office's, as the corpus's PCC offices do)."""
    del router  # the office lines and the others alike
    return any(
        params.get(key, "!").lstrip() and not params.get(key, "!").startswith("!")
        for key in ("out-interface", "out-interface-list")
    )


def _targets(
    params: Mapping[str, str], router: RouterFacts, city: Sequence[IPv4Network]
) -> list[IPv4Network] | None:
    """What of netprov's own traffic a rule's destination matchers take: the city's
    networks it overlaps, or every destination (``0.0.0.0/0``: no destination matcher, or
    one that leaves some of the city out); None: none of it. A list entry that is a name
    (resolved by the router at run time, MikroTik manual "Address list") is not counted."""
    if "dst-address" in params:
        value = params["dst-address"]
        prefixes = [network_of(value)]
    elif "dst-address-list" in params:
        value = params["dst-address-list"]
        listed = router.address_lists.get(value.lstrip("!"), [])
        prefixes = [network_of(a) for a in listed]
    else:
        return [_DEFAULT]
    nets = [p for p in prefixes if p is not None]
    if value.startswith("!"):
        outside = [c for c in city if not any(c.subnet_of(n) for n in nets)]
        return [_DEFAULT] if outside or not city else None
    caught = [c for c in city if any(c.overlaps(n) for n in nets)]
    return caught or None


def _covers(route: Mapping[str, str], target: IPv4Network) -> bool:
    where = network_of(route.get("dst-address", "0.0.0.0/0"))
    return where is not None and (target == _DEFAULT or target.subnet_of(where))


def _learned_tables(router: RouterFacts) -> set[str]:
    """Tables the router's OSPF or BGP installs routes in (``routing-table=`` of an
    instance, RouterOS 6 ``/routing ospf instance``, 7 also its BGP connections)."""
    return {
        c.params["routing-table"]
        for c in router.commands
        if c.path.startswith(("/routing ospf", "/routing bgp"))
        and c.params.get("routing-table", "main") != "main"
    }


def _refusal(
    item: Item, table: str, learned: bool, targets: list[IPv4Network], city: Sequence[IPv4Network]
) -> str:
    everything = _DEFAULT in targets
    what = (
        "netprov's own checks (every probe, the city's services)"
        if everything
        else ("netprov's checks of the city's services (" + ", ".join(map(str, targets)) + ")")
    )
    by = (
        f"table {table}, whose routes the router learns (OSPF/BGP): a default route "
        "there netprov cannot shift"
        if learned
        else f"table {table}, an office line's"
    )
    accepts = "; ".join(f"chain=output action=accept dst-address={c}" for c in city)
    return (
        f"{item.describe()} (rule #{item.index} of {MANGLE}): routes the router's own "
        f"traffic, {what}, by {by}, so they would leave by an office line (MikroTik manual, "
        '"Packet Flow in RouterOS": the router\'s own packets pass output); by hand: put '
        f"{accepts} above it, or take the city's networks out of what it matches"
    )
