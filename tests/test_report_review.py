"""The managers' report, found in review of issue 36: the Indonesian page said in English
what the checks that prove a line found ("but leaves by", "traffic leaves by", "via
<interface>", a secondary line's probe "from LAN via central", a disabled queue or route;
the checks below are the words verify journals, as runs on the twin wrote them); and an
office put back on purpose after a confirmed change was said to have failed its last
change."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.reports.managers import render_html, report_data
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from tests.conftest import SAMPLE, TODAY
from tests.said_words import (
    CheckId,
    PhraseId,
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

LOSS = loss(via="vlan1131-central")
PROBE = said(CheckId.INTERNET_PROBE_VIA, probe="199.7.83.42", role=role("central"))
MTU = said(CheckId.PATH_MTU, role=role("central"), size="1500", probe="199.7.83.42")
SHAPING = said(CheckId.SHAPING, role=role("central"))
CEILING = said(PhraseId.CEILING_ON, kbps="40000", interface="vlan1131-central")
FOUND = said(PhraseId.CEILING, kbps="40000")
FAILOVER = said(CheckId.FAILOVER_ROUTE)
TAG = "netprov:default-backup"
CHECKS = [  # kec-sukamaju at dual, central line down; then by-hand changes of its config
    (PROBE, LOSS, but(replies("5"), leaves("pppoe-legacy"))),
    (MTU, LOSS, but(replies("0"), leaves("GigabitEthernet0/0/0", "203.0.113.5"))),
    (
        SHAPING,
        CEILING,
        said(
            PhraseId.TAKEN_FIRST,
            seen=joined(
                [
                    said(
                        PhraseId.BYPASSED,
                        seen=FOUND,
                        bypass=said(PhraseId.QUEUE_DISABLED, name="netprov-central"),
                    ),
                    leaves("pppoe-legacy", traffic=True),
                ],
                FOUND,
            ),
            queue=said(
                PhraseId.QUEUE_ABOVE,
                name="kantor",
                shown="target=10.0.0.0/8",
                ours="netprov-central",
            ),
        ),
    ),
    (
        said(CheckId.EGRESS, role=role("central")),
        said(
            PhraseId.VIA,
            what=said(
                PhraseId.ADDRESS_OF_RANGES,
                provider="PT Langit Tujuh Net",
                ranges="198.18.7.0/24",
            ),
            interface="vlan1131-central",
        ),
        but(value("198.18.1.49"), said(PhraseId.NO_ROUTE)),
    ),
    (
        said(CheckId.EGRESS, role=role("legacy")),
        said(PhraseId.ADDRESS_OF, provider="PT Telkom Indonesia - IndiHome"),
        said(PhraseId.NO_RANGES, seen=value("198.18.1.49")),
    ),
    (
        said(CheckId.DEFAULT_ROUTE, role=role("legacy")),
        said(PhraseId.VIA, what=value("198.41.0.4"), interface="pppoe-legacy"),
        but(value("198.41.0.4"), leaves("vlan1131-central", "100.72.31.1")),
    ),
    (
        FAILOVER,
        said(PhraseId.FAILOVER_EXPECTED, interface="ether4", distance="10"),
        said(PhraseId.ROUTE_DISABLED, tag=TAG),
    ),
    (
        FAILOVER,
        said(PhraseId.FAILOVER_EXPECTED, interface="ether4", distance="10"),
        said(PhraseId.MISSING_ROUTE, tag=TAG),
    ),
    (
        FAILOVER,
        said(PhraseId.FAILOVER_EXPECTED, interface="GigabitEthernet0/1/0", distance="10"),
        said(PhraseId.MISSING_LINE, line="ip dhcp client route track 30"),
    ),
    (
        SHAPING,
        CEILING,
        said(PhraseId.BYPASSED, seen=FOUND, bypass=said(PhraseId.FASTTRACK_ENABLED)),
    ),
]
ENGLISH = (
    "leaves by", "but ", "traffic", " via ", "from LAN", "no route", "taken first", "queue ",
    "disabled", "distance", "tracked", "missing", "public ranges", "above", "rule enabled",
    "expected", "observed", "replies",
)  # fmt: skip


def test_the_indonesian_page_says_what_the_line_checks_found(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("apply")
    checks = [failed(name, expected, observed) for name, expected, observed in CHECKS]
    journal.step(
        run, "kec-sukamaju", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    journal.step(run, "kec-sukamaju", Step.REVERTED, detail="failed checks")
    journal.step(run, "kec-sukamaju", Step.ROLLED_BACK, detail="identical")
    loaded = load_inventory(SAMPLE, today=TODAY)
    page = render_html(loaded, report_data(loaded, journal, TODAY), "id")
    failures = html.unescape(
        re.sub(r"<[^>]+>", " ", page.split('id="failures"')[1].split("</table>")[0])
    )
    ours = re.sub(r"`[^`]*`|\"[^\"]*\"", "", failures)  # the router's own words stay
    assert [english for english in ENGLISH if english in ours] == [], failures
    assert "internet dari LAN lewat jalur pusat (ping ke 199.7.83.42)" in failures
    assert "5 dari 5 ping dibalas, tetapi keluar lewat pppoe-legacy" in failures
    assert "`ip dhcp client route track 30`" in failures  # IOS's words, as IOS has them


def test_an_office_put_back_on_purpose_did_not_fail_its_last_change(tmp_path: Path) -> None:
    """setda reached dual (as git wants) and was rolled back on purpose; dinsos failed its
    checks and was reverted. Both are behind git; only dinsos's last change failed."""
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.start_run("apply", phase=Phase.DUAL)
    journal.step(run, "setda", Step.CONFIRMED, detail="phase=dual", phase=Phase.DUAL)
    back = journal.start_run("rollback")
    journal.step(back, "setda", Step.ROLLED_BACK, phase=Phase.LEGACY, data={"phase": "legacy"})
    failed = journal.start_run("apply", phase=Phase.DUAL)
    checks = [{"name": "shaping on central", "expected": "x", "observed": "y", "ok": False}]
    journal.step(failed, "dinsos", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks)
    journal.step(failed, "dinsos", Step.REVERTED, detail="failed checks: shaping on central")
    journal.step(failed, "dinsos", Step.ROLLED_BACK, phase=Phase.LEGACY, data={"phase": "legacy"})
    loaded = load_inventory(SAMPLE, today=TODAY)
    for site in ("setda", "dinsos"):
        index = next(i for i, s in enumerate(loaded.sites) if s.id == site)
        loaded.sites[index] = loaded.sites[index].model_copy(update={"desired_phase": Phase.DUAL})
    data = report_data(loaded, journal, TODAY)
    assert sorted((d[0], d[3]) for d in data.differs) == [
        ("dinsos", "failed"),
        ("setda", "put_back"),
    ]
    for lang, words in (("en", "put back on purpose"), ("id", "sengaja dikembalikan")):
        page = render_html(loaded, data, lang)
        table = page.split('id="differs"')[1].split("</table>")[0]
        row = re.sub(r"<[^>]+>", " ", table.split('data-site="setda"')[1].split("</tr>")[0])
        assert words in row, (lang, row)
        assert "failed" not in row, (lang, row)
        assert "gagal" not in row, (lang, row)
