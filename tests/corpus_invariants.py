"""What netprov must never do to an office router of the corpus, as checks on the router's
config after a phase (tests/test_corpus.py runs them after every phase of every office).

(a) :func:`office_lines_kept`: every line of the starting config netprov does not own is
    there, unchanged, in its order among the office's rules and queues; only what a plan
    listed as taken over (``plan.adopted``) may have changed or gone, and the settings
    netprov sets (those values only).
(b) :func:`promises_kept`: for the traffic netprov promises (DNS forced to the filters for
    its LAN, the resolver closed to the lines, management restricted, its LAN's central
    traffic shaped and not fast-tracked past the queue, NAT for its LAN and none for the
    router's management address) the rule or queue that takes it is netprov's or has the
    same outcome; and no rule or queue of netprov's takes the traffic of a LAN of the
    office's own. Read with the twin's model of the router (netprov.sim: the first rule
    of a chain, the first queue, that takes a packet).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from ipaddress import IPv4Address, IPv4Interface

from netprov.models import Organisation, Phase, Site
from netprov.phases import PROMISES, Carried
from netprov.platforms.uplinks import uplink_views
from netprov.sim.packets import Packet
from netprov.sim.routeros import forwarding
from netprov.sim.routeros import lines as ros_lines
from netprov.sim.routeros.queues import queue_taking
from netprov.sim.routeros.router import RosDevice
from netprov.syntax.routeros import RosCommand, parse_command, parse_export

ORDERED = ("/ip firewall filter", "/ip firewall nat", "/ip firewall mangle", "/queue simple")
INTERNET = IPv4Address("93.184.216.34")  # a host out on the internet
RESOLVER = IPv4Address("8.8.8.8")  # a resolver of the office's choosing
_NAMING = ("interface", "in-interface", "out-interface", "gateway", "dst", "target", "name")
_INTERFACE_MENUS = ("/interface pppoe-client", "/interface vlan", "/interface ethernet")


# --- (a) the office's lines ---------------------------------------------------------------


def _owned(command: RosCommand) -> bool:
    return command.managed_key is not None


def _where(selector: str) -> str:
    return selector.strip("[] ").removeprefix("find").strip().removeprefix("where").strip()


def _adoptions(adopted: Iterable[str]) -> list[RosCommand]:
    """What the plans declared they change of the office's own: a takeover or a shift
    (``set``), and what final removes with the office lines retired (``remove``, issue 40)."""
    return [c for c in (parse_command(line) for line in adopted) if c.verb in {"set", "remove"}]


def _renames(start: list[RosCommand], adoptions: list[RosCommand]) -> dict[str, str]:
    """The interfaces the takeovers renamed (RouterOS follows a rename in every object
    that names the interface: MikroTik manual, "Interfaces")."""
    renamed = {}
    for adoption in adoptions:
        new = adoption.params.get("name")
        if adoption.path not in _INTERFACE_MENUS or not new:
            continue
        for command in start:
            if command.path == adoption.path and ros_lines.matches(
                dict(command.params), _where(adoption.selector), command.path
            ):
                renamed[command.params.get("name", "")] = new
    return renamed


def _as_renamed(command: RosCommand, renamed: Mapping[str, str]) -> RosCommand:
    params = {k: renamed.get(v, v) if k in _NAMING else v for k, v in command.params.items()}
    return RosCommand(command.path, command.verb, command.selector, params)


def _taken(command: RosCommand, renamed: RosCommand, adoptions: list[RosCommand]) -> bool:
    return any(
        a.path == command.path
        and any(
            ros_lines.matches(dict(c.params), _where(a.selector), c.path)
            for c in (command, renamed)
        )
        for a in adoptions
    )


def _key(command: RosCommand) -> tuple[str, tuple[tuple[str, str], ...]]:
    return command.path, tuple(sorted(command.params.items()))


def office_lines_kept(
    start: str, now: str, adopted: Iterable[str], netprov_sets: Iterable[str]
) -> list[str]:
    """What of the office's starting config ``start`` (an export) is not in ``now`` as it
    was: lines gone or changed that no plan took over, setting values changed that netprov
    does not set, office rules and queues out of their order. ``adopted``: every plan's
    takeover commands so far; ``netprov_sets``: every plan's commands (their ``set`` of
    settings are netprov's)."""
    before, after = parse_export(start), parse_export(now)
    adoptions = _adoptions(adopted)
    renamed = _renames(before, adoptions)
    present = Counter(_key(c) for c in after if c.verb == "add")
    problems = []
    for command in before:
        if command.verb != "add" or _owned(command):
            continue
        as_now = _as_renamed(command, renamed)
        if present[_key(as_now)] > 0:
            present[_key(as_now)] -= 1
        elif not _taken(command, as_now, adoptions):
            problems.append(f"gone or changed: {command.path} add {_shown(command.params)}")
    problems += _settings_kept(before, after, netprov_sets)
    problems += _order_kept(before, after, renamed)
    return problems


