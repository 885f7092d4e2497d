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

from netprov.inventory import load_inventory
from netprov.journal import Journal
from netprov.journal_rows import Step
from netprov.models import Phase
from netprov.report import render_html, report_data
from tests.conftest import SAMPLE, TODAY

LOSS = "<= 20% loss via vlan1131-central"
CHECKS = [  # kec-sukamaju at dual, central line down; then by-hand changes of its config
    (
        "ping internet probe 199.7.83.42 from LAN via central",
        LOSS,
        "5/5 replies, but leaves by pppoe-legacy",
    ),
    (
        "path MTU via central: 1500-byte DF ping to 199.7.83.42",
        LOSS,
        "0/5 replies, but leaves by GigabitEthernet0/0/0 (203.0.113.5)",
    ),
    (
        "shaping on central",
        "40000 kbps ceiling on vlan1131-central, both directions",
        "40000 kbps ceiling; bypassed: queue netprov-central disabled; traffic leaves by "
        'pppoe-legacy; taken first by queue "kantor" (target=10.0.0.0/8) above netprov-central',
    ),
    (
        "egress via central",
        "an address of PT Langit Tujuh Net (198.18.7.0/24) via vlan1131-central",
        "198.18.1.49, but no route",
    ),
    (
        "egress via legacy",
        "an address of PT Telkom Indonesia - IndiHome",
        "198.18.1.49 (no public ranges of the provider to prove it by)",
    ),
    (
        "default route via legacy",
        "198.41.0.4 via pppoe-legacy",
        "198.41.0.4, but leaves by vlan1131-central (100.72.31.1)",
    ),
    (
        "failover route for backup line",
        "default route via ether4, distance 10, tracked",
        "route netprov:default-backup disabled",
    ),
    (
        "failover route for backup line",
        "default route via ether4, distance 10, tracked",
        "missing route netprov:default-backup",
    ),
    (
        "failover route for backup line",
        "default route via GigabitEthernet0/1/0, distance 10, tracked",
        "missing `ip dhcp client route track 30`",
    ),
    (
        "shaping on central",
        "40000 kbps ceiling on vlan1131-central, both directions",
        "40000 kbps ceiling; bypassed: FastTrack rule enabled",
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
    checks = [
        {"name": name, "expected": expected, "observed": observed, "ok": False}
        for name, expected, observed in CHECKS
    ]
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
