"""The managers' report: progress, failures, allocation, contracts and money, in one HTML
file (inline SVG charts, no scripts, nothing fetched), in Bahasa Indonesia or English.

:func:`report_data` computes every figure (pure, tested); :func:`render_html` lays them out.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from netprov.errors import Problem
from netprov.inventory import LoadedInventory
from netprov.journal import Journal
from netprov.models import Phase

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Central internet cutover",
        "progress": "Progress by wave",
        "kinds": "Progress by site kind",
        "failures": "Failures",
        "none": "No failures.",
        "allocation": "Bandwidth allocation",
        "contracts": "Contract warnings",
        "budget": "Budget (per month)",
        "site": "Site",
        "reason": "Reason",
        "step": "Step",
        "legacy_before": "Office ISP spend before centralisation",
        "legacy_running": "Office ISP spend still running",
        "legacy_cut": "Office ISP spend already cut",
        "central": "Central provider spend",
        "savings": "Net monthly savings",
        "wave": "Wave",
        "kind": "Kind",
        "sites": "sites",
        "provider": "Provider",
        "guaranteed": "Guaranteed (Mbps)",
        "demand": "Demand (Mbps)",
        "generated": "Generated",
        "phase": "Phase",
    },
    "id": {
        "title": "Migrasi internet terpusat",
        "progress": "Kemajuan per gelombang",
        "kinds": "Kemajuan per jenis lokasi",
        "failures": "Kegagalan",
        "none": "Tidak ada kegagalan.",
        "allocation": "Alokasi bandwidth",
        "contracts": "Peringatan kontrak",
        "budget": "Anggaran (per bulan)",
        "site": "Lokasi",
        "reason": "Penyebab",
        "step": "Langkah",
        "legacy_before": "Biaya ISP kantor sebelum sentralisasi",
        "legacy_running": "Biaya ISP kantor yang masih berjalan",
        "legacy_cut": "Biaya ISP kantor yang sudah dihentikan",
        "central": "Biaya penyedia terpusat",
        "savings": "Penghematan bersih per bulan",
        "wave": "Gelombang",
        "kind": "Jenis",
        "sites": "lokasi",
        "provider": "Penyedia",
        "guaranteed": "Jaminan (Mbps)",
        "demand": "Kebutuhan (Mbps)",
        "generated": "Dibuat",
        "phase": "Fase",
    },
}


def rupiah(amount: int) -> str:
    """Examples:
    >>> rupiah(110000000)
    'Rp 110.000.000'
    >>> rupiah(-2500)
    '-Rp 2.500'
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


@dataclass
class ReportData:
    phases: dict[str, Phase]  # site -> confirmed phase
    by_wave: dict[int, Counter[str]] = field(default_factory=dict)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # site, step, reason
    legacy_before: int = 0
    legacy_running: int = 0
    legacy_cut: int = 0
    central: int = 0
    contracts: list[Problem] = field(default_factory=list)

    @property
    def savings(self) -> int:
        return self.legacy_cut - self.central


def report_data(loaded: LoadedInventory, journal: Journal) -> ReportData:
    phases = {s.id: Phase(journal.confirmed_phase(s.id) or "legacy") for s in loaded.sites}
    data = ReportData(phases)
    by_wave: dict[int, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
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
        failure = _latest_failure(journal, site.id)
        if failure is not None:
            data.failures.append((site.id, *failure))
    data.by_wave = dict(sorted(by_wave.items()))
    data.by_kind = dict(sorted(by_kind.items()))
    data.central = sum(p.price_per_month_idr for p in loaded.organisation.central_providers)
    data.contracts = [p for p in loaded.warnings if "contract" in p.message]
    return data


def _latest_failure(journal: Journal, site: str) -> tuple[str, str] | None:
    """(step, reason) when the site's latest run ended in a failure or a revert."""
    steps = journal.steps_for(site)
    if not steps:
        return None
    latest = [s for s in steps if s.run_id == steps[-1].run_id]
    if not any(s.step in {"reverted", "failed"} or not s.ok for s in latest):
        return None
    cause = next((s for s in latest if s.step in {"reverted", "failed"}), None) or next(
        s for s in latest if not s.ok
    )
    return cause.step, cause.detail


_COLOURS = {"legacy": "#9e9e9e", "dual": "#f5a623", "central": "#2e7d32", "final": "#1565c0"}


def _bar(counts: Counter[str], total: int, width: int = 360) -> str:
    x = 0.0
    parts = []
    for phase in ("final", "central", "dual", "legacy"):
        if counts.get(phase):
            w = width * counts[phase] / total
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="16" fill="{_COLOURS[phase]}">'
                f"<title>{phase}: {counts[phase]}</title></rect>"
            )
            x += w
    return f'<svg width="{width}" height="16" role="img">{"".join(parts)}</svg>'