def _shown(params: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())[:160]


def _settings_kept(
    before: list[RosCommand], after: list[RosCommand], netprov_sets: Iterable[str]
) -> list[str]:
    ours: dict[tuple[str, str], set[str]] = {}
    for line in netprov_sets:
        command = parse_command(line)
        if command.verb == "set" and "comment=" not in command.selector:
            ours.setdefault((command.path, command.selector), set()).update(command.params)
    settled = {(c.path, c.selector): c.params for c in after if c.verb == "set"}
    problems = []
    for command in before:
        if command.verb != "set":
            continue
        where = (command.path, command.selector)
        if "name" in command.params and command.path in _INTERFACE_MENUS:
            continue  # a port's name (its line: the inventory names it so)
        mine = ours.get(where, set())
        held = settled.get(where, {})
        for key, value in command.params.items():
            if key not in mine and held.get(key) != value:
                problems.append(f"setting changed: {command.path} {command.selector} {key}")
    return problems


def _order_kept(
    before: list[RosCommand], after: list[RosCommand], renamed: Mapping[str, str]
) -> list[str]:
    """The office's rules (and queues) of each ordered menu keep their order."""
    problems = []
    for menu in ORDERED:
        keys = [_key(_as_renamed(c, renamed)) for c in before if c.path == menu and c.verb == "add"]
        kept = [_key(c) for c in after if c.path == menu and c.verb == "add" and not _owned(c)]
        remaining = [k for k in kept if k in keys]
        expected = [k for k in keys if k in remaining]
        if remaining != expected:
            problems.append(f"office rules of {menu} out of their order")
    return problems


# --- (b) the traffic netprov promises, and the office's own LANs ---------------------------

_OUTCOME = {
    "accept": "pass",
    "drop": "block",
    "reject": "block",
    "tarpit": "block",
    "fasttrack-connection": "fasttrack",
    "masquerade": "source",
    "src-nat": "source",
    "same": "source",
    "netmap": "source",
    "redirect": "redirect",
    "dst-nat": "destination",
}


def _taking(router: RosDevice, packet: Packet) -> dict[str, str] | None:
    links = router.router().links.values()
    nat = packet.chain in {"srcnat", "dstnat"}
    menu = "/ip firewall nat" if nat else "/ip firewall filter"
    rule = forwarding.packet_filter_of(router, links, menu).taking(packet)
    return None if rule is None else dict(rule)


def _outcome(rule: Mapping[str, str] | None, default: str) -> str:
    return default if rule is None else _OUTCOME.get(rule.get("action", "accept"), "other")


def _name(rule: Mapping[str, str] | None) -> str:
    if rule is None:
        return "no rule"
    return f'rule "{rule["comment"]}"' if rule.get("comment") else f"rule {_shown(rule)}"


def _netprovs(rule: Mapping[str, str] | None) -> bool:
    return rule is not None and rule.get("comment", "").startswith("netprov:")


def _host(address: IPv4Interface) -> IPv4Address:
    host = address.network.network_address + 50
    return host if host != address.ip else address.network.network_address + 51


