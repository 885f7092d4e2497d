"""Broken inventories: every problem is reported at once, at its file, line and field."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.errors import InventoryError, Problem, Severity
from netprov.inventory.loader import load_inventory
from tests.conftest import TODAY, Edit, line_of

OPD = "sites/opd.yaml"
DESA = "sites/desa.yaml"
ORG = "organisation.yaml"


def problems(root: Path) -> list[Problem]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(root, today=TODAY)
    return caught.value.problems


def find(found: list[Problem], file_suffix: str, field: str) -> Problem:
    matches = [p for p in found if p.file.endswith(file_suffix) and p.field == field]
    assert matches, f"no problem at {file_suffix} {field}; got {[(p.file, p.field) for p in found]}"
    return matches[0]


def test_sample_city_is_valid() -> None:
    loaded = load_inventory(Path(__file__).parent.parent / "inventory", today=TODAY)
    assert len(loaded.sites) == 82
    assert {s.router.platform.value for s in loaded.sites} == {"cisco_ios", "mikrotik_routeros"}
    assert not [p for p in loaded.warnings if p.severity is Severity.ERROR]


def test_loading_leaves_the_garbage_collector_as_it_was(inventory_copy: Path, edit: Edit) -> None:
    """The load pauses the cyclic collector (a bulk load) and freezes what it built; a load
    that fails must not leave it off for the rest of the run, nor turn it on when the caller
    had it off."""
    assert gc.isenabled()
    gc.unfreeze()
    loaded = load_inventory(inventory_copy, today=TODAY)
    assert gc.isenabled()
    # what the load built is out of the collector's sight (frozen: no full collection walks
    # it again), and still freed by reference counting when dropped
    assert not any(o is loaded.placed for o in gc.get_objects())
    edit(OPD, "mgmt_address: 10.251.0.3\n", "mgmt_address: 10.251.0.300\n")
    problems(inventory_copy)
    assert gc.isenabled()
    gc.disable()
    try:
        problems(inventory_copy)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_duplicate_id_hostname_and_mgmt_address(inventory_copy: Path, edit: Edit) -> None:
    path = edit(OPD, "id: dprd", "id: setda")
    edit(OPD, "hostname: smj-bappeda-r1", "hostname: smj-setda-r1")
    edit(OPD, "mgmt_address: 10.251.0.4\n", "mgmt_address: 10.251.0.1\n")
    found = problems(inventory_copy)
    dup_id = find(found, OPD, "sites[1].id")
    assert dup_id.line == line_of(path, "id: setda", 2)
    assert "already used by site 'setda'" in dup_id.message
    assert find(found, OPD, "sites[2].router.hostname").line == line_of(
        path, "hostname: smj-setda-r1", 2
    )
    assert find(found, OPD, "sites[3].router.mgmt_address").line == line_of(
        path, "mgmt_address: 10.251.0.1", 2
    )


def test_invalid_address_and_gateway_outside_subnet(inventory_copy: Path, edit: Edit) -> None:
    # sites[2] gets a bad address; sites[1] (a valid site) a gateway outside its subnet
    path = edit(OPD, "mgmt_address: 10.251.0.3\n", "mgmt_address: 10.251.0.300\n")
    edit(OPD, "gateway: 203.0.113.9}", "gateway: 203.0.113.77}")
    found = problems(inventory_copy)
    bad = find(found, OPD, "sites[2].router.mgmt_address")
    assert bad.line == line_of(path, "10.251.0.300")
    assert "10.251.0.300" in bad.message
    gateway = find(found, OPD, "sites[1].legacy_uplink.addressing.gateway")
    assert gateway.line == line_of(path, "gateway: 203.0.113.77")
    assert "outside the uplink subnet 203.0.113.8/30" in gateway.message


def test_lan_overlaps_other_site_and_uplink(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "address: 10.31.50.1/24}", "address: 10.31.1.129/25}")
    edit(DESA, "address: 10.31.51.1/24}", "address: 100.72.1.1/24}")
    found = [p for p in problems(inventory_copy) if "overlaps" in p.message]
    assert len(found) == 2
    lan = next(p for p in found if p.file.endswith(DESA))
    assert lan.line == line_of(path, "10.31.1.129/25")
    assert "overlaps site 'setda''s LAN subnet 10.31.1.0/24" in lan.message
    # the /24 LAN swallows setda's central /30: reported at the uplink, naming the LAN
    uplink = next(p for p in found if p.file.endswith(OPD))
    assert uplink.field == "sites[0].central_uplink.addressing.address"
    assert "central uplink subnet 100.72.1.0/30 overlaps site 'desa-" in uplink.message


def test_subnet_containing_an_organisation_address(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "address: 10.31.50.1/24}", "address: 192.0.2.1/24}")
    problem = find(problems(inventory_copy), DESA, "sites[6].lan.address")
    assert problem.line == line_of(path, "192.0.2.1/24")
    assert "contains the filtering resolver 192.0.2.53" in problem.message


def test_interface_used_twice(inventory_copy: Path, edit: Edit) -> None:
    path = edit(OPD, "interface: GigabitEthernet0/1/0", "interface: GigabitEthernet0/0/2")
    problem = find(problems(inventory_copy), OPD, "sites[0].backup_uplink.interface")
    assert problem.line == line_of(path, "interface: GigabitEthernet0/0/2", 2)
    assert "already used by lan" in problem.message


def test_unknown_platform_provider_and_lastmile(inventory_copy: Path, edit: Edit) -> None:
    path = edit(OPD, "platform: cisco_ios", "platform: juniper_junos")
    edit(OPD, "provider: iconnet", "provider: acme-isp")
    edit(ORG, "lastmile: [biznet]", "lastmile: [fibernusa]")
    found = problems(inventory_copy)
    platform = find(found, OPD, "sites[0].router.platform")
    assert platform.line == line_of(path, "juniper_junos")
    assert "cisco_ios" in platform.message
    # the site with the bad platform is invalid, so provider checks see the next site
    assert find(found, ORG, "central_providers[0].lastmile[0]").line == line_of(
        inventory_copy / ORG, "lastmile: [fibernusa]"
    )


def test_unknown_provider_on_valid_site(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "provider: langit7", "provider: skynet-x")
    problem = find(problems(inventory_copy), DESA, "sites[0].central_uplink.provider")
    assert problem.line == line_of(path, "provider: skynet-x")
    assert "not in central_providers" in problem.message


def test_commitments_above_capacity_times_oversubscription(
    inventory_copy: Path, edit: Edit
) -> None:
    edit(
        ORG,
        "oversubscription: 2.0\n    price_per_month_idr: 27500000",
        "oversubscription: 1.2\n    price_per_month_idr: 27500000",
    )
    problem = find(problems(inventory_copy), ORG, "central_providers[1].capacity_mbps")
    assert "commit 150 Mbps" in problem.message
    assert "= 120 Mbps" in problem.message
    assert problem.line == line_of(inventory_copy / ORG, "capacity_mbps: 100", occurrence=2)


def test_contracts_lapsed_is_error_and_ending_soon_is_warning(
    inventory_copy: Path, edit: Edit
) -> None:
    path = edit(DESA, "contract_end: 2027-03-31", "contract_end: 2026-10-01")
    edit(DESA, "contract_end: 2027-06-30", "contract_end: 2027-01-15")
    found = problems(inventory_copy)
    lapsed = [p for p in found if p.severity is Severity.ERROR and "lapsed" in p.message]
    soon = [
        p for p in found if p.severity is Severity.WARNING and "ends on 2027-01-15" in p.message
    ]
    assert lapsed
    assert lapsed[0].line == line_of(path, "2026-10-01")
    assert soon
    assert soon[0].line == line_of(path, "2027-01-15")
    assert "in 54 day(s)" in soon[0].message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("name: Kantor Desa Balokang", 'name: "Kantor Desa\\n/system reset-configuration"', "name"),
        ("name: Kantor Desa Balokang", 'name: "Desa $(reboot)"', "name"),
        ("name: Kantor Desa Balokang", 'name: "Desa \\"; /system reboot"', "name"),
        ("name: Kantor Desa Balokang", 'name: "Desa [/system reboot]"', "name"),
        ("name: Kantor Desa Balokang", 'name: "Desa\\u0007bell"', "name"),
        ("hostname: smj-desa-balokang-r1", "hostname: 'r1;reboot'", "router.hostname"),
        ("interface: ether1", "interface: 'ether1 disabled=yes'", "legacy_uplink.interface"),
        ("circuit_id: L7-SMJ-", "circuit_id: L7?-SMJ-", "central_uplink.circuit_id"),
    ],
)
def test_injection_attempts_are_refused(
    inventory_copy: Path, edit: Edit, old: str, new: str, field: str
) -> None:
    path = edit(DESA, old, new)
    problem = find(problems(inventory_copy), DESA, f"sites[0].{field}")
    key, value = new.split(":", maxsplit=1)
    assert problem.line == line_of(path, f"{key}:{value[:4]}")
    assert "contains" in problem.message


def test_plain_text_password_is_refused(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "password: {env: NETPROV_ROUTER_PASSWORD}", "password: hunter2")
    problem = find(problems(inventory_copy), DESA, "sites[0].router.credentials.password")
    assert problem.line == line_of(path, "password: hunter2")
    assert "plain-text secrets are not allowed" in problem.message


def test_wrong_types_missing_and_unknown_fields(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "demand_mbps: 8", "demand_mbps: banyak")
    edit(DESA, "wave: 3", "wave: 3\n  colour: blue")
    edit(DESA, "  kind: desa\n", "  kind: kampung\n")
    found = problems(inventory_copy)
    assert find(found, DESA, "sites[0].central_uplink.demand_mbps").line == line_of(path, "banyak")
    # the first desa is a canary (wave 0): "wave: 3" first appears on sites[1]
    assert find(found, DESA, "sites[1].colour").message.startswith("unknown field")
    assert find(found, DESA, "sites[0].kind").line == line_of(path, "kind: kampung")


def test_malformed_yaml_and_duplicate_keys(inventory_copy: Path, edit: Edit) -> None:
    path = edit(DESA, "  kind: desa\n", "  kind: [desa\n")
    edit(OPD, "  kind: opd\n", "  kind: opd\n  kind: opd\n")
    found = problems(inventory_copy)
    yaml_problem = next(p for p in found if p.file.endswith(DESA))
    assert "malformed YAML" in yaml_problem.message
    assert yaml_problem.line is not None
    assert yaml_problem.line >= line_of(path, "kind: [desa")
    duplicate = next(p for p in found if p.file.endswith(OPD))
    assert "duplicate key 'kind'" in duplicate.message
    assert duplicate.line == line_of(inventory_copy / OPD, "kind: opd", 2)


def test_all_problems_reported_at_once_and_cli_exits_1_without_writing(
    inventory_copy: Path, edit: Edit, cli: CliRunner, tmp_path: Path
) -> None:
    edit(OPD, "id: dprd", "id: setda")
    edit(DESA, "demand_mbps: 8", "demand_mbps: -1")
    edit(ORG, "collector: 10.250.0.55", "collector: not-an-ip")
    out_dir = tmp_path / "out"
    result = cli.invoke(
        app,
        [
            "render",
            "--inventory",
            str(inventory_copy),
            "--out",
            str(out_dir),
            "--json",
            "--today",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    fields = {(Path(p["file"]).name, p["field"]) for p in document["problems"]}
    assert {
        ("opd.yaml", "sites[1].id"),
        ("desa.yaml", "sites[0].central_uplink.demand_mbps"),
        ("organisation.yaml", "flow.collector"),
    } <= fields
    assert not out_dir.exists()


def test_no_traceback_from_the_real_command(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    edit(DESA, "  kind: desa\n", "  kind: [desa\n")
    completed = subprocess.run(
        [sys.executable, "-m", "netprov", "validate", "--inventory", str(inventory_copy)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr + completed.stdout
    assert "desa.yaml" in completed.stderr


def test_missing_inventory_folder(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["validate", "--inventory", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "inventory folder not found" in result.stderr


def test_two_offices_on_one_central_hand_off_vlan_are_refused_at_the_second(
    inventory_copy: Path, edit: Edit
) -> None:
    """desa-cibeureum-girang is handed off by Biznet for langit7: moved onto VLAN 1146
    (desa-cujang's, also langit7's) but by another last mile, it is a service of its own;
    handed off by langit7 itself, it clashes with desa-cujang's."""
    path = edit(DESA, "vlan: 1145", "vlan: 1146")
    assert load_inventory(inventory_copy, today=TODAY)  # biznet's VLAN 1146 is not langit7's
    edit(DESA, "    lastmile: biznet\n    interface: ether5\n", "    interface: ether5\n")
    clash = find(problems(inventory_copy), DESA, "sites[2].central_uplink.vlan")
    assert clash.line == line_of(path, "vlan: 1146", occurrence=2)  # desa-cujang's, below
    assert clash.message == (
        "duplicate central hand-off VLAN 1146 of langit7: already used by site "
        f"'desa-cibeureum-girang' at inventory/sites/desa.yaml:"
        f"{line_of(path, 'id: desa-cibeureum-girang')}"
    )
