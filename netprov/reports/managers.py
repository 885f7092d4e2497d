"""The managers' report: where the city stands, what it costs now and once done, what
failed and why, contracts, allocation, in one HTML file (inline SVG, no scripts, nothing
fetched), fully in Bahasa Indonesia (``id``) or English (``en``).

:func:`report_data` computes every figure from the inventory and the journal (pure apart
from reading the journal, tested); the page is ``report_templates/report.html.j2``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from netprov.checks.drift import phase_rank
from netprov.checks.results import Check
from netprov.inventory.loader import LoadedInventory
from netprov.models import Phase
from netprov.platforms import RevertMethod
from netprov.reports.chart import chart
from netprov.reports.formatting import (
    date_text,
    flat_brackets,
    journal_time,
    moment_text,
    month_name,
    number,
    on_clock,
    rupiah,
)
from netprov.reports.words import TEXT, check_line
from netprov.said import Said
from netprov.state.journal import PHASE_STEPS, Journal, StepRow, phase_recorded
from netprov.state.journal_rows import Step

PHASES = ("legacy", "dual", "central", "final")
COLOURS = {
    "legacy": "#9e9e9e",
    "dual": "#f5a623",
    "central": "#2e7d32",
    "final": "#1565c0",
    "unknown": "#c62828",
}
UNKNOWN = "unknown"  # a router the journal found in no phase netprov renders
CHANGE_COMMANDS = {"apply", "cutover", "finalize", "rollback"}  # not the read-only verify


@dataclass(frozen=True)
class Failure:
    site: str
    kind: str  # reverted | failed | refused | rolled_back
    checks: list[str]
    detail: str
    identical: bool | None
    # each failed check as journaled (by id, where the run kept ids), for other languages
    items: tuple[Check, ...] = ()
    # a rollback: the backup restored (run, when) and the phase the router is in after it
    restored: tuple[str, str, str] | None = None
    before: Failure | None = None  # a rollback after a failed change: that failure
    how: dict[str, object] | None = None  # a failed change: how it was taken back
    reason: Said | None = None  # ``detail`` by id (None: journaled before ids)

    @property
    def on_purpose(self) -> bool:
        """A rollback asked for after a change that did not fail: put back, not failed."""
        return self.kind == "rolled_back" and self.before is None


@dataclass(frozen=True)
class Drill:
    """A site's latest failover drill: did the backup line carry the office."""

    site: str
    ok: bool
    at: dt.datetime
    findings: list[str]  # each check as "name (expected ..., observed ...)"
    items: tuple[Check, ...] = ()  # the same checks, by id where the run kept ids


@dataclass(frozen=True)
class ContractEnd:
    what: str  # "central" (name) or "legacy" (site id)
    name: str
    end: dt.date
    days_left: int


@dataclass(frozen=True)
class ProviderAllocation:
    name: str
    capacity_mbps: float
    demand_mbps: float
    guaranteed_mbps: float
    ceiling_mbps: float
    sites: int


@dataclass
class ReportData:
    today: dt.date
    phases: dict[str, Phase | None]  # site -> the phase its router is in (None: in none)
    by_wave: dict[int, Counter[str]] = field(default_factory=dict)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[tuple[str, StepRow]] = field(default_factory=list)  # site, its skip
    # sites whose router's phase is not their desired one: site, desired, the router's, and
    # "pending" (git is further: the next cutover), "ahead" (the router is further),
    # "failed" (behind git: its last change failed, put back), "put_back" (on purpose), "unknown"
    differs: list[tuple[str, Phase, Phase | None, str]] = field(default_factory=list)
    drills: list[Drill] = field(default_factory=list)  # latest per site
    legacy_before: int = 0
    legacy_running: int = 0
    legacy_cut: int = 0
    central: int = 0
    contracts: list[ContractEnd] = field(default_factory=list)
    warning_days: int = 90
    allocation: list[ProviderAllocation] = field(default_factory=list)
    over_time: list[tuple[dt.date, int]] = field(default_factory=list)  # day, on central
    double_budget_until: dt.date | None = None

    @property
    def total(self) -> int:
        return len(self.phases)

    @property
    def on_central(self) -> int:
        return sum(p in {Phase.CENTRAL, Phase.FINAL} for p in self.phases.values())

    @property
    def final(self) -> int:
        return sum(p is Phase.FINAL for p in self.phases.values())

    @property
    def savings(self) -> int:
        return self.legacy_cut - self.central

    @property
    def end_state(self) -> int:
        """Monthly saving once every office line is cut: all that was spent, less central."""
        return self.legacy_before - self.central


