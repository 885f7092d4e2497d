"""The managers' report: where the city stands, what it costs now and once done, what
failed and why, contracts, allocation, in one HTML file (inline SVG, no scripts, nothing
fetched), fully in Bahasa Indonesia (``id``) or English (``en``).

:func:`report_data` computes every figure from the inventory and the journal (pure apart
from reading the journal, tested); the page is ``report_templates/report.html.j2``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from netprov import report_id
from netprov.drift import phase_rank
from netprov.inventory import LoadedInventory
from netprov.journal import Journal
from netprov.models import Phase

PHASES = ("legacy", "dual", "central", "final")
COLOURS = {"legacy": "#9e9e9e", "dual": "#f5a623", "central": "#2e7d32", "final": "#1565c0"}
CHANGE_COMMANDS = {"apply", "cutover", "finalize", "rollback"}  # not the read-only verify

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Central internet cutover",
        "headline": "{done} of {total} offices on the central provider",
        "headline_sub": "{final} of them already without their own ISP line",
        "short_legacy": "not started",
        "short_dual": "trial",
        "short_central": "on central",
        "short_final": "done",
        "phase_legacy": "own ISP only (not started)",
        "phase_dual": "own ISP + central link (trial)",
        "phase_central": "central link, own ISP as backup",
        "phase_final": "central link only, own ISP cut",
        "over_time": "Offices on the central provider over time",
        "progress": "Progress by wave",
        "kinds": "Progress by office type",
        "failures": "Offices that failed and were put back",
        "none": "No failures.",
        "skipped": "Offices skipped (outside their maintenance window)",
        "git_vs_router": "Desired (inventory in git) against confirmed (journal)",
        "desired": "desired",
        "confirmed": "confirmed",
        "state_pending": "promoted in git, waiting for its cutover",
        "state_ahead": "further than git says: record it with netprov promote",
        "all_agree": "Every office is where the inventory says.",
        "none_skipped": "No office was skipped.",
        "drills": "Failover drills (primary line taken down on purpose)",
        "none_drilled": "No failover drill yet.",
        "drill_ok": "the backup line carried the office",
        "drill_failed": "the backup line did NOT carry the office",
        "when": "When",
        "allocation": "Bandwidth allocation per provider",
        "contracts": "Contracts ending within {days} days",
        "none_contracts": "No contract ends within {days} days.",
        "budget": "Budget (per month)",
        "office": "Office",
        "what": "What happened",
        "legacy_before": "Office ISP spend before centralisation",
        "legacy_running": "Office ISP spend still running",
        "legacy_cut": "Office ISP spend already cut",
        "central": "Central provider spend",
        "savings": "Net saving today",
        "end_state": "Net saving once every office ISP line is cut",
        "double_end": "Paying twice (office ISP + central) until about {month}",
        "double_unknown": "Paying twice until the remaining {left} office(s) move (no pace yet)",
        "double_none": "No office ISP line left to pay for.",
        "wave": "Wave",
        "kind": "Office type",
        "offices": "offices",
        "provider": "Provider",
        "capacity": "Capacity (Mbps)",
        "demand": "Demand (Mbps)",
        "guaranteed": "Guaranteed (Mbps)",
        "ceiling": "Burst ceiling (Mbps)",
        "total": "Total",
        "contract": "Contract",
        "ends": "Ends",
        "days_left": "Days left",
        "lapsed": "lapsed",
        "generated": "Generated",
        "reverted": "checks failed after the change ({checks}); the router was put back on "
        "its previous configuration{identical}",
        "identical": " (verified identical)",
        "failed": "the change could not be made: {detail}",
        "refused": "refused before anything was sent: {detail}",
        "outside_window": "outside its maintenance window (site time {when})",
        "kind_opd": "Agency (OPD)",
        "kind_kecamatan": "District office",
        "kind_kelurahan": "Urban village office",
        "kind_desa": "Village office",
        "kind_puskesmas": "Health centre",
        "kind_mpp": "Public service mall",
        "kind_hotspot": "Public hotspot",
        "kind_other": "Other",
        "legacy_line": "office ISP line of {site}",
        "central_contract": "central contract {name}",
    },
    "id": {
        "title": "Migrasi internet terpusat",
        "headline": "{done} dari {total} kantor sudah memakai penyedia pusat",
        "headline_sub": "{final} di antaranya sudah tanpa ISP sendiri",
        "short_legacy": "belum",
        "short_dual": "uji coba",
        "short_central": "pusat",
        "short_final": "selesai",
        "phase_legacy": "hanya ISP sendiri (belum mulai)",
        "phase_dual": "ISP sendiri + jalur pusat (uji coba)",
        "phase_central": "jalur pusat, ISP sendiri sebagai cadangan",
        "phase_final": "hanya jalur pusat, ISP sendiri diputus",
        "over_time": "Kantor yang memakai penyedia pusat dari waktu ke waktu",
        "progress": "Kemajuan per gelombang",
        "kinds": "Kemajuan per jenis kantor",
        "failures": "Kantor yang gagal dan dikembalikan",
        "none": "Tidak ada kegagalan.",
        "skipped": "Kantor yang dilewati (di luar jam pemeliharaan)",
        "git_vs_router": "Target (inventaris di git) dibanding terkonfirmasi (jurnal)",
        "desired": "target",
        "confirmed": "terkonfirmasi",
        "state_pending": "sudah dinaikkan di git, menunggu cutover",
        "state_ahead": "lebih jauh dari git: catat dengan netprov promote",
        "all_agree": "Semua kantor sudah sesuai inventaris.",
        "none_skipped": "Tidak ada kantor yang dilewati.",
        "drills": "Uji pindah jalur (jalur utama sengaja diputus)",
        "none_drilled": "Belum ada uji pindah jalur.",
        "drill_ok": "jalur cadangan menjalankan kantor",
        "drill_failed": "jalur cadangan TIDAK menjalankan kantor",
        "when": "Waktu",
        "allocation": "Alokasi bandwidth per penyedia",
        "contracts": "Kontrak yang berakhir dalam {days} hari",
        "none_contracts": "Tidak ada kontrak yang berakhir dalam {days} hari.",
        "budget": "Anggaran (per bulan)",
        "office": "Kantor",
        "what": "Yang terjadi",
        "legacy_before": "Biaya ISP kantor sebelum sentralisasi",
        "legacy_running": "Biaya ISP kantor yang masih berjalan",
        "legacy_cut": "Biaya ISP kantor yang sudah dihentikan",
        "central": "Biaya penyedia pusat",
        "savings": "Penghematan bersih saat ini",
        "end_state": "Penghematan bersih setelah semua ISP kantor diputus",
        "double_end": "Anggaran ganda (ISP kantor + pusat) sampai sekitar {month}",
        "double_unknown": "Anggaran ganda sampai {left} kantor sisanya pindah (laju belum ada)",
        "double_none": "Tidak ada lagi ISP kantor yang dibayar.",
        "wave": "Gelombang",
        "kind": "Jenis kantor",
        "offices": "kantor",
        "provider": "Penyedia",
        "capacity": "Kapasitas (Mbps)",
        "demand": "Kebutuhan (Mbps)",
        "guaranteed": "Jaminan (Mbps)",
        "ceiling": "Batas atas (Mbps)",
        "total": "Jumlah",
        "contract": "Kontrak",
        "ends": "Berakhir",
        "days_left": "Sisa hari",
        "lapsed": "sudah habis",
        "generated": "Dibuat",
        "reverted": "pemeriksaan gagal setelah perubahan ({checks}); router dikembalikan ke "
        "konfigurasi sebelumnya{identical}",
        "identical": " (terbukti identik)",
        "failed": "perubahan tidak dapat dilakukan: {detail}",
        "refused": "ditolak sebelum ada yang dikirim: {detail}",
        "outside_window": "di luar jam pemeliharaan (waktu lokasi {when})",
        "kind_opd": "Perangkat daerah (OPD)",
        "kind_kecamatan": "Kantor kecamatan",
        "kind_kelurahan": "Kantor kelurahan",
        "kind_desa": "Kantor desa",
        "kind_puskesmas": "Puskesmas",
        "kind_mpp": "Mal pelayanan publik",
        "kind_hotspot": "Hotspot publik",
        "kind_other": "Lainnya",
        "legacy_line": "ISP kantor {site}",
        "central_contract": "kontrak pusat {name}",
    },
}
_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def rupiah(amount: int) -> str:
    """Examples:
    >>> rupiah(110000000)
    'Rp 110.000.000'
    >>> rupiah(-2500)
    '-Rp 2.500'
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def month_name(day: dt.date, lang: str) -> str:
    """Examples:
    >>> month_name(dt.date(2027, 3, 9), "id"), month_name(dt.date(2027, 3, 9), "en")
    ('Maret 2027', 'March 2027')
    """
    return f"{_MONTHS_ID[day.month - 1]} {day.year}" if lang == "id" else day.strftime("%B %Y")


