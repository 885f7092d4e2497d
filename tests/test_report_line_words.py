"""The Indonesian report says in Indonesian what the checks that prove a line found (issue
36, found in review): "but leaves by", "traffic leaves by", "via <interface>", a secondary
line's probe "from LAN via central", a disabled queue or route were English on the `id`
page. The checks below are the words verify journals, as runs on the twin wrote them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from netprov.inventory import load_inventory
from netprov.journal import Journal
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
    journal.step(run, "kec-sukamaju", "verified", ok=False, detail=json.dumps(checks), data=checks)
    journal.step(run, "kec-sukamaju", "reverted", detail="failed checks")
    journal.step(run, "kec-sukamaju", "rolled_back", detail="identical")
    loaded = load_inventory(SAMPLE, today=TODAY)
    page = render_html(loaded, report_data(loaded, journal, TODAY), "id")
    failures = html.unescape(
        re.sub(r"<[^>]+>", " ", page.split('id="failures"')[1].split("</table>")[0])
    )
    ours = re.sub(r"`[^`]*`|\"[^\"]*\"", "", failures)  # the router's own words stay
    assert [english for english in ENGLISH if english in ours] == [], failures
    assert "ping probe internet 199.7.83.42 dari LAN lewat jalur pusat" in failures
    assert "5/5 balasan, tetapi keluar lewat pppoe-legacy" in failures
    assert "`ip dhcp client route track 30`" in failures  # IOS's words, as IOS has them