def render_html(loaded: LoadedInventory, data: ReportData, lang: str = "id") -> str:
    t = TEXT[lang]
    esc = html.escape

    def rows(groups: dict[int, Counter[str]] | dict[str, Counter[str]], label: str) -> str:
        out = [
            f"<tr><th>{label}</th><th>{t['sites']}</th><th></th>"
            + "".join(f"<th>{p}</th>" for p in _COLOURS)
            + "</tr>"
        ]
        for key, counts in groups.items():
            total = sum(counts.values())
            out.append(
                f'<tr data-group="{esc(str(key))}"><td>{esc(str(key))}</td><td>{total}</td>'
                f"<td>{_bar(counts, total)}</td>"
                + "".join(
                    f'<td class="n" data-phase="{p}">{counts.get(p, 0)}</td>' for p in _COLOURS
                )
                + "</tr>"
            )
        return "<table>" + "".join(out) + "</table>"

    failures = "".join(
        f"<tr><td>{esc(s)}</td><td>{esc(step)}</td><td>{esc(reason[:300])}</td></tr>"
        for s, step, reason in data.failures
    )
    allocation = "".join(
        f"<tr><td>{esc(a.site_id)}</td><td>{esc(a.provider)}</td><td class='n'>{a.demand_kbps / 1000:g}</td>"
        f"<td class='n'>{a.guaranteed_kbps / 1000:.2f}</td></tr>"
        for a in loaded.allocations.values()
    )
    contracts = "".join(f"<li>{esc(p.location())}: {esc(p.message)}</li>" for p in data.contracts)
    budget = [
        ("legacy_before", data.legacy_before),
        ("legacy_running", data.legacy_running),
        ("legacy_cut", data.legacy_cut),
        ("central", data.central),
        ("savings", data.savings),
    ]
    peak = max(1, *(abs(v) for _, v in budget))
    budget_rows = "".join(
        f'<tr data-figure="{key}"><td>{t[key]}</td><td class="n">{rupiah(value)}</td>'
        f'<td><svg width="300" height="14"><rect width="{300 * abs(value) / peak:.1f}" height="14" '
        f'fill="{"#c62828" if value < 0 else "#2e7d32"}"/></svg></td></tr>'
        for key, value in budget
    )
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(t["title"])} - {esc(loaded.organisation.name)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}} table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}
td,th{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}} td.n{{text-align:right}}
h1{{margin-bottom:.2rem}} .legend span{{display:inline-block;margin-right:1rem}}
</style></head><body>
<h1>{esc(t["title"])}</h1><p>{esc(loaded.organisation.name)} &middot; {t["generated"]} {generated}</p>
<p class="legend">{"".join(f'<span><svg width="12" height="12"><rect width="12" height="12" fill="{c}"/></svg> {p}</span>' for p, c in _COLOURS.items())}</p>
<h2>{t["budget"]}</h2><table id="budget">{budget_rows}</table>
<h2>{t["progress"]}</h2>{rows(data.by_wave, t["wave"])}
<h2>{t["kinds"]}</h2>{rows(data.by_kind, t["kind"])}
<h2>{t["failures"]}</h2>{f'<table id="failures"><tr><th>{t["site"]}</th><th>{t["step"]}</th><th>{t["reason"]}</th></tr>{failures}</table>' if failures else f"<p>{t['none']}</p>"}
<h2>{t["contracts"]}</h2><ul>{contracts or "<li>-</li>"}</ul>
<h2>{t["allocation"]}</h2><table><tr><th>{t["site"]}</th><th>{t["provider"]}</th><th>{t["demand"]}</th><th>{t["guaranteed"]}</th></tr>{allocation}</table>
</body></html>
"""