@dataclass(frozen=True)
class Failure:
    site: str
    kind: str  # reverted | failed | refused
    checks: list[str]
    detail: str
    identical: bool | None
    # each failed check as journaled: (name, expected, observed), for other languages
    items: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Drill:
    """A site's latest failover drill: did the backup line carry the office."""

    site: str
    ok: bool
    at: dt.datetime
    findings: list[str]  # each check as "name (expected ..., observed ...)"
    items: tuple[tuple[str, str, str], ...] = ()  # the same as (name, expected, observed)


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
    phases: dict[str, Phase]  # site -> confirmed phase
    by_wave: dict[int, Counter[str]] = field(default_factory=dict)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # site, reason
    # sites whose confirmed phase is not their desired one: site, desired, confirmed, and
    # "pending" (git is further: the next cutover) or "ahead" (the router is further)
    differs: list[tuple[str, Phase, Phase, str]] = field(default_factory=list)
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


def report_data(loaded: LoadedInventory, journal: Journal, today: dt.date) -> ReportData:
    org = loaded.organisation
    phases = {s.id: Phase(journal.confirmed_phase(s.id) or "legacy") for s in loaded.sites}
    data = ReportData(today, phases, warning_days=org.settings.contract_warning_days)
    by_wave: dict[int, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    commands = journal.run_commands()
    for site in loaded.sites:
        phase = phases[site.id].value
        by_wave[site.wave][phase] += 1
        by_kind[site.kind.value][phase] += 1
        cost = site.legacy_uplink.monthly_cost_idr
        data.legacy_before += cost
        if phases[site.id] is Phase.FINAL:
            data.legacy_cut += cost  # the office line is decommissioned
        else:
            data.legacy_running += cost
        _site_story(journal, site.id, data, commands)
        if phases[site.id] is not site.desired_phase:
            behind = phase_rank(phases[site.id]) < phase_rank(site.desired_phase)
            state = "pending" if behind else "ahead"
            data.differs.append((site.id, site.desired_phase, phases[site.id], state))
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
    data.over_time = _over_time(journal, set(phases))
    data.drills = _drills(journal, set(phases))
    data.double_budget_until = _double_budget_until(data, org.settings.soak_days)
    return data


def _site_story(journal: Journal, site: str, data: ReportData, commands: dict[str, str]) -> None:
    """The outcome of the site's latest change run: a failure (with its human reason) or a
    skip; read-only runs (verify) are not changes and never count as failures."""
    steps = [s for s in journal.steps_for(site) if commands.get(s.run_id) in CHANGE_COMMANDS]
    if not steps:
        return
    latest = [s for s in steps if s.run_id == steps[-1].run_id]
    names = {s.step for s in latest}
    if "skipped" in names and len(names) == 1:
        data.skipped.append((site, latest[-1].detail))
        return
    if "reverted" in names:
        verified = next((s for s in reversed(latest) if s.step == "verified"), None)
        checks = _failed_checks(verified.data) if verified else []
        items = _check_items(verified.data, failed_only=True) if verified else ()
        restored = next((s for s in latest if s.step == "rolled_back"), None)
        identical = restored.ok if restored is not None else None
        data.failures.append(Failure(site, "reverted", checks, "", identical, items))
    elif "failed" in names:
        failed = next(s for s in latest if s.step == "failed")
        kind = "refused" if (failed.data or {}).get("outcome") == "refused" else "failed"
        data.failures.append(Failure(site, kind, [], failed.detail, None))


def _drills(journal: Journal, sites: set[str]) -> list[Drill]:
    latest = {s.site: s for s in journal.steps_of_kind("drilled") if s.site in sites}
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


def _check_items(checks: Any, *, failed_only: bool) -> tuple[tuple[str, str, str], ...]:
    """The journaled checks (a step's ``data``) as (name, expected, observed)."""
    if not isinstance(checks, list):
        return ()
    return tuple(
        (str(c["name"]), str(c.get("expected", "?")), str(c.get("observed", "?")))
        for c in checks
        if isinstance(c, dict) and "name" in c and not (failed_only and c.get("ok"))
    )


def _checks_seen(checks: Any, *, failed_only: bool) -> list[str]:
    """Each journaled check as the report shows it (only the failed ones if asked)."""
    return [
        f"{name} (expected {expected}, observed {observed})"
        for name, expected, observed in _check_items(checks, failed_only=failed_only)
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


def _over_time(journal: Journal, sites: set[str]) -> list[tuple[dt.date, int]]:
    """Offices on central (or final) at the end of each day a change was confirmed."""
    phase_of: dict[str, str] = {}
    series: dict[dt.date, int] = {}
    for step in journal.steps_of_kind("confirmed"):
        if step.site in sites and step.phase is not None:
            phase_of[step.site] = step.phase.value
            series[step.at.date()] = sum(p in {"central", "final"} for p in phase_of.values())
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
    return data.today + dt.timedelta(days=round(remaining / per_day) + soak_days)


def render_html(loaded: LoadedInventory, data: ReportData, lang: str = "id") -> str:
    t = TEXT[lang]
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "report_templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rupiah"] = rupiah
    env.filters["mbps"] = lambda v: f"{v:,.1f}".replace(",", " ")
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
        phases=PHASES,
        colours=COLOURS,
        budget=budget,
        peak=peak,
        double=double,
        chart=_chart(data.over_time, data.total, data.today),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        failure_text=lambda f: _failure_text(f, t, lang),
        drill_text=lambda d: _drill_text(d, lang),
        skip_text=lambda reason: _skip_text(reason, t),
        wave_name=str,
        kind_name=lambda kind: t.get(f"kind_{kind}", kind),
    )


