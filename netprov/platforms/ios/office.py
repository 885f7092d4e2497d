"""What an IOS router in service holds that stands in the way of a phase: a person decides,
nothing is pushed. Pure: the running and intended configs (hier_config trees) in, one
sentence per object out, each naming the line as the router shows it.

- an address: an interface netprov renders carries another one, or netprov's address for one
  interface sits on another;
- the office's translations (:mod:`netprov.platforms.ios.nat`): onto a line the phase takes
  away; translating the LAN's traffic to one line's address whichever line it leaves by
  (IOS takes the first rule that matches, not the line's); translating office subnets or
  publishing servers on a line their traffic no longer leaves by, once the phase moves the
  default route;
- the office's routes: through a line the phase takes away, or a default route beside
  netprov's (IOS shares traffic between default routes of one distance: Cisco IOS IP
  Routing: Static Configuration Guide, "Floating static routes");
- the office's inbound filter on an interface where netprov puts its own (an interface takes
  one inbound access list per protocol).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network

from hier_config import HConfig, HConfigChild

from netprov.platforms.ios.nat import Translation, beyond, overlaps
from netprov.platforms.ios.scope import DEFAULT, Scope, netprov_interface

_FILTERS = re.compile(r"(ip access-group|ipv6 traffic-filter) (\S+) in")


def conflicts(full: HConfig, target: HConfig, scope: Scope) -> list[str]:
    """Every object of the router's that stands in the intended config's way."""
    return [
        *_addresses(full, target),
        *_translations(full, scope),
        *_routes(full, target, scope),
        *_filters(full, target),
    ]


def _primary_address(section: HConfigChild) -> str | None:
    return next(
        (
            c.text.removeprefix("ip address ")
            for c in section.children
            if re.fullmatch(r"ip address \d\S* \d\S*", c.text)
        ),
        None,
    )


def _addresses(full: HConfig, target: HConfig) -> list[str]:
    """An interface netprov renders carries another address on the router (and is not
    netprov's yet), or the address netprov puts on one interface sits on another."""
    theirs = {
        child.text: address
        for child in full.children
        if child.text.startswith("interface ")
        and not netprov_interface(child)
        and (address := _primary_address(child)) is not None
    }
    found = []
    for child in target.children:
        wanted = _primary_address(child) if child.text.startswith("interface ") else None
        if wanted is None:
            continue
        have = theirs.get(child.text)
        if have is not None and have != wanted:
            found.append(
                f"{child.text.removeprefix('interface ')} has {have} on the router; "
                f"the inventory puts {wanted} there"
            )
        found += [
            f"{wanted.split()[0]} is on {other.removeprefix('interface ')} on the router; the "
            f"inventory puts it on {child.text.removeprefix('interface ')}"
            for other, address in theirs.items()
            if other != child.text and address.split()[0] == wanted.split()[0]
        ]
    return found


def _nets(nets: list[IPv4Network]) -> str:
    shown = ["any source" if n.prefixlen == 0 else str(n) for n in nets[:4]]
    return ", ".join(shown) + (f" and {len(nets) - 4} more" if len(nets) > 4 else "")


def _translations(full: HConfig, scope: Scope) -> list[str]:
    rules = [r for r in scope.translations if not scope.adopted_translation(r.text, full)]
    moved = scope.primary is not None and scope.primary != _router_primary(full, scope)
    onto_primary = any(r.onto == scope.primary and not r.static for r in rules)
    found = []
    for rule in rules:
        reason = _translation_reason(rule, scope, moved=moved, onto_primary=onto_primary)
        if reason is not None:
            found.append(f"{rule.text}: {reason}")
    return found


def _translation_reason(
    rule: Translation, scope: Scope, *, moved: bool, onto_primary: bool
) -> str | None:
    if rule.onto in scope.before and rule.onto not in scope.after:
        return (
            f"translates onto {rule.onto}, which this phase takes away: the office's "
            "translation would be left on a dead line. Move it onto a line that stays, or "
            "take it off, first"
        )
    other_lines = [line for line in scope.after if line != rule.onto]
    port_static = rule.static and re.match(r"ip nat inside source static (tcp|udp) ", rule.text)
    if other_lines and not rule.per_line and not port_static and overlaps(rule.sources, scope.lan):
        lan = _nets([s for s in rule.sources if overlaps((s,), scope.lan)])
        return (
            f"translates the LAN's traffic ({lan}) to {rule.onto or 'its pool'}'s address "
            f"whichever line it leaves by, {other_lines[0]} included (IOS takes the first NAT "
            "rule that matches, not the line's: Cisco, \"IOS NAT Load-Balancing for Two ISP "
            "Connections\"). Narrow it to the office's own subnets (or to the LAN alone, for "
            "netprov to take it over), or tie it to its line with a route-map's match interface"
        )
    office = beyond(rule.sources, scope.lan) if not rule.static else list(rule.sources)
    stranded = office and (rule.static or not onto_primary)
    if moved and rule.onto != scope.primary and stranded:
        return (
            f"the office's {_nets(office)} would leave by {scope.primary} in this phase (the "
            f"default route), still translated to {rule.onto or 'its pool'}'s address or not "
            "at all: they would lose the internet. Give them a translation onto "
            f"{scope.primary}, or take the rule off, first"
        )
    return None


def _router_primary(full: HConfig, scope: Scope) -> str | None:
    """The line the router's own default route of distance 1 takes today."""
    for child in full.children:
        words = child.text.split()
        if child.text.startswith(f"ip route {DEFAULT} ") and words[5:6] in ([], ["track"]):
            return scope.via_line(child.text) or words[4]
    return None


def _routes(full: HConfig, target: HConfig, scope: Scope) -> list[str]:
    distances = [
        int(words[5]) if len(words) > 5 and words[5].isdigit() else 1
        for words in (c.text.split() for c in target.children)
        if " ".join(words[2:4]) == DEFAULT and words[:2] == ["ip", "route"]
    ]
    highest = max(distances, default=1)
    found = []
    for child in full.children:
        text = child.text
        if not text.startswith("ip route ") or scope.owns(child, full):
            continue
        words = text.split()
        line = scope.via_line(text)
        if line is not None and line not in scope.after:
            found.append(
                f"{text}: leaves by {line}, which this phase takes away: the route would go "
                "dead. Move it onto a line that stays, or take it off, first"
            )
        elif " ".join(words[2:4]) == DEFAULT and line is None:
            distance = next((int(w) for w in words[5:] if w.isdigit()), 1)
            if distance <= highest:
                found.append(
                    f"{text}: a default route of the office's beside netprov's (IOS shares "
                    "traffic between default routes of one distance): take it off, or give it "
                    f"a distance above {highest}"
                )
    return found


def _filters(full: HConfig, target: HConfig) -> list[str]:
    """The office's inbound filter where netprov puts its own."""
    found = []
    for section in target.children:
        ours = {m[1]: m[2] for c in section.children if (m := _FILTERS.fullmatch(c.text))}
        have = full.get_child(equals=section.text)
        if not ours or have is None:
            continue
        for child in have.children:
            theirs = _FILTERS.fullmatch(child.text)
            if theirs is not None and ours.get(theirs[1], theirs[2]) != theirs[2]:
                name = section.text.removeprefix("interface ")
                found.append(
                    f"{name} filters what comes in with {child.text}; netprov puts "
                    f"{ours[theirs[1]]} there (an interface takes one inbound list): take "
                    "the office's off, or fold its rules into netprov's design, first"
                )
    return found
