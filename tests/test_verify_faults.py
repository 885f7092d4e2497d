"""One twin fault per verification check (issue 11): each makes exactly its own check fail,
the change revert, and the router come back identical to its backup, on both platforms."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from netprov.inventory import load_inventory
from netprov.journal import Journal
from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY
from tests.test_pipeline import SITES, make_pipeline

pytestmark = pytest.mark.twin

# fault key -> the checks it must fail (name prefixes), and no other
FAULTS = {
    "mtu_blackhole": ("path MTU via central",),
    "qos_missing": ("shaping on central",),
    # untranslated, the LAN reaches nothing public: the probe and the (public) resolvers
    "lan_nat_broken": ("ping internet probe", "ping filtering resolver"),
    "dns_unfiltered": ("DNS blocks",),
    "egress_via_legacy": ("egress via central",),
    "dhcp_down": ("DHCP serves the LAN",),
}


def _asking_for_dhcp(tmp_path: Path, site_id: str) -> Path:
    """A copy of the sample city whose site asks for the LAN DHCP server itself."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    for path in (inventory / "sites").glob("*.yaml"):
        text = path.read_text()
        block = re.search(rf"^- id: {site_id}\n(?:  .*\n)+", text, re.M)
        if block is not None:
            site = re.sub(r"^  lan: \{(.*)\}$", r"  lan: {\1, dhcp: true}", block[0], flags=re.M)
            path.write_text(text.replace(block[0], site))
            return inventory
    raise AssertionError(site_id)


@pytest.mark.parametrize("site_id", SITES)
def test_without_faults_every_check_passes_and_names_what_it_saw(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    twin = twin_factory([site_id], start_phase=Phase.DUAL)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.CENTRAL)
    assert outcome.status == "confirmed", outcome.as_dict()
    by_name = {c.name.split(":")[0]: c for c in outcome.checks}
    assert by_name["path MTU via central"].observed == "5/5 replies"
    shaping = by_name["shaping on central"]
    allocation = pipeline.loaded.allocations[site_id]
    assert shaping.observed == f"{allocation.ceiling_kbps} kbps ceiling"
    assert by_name["DNS resolves google.com"].observed == "142.250.4.100"
    assert by_name["DNS blocks blocked.trustpositif.example"].observed == "192.0.2.80"
    assert by_name["LAN DNS forced to the filtering resolvers"].observed == "in force"
    assert by_name["egress via central"].observed.startswith("198.18.")
    assert by_name["DHCP serves the LAN"].observed == "enabled, 2 bound lease(s)"


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("site_id", SITES)
def test_each_fault_fails_exactly_its_check_and_reverts(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str, fault: str
) -> None:
    """The way cutover goes, legacy -> dual -> central: the first change whose checks meet
    the fault (dual for what dual already promises, e.g. shaping, DNS; central for the
    central line's MTU, egress, NAT) is rolled back, exactly its check failing."""
    twin = twin_factory([site_id], scenario=Scenario(sites={site_id: SiteFaults(**{fault: True})}))
    driver = driver_for(twin.devices[site_id].platform)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    loaded = None
    if fault == "dhcp_down":  # the router serves none: netprov adds one only when asked
        loaded = load_inventory(_asking_for_dhcp(tmp_path, site_id), today=TODAY)
    pipeline = make_pipeline(twin, journal, loaded=loaded)
    for phase in (Phase.DUAL, Phase.CENTRAL):
        before = driver.comparable(twin.devices[site_id].running_config())
        outcome = pipeline.apply(pipeline.loaded.site(site_id), phase)
        if outcome.status != "confirmed":
            break
    assert outcome.status == "rolled_back", outcome.as_dict()
    failed = [c.name for c in outcome.checks if not c.ok]
    assert failed, outcome.as_dict()
    assert all(name.startswith(FAULTS[fault]) for name in failed), failed
    assert {p for p in FAULTS[fault] if any(n.startswith(p) for n in failed)} == set(FAULTS[fault])
    assert outcome.restored_identical
    assert driver.comparable(twin.devices[site_id].running_config()) == before
