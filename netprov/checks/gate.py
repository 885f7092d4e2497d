"""``netprov check``: the CI gate. Validate, render each site for its desired phase, lint,
and plan offline against the latest stored backup (``backups/<site>.cfg``): no routers.
"""

from __future__ import annotations

import datetime as dt
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from ipaddress import IPv4Network
from pathlib import Path

from netprov.checks.inservice import with_in_service_policies
from netprov.checks.lint import (
    RULES,
    LintFinding,
    bypass_findings,
    clash_findings,
    dangerous_change,
    lint_organisation,
    lint_site,
    phase_drift_findings,
    rejected_on_router,
    shaping_findings,
    telemetry_findings,
)
from netprov.checks.lockout_guard import rehearse
from netprov.checks.secret_refs import SecretCheck, check_secrets, unresolved
from netprov.checks.site_context import SiteContext
from netprov.errors import InventoryError, NetprovError, Problem, Severity
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.inventory.placed import PlacedSite
from netprov.inventory.sourcemap import Source, SourceFile
from netprov.models import Phase, Site
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.render.config import Renderer, version_conflicts
from netprov.render.forking import forked_map
from netprov.secrets import SecretMode
from netprov.state.gitrepo import git


@dataclass
class SiteResult:
    site: Site
    phase: Phase
    file: str
    line: int | None
    commands: list[str] | None  # None: no stored backup to plan against
    findings: list[LintFinding] = field(default_factory=list)


@dataclass
class CheckReport:
    inventory: Path | str  # a folder, or nautobot+https://HOST
    problems: list[Problem] = field(default_factory=list)  # validation (errors stop the check)
    sites: list[SiteResult] = field(default_factory=list)
    organisation: list[LintFinding] = field(default_factory=list)
    changed_since: str | None = None
    # the secret references: resolved here, or (CI without a secret store) skipped
    secrets: SecretCheck | None = None
    # where findings point: each site's entry, and organisation.yaml (parsed only when asked)
    placed: dict[str, PlacedSite] = field(default_factory=dict, repr=False)
    organisation_source: Source | None = field(default=None, repr=False)

    @property
    def findings(self) -> list[LintFinding]:
        return self.organisation + [f for site in self.sites for f in site.findings]

    @property
    def failed(self) -> bool:
        if any(p.severity is Severity.ERROR for p in self.problems):
            return True
        return any(f.severity is Severity.ERROR and f.suppressed is None for f in self.findings)

    def where(self, finding: LintFinding) -> tuple[str, int | None, str]:
        """File, line and field of a finding. Lines need the YAML's node tree: composed only
        for the files that have findings (on 10,000 sites it costs more than the check)."""
        placed = self.placed.get(finding.site) if finding.site else None
        if placed is not None:
            return placed.source.where(placed.loc(*finding.loc))
        if finding.site is None and self.organisation_source is not None:
            return self.organisation_source.where(finding.loc)
        return str(self.inventory), None, ""

    @property
    def organisation_file(self) -> str:
        """Where the organisation's settings are: its file, or its Nautobot object."""
        if self.organisation_source is not None:
            return self.organisation_source.where(())[0]
        return str(Path(self.inventory) / "organisation.yaml")


class CheckError(NetprovError):
    """An unknown rule was asked for."""


def rendered_at(ref: str, inventory: Path, templates: Path) -> dict[str, str] | None:
    """Each site's rendered desired config at git ``ref`` (None: inventory invalid there)."""
    root = Path(git(["rev-parse", "--show-toplevel"], inventory).decode().strip())
    paths = [str(p.resolve().relative_to(root)) for p in (inventory, templates)]
    archive = git(["archive", "--format=tar", ref, *paths], root)
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        try:
            old = load_inventory(Path(tmp) / paths[0], today=dt.date.today())
        except InventoryError:
            return None
        renderer = Renderer(Path(tmp) / paths[1])
        return {s.id: _desired(renderer, old, s) for s in old.sites}


def _offline_plan(
    site: Site,
    running: str,
    intended: str,
    phase: Phase | None = None,
    city: Sequence[IPv4Network] = (),
) -> SitePlan:
    driver = driver_for(site.router.platform)
    plan = driver.plan(site.id, phase or site.desired_phase, running, intended)
    return with_in_service_policies(driver, site, running, plan, city)


