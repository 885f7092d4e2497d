"""The fault matrix (issue 13): the router misbehaves at each step of a change (it refuses
the command, drops the session after carrying it out, or reboots after carrying it out), on
both platforms. Whatever happens, the router ends either confirmed on the new config or
byte-identical to its backup (never silently reverted after a "confirmed"), no lock is left,
and the journal tells what happened."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from netprov.models import Phase
from netprov.platforms import driver_for
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import CommandFault, Scenario, SiteFaults
from tests.test_pipeline import make_pipeline

pytestmark = [pytest.mark.twin, pytest.mark.slow]

# The command each platform receives at each step of a change (what napalm and netmiko send).
STEP_COMMANDS = {
    "setda": {  # Cisco IOS through napalm
        "backup": r"^show running-config",
        "push": r"^configure replace",  # after napalm's SCP of the candidate
        "verify": r"^ping ",
        "confirm": r"^configure confirm",
    },
    "kel-hegarsari": {  # RouterOS through netmiko
        "backup": r"^/export",
        "push": r"^/ip (address|route|firewall \w+) (add|set|remove)",
        "verify": r"^/ping ",
        "confirm": r"^/system scheduler remove",
    },
}
CASES = [
    (site, step, action)
    for site in STEP_COMMANDS
    for step in ("backup", "push", "verify", "confirm")
    for action in ("reject", "drop", "reboot")
]


def _pending(twin: Twin, site: str) -> bool:
    device = twin.devices[site]
    state = device.state
    if device.rebooting:
        return True
    if isinstance(state, IosDevice):
        return state.pending is not None
    assert isinstance(state, RosDevice)
    return any(job.get("name") == "netprov-revert" for job in state.tables["/system scheduler"])


def _wait_settled(twin: Twin, site: str, seconds: float = 60) -> None:
    """Until the router has no revert left to fire and is not rebooting (twin time x30)."""
    deadline = time.monotonic() + seconds
    while _pending(twin, site):
        assert time.monotonic() < deadline, f"{site} never settled: {twin.devices[site].notes}"
        time.sleep(0.2)


@pytest.mark.parametrize(("site_id", "step", "action"), CASES)
def test_a_fault_at_any_step_ends_confirmed_or_identical(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str, step: str, action: str
) -> None:
    fault = CommandFault(match=STEP_COMMANDS[site_id][step], action=action)
    scenario = Scenario(sites={site_id: SiteFaults(on_command=[fault], reboot_seconds=30)})
    twin = twin_factory([site_id], scenario=scenario, start_phase=Phase.DUAL)
    driver = driver_for(twin.devices[site_id].platform)
    before = driver.comparable(twin.devices[site_id].running_config())
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)

    outcome = pipeline.apply(site, Phase.CENTRAL)
    assert any("(fault)" in note for note in twin.devices[site_id].notes), "fault never fired"
    _wait_settled(twin, site_id)

    after = twin.devices[site_id].running_config()
    converged = driver.converged(
        pipeline.review_view(site, after), pipeline.intended(site, Phase.CENTRAL)
    )
    identical = driver.comparable(after) == before
    assert converged or identical, (outcome.as_dict(), twin.devices[site_id].notes)
    if outcome.status == "confirmed":
        assert converged, "reported confirmed, but the router went back"
    else:
        assert outcome.failed
    assert journal.lock_holder(site_id) is None
    _, steps = journal.run(pipeline.run_id)
    story = [s.step for s in steps if s.site == site_id]
    if outcome.status == "confirmed":
        assert "confirmed" in story
    else:
        assert story[-1] in {"failed", "rolled_back"}, story
        assert any(not s.ok or s.step == "rolled_back" for s in steps), story
