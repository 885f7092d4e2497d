"""Policy lint: rules every rendered site config must meet, each with an id and a severity.

A site may suppress a rule in the inventory, with a reason (``lint_exemptions: {NP002:
"..."}``). Pure: models and texts in, findings out. Findings carry a path inside the
inventory so reports can point at the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netprov.allocation import Allocation
from netprov.checks.inservice import POLICY_ROUTING, missing_interface_field
from netprov.checks.site_context import SiteContext
from netprov.errors import Severity
from netprov.models import Organisation, Phase, Site, SiteKind
from netprov.phases import central_view
from netprov.sim.topology import Router
from netprov.sim.world import site_world


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in [
        Rule(
            "NP001", "dns-forced", Severity.ERROR, "Clients can only use the filtering resolvers."
        ),
        Rule(
            "NP002",
            "tracked-failover",
            Severity.ERROR,
            "A site on the central provider keeps a tracked failover route (or an exemption).",
        ),
        Rule(
            "NP003",
            "ceiling-within-uplink",
            Severity.ERROR,
            "The shaping ceiling does not exceed the uplink.",
        ),
        Rule(
            "NP004",
            "capacity-oversubscribed",
            Severity.WARNING,
            "Sites commit more than the provider's capacity: the plan relies on oversubscription.",
        ),
        Rule(
            "NP005",
            "management-restricted",
            Severity.ERROR,
            "SSH/SNMP reach the router only from the Diskominfo management networks; no web "
            "UI, no MAC-Telnet/MAC-WinBox.",
        ),
        Rule(
            "NP006",
            "snmp-default-community",
            Severity.ERROR,
            "SNMP does not use a default community.",
        ),
        Rule(
            "NP007", "telemetry-export", Severity.WARNING, "Flow and syslog export are configured."
        ),
        Rule(
            "NP008",
            "platform-accepts",
            Severity.ERROR,
            "Every rendered line is accepted by the platform's parser.",
        ),
        Rule(
            "NP010",
            "dns-path",
            Severity.ERROR,
            "Where DNS is forced, the office is handed a resolver it may use (else it looks "
            "offline).",
        ),
        Rule(
            "NP011",
            "shaping-effective",
            Severity.ERROR,
            "On the central line, the allocation is enforced both ways and nothing (a FastTrack "
            "rule the router has) lets traffic skip it.",
        ),
        Rule(
            "NP012",
            "router-clashes",
            Severity.ERROR,
            "The router (its stored backup) holds nothing that clashes with the inventory "
            "(an uplink port in a bridge, another PPPoE account, the LAN address elsewhere).",
        ),
        Rule(
            "NP013",
            "hotspot-isolated",
            Severity.ERROR,
            "A public hotspot's users reach neither the city's networks nor the management "
            "networks (but its listed services), and share the central line per user.",
        ),
        Rule(
            "NP014",
            "phase-drift",
            Severity.ERROR,
            "The router (its stored backup) is not in a later phase than the inventory says: "
            "a cut-over office whose file still says an earlier phase would be planned back.",
        ),
        Rule(
            "NP015",
            "policy-routing",
            Severity.ERROR,
            "The router (its stored backup) routes no office traffic by a table of its own "
            "(PCC load balancing, mark-routing, routing rules, IOS policy-based routing) "
            "past the main table netprov's routes go in.",
        ),
        Rule(
            "NP016",
            "city-bypass",
            Severity.ERROR,
            "Where the router marks its LAN's connections onto its own lines (PCC, routing "
            "marks), no marking rule above netprov's bypass matches the city's services: "
            "their traffic is routed by the central line (a router's own pings do not pass "
            "prerouting: proven from the config).",
        ),
        Rule(
            "NP009",
            "dangerous-change",
            Severity.ERROR,
            "The change removes the only uplink that works today, or cuts the management path.",
        ),
    ]
}

_DEFAULT_COMMUNITIES = {"public", "private", "community", "cisco"}
# IOS ``snmp-server community <name> ``, RouterOS ``/snmp community ... name=<name>``; one
# scan (a lookahead, so overlapping mentions are all seen)
_DEFAULT_COMMUNITY = re.compile(
    r"(?=(?:community |name=)(" + "|".join(sorted(_DEFAULT_COMMUNITIES)) + ") )"
)


@dataclass(frozen=True)
class LintFinding:
    rule: str
    site: str | None  # None: organisation-wide
    message: str
    loc: tuple[str | int, ...]  # inside the site (or organisation.yaml)
    suppressed: str | None = None  # the exemption's reason

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity


Raw = tuple[str, str, tuple[str | int, ...]]


def _dns(ctx: SiteContext, text: str) -> list[Raw]:
    resolvers = [str(r) for r in ctx.org.dns.filtering_resolvers]
    if ctx.driver.dns_forced(text, resolvers, ctx.site.lan.interface):
        return []
    return [("NP001", "DNS is not forced to the filtering resolvers", ("lan", "interface"))]


def _dns_path(ctx: SiteContext, text: str) -> list[Raw]:
    """DNS to anything but the filters is denied: something must hand the office a resolver
    it may use (a DHCP pool giving them out, or the router answering DNS itself)."""
    resolvers = [str(r) for r in ctx.org.dns.filtering_resolvers]
    forced = ctx.driver.dns_forced(text, resolvers, ctx.site.lan.interface)
    if not forced or ctx.driver.dns_path(text, resolvers):
        return []
    message = "DNS is denied except to the filtering resolvers, but nothing hands them out"
    return [("NP010", message, ("lan", "dhcp"))]


def _failover(ctx: SiteContext, phase: Phase, text: str) -> list[Raw]:
    if phase.has_central and ctx.driver.default_route_count(text) < 2:
        return [
            (
                "NP002",
                f"no tracked failover route in phase {phase.value} (no backup line)",
                ("desired_phase",),
            )
        ]
    return []


def _ceiling(site: Site, allocation: Allocation | None) -> list[Raw]:
    limit = site.central_uplink.bandwidth_mbps * 1000
    if allocation is not None and allocation.ceiling_kbps > limit:
        return [
            (
                "NP003",
                f"shaping ceiling {allocation.ceiling_kbps / 1000:g} Mbps exceeds the central "
                "uplink's "
                f"{site.central_uplink.bandwidth_mbps:g} Mbps",
                ("central_uplink", "ceiling_mbps"),
            )
        ]
    return []


def _management(ctx: SiteContext, text: str) -> list[Raw]:
    org = ctx.org
    broad = [str(n) for n in org.management_networks if n.prefixlen < 16]
    if broad:
        return [
            (
                "NP005",
                f"management networks too broad: {', '.join(broad)}",
                ("router", "mgmt_address"),
            )
        ]
    opened = ctx.driver.management_open(text)
    if opened:
        shown = "; ".join(opened)
        return [("NP005", f"management is open: {shown}", ("router", "mgmt_address"))]
    return []


def _hotspot(ctx: SiteContext, text: str) -> list[Raw]:
    if ctx.site.kind is not SiteKind.HOTSPOT:
        return []
    closed = [str(net) for net in [*ctx.org.central_services, *ctx.org.management_networks]]
    gaps = ctx.driver.hotspot_gaps(text, closed)
    if not gaps:
        return []
    return [("NP013", "public hotspot: " + "; ".join(gaps), ("kind",))]


def _snmp(text: str, community: str | None) -> list[Raw]:
    found = set(_DEFAULT_COMMUNITY.findall(text))
    if community is not None and community.lower() in _DEFAULT_COMMUNITIES:
        found.add(community.lower())
    if found:
        return [
            ("NP006", f"SNMP uses a default community ({', '.join(sorted(found))})", ("router",))
        ]
    return []


def _telemetry(org: Organisation, text: str) -> list[Raw]:
    missing = []
    if not org.syslog_servers:
        missing.append("syslog")
    if "NETPROV-FLOW" not in text and "comment=netprov:flow" not in text:
        missing.append("flow")
    return [("NP007", f"no {' or '.join(missing)} export", ("router",))] if missing else []


def _parser(ctx: SiteContext, text: str) -> list[Raw]:
    """The rendered config on the platform's model of a factory router."""
    simulated = ctx.driver.simulator(ctx.site, site_world(ctx.site, ctx.org.central_services))
    rejected = simulated.load_initial(text)
    return _rejected(ctx.site, [f"line {n}: {line}" for n, line in rejected], "")


