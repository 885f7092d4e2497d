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
from collections.abc import Callable
from dataclasses import dataclass, replace
from ipaddress import AddressValueError, IPv4Address
from urllib.parse import urlparse

from netprov.allocation import Allocation
from netprov.checks.results import Check, Cost, Planned, hop_said
from netprov.checks.site_context import SiteContext
from netprov.errors import DeviceError
from netprov.models import Organisation, Phase, Site
from netprov.phases import PROMISES, Carried, Role, UplinkView, carrying
from netprov.platforms import Driver, Session
from netprov.platforms.base import Hop
from netprov.said import CheckId, Params, PhraseId, Said, but, joined, of_error, role, value


def _management(session: Session) -> Check:
    """The session doing the change still answers: measured, never assumed."""
    name, answers = Said(CheckId.MANAGEMENT_SESSION), Said(PhraseId.ANSWERS)
    try:
        elapsed_ms, output = session.round_trip()
    except DeviceError as exc:
        failed = Said(PhraseId.NO_ANSWER_BECAUSE, {"error": of_error(exc)})
        return Check.of(name, answers, failed, False)
    ok = bool(output.strip())
    answered = Said(PhraseId.ANSWERED_IN, {"ms": f"{elapsed_ms:.0f}"})
    return Check.of(name, answers, answered if ok else Said(PhraseId.EMPTY_ANSWER), ok)


# Opens a new management session on the router the way the NOC does, proves it answers and
# closes it; returns how long that took in milliseconds (raises DeviceError when it cannot).
Reconnect = Callable[[], float]
NEW_SESSION = str(Said(CheckId.NEW_MANAGEMENT_SESSION))


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
    name, expected = Said(CheckId.NEW_MANAGEMENT_SESSION), Said(PhraseId.OPENS_AND_ANSWERS)
    try:
        elapsed_ms = reconnect()
    except DeviceError as exc:
        refused = Said(PhraseId.REFUSED_BECAUSE, {"error": of_error(exc)})
        return Check.of(name, expected, refused, False)
    observed = Said(PhraseId.OPENED_IN, {"ms": f"{elapsed_ms:.0f}"})
    return Check.of(name, expected, observed, True)


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
    name: Said,
    address: str,
    policy: PingPolicy,
    size: int | None = None,
) -> Check:
    command = driver.ping_command(
        address, count=policy.count, source=policy.source, size=size, wait=policy.wait
    )
    result = driver.read_ping(session.send(command))
    ok = result.sent > 0 and result.loss_percent <= policy.max_loss_percent
    expected = Said(PhraseId.LOSS_AT_MOST, {"percent": str(policy.max_loss_percent)})
    replies = {"received": str(result.received), "sent": str(result.sent)}
    return Check.of(name, expected, Said(PhraseId.REPLIES, replies), ok)


def _uses(hop: Hop | None, view: UplinkView) -> bool:
    """Whether packets forwarded by ``hop`` use the line of ``view``: its interface, and for
    a static line its gateway (a neighbour elsewhere on the link is not the provider)."""
    if hop is None or hop.interface != view.l3:
        return False
    return view.static is None or hop.gateway in (None, str(view.static.gateway))


def _route(session: Session, driver: Driver, address: str) -> Hop | None:
    return driver.read_route(session.send(driver.route_command(address)), address)


def _leaves(hop: Hop | None, leaves: PhraseId = PhraseId.LEAVES_BY) -> Said:
    """Where a route leaves by, or that there is none."""
    return Said(PhraseId.NO_ROUTE) if hop is None else Said(leaves, {"hop": hop_said(hop)})


def _elsewhere(before: Hop | None, after: Hop | None, view: UplinkView) -> Said | None:
    """What the route read around a probe says, when it is not ``view``'s line."""
    for hop in (before, after):
        if not _uses(hop, view):
            return _leaves(hop)
    return None


def _via(what: Said, view: UplinkView) -> Said:
    return Said(PhraseId.VIA, {"what": what, "interface": view.l3})


