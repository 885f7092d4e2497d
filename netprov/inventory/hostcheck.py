"""Host addresses checked against the subnets they sit in: an uplink's own address and
its gateway (a /30 hand-off has two hosts), a router's management address, the services
a site must reach and the organisation's servers. The subnets a single address cannot
know (the management networks, the central services, the site's LAN) are here.
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from netprov.errors import Severity
from netprov.hostaddr import a_host, not_a_host
from netprov.inventory.placed import Finding, PlacedSite, part, uplinks
from netprov.inventory.sourcemap import Loc, Source
from netprov.models import Organisation, StaticAddressing
from netprov.suggest import did_you_mean

# a subnet an address may sit in, and how a message names it
_Known = list[tuple[IPv4Network, str]]


def host_findings(
    org: Organisation | None, org_source: Source | None, placed: list[PlacedSite]
) -> Iterator[Finding]:
    """Every host address that is the network or broadcast address of its subnet, or a
    gateway outside it; the organisation's subnets only when it is valid."""
    shared: _Known = []
    if org is not None:
        shared += [(n, f"the management network {n}") for n in org.management_networks]
        shared += [(n, f"the central services {n}") for n in org.central_services]
    for item in placed:
        yield from _uplinks(item)
        lans = [part(item.site, "lan", "address"), *(part(item.site, "lan", "extra_subnets") or [])]
        yield from _lan_pools(item, lans)
        known = shared + [(i.network, f"this site's LAN {i.network}") for i in lans if i]
        mgmt = part(item.site, "router", "mgmt_address")
        if mgmt is not None:
            yield from _in(known, mgmt, item.source, item.loc("router", "mgmt_address"))
        for i, service in enumerate(part(item.site, "services") or ()):
            yield from _in(known, service.address, item.source, item.loc("services", i, "address"))
    if org is not None and org_source is not None:
        servers: list[tuple[Loc, IPv4Address]] = [(("flow", "collector"), org.flow.collector)]
        for name, addresses in (
            ("ntp_servers", org.ntp_servers),
            ("syslog_servers", org.syslog_servers),
        ):
            servers += [((name, i), a) for i, a in enumerate(addresses)]
        resolvers = org.dns.filtering_resolvers
        servers += [(("dns", "filtering_resolvers", i), a) for i, a in enumerate(resolvers)]
        for loc, address in servers:
            yield from _in(shared, address, org_source, loc)


def _lan_pools(item: PlacedSite, lans: list[IPv4Interface | None]) -> Iterator[Finding]:
    """A LAN subnet whose DHCP pool is empty: the pool starts after the first
    ``dhcp_reserved`` hosts (models.Lan.dhcp_ranges), so a /29 with 10 kept has none and
    would render an inverted RouterOS range and IOS exclusions past the subnet."""
    reserved = part(item.site, "lan", "dhcp_reserved")
    if part(item.site, "lan", "dhcp") is not True or reserved is None:
        return
    for index, lan in enumerate(lans):
        hosts = max(0, lan.network.num_addresses - 2) if lan is not None else reserved + 1
        if lan is None or hosts > reserved:
            continue
        fits = next(p for p in range(30, 0, -1) if 2 ** (32 - p) - 2 > reserved)
        wider = IPv4Interface(f"{lan.ip}/{fits}")
        better = str(wider) if not_a_host(lan.ip, wider.network) is None else None
        loc = ("lan", "address") if index == 0 else ("lan", "extra_subnets", index - 1)
        message = (
            f"the LAN {lan.network} has no address to lease: DHCP keeps its first {reserved} "
            f"host(s) (lan.dhcp_reserved) and it has {hosts}"
        )
        hint = f"; {did_you_mean(better, quoted=False)} (or dhcp: false)" if better else ""
        yield Finding(Severity.ERROR, item.source, item.loc(*loc), message + hint, better)


def _in(known: _Known, address: IPv4Address, source: Source, loc: Loc) -> Iterator[Finding]:
    for network, label in known:
        which = not_a_host(address, network)
        if which is not None:
            message = f"{address} is the {which} address of {label}, not a host"
            yield Finding(Severity.ERROR, source, loc, message)
            return


def _uplinks(item: PlacedSite) -> Iterator[Finding]:
    for where, uplink in uplinks(item.site):
        addressing = part(uplink, "addressing")
        interface, gateway = part(addressing, "address"), part(addressing, "gateway")
        if not isinstance(addressing, StaticAddressing) or interface is None or gateway is None:
            continue
        network = interface.network
        at_gateway = item.loc(*where, "addressing", "gateway")
        which = not_a_host(interface.ip, network)
        if which is not None:
            better = IPv4Interface(
                f"{a_host(network, last=which == 'broadcast', besides=[gateway])}/"
                f"{network.prefixlen}"
            )
            yield _refused(
                item,
                item.loc(*where, "addressing", "address"),
                interface.ip,
                which,
                str(network),
                str(better),
            )
        if gateway not in network:
            message = f"gateway {gateway} is outside the uplink subnet {network}"
            yield Finding(Severity.ERROR, item.source, at_gateway, message)
        elif gateway == interface.ip:
            message = f"gateway {gateway} is the router's own address"
            yield Finding(Severity.ERROR, item.source, at_gateway, message)
        elif (which := not_a_host(gateway, network)) is not None:
            better_gateway = str(a_host(network, besides=[interface.ip]))
            label = f"the uplink subnet {network}"
            yield _refused(item, at_gateway, gateway, which, label, better_gateway, "gateway ")


def _refused(
    item: PlacedSite,
    loc: Loc,
    address: IPv4Address,
    which: str,
    label: str,
    better: str,
    what: str = "",
) -> Finding:
    message = f"{what}{address} is the {which} address of {label}, not a host: "
    return Finding(
        Severity.ERROR, item.source, loc, message + did_you_mean(better, quoted=False), better
    )
