"""The managers' report as a head of office reads it, without an engineer (issue 39,
item 6): times on the organisation's clock (WIB, WITA, WIT), the hour written as
Indonesian writes it; rupiah as ``Rp182.440.000`` and figures with Indonesian separators;
no "(laju belum ada)"; no expected end already past; failure reasons in plain words,
never brackets inside brackets."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase
from netprov.reports.managers import render_html, report_data
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from tests.conftest import SAMPLE, TODAY
from tests.said_words import (
    CheckId,
    PhraseId,
    ReasonId,
    but,
    failed,
    joined,
    leaves,
    loss,
    replies,
    role,
    said,
    value,
)

MADE = dt.datetime(2026, 12, 7, 0, 40, tzinfo=dt.UTC)  # 07.40 in Jakarta
# the sample city's canary whose central hand-off is on the wrong VLAN (make demo)
VIA = "vlan1144-central"
CANARY_CHECKS = [
    failed(
        said(CheckId.INTERNET_PROBE_VIA, probe="199.7.83.42", role=role("central")),
        loss(via=VIA),
        but(replies("5"), leaves("ether1", "172.30.0.1")),
    ),
    failed(
        said(CheckId.SERVICE, service="e-Government portal", address="10.250.1.10"),
        loss(via=VIA),
        but(replies("0"), leaves("ether1", "172.30.0.1")),
    ),
    failed(
        said(CheckId.SHAPING, role=role("central")),
        said(PhraseId.CEILING_ON, kbps="16000", interface=VIA),
        joined(
            [said(PhraseId.CEILING, kbps="16000"), leaves("ether1", "172.30.0.1", traffic=True)],
            value(""),
        ),
    ),
]

CANNOT = said(PhraseId.CANNOT_CONNECT, site="x", error="timeout")
INTERRUPTED = said(ReasonId.PUSH_INTERRUPTED, error=CANNOT, minutes="3")


def _city(zone: str = "Asia/Jakarta") -> LoadedInventory:
    loaded = load_inventory(SAMPLE, today=TODAY)
    organisation = loaded.organisation.model_copy(update={"timezone": zone})
    loaded.inventory = loaded.inventory.model_copy(update={"organisation": organisation})
    return loaded


def _journal(tmp_path: Path) -> Journal:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("cutover")
    data = CANARY_CHECKS
    journal.step(run, "desa-balokang", Step.VERIFIED, ok=False, detail=json.dumps(data), data=data)
    journal.step(run, "desa-balokang", Step.REVERTED, detail="failed checks")
    journal.step(run, "desa-balokang", Step.ROLLED_BACK, detail="identical")
    rollback = journal.start_run("rollback")
    taken = {"backup_run": "20261206-215700-abcdef", "backup_taken_at": "2026-12-06 21:57 UTC"}
    journal.step(rollback, "setda", Step.ROLLED_BACK, phase=Phase.LEGACY, data=taken)
    refused = journal.start_run("apply")
    journal.step(
        refused,
        "dinsos",
        Step.FAILED,
        ok=False,
        detail=str(INTERRUPTED),
        data={"outcome": "failed", "reason": INTERRUPTED.as_dict()},
    )
    drill = journal.start_run("drill")
    checks = [
        failed(
            said(CheckId.FAILOVER_ROUTE),
            said(PhraseId.PRESENT),
            said(PhraseId.MISSING_ROUTE, tag="netprov:default-backup"),
        )
    ]
    journal.step(
        drill, "kec-sukamaju", Step.DRILLED, ok=False, detail=json.dumps(checks), data=checks
    )
    with journal.engine.begin() as connection:  # the drill ran at 00:40 UTC
        connection.exec_driver_sql(
            "UPDATE steps SET at = ? WHERE run_id = ?", (MADE.isoformat(" "), drill)
        )
    return journal


def _text(page: str, section: str | None = None) -> str:
    if section is not None:
        page = page.split(f'id="{section}"')[1].split("</table>", maxsplit=1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _page(tmp_path: Path, lang: str = "id", zone: str = "Asia/Jakarta") -> str:
    loaded = _city(zone)
    data = report_data(loaded, _journal(tmp_path), dt.date(2026, 12, 7))
    return render_html(loaded, data, lang, now=MADE)


@pytest.mark.parametrize(
    ("zone", "lang", "made", "drilled"),
    [
        (
            "Asia/Jakarta",
            "id",
            "Dibuat 7 Desember 2026 pukul 07.40 WIB",
            "7 Desember 2026 pukul 07.40 WIB",
        ),
        ("Asia/Makassar", "id", "Dibuat 7 Desember 2026 pukul 08.40 WITA", "pukul 08.40 WITA"),
        ("Asia/Jayapura", "id", "Dibuat 7 Desember 2026 pukul 09.40 WIT", "pukul 09.40 WIT"),
        (
            "Asia/Jakarta",
            "en",
            "Generated 7 December 2026, 07:40 WIB",
            "7 December 2026, 07:40 WIB",
        ),
    ],
)
def test_times_are_on_the_organisations_clock(
    tmp_path: Path, zone: str, lang: str, made: str, drilled: str
) -> None:
    page = _page(tmp_path, lang, zone)
    assert made in _text(page)
    assert drilled in _text(page, "drills")
    assert "UTC" not in _text(page)


def test_a_restore_says_when_its_backup_was_taken_on_the_citys_clock(tmp_path: Path) -> None:
    failures = _text(_page(tmp_path), "failures")
    assert (
        "Sengaja dikembalikan ke konfigurasi 7 Desember 2026 pukul 04.57 WIB, cadangan proses "
        "20261206-215700-abcdef" in failures
    )


def test_the_canary_failure_in_plain_indonesian(tmp_path: Path) -> None:
    failures = _text(_page(tmp_path), "failures")
    assert (
        "Pemeriksaan setelah perubahan gagal, jadi router dikembalikan ke konfigurasi "
        "sebelumnya, terbukti identik. Kantor berjalan seperti sebelum perubahan. Yang gagal: "
        "internet dari LAN lewat jalur pusat (ping ke 199.7.83.42): 5 dari 5 ping dibalas, "
        "tetapi keluar lewat ether1, gateway 172.30.0.1; seharusnya paling banyak 20% ping hilang "
        "lewat vlan1144-central "
        "layanan e-Government portal (10.250.1.10) dari LAN: 0 dari 5 ping dibalas, tetapi "
        "keluar lewat ether1, gateway 172.30.0.1; seharusnya paling banyak 20% ping hilang "
        "lewat vlan1144-central "
        "pembatasan bandwidth di jalur pusat: batas 16000 kbps; lalu lintas keluar lewat "
        "ether1, gateway 172.30.0.1; seharusnya batas 16000 kbps di vlan1144-central, dua arah"
    ) in failures
    assert (
        "Perubahan tidak dapat dilakukan: pengiriman terputus (x: tidak bisa terhubung: timeout)"
        in (failures)
    )
    for english in ("but", "leaves", "replies", "loss", "expected", "observed", "via"):
        assert not re.search(rf"\b{english}\b", failures), english


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_brackets_inside_brackets(tmp_path: Path, lang: str) -> None:
    for section in ("failures", "drills"):
        depth, deepest = 0, 0
        for char in _text(_page(tmp_path, lang), section):
            depth += {"(": 1, ")": -1}.get(char, 0)
            deepest = max(deepest, depth)
        assert deepest <= 1, section


def test_rupiah_and_figures_as_indonesian_writes_them(tmp_path: Path) -> None:
    page = _page(tmp_path)
    figures = dict(re.findall(r'data-figure="(\w+)"><td>[^<]*</td><td class="n">([^<]*)<', page))
    assert figures["legacy_before"] == "Rp182.440.000"
    assert figures["savings"] == "-Rp137.500.000"
    langit = re.search(r"<tr><td>PT Langit Tujuh Net</td>(.*?)</tr>", page)
    assert langit is not None
    cells = re.findall(r'<td class="n">([^<]*)</td>', langit[1])
    assert cells == ["72", "1.000", "1.726", "1.000", "3.452"]
    english = _page(tmp_path, "en")
    assert "1,726" in _text(english, "allocation")
    assert "Rp182.440.000" in english  # rupiah are written one way


def test_no_pace_yet_is_said_in_plain_words(tmp_path: Path) -> None:
    text = _text(_page(tmp_path))
    assert "laju" not in text
    assert (
        "Kota membayar dua kali (ISP kantor dan jalur pusat) sampai 82 kantor lagi pindah; "
        "perkiraan waktu selesainya muncul setelah kantor pindah pada dua hari yang berbeda."
    ) in text


def test_the_expected_end_is_never_already_past(tmp_path: Path) -> None:
    """Offices moved on two days after the report's --today: the end is counted from the
    last move, not from a day before it."""
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    for site, day in (("diskominfo", 1), ("dinsos", 2)):
        run = journal.start_run("cutover")
        journal.step(run, site, Step.CONFIRMED, phase=Phase.CENTRAL)
        with journal.engine.begin() as connection:
            moved = dt.datetime(2027, 6, day, 3, tzinfo=dt.UTC).isoformat(" ")
            connection.exec_driver_sql("UPDATE steps SET at = ? WHERE run_id = ?", (moved, run))
    loaded = _city()
    data = report_data(loaded, journal, dt.date(2026, 12, 7))  # --today before the moves
    assert data.double_budget_until is not None
    assert data.double_budget_until > dt.date(2027, 6, 2)


def test_a_lapsed_contract_says_how_long_ago(tmp_path: Path) -> None:
    loaded = _city()
    data = report_data(loaded, _journal(tmp_path), dt.date(2028, 1, 10))
    contracts = _text(render_html(loaded, data, "id", now=MADE), "contracts")
    assert "31 Desember 2027 sudah berakhir 10 hari lalu" in contracts
    assert "2027-12-31" not in contracts