def office_lans(router: RosDevice, site: Site, org: Organisation, phase: Phase) -> list[str]:
    """The office's own LANs: addressed interfaces that are not netprov's (its LAN, its
    lines, its management bridge), no WAN, and hold no route's gateway (no line)."""
    ours = {site.lan.interface, "netprov-mgmt"}
    for view in uplink_views(site, org, Phase.CENTRAL):
        ours |= {view.l2, view.l3, view.port}
    model = router.router()
    wan = {
        m.get("interface")
        for m in router.tables["/interface list member"]
        if m.get("list") == "WAN"
    }
    gateways = [r.gateway for r in model.routes() if r.gateway is not None]
    found = []
    for link in model.links.values():
        address = model.address_of(link)
        if link.name in ours or link.name in wan or address is None or link.dynamic:
            continue
        if address.network.prefixlen >= 31 or any(g in address.network for g in gateways):
            continue
        if not address.ip.is_private:
            continue
        found.append(link.name)
    return sorted(found)


def promises_kept(router: RosDevice, site: Site, org: Organisation, phase: Phase) -> list[str]:
    """Each promise of netprov's whose traffic an office rule or queue takes otherwise, and
    each office LAN whose traffic a rule or queue of netprov's takes."""
    model = router.router()
    lan = site.lan.interface
    pc = _host(site.lan.address)
    views = uplink_views(site, org, phase)
    primary = views[0]
    central = next((v for v in views if v.role.value == "central"), None)
    management = next(v for v in views if v.role is PROMISES[phase][Carried.MANAGEMENT])
    router_address = site.lan.address.ip
    noc = IPv4Address(int(org.management_networks[0].network_address) + 1)
    problems: list[str] = []

    def expect(what: str, packet: Packet, outcome: str, default: str = "pass") -> None:
        rule = _taking(router, packet)
        if _outcome(rule, default) != outcome:
            problems.append(f"{what}: taken by {_name(rule)}")

    for proto in ("udp", "tcp"):
        dns = Packet(pc, RESOLVER, lan, protocol=proto, port=53, chain="dstnat")
        expect(f"DNS {proto} of the LAN forced to the router", dns, "redirect")
        for view in views:
            closed = Packet(INTERNET, router_address, view.l3, protocol=proto, port=53)
            expect(f"resolver closed to {view.l3} ({proto})", closed, "block")
    if org.dns.block_dot:
        dot = Packet(
            pc, RESOLVER, lan, protocol="tcp", port=853, chain="forward", out_interface=primary.l3
        )
        expect("DNS over TLS of the LAN refused", dot, "block")
    for port in (22, 8291):
        others = Packet(INTERNET, router_address, management.l3, port=port)
        expect(f"management port {port} closed to others", others, "block")
    noc_in = Packet(noc, site.router.mgmt_address, management.l3, port=22)
    expect("the NOC's SSH let in", noc_in, "pass")
    nat = Packet(pc, INTERNET, lan, chain="srcnat", out_interface=primary.l3, port=443)
    expect(f"NAT of the LAN out of {primary.l3}", nat, "source")
    keep = Packet(
        site.router.mgmt_address, noc, "netprov-mgmt", chain="srcnat", out_interface=management.l3
    )
    expect("the management address left untranslated", keep, "pass")
    if central is not None:
        for source, into, out, target in (
            (pc, lan, central.l3, INTERNET),
            (INTERNET, central.l3, lan, pc),
        ):
            established = Packet(
                source,
                target,
                into,
                port=443,
                chain="forward",
                out_interface=out,
                state="established",
            )
            expect(f"established {into} -> {out} kept out of FastTrack", established, "pass")
        for service in site.services:
            taken = queue_taking(router, pc, service.address)
            if taken != "netprov-central":
                problems.append(f"LAN -> {service.address} over central: queue {taken!r}")
    for office in office_lans(router, site, org, phase):
        address = next(
            a for link in (model.links[office],) if (a := model.address_of(link)) is not None
        )
        host = _host(address)
        probes = [
            ("DNS to the router", Packet(host, address.ip, office, protocol="udp", port=53)),
            (
                "DNS elsewhere",
                Packet(host, RESOLVER, office, protocol="udp", port=53, chain="dstnat"),
            ),
            (
                "established traffic out",
                Packet(
                    host,
                    INTERNET,
                    office,
                    port=443,
                    chain="forward",
                    out_interface=primary.l3,
                    state="established",
                ),
            ),
            (
                "DNS over TLS",
                Packet(host, RESOLVER, office, port=853, chain="forward", out_interface=primary.l3),
            ),
        ]
        for what, packet in probes:
            rule = _taking(router, packet)
            if _netprovs(rule):
                problems.append(f"{what} of the office's LAN {office}: taken by {_name(rule)}")
        queue = queue_taking(router, host, INTERNET)
        if queue is not None and queue.startswith("netprov-"):
            problems.append(f"the office's LAN {office}: taken by queue {queue}")
    return problems


