"""Checks that span fields, sites and files: what a single model validator cannot see.

Pure: validated models in, findings out. A finding names where it is by a path inside
its source (``("sites", 3, "router", "mgmt_address")``); the loader turns that into
file, line and field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from netprov.allocation import Allocation, AllocationInfeasibleError, allocate
from netprov.errors import Severity
from netprov.inventory.hostcheck import host_findings
from netprov.inventory.placed import Finding, PlacedSite, part, uplink_label, uplinks
from netprov.inventory.sourcemap import Loc, Source
from netprov.models import (
    PUBLIC_RESOLVERS,
    Organisation,
    Phase,
    PppoeAddressing,
    SecretRef,
    StaticAddressing,
)
from netprov.suggest import closest, did_you_mean


@dataclass
class CrossChecked:
    findings: list[Finding]
    # the bandwidth allocation the commitments check worked out (None: not feasible, or no
    # valid organisation): the inventory keeps it, so it is computed once per load
    allocations: dict[str, Allocation] | None = None


def cross_check(
    org: Organisation | None,
    org_source: Source | None,
    placed: list[PlacedSite],
    today: dt.date,
) -> CrossChecked:
    """All cross-checks; those that need the organisation run only when it is valid.

    A site that failed its schema (``complete=False``) takes part with its valid parts;
    only the bandwidth checks, which need every site's demand, leave it out."""
    complete = [item for item in placed if item.complete]
    checked = CrossChecked([])
    checked.findings += _duplicates(placed)
    checked.findings += _overlaps(placed)
    checked.findings += _interfaces(placed)
    checked.findings += _handoff_vlans(placed)
    checked.findings += _shared_pppoe_secrets(placed)
    checked.findings += host_findings(org, org_source, placed)
    if org is not None and org_source is not None:
        checked.findings += _service_addresses(org, placed)
        checked.findings += _probes(org, org_source)
        checked.findings += _management_overlaps(org, placed)
        checked.findings += _providers(org, org_source, placed)
        checked.findings += _groups(org, org_source, placed)
        checked.findings += _commitments(org, org_source, complete)
        checked.allocations, infeasible = _allocation(org, org_source, complete)
        checked.findings += infeasible
        checked.findings += _contracts(org, org_source, placed, today)
    return checked


def _duplicates(placed: list[PlacedSite]) -> Iterator[Finding]:
    keys: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("site id", ("id",)),
        ("hostname", ("router", "hostname")),
        ("management address", ("router", "mgmt_address")),
    )
    for what, path in keys:
        first: dict[Hashable, PlacedSite] = {}
        for item in placed:
            value = part(item.site, *path)
            if value is None:
                continue
            key = str(value).lower()
            if key in first:
                yield Finding(
                    Severity.ERROR,
                    item.source,
                    item.loc(*path),
                    f"duplicate {what} {value!s}: already used by site "
                    f"{first[key].site.id!r} at {first[key].where()}",
                )
            else:
                first[key] = item


def _shared_pppoe_secrets(placed: list[PlacedSite]) -> Iterator[Finding]:
    """Each office's ISP account has its own password: one reference behind several PPPoE
    accounts would log every line but one in with the wrong one at the first push."""
    users: dict[SecretRef, list[tuple[PlacedSite, tuple[str | int, ...], str]]] = defaultdict(list)
    for item in placed:
        for loc, uplink in uplinks(item.site):
            addressing = part(uplink, "addressing")
            password, username = part(addressing, "password"), part(addressing, "username")
            if isinstance(addressing, PppoeAddressing) and password and username:
                users[password].append((item, loc, username))
    for ref, using in users.items():
        accounts = {account for _, _, account in using}
        if len(accounts) < 2:
            continue
        for item, loc, account in using:
            others = sorted(accounts - {account})
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            yield Finding(
                Severity.ERROR,
                item.source,
                item.loc(*loc, "addressing", "password"),
                f"the secret {ref.describe()} is also the password of {shown}: each PPPoE "
                "account has its own; give this one its own reference, e.g. "
                f"{{file: secrets/pppoe.yaml, key: {item.site.id}}}",
            )


@dataclass(frozen=True, slots=True)
class _Prefix:
    network: IPv4Network
    owner: PlacedSite
    loc: tuple[str | int, ...]
    label: str