def line_ping(
    session: Session,
    driver: Driver,
    name: Said,
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
    assert ping.words is not None  # said by id above
    expected, observed = _via(ping.words.expected, view), ping.words.observed
    if elsewhere is not None:
        return Check.of(name, expected, but(observed, elsewhere), False)
    return Check.of(name, expected, observed, ping.ok)


def _default_route(
    session: Session, driver: Driver, primary: UplinkView, gateway: str, expected: str
) -> Check:
    """The default route names the line's gateway and the route to that gateway leaves by
    the line: a RouterOS default route is recursive, through the line's probe, so the
    probe's host route is what puts it on the line (routing.j2)."""
    name = Said(CheckId.DEFAULT_ROUTE, {"role": role(primary.role.value)})
    shown = _via(value(expected), primary)
    if gateway != expected:
        return Check.of(name, shown, value(gateway), False)
    hop = _route(session, driver, gateway)
    if not _uses(hop, primary):
        return Check.of(name, shown, but(value(gateway), _leaves(hop)), False)
    return Check.of(name, shown, value(gateway), True)


def _path_mtu(session: Session, driver: Driver, view: UplinkView, policy: PingPolicy) -> Planned:
    """A do-not-fragment ping of the largest packet the line must carry: 1492 bytes over
    PPPoE (RFC 2516: 8 bytes of the 1500-byte frame), 1500 otherwise. A line that drops big
    packets silently (a PMTU black hole) passes small pings and breaks HTTPS and VPNs."""
    size = 1492 if view.pppoe else 1500
    words: Params = {"role": role(view.role.value), "size": str(size), "probe": str(view.probe)}
    name = Said(CheckId.PATH_MTU, words)
    probe = str(view.probe)
    ping = functools.partial(line_ping, session, driver, name, probe, policy, view, size=size)
    return Planned(str(name), Cost.PING, ping)


def _shaping(
    driver: Driver, running: str, view: UplinkView, allocation: Allocation, egress: Hop | None
) -> Check:
    """The site's allocation is enforced where traffic leaves: the shaper exists with the
    allocated ceiling, acts on the interface the line's traffic leaves by (``egress``: the
    route to its probe now), nothing above it takes that traffic first and nothing lets
    traffic skip it."""
    shaping = driver.read_shaping(running, view)
    ceiling = {"kbps": str(allocation.ceiling_kbps), "interface": view.l3}
    expected = Said(PhraseId.CEILING_ON, ceiling)
    if shaping.ceiling_kbps is None:
        observed, ok = Said(PhraseId.NO_SHAPER), False
    else:
        observed = Said(PhraseId.CEILING, {"kbps": str(shaping.ceiling_kbps)})
        if not shaping.attached:
            observed = Said(PhraseId.NOT_ATTACHED, {"seen": observed})
        ok = shaping.attached and shaping.ceiling_kbps == allocation.ceiling_kbps
        if shaping.download_kbps != shaping.ceiling_kbps:
            download = str(shaping.download_kbps or "") or Said(PhraseId.UNLIMITED)
            observed = Said(PhraseId.DOWNLOAD, {"seen": observed, "download": download})
            ok = False
    if shaping.bypass:
        bypass: Params = {"seen": observed, "bypass": shaping.bypass}
        observed, ok = Said(PhraseId.BYPASSED, bypass), False
    if shaping.shadowed:
        shadowed: Params = {"seen": observed, "queue": shaping.shadowed}
        observed, ok = Said(PhraseId.TAKEN_FIRST, shadowed), False
    if shaping.interfaces and (egress is None or egress.interface not in shaping.interfaces):
        leaves = _leaves(egress, PhraseId.TRAFFIC_LEAVES_BY)
        observed, ok = joined([observed, leaves], observed), False
    name = Said(CheckId.SHAPING, {"role": role(view.role.value)})
    return Check.of(name, expected, observed, ok)


def _dns(
    session: Session, driver: Driver, org: Organisation, running: Callable[[], str], lan: str
) -> list[Planned]:
    """DNS as the office gets it: a name resolves through the filtering resolvers; a blocked
    name gets the filter's sinkhole (the filter is in force, not only reachable); DNS to any
    other server from the LAN is redirected or refused by the running config, on the LAN
    interface (``lan``) where the office's packets arrive."""
    name = org.probes.dns_name
    resolving = Said(CheckId.DNS_RESOLVES, {"name": name})

    def resolves() -> Check:
        answer = driver.read_resolved(session.send(driver.resolve_command(name)))
        seen = value(answer) if answer else Said(PhraseId.NO_ANSWER)
        return Check.of(resolving, Said(PhraseId.AN_ADDRESS), seen, answer is not None)

    checks = [Planned(str(resolving), Cost.LOOKUP, resolves)]
    blocked, sinkhole = org.dns.blocked_probe, org.dns.sinkhole
    if blocked is not None and sinkhole is not None:
        blocking = Said(CheckId.DNS_BLOCKS, {"name": blocked})

        def blocks() -> Check:
            seen = driver.read_resolved(session.send(driver.resolve_command(blocked)))
            shown = str(sinkhole)
            answer = value(seen) if seen else Said(PhraseId.NO_ANSWER)
            expected = Said(PhraseId.SINKHOLE, {"address": shown})
            return Check.of(blocking, expected, answer, seen == shown)

        checks.append(Planned(str(blocking), Cost.LOOKUP, blocks))
    resolvers = [str(r) for r in org.dns.filtering_resolvers]
    forced_name = Said(CheckId.DNS_FORCED)

    def forced() -> Check:
        in_force = driver.dns_forced(running(), resolvers, lan)
        shown = Said(PhraseId.IN_FORCE if in_force else PhraseId.NOT_IN_RUNNING_CONFIG)
        refused = Said(PhraseId.OTHER_RESOLVERS_REFUSED)
        return Check.of(forced_name, refused, shown, in_force)

    checks.append(Planned(str(forced_name), Cost.CONFIG, forced))
    return checks


def fetching_check(ctx: SiteContext, phase: Phase) -> str | None:
    """The check of ``phase`` that has the router fetch a URL (the egress echo, over the
    phase's primary line), or None when the organisation names no echo service."""
    if ctx.org.probes.egress_echo is None:
        return None
    return f"egress via {ctx.primary(phase).role.value}"


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
    expected = Said(PhraseId.ADDRESS_OF, {"provider": primary.provider_name})
    if ranges:
        shown = {"provider": primary.provider_name, "ranges": ", ".join(str(r) for r in ranges)}
        expected = Said(PhraseId.ADDRESS_OF_RANGES, shown)
    if echo is not None:
        expected = _via(expected, primary)
    observed = value(seen) if seen else Said(PhraseId.NO_ANSWER)
    ok = seen is not None and (not ranges or any(IPv4Address(seen) in r for r in ranges))
    if elsewhere is not None:
        observed, ok = but(observed, elsewhere), False
    elif echo is None and not ranges:
        observed, ok = Said(PhraseId.NO_RANGES, {"seen": observed}), False
    name = Said(CheckId.EGRESS, {"role": role(primary.role.value)})
    return Check.of(name, expected, observed, ok)


def _dhcp(session: Session, driver: Driver, site: Site, running: Callable[[], str]) -> Check:
    """The office's PCs get addresses: netprov's LAN DHCP server is in force and the router
    reads out its lease table."""
    name, expected = Said(CheckId.DHCP), Said(PhraseId.DHCP_EXPECTED)
    if not driver.dhcp_serving(running(), site.lan):
        seen = Said(PhraseId.DHCP_NO_SERVER, {"gateway": str(site.lan.address.ip)})
        return Check.of(name, expected, seen, False)
    bound = driver.read_leases(session.send(driver.leases_command()))
    if bound is None:
        return Check.of(name, expected, Said(PhraseId.LEASES_UNREADABLE), False)
    return Check.of(name, expected, Said(PhraseId.LEASES_BOUND, {"bound": str(bound)}), True)


def _pings(site: Site, org: Organisation, session: Session) -> tuple[PingPolicy, PingPolicy]:
    """The router's own pings and those an office PC would make (from the LAN address),
    within the kind's loss, each reply given :func:`echo_wait`."""
    settings, wait = org.settings, echo_wait(session.reply_seconds)
    router = PingPolicy(settings.ping_count, settings.max_loss_for(site.kind), wait=wait)
    return router, replace(router, source=str(site.lan.address.ip))


def verify_reachability(
    session: Session, ctx: SiteContext, phase: Phase, *, adopting: bool = False
) -> list[Planned]:
    """The office works as it did: the management session, the primary line, the default
    route, LAN-sourced pings to the internet and the resolvers, the path MTU. What an
    adoption (which only takes objects over) must keep; the first part of every verify.
    ``adopting``: the default route is still the router's own (any is right). The checks
    to run (:func:`run_checks` runs them cheapest first); a new session is
    :func:`new_session_last`'s."""
    site, org, driver = ctx.site, ctx.org, ctx.driver
    primary = ctx.primary(phase)
    router_ping, lan_ping = _pings(site, org, session)

    up = Said(CheckId.UPLINK_UP, {"interface": primary.l3})

    def uplink() -> Check:
        state = driver.read_interface(session.send(driver.interfaces_command()), primary.l3)
        return Check.of(up, Said(PhraseId.RUNNING), value(state.status), state.running)

    route_name = Said(CheckId.DEFAULT_ROUTE, {"role": role(primary.role.value)})

    def default_route() -> Check:
        gateway = driver.read_default_gateway(session.send(driver.routes_command()))
        expected = None if adopting else driver.expected_default_gateway(primary)
        if expected is not None:
            return _default_route(session, driver, primary, gateway, expected)
        present = Said(PhraseId.PRESENT)
        return Check.of(route_name, present, value(gateway), gateway != "none")

    management = str(Said(CheckId.MANAGEMENT_SESSION))
    checks = [
        Planned(management, Cost.READ, functools.partial(_management, session)),
        Planned(str(up), Cost.READ, uplink),
    ]
    if primary.static is not None:
        gw = str(primary.static.gateway)
        name = Said(CheckId.PING_GATEWAY, {"role": role(primary.role.value), "gateway": gw})
        ping = functools.partial(ping_check, session, driver, name, gw, router_ping)
        checks.append(Planned(str(name), Cost.PING, ping))
    checks.append(Planned(str(route_name), Cost.READ, default_route))
    name = Said(CheckId.INTERNET_PROBE, {"probe": str(primary.probe)})
    probe = str(primary.probe)
    checks.append(
        Planned(
            str(name),
            Cost.PING,
            functools.partial(line_ping, session, driver, name, probe, lan_ping, primary),
        )
    )
    for resolver in org.dns.filtering_resolvers:
        name = Said(CheckId.RESOLVER_PING, {"resolver": str(resolver)})
        ping = functools.partial(ping_check, session, driver, name, str(resolver), lan_ping)
        checks.append(Planned(str(name), Cost.PING, ping))
    checks.append(_path_mtu(session, driver, primary, router_ping))
    return checks


def verify_site(session: Session, ctx: SiteContext, phase: Phase) -> list[Planned]:
    """Every check to run on ``session`` (the session doing the change), cheapest first
    (:func:`run_checks`); a new management session is :func:`new_session_last`'s."""
    site, org, driver, allocation = ctx.site, ctx.org, ctx.driver, ctx.allocation
    views = ctx.uplinks(phase)
    primary = views[0]
    router_ping, lan_ping = _pings(site, org, session)
    running = functools.cache(session.running)  # read once, by the first check that needs it
    checks = verify_reachability(session, ctx, phase)
    # every other line that carries something in this phase is proven with what it carries
    # (dual: the city's services already run over the central line): its probe from the
    # LAN (the line, and its NAT) and a full-size DF ping (its path MTU)
    for view in views[1:]:
        if view.role in carrying(phase):
            held: Params = {"probe": str(view.probe), "role": role(view.role.value)}
            name = Said(CheckId.INTERNET_PROBE_VIA, held)
            probe = str(view.probe)
            ping = functools.partial(line_ping, session, driver, name, probe, lan_ping, view)
            checks.append(Planned(str(name), Cost.PING, ping))
            checks.append(_path_mtu(session, driver, view, router_ping))
    if org.probes.egress_echo is not None:
        egress = functools.partial(_egress, session, driver, org, primary)
        leaving = Said(CheckId.EGRESS, {"role": role(primary.role.value)})
        checks.append(Planned(str(leaving), Cost.FETCH, egress))
    if Carried.CITY in PROMISES[phase]:  # promised over the central line only
        city = next(v for v in views if v.role is PROMISES[phase][Carried.CITY])
        for service in site.services:
            address = str(service.address)
            name = Said(CheckId.SERVICE, {"service": service.name, "address": address})
            ping = functools.partial(line_ping, session, driver, name, address, lan_ping, city)
            checks.append(Planned(str(name), Cost.PING, ping))

    restricting = Said(CheckId.MANAGEMENT_RESTRICTED)

    def restricted() -> Check:
        opened = driver.management_open(running())
        return Check.of(
            restricting,
            Said(PhraseId.MANAGEMENT_ONLY),
            joined([value(found) for found in opened], Said(PhraseId.RESTRICTED)),
            not opened,
        )

    checks.append(Planned(str(restricting), Cost.CONFIG, restricted))
    checks.extend(_dns(session, driver, org, running, site.lan.interface))
    if site.lan.dhcp:
        dhcp = functools.partial(_dhcp, session, driver, site, running)
        checks.append(Planned(str(Said(CheckId.DHCP)), Cost.CONFIG, dhcp))
    if phase.has_central and allocation is not None:
        central = next(v for v in views if v.role is Role.CENTRAL)

        def shaping() -> Check:
            egress = _route(session, driver, str(central.probe))
            return _shaping(driver, running(), central, allocation, egress)

        shaping_name = Said(CheckId.SHAPING, {"role": role(central.role.value)})
        checks.append(Planned(str(shaping_name), Cost.CONFIG, shaping))
    if site.backup_uplink is not None:
        backup = next(v for v in views if v.role is Role.BACKUP)

        def failover() -> Check:
            missing = driver.failover_route(running(), backup)
            tracked = {"interface": backup.l3, "distance": str(backup.distance)}
            expected = Said(PhraseId.FAILOVER_EXPECTED, tracked)
            seen = missing or Said(PhraseId.PRESENT)
            return Check.of(Said(CheckId.FAILOVER_ROUTE), expected, seen, not missing)

        checks.append(Planned(str(Said(CheckId.FAILOVER_ROUTE)), Cost.CONFIG, failover))
    return checks