def _rejected(site: Site, refused: list[str], where: str) -> list[Raw]:
    if not refused:
        return []
    shown = "; ".join(refused[:2])
    platform = site.router.platform.value
    message = f"{len(refused)} line(s) rejected by the {platform} parser{where} ({shown})"
    return [("NP008", message, ("router", "platform"))]


def rejected_on_router(site: Site, refused: list[str]) -> list[LintFinding]:
    """NP008 from a plan run on the model of the router as its backup shows it (what
    :func:`lint_site` checks on a factory router when there is no backup)."""
    return _findings(site, _rejected(site, refused, " on the router as backed up"))


def lint_site(
    ctx: SiteContext,
    phase: Phase,
    text: str,
    *,
    community: str | None = None,
    parse: bool = True,
) -> list[LintFinding]:
    """Every rule on one site's rendered config. ``parse=False``: NP008 is left to a plan
    run on the router's backup (:func:`rejected_on_router`), which loads a model anyway."""
    raw = (
        _dns(ctx, text)
        + _dns_path(ctx, text)
        + _failover(ctx, phase, text)
        + _ceiling(ctx.site, ctx.allocation)
        + _management(ctx, text)
        + _hotspot(ctx, text)
        + _snmp(text, community)
        + _telemetry(ctx.org, text)
        + (_parser(ctx, text) if parse else [])
    )
    return _findings(ctx.site, raw)