def _prefixes(placed: Iterable[PlacedSite]) -> Iterator[_Prefix]:
    for item in placed:
        if (address := part(item.site, "lan", "address")) is not None:
            yield _Prefix(address.network, item, item.loc("lan", "address"), "LAN")
        for i, extra in enumerate(part(item.site, "lan", "extra_subnets") or []):
            yield _Prefix(extra.network, item, item.loc("lan", "extra_subnets", i), "LAN")
        for loc, uplink in uplinks(item.site):
            address = part(uplink, "addressing", "address")
            if isinstance(part(uplink, "addressing"), StaticAddressing) and address:
                yield _Prefix(
                    address.network,
                    item,
                    item.loc(*loc, "addressing", "address"),
                    uplink_label(loc),
                )


def _overlaps(placed: list[PlacedSite]) -> Iterator[Finding]:
    """Every prefix that overlaps an earlier one, in O(n log n).

    CIDR blocks are either disjoint or nested, so after sorting by start address (larger
    blocks first) a stack of still-open blocks finds each prefix's container in its top.
    """
    prefixes = sorted(
        _prefixes(placed),
        key=lambda p: (int(p.network.network_address), p.network.prefixlen),
    )
    open_blocks: list[_Prefix] = []
    for prefix in prefixes:
        start = int(prefix.network.network_address)
        while open_blocks and int(open_blocks[-1].network.broadcast_address) < start:
            open_blocks.pop()
        if open_blocks:
            other = open_blocks[-1]
            # Only LAN overlaps are errors: two /30 hand-offs of different providers may
            # legitimately reuse the same private or CGNAT range.
            if "LAN" in (prefix.label, other.label):
                whose = (
                    "this site's"
                    if other.owner is prefix.owner
                    else f"site {other.owner.site.id!r}'s"
                )
                yield Finding(
                    Severity.ERROR,
                    prefix.owner.source,
                    prefix.loc,
                    f"{prefix.label} subnet {prefix.network} overlaps {whose} "
                    f"{other.label} subnet {other.network} ({other.owner.where()})",
                )
        open_blocks.append(prefix)


# a probe pinned to one line by its host route would carry every office PC's traffic to a
# public resolver they configured by hand too
_PUBLIC_RESOLVERS = frozenset(IPv4Address(a) for a in PUBLIC_RESOLVERS)


def _probes(org: Organisation, org_source: Source) -> Iterator[Finding]:
    """A probe's host route pins all traffic to its address onto one line (tracking):
    an address office PCs use themselves (a public resolver, the filtering resolvers)
    would follow that line, and be lost with it."""
    used = set(org.dns.filtering_resolvers) | _PUBLIC_RESOLVERS
    for role in ("legacy", "central", "backup"):
        probe = getattr(org.probes, role)
        if probe in used:
            yield Finding(
                Severity.WARNING,
                org_source,
                ("probes", role),
                f"{probe} is a resolver office PCs use: its probe route pins all their "
                f"traffic to it onto the {role} line; probe an address nobody uses (a root "
                "name server such as 193.0.14.129 answers pings)",
            )


def _service_addresses(org: Organisation, placed: list[PlacedSite]) -> Iterator[Finding]:
    """A site subnet that contains an organisation-wide address would hijack it locally."""
    addresses: dict[IPv4Address, str] = {}
    for resolver in org.dns.filtering_resolvers:
        addresses[resolver] = "filtering resolver"
    for server in org.ntp_servers:
        addresses[server] = "NTP server"
    for server in org.syslog_servers:
        addresses[server] = "syslog server"
    addresses[org.flow.collector] = "flow collector"
    for role in ("legacy", "central", "backup"):
        addresses[getattr(org.probes, role)] = f"{role} probe"
    for prefix in _prefixes(placed):
        for address, what in addresses.items():
            if address in prefix.network:
                yield Finding(
                    Severity.ERROR,
                    prefix.owner.source,
                    prefix.loc,
                    f"{prefix.label} subnet {prefix.network} contains the {what} {address}",
                )


def _management_overlaps(org: Organisation, placed: list[PlacedSite]) -> Iterator[Finding]:
    """A site LAN overlapping a management network would answer for the NOC locally: the
    router's return path to the engineers (and the management ACLs) break."""
    for prefix in _prefixes(placed):
        for network in org.management_networks:
            if prefix.network.overlaps(network):
                yield Finding(
                    Severity.ERROR,
                    prefix.owner.source,
                    prefix.loc,
                    f"{prefix.label} subnet {prefix.network} overlaps the management network "
                    f"{network}",
                )