def _router_phase(journal: Journal, site: str) -> Phase | None:
    """The phase the journal last recorded the site's router in (legacy before any)."""
    record = journal.phase_record(site)
    return record.phase if record is not None else Phase.LEGACY


def report_data(loaded: LoadedInventory, journal: Journal, today: dt.date) -> ReportData:
    org = loaded.organisation
    phases = {s.id: _router_phase(journal, s.id) for s in loaded.sites}
    data = ReportData(today, phases, warning_days=org.settings.contract_warning_days)
    by_wave: dict[int, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    commands = journal.run_commands()
    for site in loaded.sites:
        now_in = phases[site.id]
        phase = now_in.value if now_in is not None else UNKNOWN
        by_wave[site.wave][phase] += 1
        by_kind[site.kind.value][phase] += 1
        cost = sum(line.monthly_cost_idr for line in site.legacy_lines)
        data.legacy_before += cost
        if now_in is Phase.FINAL:
            data.legacy_cut += cost  # the office lines are decommissioned
        else:
            data.legacy_running += cost
        failed = _site_story(journal, site.id, data, commands)
        if now_in is None:
            data.differs.append((site.id, site.desired_phase, None, UNKNOWN))
        elif now_in is not site.desired_phase:
            behind = phase_rank(now_in) < phase_rank(site.desired_phase)
            state = ("failed" if failed else "pending") if behind else "ahead"
            if failed and behind and data.failures[-1].on_purpose:
                state = "put_back"
            data.differs.append((site.id, site.desired_phase, now_in, state))
        end = site.legacy_uplink.contract_end
        if end is not None and phases[site.id] is not Phase.FINAL:
            data.contracts.append(ContractEnd("legacy", site.id, end, (end - today).days))
    for provider in org.central_providers:
        end = provider.contract.end
        data.contracts.append(ContractEnd("central", provider.name, end, (end - today).days))
    data.contracts = sorted(
        (c for c in data.contracts if c.days_left <= data.warning_days), key=lambda c: c.end
    )
    data.by_wave = dict(sorted(by_wave.items()))
    data.by_kind = dict(sorted(by_kind.items()))
    data.central = sum(p.price_per_month_idr for p in org.central_providers)
    data.allocation = _allocation(loaded)
    data.over_time = _over_time(journal, set(phases), org.timezone)
    data.drills = _drills(journal, set(phases))
    data.double_budget_until = _double_budget_until(data, org.settings.soak_days)
    return data


def _site_story(journal: Journal, site: str, data: ReportData, commands: dict[str, str]) -> bool:
    """The outcome of the site's latest change run: a failure (with its human reason; a
    rollback with the failure it followed, if any) or a skip; read-only runs (verify) are
    not changes and never count as failures. Whether it was a failure."""
    steps = [s for s in journal.steps_for(site) if commands.get(s.run_id) in CHANGE_COMMANDS]
    if not steps:
        return False
    runs = list(dict.fromkeys(s.run_id for s in steps))
    latest = [s for s in steps if s.run_id == runs[-1]]
    names = {s.step for s in latest}
    if Step.SKIPPED in names and len(names) == 1:
        data.skipped.append((site, latest[-1]))
        return False
    failure = _failure(site, latest)
    if failure is not None and failure.kind == "rolled_back" and len(runs) > 1:
        earlier = _failure(site, [s for s in steps if s.run_id == runs[-2]])
        if earlier is not None and earlier.kind != "rolled_back":
            failure = dataclasses.replace(failure, before=earlier)
    if failure is not None:
        data.failures.append(failure)
    return failure is not None


def _failure(site: str, steps: list[StepRow]) -> Failure | None:
    """What went wrong in one change run's steps of the site (None: nothing)."""
    names = {s.step for s in steps}
    if "reverted" in names:
        verified = next((s for s in reversed(steps) if s.step is Step.VERIFIED), None)
        checks = _failed_checks(verified.data) if verified else []
        items = _check_items(verified.data, failed_only=True) if verified else ()
        restored = next((s for s in steps if s.step is Step.ROLLED_BACK), None)
        identical = restored.ok if restored is not None else None
        reverted = next(s for s in steps if s.step is Step.REVERTED)
        how = reverted.data if isinstance(reverted.data, dict) else None
        return Failure(site, "reverted", checks, "", identical, items, how=how)
    if Step.FAILED in names:
        failed = next(s for s in steps if s.step is Step.FAILED)
        data = failed.data if isinstance(failed.data, dict) else {}
        kind = "refused" if data.get("outcome") == "refused" else "failed"
        reason = Said.from_dict(data.get("reason"))
        return Failure(site, kind, [], failed.detail, None, reason=reason)
    rolled = next((s for s in reversed(steps) if s.step is Step.ROLLED_BACK), None)
    if rolled is None:
        return None
    found = rolled.data if isinstance(rolled.data, dict) else {}
    backup = (
        str(found.get("backup_run", "?")),
        str(found.get("backup_taken_at", "?")),
        str(found.get("phase") or UNKNOWN),
    )
    return Failure(site, "rolled_back", [], rolled.detail, rolled.ok, restored=backup)


def _drills(journal: Journal, sites: set[str]) -> list[Drill]:
    latest = {s.site: s for s in journal.steps_of_kind(Step.DRILLED) if s.site in sites}
    return [
        Drill(
            site,
            step.ok,
            step.at,
            _checks_seen(step.data, failed_only=False),
            _check_items(step.data, failed_only=False),
        )
        for site, step in sorted(latest.items())
    ]


def _check_items(checks: Any, *, failed_only: bool) -> tuple[Check, ...]:
    """The journaled checks (a step's ``data``)."""
    if not isinstance(checks, list):
        return ()
    return tuple(
        Check.from_dict(c)
        for c in checks
        if isinstance(c, dict) and "name" in c and not (failed_only and c.get("ok"))
    )


def _checks_seen(checks: Any, *, failed_only: bool) -> list[str]:
    """Each journaled check as the report shows it (only the failed ones if asked)."""
    return [
        f"{c.name} (expected {c.expected}, observed {c.observed})"
        for c in _check_items(checks, failed_only=failed_only)
    ]


def _failed_checks(checks: Any) -> list[str]:
    """Each failed check as the report shows it: name, what was expected, what was seen.

    Examples:
        >>> _failed_checks([{"name": "ping gw", "expected": "<= 20% loss",
        ...                  "observed": "0/5 replies", "ok": False}])
        ['ping gw (expected <= 20% loss, observed 0/5 replies)']
    """
    return _checks_seen(checks, failed_only=True)


def _allocation(loaded: LoadedInventory) -> list[ProviderAllocation]:
    rows = []
    for provider in loaded.organisation.central_providers:
        mine = [a for a in loaded.allocations.values() if a.provider == provider.id]
        rows.append(
            ProviderAllocation(
                provider.name,
                provider.capacity_mbps,
                sum(a.demand_kbps for a in mine) / 1000,
                sum(a.guaranteed_kbps for a in mine) / 1000,
                sum(a.ceiling_kbps for a in mine) / 1000,
                len(mine),
            )
        )
    return rows


def _over_time(journal: Journal, sites: set[str], zone: str) -> list[tuple[dt.date, int]]:
    """Offices on central (or final) at the end of each day (on the organisation's clock)
    the journal recorded a router's phase (a confirm, a rollback or revert, a
    reconciliation)."""
    phase_of: dict[str, str] = {}
    series: dict[dt.date, int] = {}
    recorded = [row for kind in PHASE_STEPS for row in journal.steps_of_kind(kind)]
    for step in sorted(recorded, key=lambda row: row.id):
        record = phase_recorded(step)
        if step.site in sites and record is not None:
            phase_of[step.site] = record.phase.value if record.phase is not None else UNKNOWN
            day = on_clock(step.at, zone).date()
            series[day] = sum(p in {"central", "final"} for p in phase_of.values())
    return sorted(series.items())


def _double_budget_until(data: ReportData, soak_days: int) -> dt.date | None:
    """When the last office line can be cut: the remaining offices at the pace seen so far,
    plus the soak before a line is cut. None when there is no pace to go by yet."""
    left = data.total - data.final
    if left == 0:
        return data.today
    moved = [day for day, count in data.over_time if count]
    if data.on_central == data.total:
        return data.today + dt.timedelta(days=soak_days)
    if len(moved) < 2 or data.on_central == 0:
        return None
    days = max(1, (moved[-1] - moved[0]).days)
    per_day = data.on_central / days
    remaining = data.total - data.on_central
    # from the later of the report's day and the last move: never an end already past
    start = max(data.today, moved[-1])
    return start + dt.timedelta(days=round(remaining / per_day) + soak_days)


def render_html(
    loaded: LoadedInventory, data: ReportData, lang: str = "id", now: dt.datetime | None = None
) -> str:
    """The page in ``lang``, every time on the organisation's clock (WIB, WITA, WIT);
    ``now`` is when it was made (default: now)."""
    t = TEXT[lang]
    zone = loaded.organisation.timezone
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rupiah"] = rupiah
    env.filters["mbps"] = lambda v: number(v, lang)
    env.filters["day"] = lambda d: date_text(d, lang)
    peak = max(1, data.legacy_before, data.central, abs(data.savings), abs(data.end_state))
    budget = [
        ("legacy_before", data.legacy_before),
        ("legacy_running", data.legacy_running),
        ("legacy_cut", data.legacy_cut),
        ("central", data.central),
        ("savings", data.savings),
        ("end_state", data.end_state),
    ]
    if data.total - data.final == 0:
        double = t["double_none"]
    elif data.double_budget_until is None:
        double = t["double_unknown"].format(left=data.total - data.final)
    else:
        double = t["double_end"].format(month=month_name(data.double_budget_until, lang))
    return env.get_template("report.html.j2").render(
        t=t,
        lang=lang,
        org=loaded.organisation,
        data=data,
        phases=PHASES + ((UNKNOWN,) if None in data.phases.values() else ()),
        colours=COLOURS,
        budget=budget,
        peak=peak,
        double=double,
        chart=chart(data.over_time, data.total, data.today),
        generated=moment_text(now or dt.datetime.now(dt.UTC), zone, lang),
        failure_text=lambda f: _failure_text(f, t, lang, zone),
        failure_items=lambda f: _failure_items(f, lang),
        drill_text=lambda d: _drill_text(d, lang),
        drill_time=lambda d: moment_text(d.at, zone, lang),
        skip_text=lambda reason: _skip_text(reason, t, lang),
        lapsed=lambda c: t["lapsed"].format(days=-c.days_left),
        wave_name=str,
        kind_name=lambda kind: t.get(f"kind_{kind}", kind),
    )


def _failure_text(failure: Failure, t: dict[str, str], lang: str, zone: str) -> str:
    """What happened to the office, in plain words (its failed checks are listed under
    it: :func:`_failure_items`)."""
    if failure.restored is not None:
        run, taken, phase = failure.restored
        when = journal_time(taken)
        text = t["rolled_back"].format(
            when=moment_text(when, zone, lang) if when else taken,
            run=run,
            identical=t["identical"] if failure.identical else "",
            phase=t.get(f"phase_{phase}", phase),
        )
        if failure.before is not None:
            text += t["after"].format(failure=_failure_text(failure.before, t, lang, zone))
        return text
    if failure.kind == "reverted":
        return t["reverted"].format(
            identical=t["identical"] if failure.identical else "", how=_how(failure.how, t)
        )
    if failure.reason is not None:
        detail = failure.reason.text("id") if lang == "id" else str(failure.reason)
    else:  # journaled before netprov kept ids: its English, said to be untranslated
        detail = failure.detail + t["untranslated"]
    return flat_brackets(t[failure.kind].format(detail=detail[:300]))


def _failure_items(failure: Failure, lang: str) -> list[str]:
    """Each failed check of the failure (and of the one a rollback followed), a line
    each: what was checked, what was seen, what should have been."""
    items = [*(failure.before.items if failure.before else ()), *failure.items]
    return [check_line(item, lang) for item in items]


def _how(how: dict[str, object] | None, t: dict[str, str]) -> str:
    """How a failed change was taken back: its undo (no reboot), or its backup loaded
    (the office went without its router while it rebooted)."""
    if not how:
        return ""
    method = how.get("method")
    if method == RevertMethod.BACKUP_LOAD:
        seconds = how.get("reboot_seconds")
        return t["by_backup"].format(seconds=f"{seconds:.0f}" if seconds else "?")
    said = {
        RevertMethod.UNDO_SCRIPT: "by_undo",
        RevertMethod.CONFIGURE_REVERT: "by_archive",
        RevertMethod.BY_ITSELF: "by_itself",
    }
    key = next((key for value, key in said.items() if method == value), None)
    return t[key] if key else ""


def _drill_text(drill: Drill, lang: str) -> str:
    """The drill's first check, in the page's language."""
    return check_line(drill.items[0], lang) if drill.items else ""


def _skip_text(skip: StepRow, t: dict[str, str], lang: str) -> str:
    """A skip outside the maintenance window, with the site's time as the reader writes
    it (a skip journaled without it: its English, said to be untranslated)."""
    at = skip.data.get("site_time") if isinstance(skip.data, dict) else None
    if not isinstance(at, dict):
        return skip.detail + t["untranslated"]
    day = dt.date.fromisoformat(str(at["date"]))
    clock = str(at["clock"]).replace(":", ".") if lang == "id" else str(at["clock"])
    joined = " pukul " if lang == "id" else ", "
    return t["outside_window"].format(when=f"{date_text(day, lang)}{joined}{clock} {at['zone']}")