def _findings(site: Site, raw: list[Raw]) -> list[LintFinding]:
    return [
        LintFinding(rule, site.id, message, loc, site.lint_exemptions.get(rule))
        for rule, message, loc in raw
    ]


def lint_organisation(org: Organisation, sites: list[Site]) -> list[LintFinding]:
    findings = []
    for index, provider in enumerate(org.central_providers):
        demand = sum(
            s.central_uplink.demand_mbps for s in sites if s.central_uplink.provider == provider.id
        )
        if demand > provider.capacity_mbps:
            findings.append(
                LintFinding(
                    "NP004",
                    None,
                    f"{provider.id}: sites commit {demand:g} Mbps on "
                    f"{provider.capacity_mbps:g} Mbps "
                    f"({demand / provider.capacity_mbps:.2f}x)",
                    ("central_providers", index, "capacity_mbps"),
                    org.lint_exemptions.get("NP004"),
                )
            )
    return findings


def telemetry_findings(ctx: SiteContext, config: str) -> list[LintFinding]:
    """NP007 on ``config`` (rendered, or the backup with the plan simulated on it, where the
    router's own masquerade would show): the router's telemetry leaves from its management
    address, untranslated."""
    source = str(ctx.site.router.mgmt_address)
    rule = ctx.driver.telemetry_translated(config, source)
    if rule is None:
        return []
    message = f"the router's own telemetry from {source} is translated by {rule}"
    return _findings(ctx.site, [("NP007", message, ("router", "mgmt_address"))])


