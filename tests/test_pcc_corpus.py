"""Issue 40 on the corpus offices (tests/fixtures/real-configs) that balance or fail over
over two lines, as tests/corpus_offices.py describes them: what rehearsing them
(tests/test_corpus.py) taught the migration of their policy routing, held here offline
(the plan made as ``apply`` makes it, the lockout guard run on the twin's model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from tests.conftest import TODAY
from tests.corpus_offices import ROS_SITE, office_router
from tests.test_ros_corpus_plans import ROS, _office, _plan, _safe

# offices whose first line's default route has the lowest distance and a netwatch script
# switches it (so netprov shifts it with the others instead of taking it over)
SHIFTED = {
    "routeros-6.48.6-rb750g-rtrw-hotspot-arp.rsc": ("isp1", "isp2"),
    "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc": ("To-ISP1", "To-ISP2"),
}


@pytest.mark.parametrize("name", sorted(SHIFTED))
def test_shifting_the_office_defaults_never_moves_the_management_path(
    inventory_copy: Path, name: str
) -> None:
    """The office's own default routes are shifted below netprov's one command at a
    time: the one the office prefers last, so that between two commands the router's way
    to the NOC never leaves by another line (a real router applies each as it comes; the
    lockout guard checks every step). Before: the preferred one first, and the guard
    refused the legacy phase ("would move the management path ... onto the backup line")."""
    office = _office(name, inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    first, second = SHIFTED[name]
    shifted = [c for c in plan.commands if c.startswith("/ip route set") and "distance=1" in c]
    order = [n for c in shifted for n in (first, second) if f"comment={n} " in c]
    assert order == [second, first], shifted
    assert _safe(inventory_copy, router, plan) is None


def test_final_leaves_a_vpn_table_the_retired_lines_do_not_carry(inventory_copy: Path) -> None:
    """The two-LANs office routes its VPN clients by table MNET, whose route goes through
    its VPN (10.123.223.1), not an office line: retiring the office lines at final takes
    away their list membership, never the VPN's table, its route or the marks leading
    there. Before: every marked table went, the VPN's with them."""
    office = _office("routeros-6.49.8-rb450gx4-two-lans-vpn.rsc", inventory_copy)
    assert office.retire
    router = office_router(inventory_copy, office)
    loaded = load_inventory(inventory_copy, today=TODAY)
    site = loaded.site(ROS_SITE)
    migration = ROS.policy_migration(
        router.export(), site, Phase.FINAL, loaded.organisation.central_services
    )
    assert migration.refusals == []
    removed = [c for c in migration.commands if " remove " in c]
    assert (
        "/interface list member remove [ find where interface=ether1-isp1 and list=ISP ]" in removed
    )
    assert [c for c in removed if "MNET" in c] == []
