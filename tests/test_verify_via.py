"""Checks that name a line prove the packets used it (issue 36): at ``dual`` a dead, lossy or
wrongly tagged central line fails the checks naming central on both platforms, even for an
office that lists no city service, though the probe's pinned host route drops out with the
line and a ping would otherwise leave by the office ISP and pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY
from tests.test_pipeline import make_pipeline

pytestmark = pytest.mark.twin

SITES = ["setda", "kec-sukamaju"]  # cisco_ios (static office line), RouterOS (PPPoE)
FAULTS = {
    "down": {"state": "down"},
    "lossy": {"state": "lossy"},
    "wrong VLAN": {"provider_vlan": 3999},
}


def without_services(tmp_path: Path, site_id: str) -> Path:
    """A copy of the sample city whose site lists no city service (the schema allows it)."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    for path in (inventory / "sites").glob("*.yaml"):
        text = path.read_text()
        block = re.search(rf"^- id: {site_id}\n(?:  .*\n)+", text, re.M)
        if block is not None:
            site = re.sub(r"^  services:\n(?:  - .*\n)+", "", block[0], flags=re.M)
            assert site != block[0]
            path.write_text(text.replace(block[0], site))
            return inventory
    raise AssertionError(site_id)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("site_id", SITES)
def test_a_broken_central_line_fails_the_checks_naming_it_at_dual(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str, fault: str
) -> None:
    inventory = without_services(tmp_path, site_id)
    loaded = load_inventory(inventory, today=TODAY)
    assert not loaded.site(site_id).services
    faults = SiteFaults.model_validate({"uplinks": {"central": FAULTS[fault]}})
    twin = twin_factory([site_id], inventory=inventory, scenario=Scenario(sites={site_id: faults}))
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, loaded=loaded)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.DUAL)
    assert outcome.status == "rolled_back", outcome.as_dict()
    assert outcome.restored_identical
    # reverted at its first failed check, one that names the central line
    (first,) = [c.name for c in outcome.checks if not c.ok]
    assert "central" in first, first
    # a read-only verify of a router already at dual runs every check: each names it
    held = twin_factory(
        [site_id],
        inventory=inventory,
        scenario=Scenario(sites={site_id: faults}),
        start_phase=Phase.DUAL,
    )
    outcome = make_pipeline(held, journal, loaded=loaded).verify(loaded.site(site_id), Phase.DUAL)
    failed = {c.name: c for c in outcome.checks if not c.ok}
    assert first in failed
    probe = "ping internet probe 199.7.83.42 from LAN via central"
    assert probe in failed, [c.as_dict() for c in outcome.checks]
    mtu = next(name for name in failed if name.startswith("path MTU via central"))
    # what failed is the central line, never the office line the site keeps at dual
    assert not [n for n in failed if n.startswith(("path MTU via legacy", "default route"))]
    if fault != "lossy":  # the probe's route left by the office line: the check says so
        assert "leaves by" in failed[probe].observed, failed[probe]
        assert "leaves by" in failed[mtu].observed, failed[mtu]
        # and the central shaper acts on an interface the central traffic no longer takes
        assert "traffic leaves by" in failed["shaping on central"].observed
