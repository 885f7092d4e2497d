"""The managers' report from a journal written by hand: what it says, in which language
(issue 12, item 11)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from netprov.checks.results import Check
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.platforms import RevertMethod
from netprov.reports.formatting import month_name
from netprov.reports.managers import render_html, report_data
from netprov.reports.words import check_line
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from tests.conftest import SAMPLE, TODAY
from tests.said_words import (
    CheckId,
    PhraseId,
    ReasonId,
    failed,
    loss,
    replies,
    role,
    said,
    value,
)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    # two offices reach central on two days; one apply fails its checks and is put back;
    # a read-only verify fails (not a change: never a "failure"); one office was skipped
    for site, day in (("diskominfo", 1), ("dinsos", 8)):
        run = journal.start_run("cutover")
        journal.step(run, site, Step.CONFIRMED, detail="phase=central", phase=Phase.CENTRAL)
        with journal.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE steps SET at = ? WHERE run_id = ?",
                (dt.datetime(2026, 12, day, 3, tzinfo=dt.UTC).isoformat(" "), run),
            )
    run = journal.start_run("apply")
    gateway = said(CheckId.PING_GATEWAY, role=role("central"), gateway="100.72.44.1")
    session = said(CheckId.MANAGEMENT_SESSION)
    answered = said(PhraseId.ANSWERED_IN, ms="40")
    checks = [
        failed(gateway, loss(), replies("0")),
        Check.of(session, said(PhraseId.ANSWERS), answered, True).as_dict(),
    ]
    journal.step(
        run, "desa-balokang", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    journal.step(
        run,
        "desa-balokang",
        Step.REVERTED,
        detail="failed checks",
        data={"method": "undo script", "rebooted": False, "reboot_seconds": None},
    )
    journal.step(run, "desa-balokang", Step.ROLLED_BACK, detail="identical")
    run = journal.start_run("apply")  # the undo left a difference: the backup loaded
    journal.step(
        run, "kec-sukamaju", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    journal.step(
        run,
        "kec-sukamaju",
        Step.REVERTED,
        detail="failed checks",
        data={"method": "backup load", "rebooted": True, "reboot_seconds": 41.2},
    )
    journal.step(run, "kec-sukamaju", Step.ROLLED_BACK, detail="identical")
    verify = journal.start_run("verify")
    journal.step(verify, "setda", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks)
    cutover = journal.start_run("cutover")
    journal.step(
        cutover,
        "pkm-cibeureum",
        Step.SKIPPED,
        detail="outside its maintenance window (site time 2026-12-08 14:00 WIB)",
        data={"site_time": {"date": "2026-12-08", "clock": "14:00", "zone": "WIB"}},
    )
    return journal


def test_figures(journal: Journal) -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    data = report_data(loaded, journal, dt.date(2027, 5, 1))
    assert (data.on_central, data.total, data.final) == (2, 82, 0)
    assert data.end_state == data.legacy_before - data.central
    # not the verify of setda
    assert sorted(f.site for f in data.failures) == ["desa-balokang", "kec-sukamaju"]
    assert data.failures[0].checks == [
        "ping central gateway 100.72.44.1 (expected <= 20% loss, observed 0/5 replies)"
    ]
    assert data.failures[0].identical is True
    assert [site for site, _ in data.skipped] == ["pkm-cibeureum"]
    assert data.over_time == [(dt.date(2026, 12, 1), 1), (dt.date(2026, 12, 8), 2)]
    # 2 offices in 7 days: 80 left at that pace, then the 14-day soak
    assert data.double_budget_until == dt.date(2027, 5, 1) + dt.timedelta(days=280 + 14)
    # legacy lines ending by 2027-06-30 are within 90 days of 2027-05-01
    assert data.contracts
    assert all(c.days_left <= 90 for c in data.contracts)
    assert {a.name for a in data.allocation} == {
        p.name for p in loaded.organisation.central_providers
    }
    assert sum(a.guaranteed_mbps for a in data.allocation) > 0
    assert all(a.ceiling_mbps >= a.guaranteed_mbps for a in data.allocation)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_page(journal: Journal, lang: str) -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    page = render_html(loaded, report_data(loaded, journal, dt.date(2027, 5, 1)), lang)
    text = re.sub(r"<[^>]+>", " ", page)
    if lang == "id":
        assert "2 dari 82 kantor sudah memakai penyedia pusat" in text
        assert "dikembalikan ke konfigurasi sebelumnya, terbukti identik" in text
        assert "terbukti identik, dengan perintah pembatalannya, tanpa reboot" in text
        assert "router di-reboot (41 detik tanpa router)" in text
        assert "di luar jam pemeliharaan (waktu lokasi 8 Desember 2026 pukul 14.00 WIB)" in text
        assert "Anggaran ganda (ISP kantor + pusat) sampai sekitar Februari 2028" in text
        for english in ("reverted", "failed", "other", "Office", "checks"):
            assert english not in text, english
    else:
        assert "2 of 82 offices on the central provider" in text
        assert "verified identical, by its undo, without a reboot" in text
        assert "by loading its backup: the router rebooted (41 s without it)" in text
        assert "Paying twice (office ISP + central) until about February 2028" in text
    assert 'id="over-time"' in page
    assert 'data-total="allocation"' in page
    assert "Burst ceiling" in text or "Batas atas" in text
    assert "setda" not in page.split('id="failures"')[1].split("</table>")[0]


def test_month_names() -> None:
    assert month_name(dt.date(2028, 2, 19), "id") == "Februari 2028"


def test_a_single_day_is_drawn() -> None:
    """Issue 22 (6): one run, one day: the step line had no length and sat on the axis."""
    from netprov.reports.chart import chart as draw

    chart = draw([(dt.date(2026, 12, 2), 4)], 82, dt.date(2026, 12, 2))
    assert chart["dots"] == [(290.0, 134.1, "2026-12-02: 4")]  # mid-chart
    held = draw([(dt.date(2026, 12, 2), 4)], 82, dt.date(2026, 12, 9))
    points = str(held["points"]).split()
    assert points[-1].startswith("540.0,")  # held until today, across the chart


def test_the_indonesian_page_says_netprovs_own_words_in_indonesian(journal: Journal) -> None:
    """Issue 22 (6): failure reasons and check names were English on the `id` page."""
    run = journal.start_run("apply")
    cannot = said(PhraseId.CANNOT_CONNECT, site="x", error="timeout")
    refused = said(PhraseId.REFUSED_BECAUSE, error=cannot)
    checks = [
        failed(
            said(CheckId.SERVICE, service="e-Government portal", address="10.250.1.10"),
            loss(),
            replies("0"),
        ),
        failed(
            said(CheckId.PATH_MTU, role=role("central"), size="1500", probe="199.7.83.42"),
            loss(),
            replies("0"),
        ),
        failed(said(CheckId.NEW_MANAGEMENT_SESSION), said(PhraseId.OPENS_AND_ANSWERS), refused),
    ]
    journal.step(
        run, "kel-hegarsari", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    journal.step(run, "kel-hegarsari", Step.REVERTED, detail="failed checks")
    journal.step(run, "kel-hegarsari", Step.ROLLED_BACK, detail="identical")
    refusal = journal.start_run("apply")
    rule = said(PhraseId.RULE, rule='"defconf: drop all not coming from LAN"')
    reason = said(
        ReasonId.LOCKOUT_NEW_SESSIONS,
        target="10.250.10.1",
        done=said(PhraseId.DROPPED),
        rule=rule,
        step=said(PhraseId.END_OF_PLAN),
    )
    assert str(reason) == (
        'new management sessions from 10.250.10.1 would be dropped by rule "defconf: '
        'drop all not coming from LAN", at: the end of the plan'
    )
    journal.step(
        refusal,
        "setda",
        Step.FAILED,
        ok=False,
        detail=str(reason),
        data={"outcome": "refused", "reason": reason.as_dict()},
    )
    loaded = load_inventory(SAMPLE, today=TODAY)
    page = render_html(loaded, report_data(loaded, journal, dt.date(2027, 5, 1)), "id")
    failures = html.unescape(
        re.sub(r"<[^>]+>", " ", page.split('id="failures"')[1].split("</table>")[0])
    )
    assert (
        "layanan e-Government portal (10.250.1.10) dari LAN: 0 dari 5 ping dibalas; "
        "seharusnya paling banyak 20% ping hilang" in failures
    )
    assert "paket besar lewat jalur pusat (ping 1500 byte ke 199.7.83.42)" in failures
    assert "sesi manajemen baru: ditolak (x: tidak bisa terhubung: timeout); seharusnya" in failures
    assert "sesi manajemen baru dari 10.250.10.1 akan ditolak oleh aturan" in failures
    ours = re.sub(r'"[^"]*"', "", failures)  # a rule's comment is the router's own words
    for english in ("expected", "observed", "from LAN", "replies", "loss", " via ", "would be"):
        assert english not in ours, english
    # the words stay the router's and the inventory's own
    dns = said(CheckId.DNS_RESOLVES, name="google.com")
    unanswered = Check.of(dns, said(PhraseId.AN_ADDRESS), said(PhraseId.NO_ANSWER), False)
    assert check_line(unanswered, "id") == (
        "DNS menjawab google.com: tidak ada jawaban; seharusnya sebuah alamat"
    )
    closed = value("x: Socket is closed")
    interrupted = said(ReasonId.PUSH_INTERRUPTED, error=closed, minutes="3")
    assert interrupted.text("id").startswith("pengiriman terputus (x: Socket is closed)")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_desired_in_git_beside_the_confirmed_phase(journal: Journal, lang: str) -> None:
    """Issue 23: the report shows where git wants each office beside where it is."""
    from netprov.models import Phase

    loaded = load_inventory(SAMPLE, today=TODAY)
    index = next(i for i, s in enumerate(loaded.sites) if s.id == "setda")
    loaded.sites[index] = loaded.sites[index].model_copy(update={"desired_phase": Phase.DUAL})
    page = render_html(loaded, report_data(loaded, journal, dt.date(2027, 5, 1)), lang)
    table = page.split('id="differs"')[1].split("</table>")[0]
    rows = re.findall(r'data-site="([^"]+)".*?data-state="(\w+)"', table)
    # two offices confirmed on central that git still calls legacy; one promoted, not moved
    assert sorted(rows) == [("dinsos", "ahead"), ("diskominfo", "ahead"), ("setda", "pending")]
    text = re.sub(r"<[^>]+>", " ", table)
    if lang == "id":
        assert "menunggu cutover" in text
        assert "catat dengan netprov promote" in text
    else:
        assert "waiting for its cutover" in text


# how each revert method reads on the page (en, id): a failed change names the way it was
# taken back, whichever it was (netprov.platforms.RevertMethod)
SAID = {
    RevertMethod.UNDO_SCRIPT: (
        "by its undo, without a reboot",
        "dengan perintah pembatalannya, tanpa reboot",
    ),
    RevertMethod.BACKUP_LOAD: (
        "by loading its backup: the router rebooted (41 s without it)",
        "dengan memuat cadangannya: router di-reboot (41 detik tanpa router)",
    ),
    RevertMethod.CONFIGURE_REVERT: (
        "by its configuration archive (configure revert), without a reboot",
        "dengan arsip konfigurasinya (configure revert), tanpa reboot",
    ),
    RevertMethod.BY_ITSELF: (
        "by the router itself at its deadline (netprov could not reach it)",
        "oleh router itu sendiri pada batas waktunya (netprov tidak dapat menjangkaunya)",
    ),
}


@pytest.mark.parametrize("method", list(RevertMethod), ids=lambda m: m.name)
def test_the_page_names_how_a_failed_change_was_taken_back(
    tmp_path: Path, method: RevertMethod
) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("apply")
    checks = [{"name": "default route via central", "expected": "central", "ok": False}]
    journal.step(
        run, "desa-balokang", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    rebooted = method is RevertMethod.BACKUP_LOAD
    data = {
        "method": method.value,
        "rebooted": rebooted,
        "reboot_seconds": 41.2 if rebooted else None,
    }
    journal.step(run, "desa-balokang", Step.REVERTED, detail="failed checks", data=data)
    loaded = load_inventory(SAMPLE, today=TODAY)
    for lang, shown in zip(("en", "id"), SAID[method], strict=True):
        page = render_html(loaded, report_data(loaded, journal, dt.date(2027, 5, 1)), lang)
        text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        assert shown in text, (lang, method)


def test_docs_json_names_every_revert_method() -> None:
    """The ``method`` of a reversal is one word of the vocabulary, each documented."""
    docs = (SAMPLE.parent / "docs" / "json.md").read_text(encoding="utf-8")
    (row,) = [line for line in docs.splitlines() if line.startswith("| `method` |")]
    assert [m for m in RevertMethod if f"`{m.value}`" not in row] == []