def _phase_ahead(ctx: SiteContext, running: str) -> Phase | None:
    """The later phase the stored backup is already in (nothing to plan for it), if any:
    a router cut over while git still says an earlier phase.

    ``promote`` moves git one phase at a time, so a site with a plan is most often one
    phase behind: that is tried first, and spares the search of every later phase."""
    site, order = ctx.site, list(Phase)
    city = ctx.org.central_services

    def holds(phase: Phase) -> bool:
        text = ctx.intended(phase, running)
        return not _offline_plan(site, running, text, phase, city).changed

    desired = order.index(site.desired_phase)
    if desired > 0 and holds(order[desired - 1]):
        return None  # promoted, not yet cut over: pending, not ahead
    return next((phase for phase in order[desired + 1 :] if holds(phase)), None)


def run_check(
    inventory: Path | str,
    *,
    templates: Path | None = None,
    backups: Path | None = Path("backups"),
    changed_since: str | None = None,
    today: dt.date | None = None,
    select: set[str] | None = None,
    ignore: set[str] | None = None,
    secrets: SecretMode = SecretMode.SKIP,
) -> CheckReport:
    """Validate (the secret references resolved unless ``secrets`` skips them), then
    render, lint and plan each site offline."""
    report = CheckReport(inventory, changed_since=changed_since)
    try:
        loaded = load_inventory(inventory, today=today)
    except InventoryError as exc:
        report.problems = sorted(
            exc.problems + unresolved(exc, secrets), key=lambda p: (p.file, p.line or 0)
        )
        return report
    report.secrets = check_secrets(loaded, secrets)
    report.problems = [*loaded.warnings, *report.secrets.problems]
    renderer = Renderer(templates)
    org = loaded.organisation
    report.placed = {placed.site.id: placed for placed in loaded.placed}
    org_file = loaded.root / "organisation.yaml"
    report.organisation_source = (
        SourceFile(str(org_file), org_file.read_text(encoding="utf-8"))
        if loaded.nautobot is None or org_file.is_file()
        else loaded.organisation_source
    )
    rendered: dict[str, str] = {}  # rendered here only to compare; otherwise by each worker
    work = list(loaded.placed)
    if changed_since is not None:
        rendered = {p.site.id: _desired(renderer, loaded, p.site) for p in work}
        if loaded.nautobot is not None:
            raise CheckError(
                f"--changed-since compares with git: the sites come from {loaded.nautobot}; "
                "check a cached export (`netprov inventory export --to DIR`) kept in git"
            )
        before = rendered_at(changed_since, loaded.root, renderer.templates_dir)
        if before is not None:
            work = [p for p in work if before.get(p.site.id) != rendered[p.site.id]]
    report.organisation = lint_organisation(org, loaded.sites)
    community = _community(loaded)
    report.problems = [*report.problems, *_backup_problems(backups, work)]
    context = _CheckRun(loaded, renderer, rendered, backups, community)
    report.sites = _check_all(context, work)
    keep = _rule_filter(select, ignore)
    report.organisation = [f for f in report.organisation if keep(f.rule)]
    for result in report.sites:
        result.findings = [f for f in result.findings if keep(f.rule)]
    return report


def _backup_problems(backups: Path | None, work: list[PlacedSite]) -> list[Problem]:
    """A check that planned nothing must not pass for one that found nothing to change."""
    if backups is None or not work:
        return []  # lint only, asked for (--no-backups)
    hint = "run `netprov backup` and commit backups/, point --backups at them, or --no-backups"
    if not backups.is_dir():
        return [Problem(Severity.ERROR, str(backups), None, "", f"no backups folder: {hint}")]
    missing = [p.site.id for p in work if not (backups / f"{p.site.id}.cfg").is_file()]
    if len(missing) == len(work):
        message = f"no stored backup for any of the {len(work)} site(s) checked: {hint}"
        return [Problem(Severity.ERROR, str(backups), None, "", message)]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        message = f"{len(missing)} site(s) have no stored backup, so no offline plan: {shown}"
        return [Problem(Severity.WARNING, str(backups), None, "", message)]
    return []


