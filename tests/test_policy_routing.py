"""Policy routing on a router in service (PCC load balancing over several lines, routing
rules, IOS policy-based routing) sends marked office traffic past the main table, where
netprov's routes go. Issue 27 refused every such router; issue 40 migrates RouterOS PCC
phase by phase (tests/test_pcc_migration.py) and the offline check names only what netprov
cannot migrate (NP015); IOS policy-based routing stays refused, saying what to change by
hand (the twin rehearsal is in test_from_backups and test_pcc_twin)."""

from __future__ import annotations

from pathlib import Path

from netprov.checks.gate import run_check
from netprov.syntax.routeros import terse_lines
from tests.conftest import TEMPLATES, TODAY, Edit
from tests.test_check import device_backup

FIXTURES = Path(__file__).parent / "fixtures" / "real-configs"
ROS_SITE, IOS_SITE = "kec-sukamaju", "dprd"


def _findings(inventory: Path, backups: Path, rule: str) -> dict[str, str]:
    report = run_check(inventory, templates=TEMPLATES, backups=backups, today=TODAY)
    return {str(f.site): f.message for f in report.findings if f.rule == rule}


def _planned(inventory: Path, backups: Path, site: str) -> list[str]:
    report = run_check(inventory, templates=TEMPLATES, backups=backups, today=TODAY)
    (result,) = [r for r in report.sites if r.site.id == site]
    return result.commands or []


def _promote(edit: Edit, path: str, site_id: str) -> None:
    edit(path, f"- id: {site_id}\n", f"- id: {site_id}\n  desired_phase: dual\n")


def test_pcc_on_the_lan_is_migrated_not_refused(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """Before (issue 27): dual was refused naming each mark-routing rule. Now dual is
    planned: the city's services bypass the marks above the first rule that marks, and
    neither NP015 nor NP016 is found."""
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
    assert _findings(inventory_copy, backups, "NP015") == {}
    assert _findings(inventory_copy, backups, "NP016") == {}
    planned = _planned(inventory_copy, backups, ROS_SITE)
    (bypass,) = [c for c in planned if "netprov:city-bypass-1" in c]
    assert bypass.startswith(
        "/ip firewall mangle add action=accept chain=prerouting comment=netprov:city-bypass-1 "
        "dst-address=10.250.0.0/20 place-before=[ find where action=mark-connection "
    )
    assert "per-connection-classifier=both-addresses:5/0" in bypass


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
    # what to change by hand, at dual and at central
    assert "put a deny entry for the city's central services networks first" in found[IOS_SITE]
    assert "take the ip policy route-map line off the interface" in found[IOS_SITE]
