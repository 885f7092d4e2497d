"""The office's own IOS address translations, read from a running config. Pure.

An office router NATs more than the LAN netprov knows: other subnets behind it, servers
published by static NAT, traffic picked by protocol. netprov reads each ``ip nat inside
source`` rule of the office's for what it translates (the sources its access lists permit,
or the static's inside address) and onto which line (``interface X``, a pool or a global
address inside a line's subnet), so the plan can leave it alone or refuse naming it.

IOS takes the first NAT rule whose access list matches, whatever line the packet then
leaves by; only a route-map's ``match interface`` ties a rule to a line (Cisco, "IOS NAT
Load-Balancing for Two ISP Connections": one route-map per ISP, each with ``match
interface``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from hier_config import HConfig, HConfigChild

ANY = IPv4Network("0.0.0.0/0")
_HOST = "0.0.0.0"  # noqa: S104 (a wildcard: this one address)
_NUMBERED = re.compile(r"access-list (\d+) (permit|deny) (.*)$")
_STANDARD_NUMBERS = (range(1, 100), range(1300, 2000))
_SEQUENCE = re.compile(r"^\d+ ")
_RULE = re.compile(
    r"ip nat inside source (?P<kind>list|route-map) (?P<name>\S+) "
    r"(?:interface (?P<interface>\S+)|pool (?P<pool>\S+))(?P<rest>.*)$"
)
_STATIC = re.compile(
    r"ip nat inside source static (?:(?:tcp|udp) )?(?:network )?(?P<local>\d\S*)(?: \d+)? "
    r"(?:interface (?P<interface>\S+)|(?P<global>\d\S*))"
)
_POOL = re.compile(r"ip nat pool (\S+) (\S+) ")


@dataclass(frozen=True)
class Translation:
    """One ``ip nat inside source`` rule of the office's."""

    text: str
    onto: str | None  # the line it translates to (an interface name), None: not one of them
    sources: tuple[IPv4Network, ...]  # what it translates (its access lists' permits)
    per_line: bool  # a route-map with ``match interface``: only traffic leaving by that line
    static: bool


def _source(words: list[str], standard: bool) -> IPv4Network:
    """The source of one access-list entry's words after permit/deny (and protocol)."""
    if not standard:
        words = words[1:]  # the protocol
    if not words or words[0] == "any":
        return ANY
    if words[0] == "host" and len(words) > 1:
        return _network(words[1], _HOST)
    wildcard = words[1] if len(words) > 1 and _is_address(words[1]) else _HOST
    return _network(words[0], wildcard)


def _network(address: str, wildcard: str) -> IPv4Network:
    """An address and wildcard; a wildcard that is no prefix reads as any (conservative).

    Examples:
        >>> _network("10.10.0.10", "0.0.0.0"), _network("10.20.0.0", "0.0.0.255")
        (IPv4Network('10.10.0.10/32'), IPv4Network('10.20.0.0/24'))
        >>> _network("10.0.0.0", "0.255.0.255")
        IPv4Network('0.0.0.0/0')
    """
    if wildcard == _HOST:  # a host (Python would read it as the netmask /0)
        wildcard = "32"
    try:
        return IPv4Network(f"{address}/{wildcard}", strict=False)
    except ValueError:
        return ANY


def _is_address(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def acl_sources(config: HConfig, name: str) -> list[IPv4Network]:
    """The sources an access list permits (numbered or named, standard or extended);
    none for a list that does not exist (IOS translates nothing by it)."""
    found: list[IPv4Network] = []
    for child in config.children:
        numbered = _NUMBERED.match(child.text)
        if numbered is not None and numbered[1] == name:
            standard = any(int(name) in numbers for numbers in _STANDARD_NUMBERS)
            if numbered[2] == "permit":
                found.append(_source(numbered[3].split(), standard))
        for kind in ("standard", "extended"):
            if child.text == f"ip access-list {kind} {name}":
                for entry in child.children:
                    words = _SEQUENCE.sub("", entry.text).split()
                    if words[:1] == ["permit"]:
                        found.append(_source(words[1:], kind == "standard"))
    return found


def _route_map(config: HConfig, name: str) -> tuple[list[IPv4Network], bool]:
    """The sources a route-map's permit clauses match, and whether each names a line."""
    sources: list[IPv4Network] = []
    lines = True
    clauses = [
        c
        for c in config.children
        if re.fullmatch(rf"route-map {re.escape(name)} permit( \d+)?", c.text)
    ]
    for clause in clauses:
        matches = [c.text for c in clause.children]
        lists = [m.split()[3:] for m in matches if m.startswith("match ip address ")]
        if not lists:
            sources.append(ANY)  # a clause without an address match matches every packet
        for names in lists:
            for acl in names:
                sources += acl_sources(config, acl)
        lines = lines and any(m.startswith("match interface ") for m in matches)
    return sources, bool(clauses) and lines


def _onto_address(address: str, uplinks: dict[str, list[IPv4Network]]) -> str | None:
    if not _is_address(address):
        return None
    return next(
        (name for name, nets in uplinks.items() if any(IPv4Address(address) in n for n in nets)),
        None,
    )


def office_translations(
    config: HConfig, uplinks: dict[str, list[IPv4Network]], netprov: re.Pattern[str]
) -> list[Translation]:
    """Every ``ip nat inside source`` rule not ``netprov``'s, read; ``uplinks``: each line's
    interface and subnets (to tell which line a pool or a static's address is on)."""
    pools = {
        match[1]: match[2] for c in config.children if (match := _POOL.match(c.text)) is not None
    }
    found = []
    for child in config.children:
        if not child.text.startswith("ip nat inside source ") or netprov.match(child.text):
            continue
        found.append(_read(child, config, uplinks, pools))
    return [t for t in found if t is not None]


def _read(
    child: HConfigChild,
    config: HConfig,
    uplinks: dict[str, list[IPv4Network]],
    pools: dict[str, str],
) -> Translation | None:
    text = child.text
    static = _STATIC.match(text)
    if static is not None:
        local = static["local"].split("/")[0]
        onto = static["interface"] or _onto_address(static["global"] or "", uplinks)
        source = _network(local, _HOST) if _is_address(local) else ANY
        return Translation(text, onto, (source,), per_line=False, static=True)
    rule = _RULE.match(text)
    if rule is None:
        return None
    if rule["kind"] == "list":
        sources, per_line = acl_sources(config, rule["name"]), False
    else:
        sources, per_line = _route_map(config, rule["name"])
    onto = rule["interface"] or _onto_address(pools.get(rule["pool"] or "", ""), uplinks)
    return Translation(text, onto, tuple(sources), per_line=per_line, static=False)


def within(sources: tuple[IPv4Network, ...], subnets: list[IPv4Network]) -> bool:
    """Every source lies inside one of ``subnets`` (and there is one)."""
    return bool(sources) and all(any(s.subnet_of(n) for n in subnets) for s in sources)


def overlaps(sources: tuple[IPv4Network, ...], subnets: list[IPv4Network]) -> bool:
    """Some source shares addresses with one of ``subnets``."""
    return any(s.overlaps(n) for s in sources for n in subnets)


def beyond(sources: tuple[IPv4Network, ...], subnets: list[IPv4Network]) -> list[IPv4Network]:
    """The sources that reach past ``subnets``: the office's own networks."""
    return [s for s in sources if not any(s.subnet_of(n) for n in subnets)]