# --- IOS -----------------------------------------------------------------------------------


def ios_office_kept(start: str, now: str, taken: Iterable[str]) -> list[str]:
    """(a) on IOS: every top-level section of the office's is there as it was (vty lines
    only gain netprov's lines; the archive netprov sets its path in keeps the office's
    other lines), and in a section netprov took over (the plan says so) or an interface it
    describes now, the office's own lines stay (sections as IOS lists them:
    tests/test_ios_ownership.py)."""
    from netprov.platforms.ios.scope import ARCHIVE_KINDS, INTERFACE_KINDS
    from tests.test_ios_ownership import _sections

    before, after = _sections(start), _sections(now)
    taken = set(taken)
    problems = []
    for header, lines in before.items():
        kept = after.get(header)
        if header.startswith("interface ") and set(lines) <= {" shutdown"}:
            continue  # an unused port is nobody's yet: netprov may take it without a word
        if kept is None:
            if header not in taken:
                problems.append(f"gone: {header}")
            continue
        if header in taken and not any("netprov:" in line for line in kept):
            continue  # a line netprov took over and takes away (final): the port is reset
        if header in taken or any("netprov:" in line for line in kept):
            kinds = ARCHIVE_KINDS if header == "archive" else INTERFACE_KINDS
            office = [line for line in lines if not kinds.match(line.strip())]
        elif header.startswith(("line vty ", "archive")):
            kinds = (
                ARCHIVE_KINDS
                if header == "archive"
                else re.compile(r"^(access-class|transport input) ")
            )
            office = [line for line in lines if not kinds.match(line.strip())]
        else:
            office = lines
        lost = [line for line in office if line not in kept]
        if lost or (office is lines and kept != lines):
            problems.append(f"changed: {header}: {lost or kept}")
    return problems


def ios_promises_kept(config: str, site: Site, org: Organisation, phase: Phase) -> list[str]:
    """(b) on IOS: netprov's filters, shaping and NAT act on what it owns only: its access
    groups and service policies sit on its LAN and lines, its NAT list permits its LAN's
    subnets and nothing else (IOS takes the first NAT rule that matches: an office rule in
    the way of netprov's is refused by the plan, netprov.platforms.ios.office)."""
    from tests.test_ios_ownership import _sections

    sections = _sections(config)
    ours = {f"interface {site.lan.interface}", "interface Loopback0"}
    for view in uplink_views(site, org, phase):
        ours |= {f"interface {view.l2}", f"interface {view.l3}", f"interface {view.port}"}
    problems = []
    for header, lines in sections.items():
        if not header.startswith("interface ") or header in ours:
            continue
        mine = [line for line in lines if "NETPROV-" in line]
        if mine:
            problems.append(f"{header} (the office's) holds {mine}")
    lan = [a.network for a in site.lan.interfaces]
    for line in sections.get("ip access-list standard NETPROV-NAT-LAN", []):
        words = line.split()
        words = words[1:] if words[:1] and words[0].isdigit() else words  # its sequence number
        if words[:1] != ["permit"] or len(words) < 3:
            problems.append(f"NETPROV-NAT-LAN: {line.strip()}")
            continue
        base = IPv4Address(words[1])
        if not any(base in net for net in lan):
            problems.append(f"NETPROV-NAT-LAN translates {line.strip()}, not the LAN's")
    return problems
