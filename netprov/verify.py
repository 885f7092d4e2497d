"""Structured checks that a site works after a change: name, expected, observed, verdict.

The commands and the readers of their output come from the platform driver; this module
only decides what to check and what counts as passing. Checks follow the phase: a router
still on its office ISP (legacy) is never failed for the city's central services. Pings to
the internet, the resolvers and the city services leave from the LAN address, so the LAN's
NAT and ACLs are exercised as an office PC would (IOS ``ping ... source``, RouterOS
``/ping src-address=``), and pass only within the organisation's loss threshold.

A check that names a line (a probe, the path MTU, the egress, the city's services) proves
its packets used that line: a probe's host route drops out with its line and the ping then
leaves by another one and answers, on a real router as on the twin. Neither platform's ping
forces the egress without a routing table netprov does not keep (the drivers' notes on
``route_command``), so the route the ping follows is read before and after it, and both must
leave by the line's interface (and, for a static line, its gateway).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import IntEnum
from ipaddress import AddressValueError, IPv4Address
from urllib.parse import urlparse

from netprov.allocation import Allocation
from netprov.errors import DeviceError
from netprov.models import Organisation, Phase, Site
from netprov.phases import PROMISES, Carried, Role, UplinkView, carrying
from netprov.platforms import Driver, Session, driver_for
from netprov.platforms.base import Hop
from netprov.uplinks import uplink_views


@dataclass(frozen=True)
class Check:
    name: str
    expected: str
    observed: str
    ok: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Cost(IntEnum):
    """What a check costs a real router when it fails, cheapest first: the order checks
    run in (:func:`run_checks`), so a broken change is proven, and reverted, by the
    cheapest check that can prove it. Every check reads or probes and changes nothing,
    so none proves less for running before or after another.

    READ: one reply whatever it finds (the session, an interface, the routing table).
    CONFIG: the running config, read once for all of them (RouterOS: an export).
    PING: what is left after a reply that does not come back: a RouterOS echo has until
    the end of its interval (MikroTik manual, "Ping"), an IOS echo its timeout (Cisco
    IOS Configuration Fundamentals Command Reference, "ping"), per lost echo.
    LOOKUP: a name that does not resolve waits out the resolver's timeouts.
    FETCH: an echo service that does not answer waits out the fetch's timeout.
    """

    READ = 0
    CONFIG = 1
    PING = 2
    LOOKUP = 3
    FETCH = 4


@dataclass(frozen=True)
class Planned:
    """A check still to run: its name (known before it runs), what it costs when it
    fails, and what runs it."""

    name: str
    cost: Cost
    run: Callable[[], Check]


def run_checks(planned: Sequence[Planned], *, changing: bool) -> tuple[list[Check], list[str]]:
    """Run ``planned`` cheapest first (:class:`Cost`; as listed within a cost): the checks
    run and the names of those not run. During a
    change the first failed check ends it: the change is reverted whatever the others
    would find, so the office waits on none of them (a lost ping costs a real router its
    interval or timeout, bench/bench_downtime.py). A verify that changes nothing runs them
    all: every finding is worth reporting.

    Examples:
        >>> def planned(name: str, cost: Cost) -> Planned:
        ...     return Planned(name, cost, lambda: Check(name, "", "", name != "b"))
        >>> plan = [planned("a", Cost.PING), planned("b", Cost.READ), planned("c", Cost.PING)]
        >>> [(c.name, c.ok) for c in run_checks(plan, changing=True)[0]]
        [('b', False)]
        >>> run_checks(plan, changing=True)[1], len(run_checks(plan, changing=False)[0])
        (['a', 'c'], 3)
    """
    ordered = sorted(planned, key=lambda check: check.cost)  # stable: as listed within one
    checks: list[Check] = []
    for index, check in enumerate(ordered):
        checks.append(check.run())
        if changing and not checks[-1].ok:
            return checks, [later.name for later in ordered[index + 1 :]]
    return checks, []


def _management(session: Session) -> Check:
    """The session doing the change still answers: measured, never assumed."""
    try:
        elapsed_ms, output = session.round_trip()
    except DeviceError as exc:
        return Check("management session", "answers", f"no answer ({exc})", False)
    ok = bool(output.strip())
    observed = f"answered in {elapsed_ms:.0f} ms" if ok else "empty answer"
    return Check("management session", "answers", observed, ok)


# Opens a new management session on the router the way the NOC does, proves it answers and
# closes it; returns how long that took in milliseconds (raises DeviceError when it cannot).
Reconnect = Callable[[], float]
NEW_SESSION = "new management session"


def new_session_last(checks: list[Check], reconnect: Reconnect, *, changing: bool) -> list[Check]:
    """The new management session, tried after every other check; during a change only
    when they all passed. On a router the change cut off it waits out the SSH banner's
    timeout (10 s with netmiko's defaults) while the office has no internet, and a change
    that already failed a check is reverted whatever a new session finds: the verdict is
    the same either way, the office's outage shorter (bench/bench_downtime.py). A verify
    that changes nothing always tries it: whether the NOC gets in is worth knowing."""
    if changing and not all(check.ok for check in checks):
        return []
    return [_new_session(reconnect)]


def _new_session(reconnect: Reconnect) -> Check:
    """A session opened now, not the one doing the change: an established session survives
    a firewall that drops every new one (a rule placed below the router's own drop, MikroTik
    manual "Firewall: Filter"), so only a new session proves the NOC still gets in."""
    try:
        elapsed_ms = reconnect()
    except DeviceError as exc:
        return Check(NEW_SESSION, "opens and answers", f"refused ({exc})", False)
    observed = f"opened in {elapsed_ms:.0f} ms"
    return Check(NEW_SESSION, "opens and answers", observed, True)


@dataclass(frozen=True)
class PingPolicy:
    count: int
    max_loss_percent: int
    source: str | None = None  # the LAN address, for pings an office PC would make
    wait: float = 1.0  # seconds each reply has to come back (echo_wait)


def echo_wait(reply_seconds: float) -> float:
    """Seconds a ping's reply has to come back: twice the router's measured reply on the
    management session (a line's round trip and then some: a satellite hop's 600 ms gets
    1.2 s), at least 200 ms. A RouterOS echo has until the end of its interval, and the
    ping takes count x interval whatever comes back (MikroTik manual, "Ping"); an IOS echo
    its timeout, whole seconds (so 1 s at least, not the 2 s default), and only a lost one
    waits it out (Cisco, "ping"): short on a good line, long enough on a slow one that a
    ping does not count late replies as lost.

    Examples:
        >>> echo_wait(0.02), echo_wait(0.6)
        (0.2, 1.2)
    """
    return max(0.2, round(2 * reply_seconds, 1))


def ping_check(
    session: Session,
    driver: Driver,
    name: str,
    address: str,
    policy: PingPolicy,
    size: int | None = None,
) -> Check:
    command = driver.ping_command(
        address, count=policy.count, source=policy.source, size=size, wait=policy.wait
    )
    result = driver.read_ping(session.send(command))
    ok = result.sent > 0 and result.loss_percent <= policy.max_loss_percent
    expected = f"<= {policy.max_loss_percent}% loss"
    observed = f"{result.received}/{result.sent} replies"
    return Check(name, expected, observed, ok)


def _uses(hop: Hop | None, view: UplinkView) -> bool:
    """Whether packets forwarded by ``hop`` use the line of ``view``: its interface, and for
    a static line its gateway (a neighbour elsewhere on the link is not the provider)."""
    if hop is None or hop.interface != view.l3:
        return False
    return view.static is None or hop.gateway in (None, str(view.static.gateway))


def _route(session: Session, driver: Driver, address: str) -> Hop | None:
    return driver.read_route(session.send(driver.route_command(address)), address)


def _elsewhere(before: Hop | None, after: Hop | None, view: UplinkView) -> str | None:
    """What the route read around a probe says, when it is not ``view``'s line."""
    for hop in (before, after):
        if not _uses(hop, view):
            return "no route" if hop is None else f"leaves by {hop}"
    return None


def line_ping(
    session: Session,
    driver: Driver,
    name: str,
    address: str,
    policy: PingPolicy,
    view: UplinkView,
    size: int | None = None,
) -> Check:
    """A ping that counts only when it used ``view``'s line: the route to ``address`` is
    read before and after it, and both leave by the line (the pings between follow it)."""
    before = _route(session, driver, address)
    ping = ping_check(session, driver, name, address, policy, size=size)
    elsewhere = _elsewhere(before, _route(session, driver, address), view)
    expected = f"{ping.expected} via {view.l3}"
    if elsewhere is not None:
        return Check(name, expected, f"{ping.observed}, but {elsewhere}", False)
    return Check(name, expected, ping.observed, ping.ok)


def _default_route(
    session: Session, driver: Driver, primary: UplinkView, gateway: str, expected: str
) -> Check:
    """The default route names the line's gateway and the route to that gateway leaves by
    the line: a RouterOS default route is recursive, through the line's probe, so the
    probe's host route is what puts it on the line (routing.j2)."""
    name, shown = "default route via " + primary.role.value, f"{expected} via {primary.l3}"
    if gateway != expected:
        return Check(name, shown, gateway, False)
    hop = _route(session, driver, gateway)
    if not _uses(hop, primary):
        leaves = "no route" if hop is None else f"leaves by {hop}"
        return Check(name, shown, f"{gateway}, but {leaves}", False)
    return Check(name, shown, gateway, True)


def _path_mtu(session: Session, driver: Driver, view: UplinkView, policy: PingPolicy) -> Planned:
    """A do-not-fragment ping of the largest packet the line must carry: 1492 bytes over
    PPPoE (RFC 2516: 8 bytes of the 1500-byte frame), 1500 otherwise. A line that drops big
    packets silently (a PMTU black hole) passes small pings and breaks HTTPS and VPNs."""
    size = 1492 if view.pppoe else 1500
    name = f"path MTU via {view.role.value}: {size}-byte DF ping to {view.probe}"
    probe = str(view.probe)
    ping = functools.partial(line_ping, session, driver, name, probe, policy, view, size=size)
    return Planned(name, Cost.PING, ping)


def _shaping(
    driver: Driver, running: str, view: UplinkView, allocation: Allocation, egress: Hop | None
) -> Check:
    """The site's allocation is enforced where traffic leaves: the shaper exists with the
    allocated ceiling, acts on the interface the line's traffic leaves by (``egress``: the
    route to its probe now), nothing above it takes that traffic first and nothing lets
    traffic skip it."""
    shaping = driver.read_shaping(running, view)
    expected = f"{allocation.ceiling_kbps} kbps ceiling on {view.l3}, both directions"
    if shaping.ceiling_kbps is None:
        observed, ok = "no shaper", False
    else:
        observed = f"{shaping.ceiling_kbps} kbps ceiling" + (
            "" if shaping.attached else ", not attached"
        )
        ok = shaping.attached and shaping.ceiling_kbps == allocation.ceiling_kbps
        if shaping.download_kbps != shaping.ceiling_kbps:
            observed += f", download {shaping.download_kbps or 'unlimited'}"
            ok = False
    if shaping.bypass:
        observed, ok = f"{observed}; bypassed: {shaping.bypass}", False
    if shaping.shadowed:
        observed, ok = f"{observed}; taken first by {shaping.shadowed}", False
    if shaping.interfaces and (egress is None or egress.interface not in shaping.interfaces):
        leaves = "no route" if egress is None else f"traffic leaves by {egress}"
        observed, ok = f"{observed}; {leaves}", False
    return Check(f"shaping on {view.role.value}", expected, observed, ok)


def _dns(
    session: Session, driver: Driver, org: Organisation, running: Callable[[], str], lan: str
) -> list[Planned]:
    """DNS as the office gets it: a name resolves through the filtering resolvers; a blocked
    name gets the filter's sinkhole (the filter is in force, not only reachable); DNS to any
    other server from the LAN is redirected or refused by the running config, on the LAN
    interface (``lan``) where the office's packets arrive."""
    name = org.probes.dns_name

    def resolves() -> Check:
        answer = driver.read_resolved(session.send(driver.resolve_command(name)))
        return Check(
            f"DNS resolves {name}", "an address", answer or "no answer", answer is not None
        )

    checks = [Planned(f"DNS resolves {name}", Cost.LOOKUP, resolves)]
    blocked, sinkhole = org.dns.blocked_probe, org.dns.sinkhole
    if blocked is not None and sinkhole is not None:

        def blocks() -> Check:
            seen = driver.read_resolved(session.send(driver.resolve_command(blocked)))
            shown = str(sinkhole)
            return Check(
                f"DNS blocks {blocked}", f"sinkhole {shown}", seen or "no answer", seen == shown
            )

        checks.append(Planned(f"DNS blocks {blocked}", Cost.LOOKUP, blocks))
    resolvers = [str(r) for r in org.dns.filtering_resolvers]
    forced_name = "LAN DNS forced to the filtering resolvers"

    def forced() -> Check:
        in_force = driver.dns_forced(running(), resolvers, lan)
        shown = "in force" if in_force else "not in the running config"
        return Check(forced_name, "other resolvers redirected or refused", shown, in_force)

    checks.append(Planned(forced_name, Cost.CONFIG, forced))
    return checks


def fetching_check(site: Site, org: Organisation, phase: Phase) -> str | None:
    """The check of ``phase`` that has the router fetch a URL (the egress echo, over the
    phase's primary line), or None when the organisation names no echo service."""
    if org.probes.egress_echo is None:
        return None
    return f"egress via {uplink_views(site, org, phase)[0].role.value}"


def _egress(session: Session, driver: Driver, org: Organisation, primary: UplinkView) -> Check:
    """Which provider the office really leaves by: the echo service sees an address of the
    phase's primary line's provider (policy routing can send traffic elsewhere than the
    routing table says), and the route to the echo service leaves by that line. Without
    the provider's public ranges the route alone proves it; with neither (the echo named by
    a host name) nothing does, and the check says so."""
    url = str(org.probes.egress_echo)
    ranges = org.public_ranges(primary.uplink.provider)
    try:
        echo: str | None = str(IPv4Address(urlparse(url).hostname or ""))
    except AddressValueError:
        echo = None
    before = _route(session, driver, echo) if echo else None
    seen = driver.read_fetched(session.send(driver.fetch_command(url)))
    elsewhere = _elsewhere(before, _route(session, driver, echo), primary) if echo else None
    shown = f" ({', '.join(str(r) for r in ranges)})" if ranges else ""
    expected = f"an address of {primary.provider_name}{shown}"
    if echo is not None:
        expected += f" via {primary.l3}"
    observed = seen or "no answer"
    ok = seen is not None and (not ranges or any(IPv4Address(seen) in r for r in ranges))
    if elsewhere is not None:
        observed, ok = f"{observed}, but {elsewhere}", False
    elif echo is None and not ranges:
        observed, ok = f"{observed} (no public ranges of the provider to prove it by)", False
    return Check(f"egress via {primary.role.value}", expected, observed, ok)


def _dhcp(session: Session, driver: Driver, site: Site, running: Callable[[], str]) -> Check:
    """The office's PCs get addresses: netprov's LAN DHCP server is in force and the router
    reads out its lease table."""
    expected = "server enabled, leases readable"
    if not driver.dhcp_serving(running(), site.lan):
        seen = f"no enabled server with gateway {site.lan.address.ip} in the running config"
        return Check("DHCP serves the LAN", expected, seen, False)
    bound = driver.read_leases(session.send(driver.leases_command()))
    if bound is None:
        return Check("DHCP serves the LAN", expected, "lease table unreadable", False)
    return Check("DHCP serves the LAN", expected, f"enabled, {bound} bound lease(s)", True)


def _pings(site: Site, org: Organisation, session: Session) -> tuple[PingPolicy, PingPolicy]:
    """The router's own pings and those an office PC would make (from the LAN address),
    within the kind's loss, each reply given :func:`echo_wait`."""
    settings, wait = org.settings, echo_wait(session.reply_seconds)
    router = PingPolicy(settings.ping_count, settings.max_loss_for(site.kind), wait=wait)
    return router, replace(router, source=str(site.lan.address.ip))


def verify_reachability(
    session: Session,
    site: Site,
    org: Organisation,
    phase: Phase,
    *,
    adopting: bool = False,
) -> list[Planned]:
    """The office works as it did: the management session, the primary line, the default
    route, LAN-sourced pings to the internet and the resolvers, the path MTU. What an
    adoption (which only takes objects over) must keep; the first part of every verify.
    ``adopting``: the default route is still the router's own (any is right). The checks
    to run (:func:`run_checks` runs them cheapest first); a new session is
    :func:`new_session_last`'s."""
    driver = driver_for(site.router.platform)
    primary = uplink_views(site, org, phase)[0]
    router_ping, lan_ping = _pings(site, org, session)

    def uplink() -> Check:
        state = driver.read_interface(session.send(driver.interfaces_command()), primary.l3)
        return Check(f"uplink {primary.l3} up", "running", state.status, state.running)

    route_name = "default route via " + primary.role.value

    def default_route() -> Check:
        gateway = driver.read_default_gateway(session.send(driver.routes_command()))
        expected = None if adopting else driver.expected_default_gateway(primary)
        if expected is not None:
            return _default_route(session, driver, primary, gateway, expected)
        return Check(route_name, "present", gateway, gateway != "none")

    checks = [
        Planned("management session", Cost.READ, functools.partial(_management, session)),
        Planned(f"uplink {primary.l3} up", Cost.READ, uplink),
    ]
    if primary.static is not None:
        gw = str(primary.static.gateway)
        name = f"ping {primary.role.value} gateway {gw}"
        ping = functools.partial(ping_check, session, driver, name, gw, router_ping)
        checks.append(Planned(name, Cost.PING, ping))
    checks.append(Planned(route_name, Cost.READ, default_route))
    name = f"ping internet probe {primary.probe} from LAN"
    probe = str(primary.probe)
    checks.append(
        Planned(
            name,
            Cost.PING,
            functools.partial(line_ping, session, driver, name, probe, lan_ping, primary),
        )
    )
    for resolver in org.dns.filtering_resolvers:
        name = f"ping filtering resolver {resolver} from LAN"
        ping = functools.partial(ping_check, session, driver, name, str(resolver), lan_ping)
        checks.append(Planned(name, Cost.PING, ping))
    checks.append(_path_mtu(session, driver, primary, router_ping))
    return checks


def verify_site(
    session: Session,
    site: Site,
    org: Organisation,
    phase: Phase,
    allocation: Allocation | None = None,
) -> list[Planned]:
    """Every check to run on ``session`` (the session doing the change), cheapest first
    (:func:`run_checks`); a new management session is :func:`new_session_last`'s."""
    driver = driver_for(site.router.platform)
    views = uplink_views(site, org, phase)
    primary = views[0]
    router_ping, lan_ping = _pings(site, org, session)
    running = functools.cache(session.running)  # read once, by the first check that needs it
    checks = verify_reachability(session, site, org, phase)
    # every other line that carries something in this phase is proven with what it carries
    # (dual: the city's services already run over the central line): its probe from the
    # LAN (the line, and its NAT) and a full-size DF ping (its path MTU)
    for view in views[1:]:
        if view.role in carrying(phase):
            name = f"ping internet probe {view.probe} from LAN via {view.role.value}"
            probe = str(view.probe)
            ping = functools.partial(line_ping, session, driver, name, probe, lan_ping, view)
            checks.append(Planned(name, Cost.PING, ping))
            checks.append(_path_mtu(session, driver, view, router_ping))
    if org.probes.egress_echo is not None:
        egress = functools.partial(_egress, session, driver, org, primary)
        checks.append(Planned(f"egress via {primary.role.value}", Cost.FETCH, egress))
    if Carried.CITY in PROMISES[phase]:  # promised over the central line only
        city = next(v for v in views if v.role is PROMISES[phase][Carried.CITY])
        for service in site.services:
            name = f"service {service.name} ({service.address}) from LAN"
            address = str(service.address)
            ping = functools.partial(line_ping, session, driver, name, address, lan_ping, city)
            checks.append(Planned(name, Cost.PING, ping))

    def restricted() -> Check:
        opened = driver.management_open(running())
        return Check(
            "management restricted",
            "only the management networks reach it (no web UI, no MAC access)",
            "; ".join(opened) or "restricted",
            not opened,
        )

    checks.append(Planned("management restricted", Cost.CONFIG, restricted))
    checks.extend(_dns(session, driver, org, running, site.lan.interface))
    if site.lan.dhcp:
        dhcp = functools.partial(_dhcp, session, driver, site, running)
        checks.append(Planned("DHCP serves the LAN", Cost.CONFIG, dhcp))
    if phase.has_central and allocation is not None:
        central = next(v for v in views if v.role is Role.CENTRAL)

        def shaping() -> Check:
            egress = _route(session, driver, str(central.probe))
            return _shaping(driver, running(), central, allocation, egress)

        checks.append(Planned(f"shaping on {central.role.value}", Cost.CONFIG, shaping))
    if site.backup_uplink is not None:
        backup = next(v for v in views if v.role is Role.BACKUP)

        def failover() -> Check:
            missing = driver.failover_route(running(), backup)
            expected = f"default route via {backup.l3}, distance {backup.distance}, tracked"
            return Check(
                "failover route for backup line", expected, missing or "present", not missing
            )

        checks.append(Planned("failover route for backup line", Cost.CONFIG, failover))
    return checks