def _interfaces(placed: list[PlacedSite]) -> Iterator[Finding]:
    for item in placed:
        lan: Any = part(item.site, "lan", "interface")
        used: dict[tuple[str, int | None], str] = {(lan.lower(), None): "lan"} if lan else {}
        for loc, uplink in uplinks(item.site):
            if part(uplink, "interface") is None or not hasattr(uplink, "vlan"):
                continue
            key = (uplink.interface.lower(), uplink.vlan)
            if key in used:
                vlan = f" VLAN {uplink.vlan}" if uplink.vlan is not None else ""
                yield Finding(
                    Severity.ERROR,
                    item.source,
                    item.loc(*loc, "interface"),
                    f"interface {uplink.interface}{vlan} is already used by {used[key]} "
                    "on this router",
                )
            else:
                used[key] = uplink_label(loc)


def _handoff_vlans(placed: list[PlacedSite]) -> Iterator[Finding]:
    """A central hand-off's VLAN names the office's service on the provider's network (the
    order sheet of `netprov allocate --csv` lists it for the provider to configure, with
    its CIR and PIR): two offices handed off by one provider on one VLAN would be one
    service to it, their guarantees and traffic mixed."""
    first: dict[tuple[str, str, int], PlacedSite] = {}
    for item in placed:
        uplink = part(item.site, "central_uplink")
        if part(uplink, "vlan") is None or part(uplink, "provider") is None:
            continue
        if not hasattr(uplink, "lastmile"):  # written, but invalid: whose VLAN is unknown
            continue
        key = (uplink.provider, uplink.lastmile or uplink.provider, uplink.vlan)
        if key in first:
            other = first[key]
            yield Finding(
                Severity.ERROR,
                item.source,
                item.loc("central_uplink", "vlan"),
                f"duplicate central hand-off VLAN {uplink.vlan} of {key[1]}: already used by "
                f"site {other.site.id!r} at {other.where()}",
            )
        else:
            first[key] = item


def _providers(
    org: Organisation, org_source: Source, placed: list[PlacedSite]
) -> Iterator[Finding]:
    central = {p.id: p for p in org.central_providers}
    others = {p.id for p in org.providers}
    for i, provider in enumerate(org.central_providers):
        for j, lastmile in enumerate(provider.lastmile):
            if lastmile not in others:
                yield _unknown(
                    org_source,
                    ("central_providers", i, "lastmile", j),
                    f"unknown last-mile provider {lastmile!r}: not in 'providers'",
                    lastmile,
                    others,
                )
    for item in placed:
        site = item.site
        checks: list[tuple[tuple[str | int, ...], set[str], str]] = [
            (("legacy_uplink",), others, "providers"),
            (("backup_uplink",), others | set(central), "providers"),
            (("central_uplink",), set(central), "central_providers"),
        ]
        for index in range(len(part(site, "other_legacy_uplinks") or ())):
            checks.append((("other_legacy_uplinks", index), others, "providers"))
        for loc, known, section in checks:
            provider = part(site, *loc, "provider")
            if provider is not None and provider not in known:
                message = f"unknown provider {provider!r}: not in {section}"
                yield _unknown(item.source, item.loc(*loc, "provider"), message, provider, known)
        site_lastmile = part(site, "central_uplink", "lastmile")
        contract = central.get(part(site, "central_uplink", "provider"))
        if site_lastmile and contract and site_lastmile not in contract.lastmile:
            yield _unknown(
                item.source,
                item.loc("central_uplink", "lastmile"),
                f"provider {contract.id!r} does not sub-lease last mile from {site_lastmile!r}",
                site_lastmile,
                set(contract.lastmile),
            )


def _unknown(source: Source, loc: Loc, message: str, name: str, known: set[str]) -> Finding:
    """An error naming something unknown, with the known name it probably is."""
    guess = closest(name, known)
    if guess is not None:
        message += f"; {did_you_mean(guess)}"
    return Finding(Severity.ERROR, source, loc, message, guess)