def _failure_text(failure: Failure, t: dict[str, str], lang: str) -> str:
    if failure.kind == "reverted":
        checks = (
            [report_id.check_line(*item) for item in failure.items]
            if lang == "id"
            else failure.checks
        )
        return t["reverted"].format(
            checks=", ".join(checks) or "-",
            identical=t["identical"] if failure.identical else "",
        )
    detail = report_id.reason(failure.detail) if lang == "id" else failure.detail
    return t[failure.kind].format(detail=detail[:300])


def _drill_text(drill: Drill, lang: str) -> str:
    """The drill's first check, in the page's language."""
    if not drill.items:
        return ""
    if lang == "id":
        return report_id.check_line(*drill.items[0])
    return drill.findings[0]


def _skip_text(reason: str, t: dict[str, str]) -> str:
    match = re.search(r"site time ([^)]+)\)", reason)
    return t["outside_window"].format(when=match[1]) if match else reason


def _chart(
    series: list[tuple[dt.date, int]], total: int, today: dt.date | None = None
) -> dict[str, object]:
    """A step line of offices on central per day, held until ``today``, scaled to a
    560 x 160 SVG, with a dot on each day a count changed (one day alone is a dot, not a
    line of no length on the axis)."""
    width, height = 560, 160
    if not series:
        return {"points": "", "width": width, "height": height, "labels": [], "dots": []}
    first = series[0][0]
    last = max(series[-1][0], today or series[-1][0])
    days = (last - first).days

    def x_of(day: dt.date) -> float:
        if not days:
            return 40 + (width - 60) / 2  # a single day sits mid-chart
        return 40 + (width - 60) * (day - first).days / days

    def y_of(count: int) -> float:
        return height - 20 - (height - 40) * count / max(1, total)

    points: list[str] = []
    dots: list[tuple[float, float, str]] = []
    previous = 0
    for day, count in series:
        x = x_of(day)
        points += [f"{x:.1f},{y_of(previous):.1f}", f"{x:.1f},{y_of(count):.1f}"]
        dots.append((round(x, 1), round(y_of(count), 1), f"{day.isoformat()}: {count}"))
        previous = count
    if days and last > series[-1][0]:
        points.append(f"{x_of(last):.1f},{y_of(previous):.1f}")  # held until today
    labels = [(round(x_of(first), 1), first.isoformat())]
    if days:
        labels.append((width - 20, last.isoformat()))
    return {
        "points": " ".join(points),
        "width": width,
        "height": height,
        "labels": labels,
        "dots": dots,
    }
