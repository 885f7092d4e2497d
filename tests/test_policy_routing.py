"""Policy routing on a router in service (PCC load balancing over several lines, routing
rules, IOS policy-based routing) sends marked office traffic past the main table, where
netprov's routes go: the offline check names each rule (NP015) and nothing is planned onto
such a router until it is gone (issue 27; the twin rehearsal is in test_from_backups)."""

from __future__ import annotations

from pathlib import Path

from netprov.check import run_check
from netprov.rossyntax import terse_lines
from tests.conftest import TEMPLATES, TODAY, Edit
from tests.test_check import device_backup

FIXTURES = Path(__file__).parent / "fixtures" / "real-configs"
ROS_SITE, IOS_SITE = "kec-sukamaju", "dprd"


def _findings(inventory: Path, backups: Path, rule: str) -> dict[str, str]:
    report = run_check(inventory, templates=TEMPLATES, backups=backups, today=TODAY)
    return {str(f.site): f.message for f in report.findings if f.rule == rule}


def _promote(edit: Edit, path: str, site_id: str) -> None:
    edit(path, f"- id: {site_id}\n", f"- id: {site_id}\n  desired_phase: dual\n")


def test_pcc_on_the_lan_is_named_and_nothing_is_planned_past_it(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    real = (FIXTURES / "routeros-6.47-rb750gr3-pcc.rsc").read_text()
    pcc = [
        line.replace("in-interface=LAN", "in-interface=ether2")
        for _, line in terse_lines(real)
        if line.startswith("/ip firewall mangle") and "in-interface=LAN" in line
    ]
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / f"{ROS_SITE}.cfg").write_text(
        device_backup(ROS_SITE, tmp_path) + "\n".join(pcc) + "\n"
    )
    assert _findings(inventory_copy, backups, "NP015") == {}  # legacy: nothing to change
    _promote(edit, "sites/kecamatan-kelurahan.yaml", ROS_SITE)
    found = _findings(inventory_copy, backups, "NP015")
    assert list(found) == [ROS_SITE]
    for mark in ("to_isp1", "to_isp2", "to_isp3"):
        assert f"mangle prerouting mark-routing {mark} (in-interface=ether2" in found[ROS_SITE]
    assert "per-connection-classifier" not in found[ROS_SITE]  # mark-connection is not routing
    assert _findings(inventory_copy, backups, "NP012") == {}  # its own rule, not a clash


def test_ios_policy_based_routing_on_the_lan_is_named(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    backup = device_backup(IOS_SITE, tmp_path).replace(
        "interface GigabitEthernet0/0/2\n",
        "interface GigabitEthernet0/0/2\n ip policy route-map OFFICE-LB\n",
        1,
    )
    assert " ip policy route-map OFFICE-LB" in backup
    backup = backup.replace(
        "\nline ", "\nroute-map OFFICE-LB permit 10\n set ip next-hop 192.0.2.1\n!\nline ", 1
    )
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / f"{IOS_SITE}.cfg").write_text(backup)
    _promote(edit, "sites/opd.yaml", IOS_SITE)
    found = _findings(inventory_copy, backups, "NP015")
    assert found[IOS_SITE].startswith("policy routing in service")
    assert (
        "interface GigabitEthernet0/0/2: ip policy route-map OFFICE-LB (set ip next-hop 192.0.2.1)"
        in found[IOS_SITE]
    )