def _groups(org: Organisation, org_source: Source, placed: list[PlacedSite]) -> Iterator[Finding]:
    """Groups select sites (``--group``) and place them in regions: a misspelt one
    selects nothing, or puts its site in the default queue. An organisation that
    declares its ``groups`` makes any other an error; one that does not gets a warning
    for a group one site uses that looks like one that more sites use."""
    users: dict[str, int] = defaultdict(int)
    for item in placed:
        for group in part(item.site, "groups") or ():
            users[group] += 1
    declared = set(org.groups)
    for group in sorted(set(org.regions) - declared if declared else ()):
        message = f"unknown group {group!r}: not in 'groups'"
        yield _unknown(org_source, ("regions", group), message, group, declared)
    for item in placed:
        for i, group in enumerate(part(item.site, "groups") or ()):
            loc = item.loc("groups", i)
            if declared and group not in declared:
                message = f"unknown group {group!r}: not in organisation 'groups'"
                yield _unknown(item.source, loc, message, group, declared)
            elif not declared and (guess := _likely_group(group, users)) is not None:
                yield Finding(
                    Severity.WARNING,
                    item.source,
                    loc,
                    f"group {group!r} ({users[group]} site(s)) looks like {guess!r} "
                    f"({users[guess]} sites): {did_you_mean(guess)} (declare the "
                    "organisation's 'groups' to make an unknown one an error)",
                    guess,
                )


def _likely_group(group: str, users: dict[str, int]) -> str | None:
    """The group more sites use that ``group`` is most probably a misspelling of."""
    busier = {g for g, n in users.items() if n > users[group] and n > 1}
    return closest(group, busier, cutoff=0.85)


def _commitments(
    org: Organisation, org_source: Source, placed: list[PlacedSite]
) -> Iterator[Finding]:
    demand: dict[str, float] = defaultdict(float)
    for item in placed:
        demand[item.site.central_uplink.provider] += item.site.central_uplink.demand_mbps
    for i, provider in enumerate(org.central_providers):
        limit = provider.capacity_mbps * provider.oversubscription
        if demand[provider.id] > limit:
            yield Finding(
                Severity.ERROR,
                org_source,
                ("central_providers", i, "capacity_mbps"),
                f"sites commit {demand[provider.id]:g} Mbps to {provider.id!r}, above its "
                f"capacity {provider.capacity_mbps:g} Mbps x oversubscription "
                f"{provider.oversubscription:g} = {limit:g} Mbps",
            )


def _allocation(
    org: Organisation, org_source: Source, placed: list[PlacedSite]
) -> tuple[dict[str, Allocation] | None, list[Finding]]:
    """The bandwidth allocation, or why the providers' capacity cannot carry the floors."""
    try:
        return allocate(org.central_providers, (p.site for p in placed), org.bandwidth), []
    except AllocationInfeasibleError as exc:
        index = next(i for i, p in enumerate(org.central_providers) if p.id == exc.provider)
        loc = ("central_providers", index, "capacity_mbps")
        return None, [Finding(Severity.ERROR, org_source, loc, str(exc))]


def _contract_finding(
    end: dt.date, today: dt.date, warn_days: int, what: str
) -> tuple[Severity, str] | None:
    if end < today:
        return Severity.ERROR, f"{what} contract lapsed on {end.isoformat()}"
    remaining = (end - today).days
    if remaining <= warn_days:
        return Severity.WARNING, f"{what} contract ends on {end.isoformat()}, in {remaining} day(s)"
    return None


def _contracts(
    org: Organisation, org_source: Source, placed: list[PlacedSite], today: dt.date
) -> Iterator[Finding]:
    warn = org.settings.contract_warning_days
    for i, provider in enumerate(org.central_providers):
        verdict = _contract_finding(
            provider.contract.end, today, warn, f"central provider {provider.id!r}"
        )
        if verdict:
            yield Finding(
                verdict[0], org_source, ("central_providers", i, "contract", "end"), verdict[1]
            )
    for item in placed:
        for loc, uplink in uplinks(item.site):
            end = part(uplink, "contract_end")
            if loc[0] == "central_uplink" or end is None:
                continue
            if loc[0] != "backup_uplink" and part(item.site, "desired_phase") is Phase.FINAL:
                continue  # the office lines are being decommissioned; their end is expected
            verdict = _contract_finding(end, today, warn, uplink_label(loc))
            if verdict:
                yield Finding(verdict[0], item.source, item.loc(*loc, "contract_end"), verdict[1])
