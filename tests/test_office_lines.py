"""Issue 40: an office with two or three ISP lines names each in the inventory. The line
netprov tracks stays ``legacy_uplink`` (every inventory written before keeps loading as it
was); the others are ``other_legacy_uplinks``, each with ``policy_routing: keep|retire``
(what ``final`` may do with the router's policy routing naming it). Validation and the JSON
schema follow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netprov.cli import app
from netprov.errors import InventoryError
from netprov.inventory.loader import load_inventory
from netprov.models import PolicyRoutingFate
from netprov.reports.managers import report_data
from netprov.state.journal import Journal
from tests.conftest import TODAY, Edit
from tests.test_inventory_errors import find, problems
from tests.test_pcc_migration import OFFICES
from tests.test_validate_any_field import changed, leaves

SITES = "sites/kecamatan-kelurahan.yaml"
SITE = "kec-sukamaju"
SECOND_LINE = """\
  other_legacy_uplinks:
  - provider: biznet
    interface: ether3
    addressing: {mode: static, address: 203.0.113.34/30, gateway: 203.0.113.33}
    bandwidth_mbps: 30
    monthly_cost_idr: 400000
    policy_routing: retire
"""


def _with_second_line(edit: Edit, text: str = SECOND_LINE) -> None:
    central = "  central_uplink:\n    provider: langit7\n    interface: ether5\n    vlan: 1131"
    edit(SITES, central, text + central)


def test_a_site_names_its_further_office_lines(inventory_copy: Path, edit: Edit) -> None:
    _with_second_line(edit)
    site = load_inventory(inventory_copy, today=TODAY).site(SITE)
    assert [line.interface for line in site.legacy_lines] == ["ether1", "ether3"]
    assert site.legacy_uplink.interface == "ether1"  # the line netprov tracks, as before
    assert site.legacy_uplink.policy_routing is PolicyRoutingFate.KEEP  # the default
    assert site.other_legacy_uplinks[0].policy_routing is PolicyRoutingFate.RETIRE


def test_an_inventory_without_them_loads_as_it_did() -> None:
    loaded = load_inventory(Path(__file__).parent.parent / "inventory", today=TODAY)
    assert all(site.legacy_lines == [site.legacy_uplink] for site in loaded.sites)


def test_policy_routing_is_keep_or_retire(inventory_copy: Path, edit: Edit) -> None:
    _with_second_line(edit, SECOND_LINE.replace("policy_routing: retire", "policy_routing: drop"))
    problem = find(
        problems(inventory_copy), SITES, "sites[0].other_legacy_uplinks[0].policy_routing"
    )
    assert "'keep' or 'retire'" in problem.message


def test_further_lines_are_checked_at_their_fields(inventory_copy: Path, edit: Edit) -> None:
    bad = (
        SECOND_LINE.replace("provider: biznet", "provider: bizznet")
        .replace("interface: ether3", "interface: ether1")
        .replace("gateway: 203.0.113.33", "gateway: 203.0.113.99")
    )
    _with_second_line(edit, bad)
    found = problems(inventory_copy)
    where = "sites[0].other_legacy_uplinks[0]"
    assert "unknown provider 'bizznet'" in find(found, SITES, f"{where}.provider").message
    assert "already used by legacy uplink" in find(found, SITES, f"{where}.interface").message
    gateway = find(found, SITES, f"{where}.addressing.gateway").message
    assert "outside the uplink subnet 203.0.113.32/30" in gateway


def test_the_budget_counts_every_office_line(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """What the offices spend on their lines today is the sum of every line (the budget
    report): before, an office's second line was nowhere."""
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    before = report_data(load_inventory(inventory_copy, today=TODAY), journal, TODAY)
    _with_second_line(edit)
    after = report_data(load_inventory(inventory_copy, today=TODAY), journal, TODAY)
    assert after.legacy_before == before.legacy_before + 400000


def test_the_schema_describes_the_office_lines(cli: CliRunner) -> None:
    document = json.loads(cli.invoke(app, ["schema", "sites"]).stdout)
    site = document["$defs"]["Site"]["properties"]
    assert "policy_routing: retire" in site["other_legacy_uplinks"]["description"]
    assert "other_legacy_uplinks" in site["legacy_uplink"]["description"]
    line = document["$defs"]["LegacyUplink"]["properties"]["policy_routing"]
    assert "retire" in line["description"]
    assert line["default"] == "keep"


@pytest.mark.parametrize("how", ["missing", "wrong type"])
def test_a_broken_field_of_a_further_line_is_a_problem_not_a_traceback(
    inventory_copy: Path, how: str
) -> None:
    """The class of tests/test_validate_any_field.py over the offices with several lines
    (tests/fixtures/pcc): each field of the three-line office's further lines missing or
    mistyped in turn is a located problem, never an exception of a cross-check."""
    for other in (inventory_copy / "sites").glob("*.yaml"):
        other.unlink()
    source = inventory_copy / "sites" / OFFICES.name
    document = yaml.safe_load(OFFICES.read_text(encoding="utf-8"))
    first, second = document["sites"][:2]
    assert len(first["other_legacy_uplinks"]) == 2
    crashed = []
    for path in leaves(first["other_legacy_uplinks"], ("other_legacy_uplinks",)):
        broken = dict(document, sites=[changed(first, path, how), second])
        source.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
        try:
            load_inventory(inventory_copy, today=TODAY)
        except InventoryError as refused:
            if not refused.problems:
                crashed.append(f"{path}: refused without a problem")
        except Exception as error:  # the defect this test looks for
            crashed.append(f"{path}: {type(error).__name__}: {error}")
    assert not crashed, "\n".join(crashed)