def _desired(renderer: Renderer, loaded: LoadedInventory, site: Site) -> str:
    """The site's config for its desired phase."""
    allocation = loaded.allocations.get(site.id)
    return renderer.render(site, loaded.organisation, site.desired_phase, allocation).text


@dataclass
class _CheckRun:
    loaded: LoadedInventory
    renderer: Renderer
    rendered: dict[str, str]  # already rendered (--changed-since); the rest on demand
    backups: Path | None
    community: str | None


def _check_site(context: _CheckRun, placed: PlacedSite) -> SiteResult:
    """Render, lint and plan one site offline. Pure apart from reading its backup file."""
    site, org = placed.site, context.loaded.organisation
    backup_file = context.backups / f"{site.id}.cfg" if context.backups else None
    allocation = context.loaded.allocations.get(site.id)
    ctx = SiteContext.build(site, org, allocation, context.renderer)
    running = (
        backup_file.read_text(encoding="utf-8")
        if backup_file is not None and backup_file.is_file()
        else None
    )
    # rendered for the router its backup shows (its version, what its software has, its
    # own policy routing)
    text = context.rendered.get(site.id) if running is None else None
    if text is None:
        text = ctx.intended(site.desired_phase, running)
    commands = None
    after = text  # what the router holds after the change (without a backup: the render)
    routing = None  # how the router routes after it, where the plan was rehearsed
    # with a backup, the parser's verdict (NP008) comes from the plan run on the router's
    # model: one model per site, not one for the lint and another for the guard
    findings = lint_site(
        ctx, site.desired_phase, text, community=context.community, parse=running is None
    )
    if running is not None:
        plan = _offline_plan(site, running, text, city=org.central_services)
        commands = plan.commands
        lockout = None
        # the router's own objects (a FastTrack rule, a queue above netprov's, its NAT)
        # show in what it holds after the change: the backup with the plan simulated on
        # it, or the backup itself when the plan changes nothing
        after = running
        if plan.changed:
            rehearsal = rehearse(ctx, running, plan)
            findings += rejected_on_router(site, rehearsal.rejected)
            lockout = rehearsal.lockout
            after = rehearsal.simulated.config_text()
            routing = rehearsal.simulated.router()
        findings += dangerous_change(ctx, site.desired_phase, running, lockout)
        findings += clash_findings(
            site,
            [
                *plan.conflicts,
                *version_conflicts(
                    context.renderer, site, org, site.desired_phase, allocation, running
                ),
            ],
        )
        ahead = _phase_ahead(ctx, running) if plan.changed else None
        if ahead is not None:
            findings += phase_drift_findings(site, ahead)
    findings += shaping_findings(ctx, site.desired_phase, after, router=routing)
    findings += telemetry_findings(ctx, after)
    findings += bypass_findings(ctx, site.desired_phase, after)
    return SiteResult(site, site.desired_phase, *placed.place(), commands, findings)


_Outcome = tuple[str, int | None, list[str] | None, list[LintFinding]]


def _check_all(context: _CheckRun, work: list[PlacedSite]) -> list[SiteResult]:
    """Every site's check; on large inventories spread over all cores (forked workers)."""
    context.renderer.compile({placed.site.router.platform for placed in work})

    def check_one(index: int) -> _Outcome:
        """A site's result as plain data: a Site model need not cross back from a worker."""
        result = _check_site(context, work[index])
        return result.file, result.line, result.commands, result.findings

    return [
        SiteResult(placed.site, placed.site.desired_phase, *outcome)
        for placed, outcome in zip(work, forked_map(check_one, len(work)), strict=True)
    ]


def _rule_filter(select: set[str] | None, ignore: set[str] | None) -> Callable[[str], bool]:
    unknown = sorted(((select or set()) | (ignore or set())) - set(RULES))
    if unknown:
        raise CheckError(f"unknown rule(s): {', '.join(unknown)} (known: {', '.join(RULES)})")
    return lambda rule: (not select or rule in select) and rule not in (ignore or set())


def _community(loaded: LoadedInventory) -> str | None:
    """The real SNMP community when this environment has it (CI usually does not)."""
    from netprov.errors import SecretError
    from netprov.secrets import EnvironmentSecrets

    try:
        return EnvironmentSecrets(loaded.root)(loaded.organisation.snmp.community)
    except SecretError:
        return None