def shaping_findings(
    ctx: SiteContext, phase: Phase, config: str, *, router: Router | None = None
) -> list[LintFinding]:
    """NP011 on ``config``: the router's config after the change (rendered, or the stored
    backup with the plan simulated on it, where a FastTrack rule or a queue of its own
    would show). ``router``: the routing of that config (the plan's rehearsal), to hold the
    shaper to the interface the central line's traffic leaves by, as verify does live."""
    site, view = ctx.site, central_view(ctx.uplinks(phase))
    if view is None or ctx.allocation is None:
        return []
    shaping = ctx.driver.read_shaping(config, view)
    problems = []
    if shaping.ceiling_kbps is None or not shaping.attached:
        problems.append(f"no shaper of netprov's acts on {view.l3}")
    if shaping.download_kbps is None:
        problems.append("traffic coming in is not limited")
    if shaping.bypass:
        problems.append(f"bypassed: {shaping.bypass}")
    if shaping.shadowed:
        problems.append(f"taken first by {shaping.shadowed}")
    egress = router.forwarding(view.probe) if router is not None else None
    if shaping.interfaces and egress is not None and egress.link.name not in shaping.interfaces:
        problems.append(
            f"the central line's traffic leaves by {egress.link.name}, the shaper acts on "
            + ", ".join(shaping.interfaces)
        )
    if not problems:
        return []
    message = "central shaping not in force: " + "; ".join(problems)
    loc = ("central_uplink", "ceiling_mbps")
    return [LintFinding("NP011", site.id, message, loc, site.lint_exemptions.get("NP011"))]


def clash_findings(site: Site, conflicts: list[str]) -> list[LintFinding]:
    """NP012: what the offline plan found on the stored backup that clashes (at the
    inventory field that names an interface the router lacks); NP015 its policy routing
    (netprov.checks.inservice)."""
    findings = []
    for conflict in conflicts:
        rule = "NP015" if conflict.startswith(POLICY_ROUTING) else "NP012"
        loc = missing_interface_field(conflict) or ("router",)
        findings.append(LintFinding(rule, site.id, conflict, loc, site.lint_exemptions.get(rule)))
    return findings


def bypass_findings(ctx: SiteContext, phase: Phase, config: str) -> list[LintFinding]:
    """NP016: from dual on, the city's traffic from the LAN bypasses the office's marks in
    what the router holds after the change (``config``)."""
    site, city = ctx.site, ctx.org.central_services
    if not phase.has_central or not city:
        return []
    gaps = ctx.driver.city_bypass_gaps(config, site, city)
    if not gaps:
        return []
    message = "the city's traffic may be marked onto an office line: " + "; ".join(gaps)
    exemption = site.lint_exemptions.get("NP016")
    return [LintFinding("NP016", site.id, message, ("router",), exemption)]


def dangerous_change(
    ctx: SiteContext, phase: Phase, running: str, lockout: str | None
) -> list[LintFinding]:
    """NP009: the change drops every uplink that works today, or cuts management."""
    before = ctx.uplinks_in(running)
    after = {view.role for view in ctx.uplinks(phase)}
    raw: list[Raw] = []
    removed = before - after
    if removed and not before & after:
        names = ", ".join(sorted(r.value for r in removed))
        raw.append(
            (
                "NP009",
                f"removes the only working uplink(s) ({names}) before any new one is proven",
                ("desired_phase",),
            )
        )
    if lockout is not None:
        raw.append(("NP009", lockout, ("router", "mgmt_address")))
    return _findings(ctx.site, raw)


def phase_drift_findings(site: Site, held: Phase) -> list[LintFinding]:
    """NP014: the stored backup is in ``held``, later than the desired phase in git."""
    message = (
        f"the router is in {held.value} (its stored backup) but the inventory says "
        f"{site.desired_phase.value}: this plan would take it back; record the cutover with "
        f"`netprov promote --limit {site.id} --to {held.value}` (after each phase between), "
        f"or go back on purpose with `netprov cutover --to {site.desired_phase.value}`"
    )
    return [
        LintFinding(
            "NP014", site.id, message, ("desired_phase",), site.lint_exemptions.get("NP014")
        )
    ]
