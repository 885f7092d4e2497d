"""Issue 40 on the twin: the real PCC offices (RouterOS 6.47, three lines; RouterOS 7.9.2,
two PPPoE lines) go legacy -> dual -> central, and the failover office (two lines switched
by netwatch scripts) through all four phases, each change pushed over SSH, verified and
confirmed; a second plan is empty; and at each phase a change whose check fails is rolled
back to the very config the router had.

The router's own pings (netprov's checks) do not pass prerouting, so where the office's
traffic goes is shown by the office PC: an address of the LAN whose packets the twin
routes by the router's marks, connection tracking and tables (netprov.sim.routeros.marks).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.phases import Role
from netprov.platforms import driver_for
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin, TwinDevice
from netprov.twin.scenario import Scenario
from tests.conftest import TODAY
from tests.test_pcc_migration import (
    FAILOVER,
    PCC6,
    PCC7,
    REAL,
    failover_config,
    with_offices,
)
from tests.test_pipeline import make_pipeline

pytestmark = pytest.mark.twin


@pytest.fixture
def offices(inventory_copy: Path) -> Path:
    return with_offices(inventory_copy)


CONFIGS = {
    PCC6: REAL / "routeros-6.47-rb750gr3-pcc.rsc",
    PCC7: REAL / "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc",
}


class Office:
    """One office on the twin: the pipeline netprov runs on it, and its office PC."""

    def __init__(self, twin: Twin, site_id: str, inventory: Path, tmp_path: Path) -> None:
        self.twin = twin
        self.loaded = load_inventory(inventory, today=TODAY)
        self.site = self.loaded.site(site_id)
        self.device: TwinDevice = twin.devices[site_id]
        self.journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")

    def pipeline(self) -> Pipeline:
        return make_pipeline(self.twin, self.journal, loaded=self.loaded)

    def running(self) -> str:
        return driver_for(self.site.router.platform).comparable(self.device.running_config())

    def pc(self, target: str) -> set[Role | None]:
        """The lines the office PC's pings to ``target`` ("city", "internet") left by
        since now, a second of twin time or more (None: a ping that got no reply): the
        twin's office PC (netprov.twin.office), routed by the router's marks, connection
        tracking and tables; each run of its pings a new connection."""
        since = self.twin.now()
        while self.twin.now() < since + 1:
            time.sleep(0.02)
        pings = [p for p in self.twin.pings(self.site.id, target) if p.at >= since]
        assert pings, target
        return {p.outcome.line if p.replied else None for p in pings}

    def failing_check(self) -> Iterator[None]:
        """While it lasts, the filtering resolvers answer the blocked name with its real
        address: the "DNS blocks" check fails, whatever the phase."""
        org = self.loaded.organisation
        blocked, sinkhole = org.dns.blocked_probe, org.dns.sinkhole
        assert blocked is not None
        assert sinkhole is not None
        state = self.device.state
        assert isinstance(state, RosDevice)
        names = state.world.names
        self.twin.call(lambda: names.update({blocked: IPv4Address("198.51.100.80")}))
        try:
            yield
        finally:
            self.twin.call(lambda: names.update({blocked: sinkhole}))

    def phase(self, phase: Phase) -> Outcome:
        """A change to ``phase`` whose check fails first (rolled back to exactly what the
        router had), then the change itself (confirmed), then a plan that is empty."""
        held = self.running()
        for _ in self.failing_check():
            failed = self.pipeline().apply(self.site, phase)
        assert failed.status is Status.ROLLED_BACK, (phase, failed.as_dict())
        assert failed.restored_identical, phase
        assert self.running() == held, phase
        outcome = self.pipeline().apply(self.site, phase)
        assert outcome.status is Status.CONFIRMED, (phase, outcome.as_dict())
        again = self.pipeline().plan_only(self.site, phase)
        assert again.plan is not None, (phase, again.as_dict())
        assert again.plan.commands == [], (phase, again.plan.commands)
        return outcome


@pytest.mark.parametrize("site_id", [PCC6, PCC7])
def test_a_real_pcc_office_goes_legacy_dual_central_on_the_twin(
    site_id: str, offices: Path, twin_factory: TwinFactory, tmp_path: Path
) -> None:
    scenario = Scenario(configs={site_id: str(CONFIGS[site_id])})
    twin = twin_factory([site_id], inventory=offices, scenario=scenario)
    office = Office(twin, site_id, offices, tmp_path)
    assert office.pc("city") == {None}  # the office lines do not reach the city's services
    legacy = office.phase(Phase.LEGACY)
    assert legacy.plan is not None
    assert any("PCC load balancing" in w for w in legacy.plan.warnings)
    assert office.pc("internet") == {Role.LEGACY}
    office.phase(Phase.DUAL)
    assert office.pc("city") == {Role.CENTRAL}
    assert office.pc("internet") == {Role.LEGACY}  # balanced over the office lines
    office.phase(Phase.CENTRAL)
    assert office.pc("city") == {Role.CENTRAL}
    assert office.pc("internet") == {Role.CENTRAL}
    # the phase the router holds is central, its classification off; switched on again by
    # hand, it holds no phase of netprov's (a person decides)
    assert office.pipeline().phase_held(office.site, office.device.running_config()) is (
        Phase.CENTRAL
    )
    state = office.device.state
    assert isinstance(state, RosDevice)
    twin.call(lambda: state.run("/ip firewall mangle enable [ find ]", "/"))
    assert office.pipeline().phase_held(office.site, office.device.running_config()) is None


def test_the_failover_office_goes_through_all_four_phases_on_the_twin(
    offices: Path, twin_factory: TwinFactory, tmp_path: Path
) -> None:
    config = tmp_path / "failover.rsc"
    config.write_text(failover_config(), encoding="utf-8")
    twin = twin_factory(
        [FAILOVER], inventory=offices, scenario=Scenario(configs={FAILOVER: str(config)})
    )
    office = Office(twin, FAILOVER, offices, tmp_path)
    office.phase(Phase.LEGACY)
    assert office.pc("internet") == {Role.LEGACY}
    office.phase(Phase.DUAL)
    assert office.pc("city") == {Role.CENTRAL}
    assert office.pc("internet") == {Role.LEGACY}
    office.phase(Phase.CENTRAL)
    assert office.pc("internet") == {Role.CENTRAL}
    office.phase(Phase.FINAL)
    assert office.pc("city") == {Role.CENTRAL}
    assert office.pc("internet") == {Role.CENTRAL}
    assert "pppoe-out2" not in office.device.running_config()
