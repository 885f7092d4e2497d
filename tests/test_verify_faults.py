"""One twin fault per verification check (issue 11): each makes exactly its own check fail,
the change revert, and the router come back identical to its backup, on both platforms."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY
from tests.test_pipeline import SITES, make_pipeline

pytestmark = pytest.mark.twin

# fault key -> (the phase whose checks meet it, on both platforms; the checks it must fail,
# name prefixes; those it may fail besides, and no other)
FAULTS: dict[str, tuple[Phase, tuple[str, ...], tuple[str, ...]]] = {
    # dual already sends the city's services over the central line: it proves that line
    "mtu_blackhole": (Phase.DUAL, ("path MTU via central",), ()),
    "qos_missing": (Phase.DUAL, ("shaping on central",), ()),
    # untranslated, the LAN reaches nothing public over the line whose NAT the router lost:
    # the central line's probe at dual (IOS replaces the whole config: it loses the office
    # line's NAT too, and with it the public resolvers)
    "lan_nat_broken": (Phase.DUAL, ("ping internet probe",), ("ping filtering resolver",)),
    "dns_unfiltered": (Phase.DUAL, ("DNS blocks",), ()),
    "egress_via_legacy": (Phase.CENTRAL, ("egress via central",), ()),
    "dhcp_down": (Phase.DUAL, ("DHCP serves the LAN",), ()),
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
    # the new management session is tried last, once every other check passed
    assert outcome.checks[-1].name == "new management session", outcome.checks[-1]


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("site_id", SITES)
def test_each_fault_fails_exactly_its_check_and_reverts(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str, fault: str
) -> None:
    """The way cutover goes, legacy -> dual -> central: the first change whose checks meet
    the fault is rolled back, exactly its check failing: dual for what dual already puts on
    the central line (the city's services: its MTU and NAT are proven there, shaping, DNS),
    central for the egress; the same phase on both platforms (issue 22, 1)."""
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
    caught_at, required, allowed = FAULTS[fault]
    assert phase is caught_at, (fault, phase)
    failed = [c.name for c in outcome.checks if not c.ok]
    assert failed, outcome.as_dict()
    assert all(name.startswith((*required, *allowed)) for name in failed), failed
    assert {p for p in required if any(n.startswith(p) for n in failed)} == set(required)
    assert outcome.restored_identical
    assert driver.comparable(twin.devices[site_id].running_config()) == before
    # a change that failed a check is reverted whatever a new session finds: the office
    # does not wait for its SSH banner (bench/bench_downtime.py)
    assert "new management session" not in {c.name for c in outcome.checks}


@pytest.mark.parametrize("site_id", SITES)
def test_a_verify_that_changes_nothing_tries_a_new_session_whatever_failed(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    """No office waits on a read-only verify: whether the NOC gets in is reported even
    when another check failed (a change that failed one skips it, see above)."""
    scenario = Scenario(sites={site_id: SiteFaults(dns_unfiltered=True)})
    twin = twin_factory([site_id], scenario=scenario, start_phase=Phase.DUAL)
    pipeline = make_pipeline(twin, Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b"))
    outcome = pipeline.verify(pipeline.loaded.site(site_id), Phase.DUAL)
    assert outcome.status == "failed", outcome.as_dict()
    assert outcome.checks[-1].name == "new management session"
    assert outcome.checks[-1].ok, outcome.checks[-1]


@pytest.mark.parametrize("site_id", SITES)
def test_a_change_is_reverted_at_its_first_failed_check_the_rest_not_run(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    """A change that fails a check is reverted at once: the checks after it are not run
    (the office waits on none of them, bench/bench_downtime.py), and the outcome, --json
    and the journal say which, and after which failed check."""
    scenario = Scenario(sites={site_id: SiteFaults(mtu_blackhole=True)})
    twin = twin_factory([site_id], scenario=scenario)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)
    outcome = pipeline.apply(site, Phase.DUAL)
    assert outcome.status == "rolled_back", outcome.as_dict()
    failed = [c.name for c in outcome.checks if not c.ok]
    assert len(failed) == 1, failed
    assert failed[0].startswith("path MTU via central"), failed
    assert outcome.checks[-1].name == failed[0]  # nothing ran after it
    reverted = outcome.as_dict()["reverted"]
    assert isinstance(reverted, dict)
    assert reverted["failed_check"] == failed[0]
    not_run = reverted["not_run"]
    assert isinstance(not_run, list)
    assert "new management session" in not_run
    # what ran and what did not are the phase's checks, in order: a read-only verify of
    # the same phase (which runs them all) names the same
    everything = [c.name for c in pipeline.verify(site, Phase.DUAL).checks]
    assert [c.name for c in outcome.checks] + not_run == everything
    step = next(s for s in journal.steps_for(site_id) if s.step == "reverted")
    assert isinstance(step.data, dict)
    assert step.data["not_run"] == not_run
    assert f"reverted after {failed[0]} failed" in step.detail, step.detail
