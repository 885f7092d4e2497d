"""What of an IOS router netprov owns, by name and identity, as RouterOS owns by its
``netprov:`` comments. Pure: the running and intended configs (hier_config trees) in.

netprov owns
- what it renders, line for line;
- the objects it names: ``NETPROV-*`` access lists, route-maps, policy-maps, class-maps,
  DHCP and NAT pools, the NAT rules that use them, its flow exporter and monitor, the SNMP
  community bound to ``NETPROV-MGMT``, the DNS mappings of ``dns.redirected``
  (``ip nat outside source static udp|tcp <filter> 53 <resolver> 53 extendable``);
- its IP SLA and track numbers (10 legacy, 20 central, 21 the city's gateway, 30 backup)
  and the routes tracked by them or pinning their probes;
- the interfaces it renders or that carry a ``netprov:`` description: in them, only the
  kinds of line it renders (address, NAT side, filters, shaping, PPPoE, ...); the office's
  ``duplex``, ``ip virtual-reassembly``, ``crypto map`` ... stay;
- the settings it renders on purpose, one value each: ``hostname``, ``ip domain name``,
  ``ip name-server`` (the router resolves through the filtering resolvers), ``ip ssh
  version``, ``ip scp server enable``, the web UI's ``ip http`` servers, ``ntp source``,
  ``logging source-interface``, ``snmp-server trap-source|location|contact``; the
  ``archive``'s ``path`` and ``write-memory``;
- what the inventory describes and the office set up itself (adopted, and the plan says
  so): a default route, or a route to a destination netprov routes, through one of its
  lines; a dynamic NAT rule onto one of its lines that translates the inventory's LAN and
  nothing else.

Everything else is the office's and is left as it is: its NAT rules and static NATs, its
routes, access lists, NTP servers, logging hosts, SNMP communities, ``line`` settings
(vty lines only gain netprov's), users and AAA. Where one of those stands in the way of
a phase, :mod:`netprov.platforms.ios.office` refuses the plan naming it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from hier_config import HConfig, HConfigChild

from netprov.phases import TRACK_IDS, Role
from netprov.platforms.ios.nat import Translation, office_translations, within

# Objects netprov names, and NAT rules that use them
NETPROV_NAMED = re.compile(
    r"^(ip access-list (standard|extended) NETPROV-|ipv6 access-list NETPROV-"
    r"|route-map NETPROV-|policy-map NETPROV-|class-map (match-\S+ )?NETPROV-"
    r"|ip dhcp pool NETPROV-|flow (exporter|monitor|record) NETPROV|ip nat pool NETPROV-"
    r"|ip nat inside source (list|route-map|static \S+ route-map) NETPROV-"
    r"|ip nat outside source static (udp|tcp) \S+ 53 \S+ 53 extendable$"
    r"|snmp-server community \S+ RO NETPROV-MGMT$)"
)
# Settings netprov renders on purpose (one value each, or a list it sets whole)
SETTINGS = re.compile(
    r"^(hostname |ip domain name |ip name-server |ip ssh version |ip scp server enable$"
    r"|(no )?ip http (secure-)?server$|ntp source |logging source-interface "
    r"|snmp-server (trap-source|location|contact) )"
)
# The kinds of line netprov renders inside an interface (templates/cisco_ios/_uplink.j2,
# lan.j2, base.j2): in an interface it owns, these are compared, the rest stay
INTERFACE_KINDS = re.compile(
    r"^(description |encapsulation |ip address |no ip address$|ip dhcp client "
    r"|pppoe enable |pppoe-client |ip nat (inside|outside)$|ip flow monitor |service-policy "
    r"|shutdown$|no shutdown$|mtu |ip tcp adjust-mss |dialer pool |ppp chap (hostname|password) "
    r"|ip access-group \S+ in$|ipv6 traffic-filter \S+ in$)"
)
ARCHIVE_KINDS = re.compile(r"^(path |write-memory$)")
NETPROV_DESCRIPTION = re.compile(r"^description netprov:")
# the city services' SLA follows the central line's (templates/cisco_ios/routing.j2)
NETPROV_TRACKS = frozenset({*TRACK_IDS.values(), TRACK_IDS[Role.CENTRAL] + 1})
_SLA = re.compile(r"^(?:ip sla (?:schedule )?|track )(\d+)(?: |$)")
_ROUTE_TRACK = re.compile(r" track (\d+)$")
DEFAULT = "0.0.0.0 0.0.0.0"


def _address_of(section: HConfigChild) -> list[IPv4Network]:
    nets = []
    for child in section.children:
        address = re.fullmatch(r"ip address (\d\S*) (\d\S*)(?: secondary)?", child.text)
        if address is not None:
            nets.append(IPv4Interface(f"{address[1]}/{address[2]}").network)
    return nets


def netprov_interface(section: HConfigChild) -> bool:
    """An interface section netprov describes (``description netprov:<role> ...``)."""
    return any(NETPROV_DESCRIPTION.match(c.text) for c in section.children)


def _lines(config: HConfig, wanted: set[str]) -> dict[str, list[IPv4Network]]:
    """netprov's lines in ``config``: interfaces with ``ip nat outside`` that it renders or
    describes, and their subnets."""
    found = {}
    for child in config.children:
        texts = {c.text for c in child.children}
        if not child.text.startswith("interface ") or "ip nat outside" not in texts:
            continue
        if child.text in wanted or netprov_interface(child):
            found[child.text.removeprefix("interface ")] = _address_of(child)
    return found


def _primary(target: HConfig, lines: dict[str, list[IPv4Network]]) -> str | None:
    """The line the intended default route of distance 1 leaves by."""
    for child in target.children:
        words = child.text.split()
        distance_one = words[5:6] in ([], ["track"])
        if child.text.startswith(f"ip route {DEFAULT} ") and distance_one:
            return _line_of(words[4], lines)
    for child in target.children:
        if any(c.text == "ip dhcp client default-router distance 1" for c in child.children):
            return child.text.removeprefix("interface ")
    return None


def _line_of(hop: str, lines: dict[str, list[IPv4Network]]) -> str | None:
    if hop in lines:
        return hop
    try:
        address = IPv4Address(hop)
    except ValueError:
        return None
    return next((name for name, nets in lines.items() if any(address in n for n in nets)), None)


@dataclass(frozen=True)
class Scope:
    """What a plan knows of the router's lines and the inventory's LAN, for ownership."""

    wanted: frozenset[str]  # the intended top-level lines
    before: dict[str, list[IPv4Network]]  # netprov's lines on the router, and their subnets
    after: dict[str, list[IPv4Network]]  # the lines the intended config keeps
    primary: str | None  # the line the intended default route takes
    lan: list[IPv4Network]  # the inventory's LAN subnets (netprov's NAT access list)
    destinations: frozenset[str]  # "prefix mask" of every route netprov renders
    probes: frozenset[str]  # the addresses netprov's IP SLAs ping
    dhcp: frozenset[str]  # netprov's lines addressed by DHCP (``ip route ... dhcp``)
    translations: tuple[Translation, ...] = ()  # the office's NAT rules, read once

    @classmethod
    def of(cls, full: HConfig, target: HConfig) -> Scope:
        """The scope of a plan from ``full`` (the running config) to ``target``."""
        scope = cls._lines_of(full, target)
        rules = office_translations(full, scope.lines, NETPROV_NAMED)
        return dataclasses.replace(scope, translations=tuple(rules))

    @classmethod
    def _lines_of(cls, full: HConfig, target: HConfig) -> Scope:
        wanted = frozenset(child.text for child in target.children)
        after = _lines(target, set(wanted))
        lan_acl = target.get_child(equals="ip access-list standard NETPROV-NAT-LAN")
        lan = [
            IPv4Network("/".join(c.text.split()[-2:]), strict=False)
            for c in (lan_acl.children if lan_acl is not None else [])
        ]
        probes = set()
        for config in (full, target):
            for child in config.children:
                number = _SLA.match(child.text)
                if number is not None and int(number[1]) in NETPROV_TRACKS:
                    probes |= {
                        c.text.split()[1] for c in child.children if c.text.startswith("icmp-echo ")
                    }
        return cls(
            wanted,
            _lines(full, set(wanted)),
            after,
            _primary(target, after),
            lan,
            frozenset(" ".join(t.split()[2:4]) for t in wanted if t.startswith("ip route ")),
            frozenset(probes),
            frozenset(
                name
                for config in (full, target)
                for name in _lines(config, set(wanted))
                if (section := config.get_child(equals=f"interface {name}")) is not None
                and section.get_child(equals="ip address dhcp") is not None
            ),
        )

    @property
    def lines(self) -> dict[str, list[IPv4Network]]:
        """Every line netprov has on the router or brings, and its subnets."""
        return {**self.before, **self.after}

    def via_line(self, route: str) -> str | None:
        """The netprov line a static route leaves by, if any."""
        words = route.split()
        if words[4:5] == ["dhcp"]:  # the gateway a DHCP client learned (Cisco IOS IP Routing)
            return min(self.dhcp, default=None)
        return _line_of(words[4], self.lines) if len(words) > 4 else None

    def marked(self, child: HConfigChild) -> bool:
        """A line netprov wrote (its name, description, SLA number or probe on it)."""
        text = child.text
        track = _ROUTE_TRACK.search(text) if text.startswith("ip route ") else None
        sla = _SLA.match(text)
        return (
            NETPROV_NAMED.match(text) is not None
            or (text.startswith("interface ") and netprov_interface(child))
            or (sla is not None and int(sla[1]) in NETPROV_TRACKS)
            or (track is not None and int(track[1]) in NETPROV_TRACKS)
            or (text.startswith("ip route ") and text.split()[2] in self.probes)
        )

    def owns(self, child: HConfigChild, full: HConfig) -> bool:
        """Whether netprov owns a top-level line of the running config (see the module)."""
        text = child.text
        if text in self.wanted or self.marked(child) or SETTINGS.match(text):
            return True
        if text.startswith(("line ", "archive")):
            return text in self.wanted
        if text.startswith("ip route "):
            destination = " ".join(text.split()[2:4])
            routed = destination == DEFAULT or destination in self.destinations
            return routed and self.via_line(text) is not None
        if text.startswith("ip nat inside source "):
            return self.adopted_translation(text, full)
        return False

    def adopted_translation(self, text: str, full: HConfig) -> bool:
        """An office rule the inventory describes: dynamic, onto one of netprov's lines,
        translating the inventory's LAN and nothing else."""
        if not self.lan:
            return False
        rule = next((r for r in self.translations if r.text == text), None)
        return (
            rule is not None
            and not rule.static
            and rule.onto in self.lines
            and within(rule.sources, self.lan)
        )

    def kept_children(self, child: HConfigChild) -> list[HConfigChild]:
        """The lines of an owned section netprov compares (the rest are the office's)."""
        if child.text.startswith("interface "):
            return [c for c in child.children if INTERFACE_KINDS.match(c.text)]
        if child.text.startswith("archive"):
            return [c for c in child.children if ARCHIVE_KINDS.match(c.text)]
        return list(child.children)

    def taken_over(self, child: HConfigChild, full: HConfig) -> bool:
        """An office object the plan takes over (replaces or takes away): the plan says so."""
        if self.marked(child) or not self.owns(child, full):
            return False
        if child.text.startswith("interface "):  # an unused port is nobody's yet
            used = any(c.text not in {"shutdown", "no ip address"} for c in child.children)
            return used and child.text in self.wanted
        return child.text not in self.wanted
