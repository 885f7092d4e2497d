"""A RouterOS change that fails a check is taken back by its undo, not by a reboot (issue
38): the undo is installed with the change as a ``/system script`` run by the scheduler at
the deadline; a failed check runs it at once, the config is proven to be the backup's,
and only an undo that leaves a difference falls back to loading the binary backup (a
reboot), which the journal, ``--json`` and the outcome say. A router whose scheduler its
owner turned off (RouterOS 7 device-mode) could revert nothing by itself: refused before
anything is pushed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from netprov.errors import InventoryError
from netprov.models import Phase
from netprov.platforms import RevertMethod
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.test_pipeline import make_pipeline, running

pytestmark = pytest.mark.twin

ROS = "kel-hegarsari"  # mikrotik_routeros, PPPoE office line
CENTRAL_DOWN = {"uplinks": {"central": {"state": "down"}}}


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")


def armed(twin: Twin, site_id: str) -> list[str]:
    """What netprov left on the router: the undo script, its jobs, the change marker."""
    export = twin.devices[site_id].running_config()
    names = ("netprov-undo", "netprov-revert", "netprov-change")
    return [line for line in export.splitlines() if any(name in line for name in names)]


VERSIONS = ["6.49.8", "7.16.2"]  # RouterOS 6 (many offices run 6.49) and 7


def scenario(faults: Mapping[str, object], version: str) -> Scenario:
    return Scenario(sites={ROS: SiteFaults.model_validate(faults)}, versions={ROS: version})


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("start", "to"),
    [(Phase.LEGACY, Phase.DUAL), (Phase.DUAL, Phase.CENTRAL), (Phase.CENTRAL, Phase.FINAL)],
    ids=lambda p: p.value,
)
def test_a_failed_check_reverts_by_the_undo_without_a_reboot(
    twin_factory: TwinFactory, journal: Journal, start: Phase, to: Phase, version: str
) -> None:
    twin = twin_factory([ROS], scenario=scenario(CENTRAL_DOWN, version), start_phase=start)
    assert f"by RouterOS {version}" in twin.devices[ROS].running_config()
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(ROS), to)
    assert outcome.status == "rolled_back", outcome.as_dict()
    assert outcome.restored_identical is True
    assert running(twin, ROS) == before  # byte for byte, in comparable form
    assert twin.reboots(ROS) == []  # the office never lost its router
    assert armed(twin, ROS) == []  # no script, no job, no marker left
    reverted = outcome.as_dict()["reverted"]
    assert isinstance(reverted, dict)
    assert reverted == {
        "method": "undo script",
        "rebooted": False,
        "reboot_seconds": None,
        "undo_left_difference": False,
        # reverted at its first failed check (the last run), the others not run
        "failed_check": outcome.checks[-1].name,
        "not_run": reverted["not_run"],
    }
    assert not outcome.checks[-1].ok
    assert "new management session" in reverted["not_run"]
    _, steps = journal.run(pipeline.run_id)
    (step,) = [s for s in steps if s.step == "reverted"]
    assert step.ok
    assert step.detail.endswith("by undo script (no reboot)")
    assert step.data == reverted


@pytest.mark.parametrize("version", VERSIONS)
def test_an_undo_that_leaves_a_difference_falls_back_to_the_backup_and_says_so(
    twin_factory: TwinFactory, journal: Journal, version: str
) -> None:
    # the router refuses one line only the undo sends (the NOC route the change removes,
    # added back): the undo script stops there, and the config is not the backup's
    faults = {**CENTRAL_DOWN, "reject": [r"^/ip route add .*comment=netprov:mgmt-return-1"]}
    twin = twin_factory([ROS], scenario=scenario(faults, version), start_phase=Phase.DUAL)
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(ROS), Phase.CENTRAL)
    assert outcome.status == "rolled_back"
    assert outcome.restored_identical is True
    assert running(twin, ROS) == before
    (reboot,) = twin.reboots(ROS)  # the backup load rebooted it
    assert reboot.reason == "command"
    assert outcome.reverted is not None
    assert outcome.reverted.method is RevertMethod.BACKUP_LOAD
    assert outcome.reverted.undo_left_difference
    assert outcome.reverted.rebooted
    assert outcome.reverted.reboot_seconds is not None
    assert outcome.reverted.reboot_seconds >= twin.devices[ROS].faults.reboot_seconds
    _, steps = journal.run(pipeline.run_id)
    (step,) = [s for s in steps if s.step == "reverted"]
    assert "the undo left a difference; by backup load (the router rebooted, gone" in step.detail
    assert armed(twin, ROS) == []


def test_a_router_whose_scheduler_is_off_is_refused_before_any_push(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    faults = {"device_mode": {"mode": "home"}}  # RouterOS 7 (6 has no device-mode)
    twin = twin_factory([ROS], scenario=scenario(faults, "7.16.2"), start_phase=Phase.LEGACY)
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(ROS)
    planned = pipeline.plan_only(site, Phase.DUAL)
    assert planned.status == "refused"
    assert planned.plan is not None
    assert "scheduler off (mode home)" in planned.plan.refusals[0]  # said in the plan
    outcome = pipeline.apply(site, Phase.DUAL)
    assert outcome.status == "refused"
    assert "the router cannot revert a change by itself" in outcome.detail
    assert "/system device-mode has the scheduler off" in outcome.detail
    assert running(twin, ROS) == before  # nothing pushed: not even the change marker
    _, steps = journal.run(pipeline.run_id)
    assert [s.step for s in steps][-3:] == ["backed_up", "planned", "failed"]


def test_ios_reverts_by_its_archive_and_says_so(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    faults = SiteFaults.model_validate(CENTRAL_DOWN)
    twin = twin_factory(
        ["setda"], scenario=Scenario(sites={"setda": faults}), start_phase=Phase.DUAL
    )
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site("setda"), Phase.CENTRAL)
    assert outcome.status == "rolled_back"
    assert outcome.reverted is not None
    assert outcome.reverted.method is RevertMethod.CONFIGURE_REVERT
    assert twin.reboots("setda") == []


def test_a_routeros_6_router_has_no_device_mode_and_is_not_refused_for_it(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    twin = twin_factory([ROS], scenario=scenario({}, "6.49.8"), start_phase=Phase.LEGACY)
    pipeline = make_pipeline(twin, journal)
    planned = pipeline.plan_only(pipeline.loaded.site(ROS), Phase.DUAL)
    assert planned.status == "planned"
    assert planned.plan is not None
    assert planned.plan.refusals == []
    with pytest.raises(InventoryError) as refused:
        twin_factory([ROS], scenario=scenario({"device_mode": {"mode": "home"}}, "6.49.8"))
    assert "RouterOS 6.49.8 has no device-mode" in refused.value.problems[0].message


# the router reboots once the push's last line took, before netprov reads its end: a power
# cut between the push and the first check (RouterOS keeps its config over a reboot, the
# undo script and both scheduler jobs with it: they are configuration)
REBOOT_AFTER_PUSH = {"match": '^:put "netprov-batch-end"', "action": "reboot"}
# a line only the undo sends (the NOC route dual -> central removes, added back)
UNDO_ONLY = r"^/ip route add .*comment=netprov:mgmt-return-1"


def _comes_back(twin: Twin, before: str, reboots: int) -> None:
    """Wait (real seconds, the twin's timers scaled) until the router holds ``before``
    again after ``reboots`` reboots, and is back from the last."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        back = len(twin.reboots(ROS)) >= reboots and not twin.devices[ROS].rebooting
        if back and running(twin, ROS) == before:
            return
        time.sleep(0.1)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("undo_takes", [True, False], ids=["undo", "backup-load"])
def test_a_router_rebooted_between_push_and_check_comes_back_by_itself(
    twin_factory: TwinFactory, journal: Journal, version: str, undo_takes: bool
) -> None:
    faults: dict[str, object] = {"on_command": [REBOOT_AFTER_PUSH]}
    if not undo_takes:
        faults["reject"] = [UNDO_ONLY]
    twin = twin_factory([ROS], scenario=scenario(faults, version), start_phase=Phase.DUAL)
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(ROS)
    outcome = pipeline.apply(site, Phase.CENTRAL)
    assert outcome.status == "failed"
    assert "the device reverts by itself" in outcome.detail
    (power_cut,) = twin.reboots(ROS)
    assert power_cut.reason == "fault"
    # nothing netprov could see went through: no applied change, no phase recorded
    _, steps = journal.run(pipeline.run_id)
    assert [s.step for s in steps] == ["backed_up", "planned", "failed"]
    assert journal.confirmed_phase(ROS) is None
    # the router came back from its reboot holding the change, and its jobs put it back:
    # the undo script at the deadline, else (the undo stopped at a refused line) the
    # backup loaded after it, a second reboot
    _comes_back(twin, before, 1 if undo_takes else 2)
    assert running(twin, ROS) == before
    reasons = [r.reason for r in twin.reboots(ROS)]
    assert reasons == (["fault"] if undo_takes else ["fault", "command"])
    assert armed(twin, ROS) == []  # no script, no job, no marker left
    # the next run finds the router in its real phase, nothing armed, and changes it
    later = make_pipeline(twin, journal)
    drift = later.drift(site)
    assert (drift.actual, drift.changing_run) == (Phase.DUAL, None)
    outcome = later.apply(site, Phase.CENTRAL)
    assert outcome.status == "confirmed", outcome.as_dict()
    assert journal.confirmed_phase(ROS) == "central"


def test_a_router_whose_fetch_is_off_is_refused_before_any_push_naming_it(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    # device-mode with fetch off (the scheduler on): the router refuses /tool fetch, so
    # "egress via <line>" could never see the address the office leaves by, and every
    # change would fail that check and be reverted; found before the push and named
    faults = {"device_mode": {"mode": "advanced", "fetch": False}}
    twin = twin_factory([ROS], scenario=scenario(faults, "7.16.2"), start_phase=Phase.DUAL)
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(ROS)
    planned = pipeline.plan_only(site, Phase.CENTRAL)
    assert planned.status == "refused"
    assert planned.plan is not None
    (refusal,) = planned.plan.refusals
    assert "/system device-mode has fetch off (mode advanced)" in refusal
    assert '"egress via central"' in refusal
    outcome = pipeline.apply(site, Phase.CENTRAL)
    assert outcome.status == "refused"
    assert "/system device-mode has fetch off" in outcome.detail
    assert running(twin, ROS) == before  # nothing pushed
    assert twin.reboots(ROS) == []
