"""A RouterOS change is checked with ``/import ... dry-run`` before any line of it is
applied (issue 38), on a router whose version has it (7.16 and later): a change with a
line the router refuses is refused, naming the line and the router's words, with the
router byte-identical and the checked file removed; a good change goes through. An older
RouterOS is never sent the dry run (it would refuse the word): its change goes as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netprov.models import Phase
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.test_pipeline import make_pipeline, running

pytestmark = pytest.mark.twin

ROS = "kel-hegarsari"  # mikrotik_routeros
# a line of the LEGACY -> DUAL change the router refuses (every copy of it, dry run or not)
REFUSED = r"^/ip route add .*comment=netprov:"


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")


def _twin(twin_factory: TwinFactory, version: str, reject: list[str]) -> Twin:
    faults = SiteFaults.model_validate({"reject": reject})
    return twin_factory([ROS], scenario=Scenario(sites={ROS: faults}, versions={ROS: version}))


def _checked_files(twin: Twin) -> list[str]:
    state = twin.devices[ROS].state
    assert isinstance(state, RosDevice)
    return [name for name in state.files if "dry-run" in name]


def test_a_refused_line_is_found_by_the_dry_run_before_any_push(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    twin = _twin(twin_factory, "7.16.2", [REFUSED])
    before = running(twin, ROS)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(ROS)
    planned = pipeline.plan_only(site, Phase.DUAL)
    assert planned.status == "refused", planned.as_dict()
    assert planned.plan is not None
    (said,) = planned.plan.refusals  # said in the plan
    assert "/import dry-run" in said
    assert "/ip route add" in said
    outcome = pipeline.apply(site, Phase.DUAL)
    assert outcome.status == "refused", outcome.as_dict()
    assert "refused before any push" in outcome.detail
    assert "/ip route add" in outcome.detail
    assert "(line 4)" in outcome.detail  # the router's words, naming its line of the file
    assert outcome.reason is not None
    assert "router menolak baris 4 dari perubahan" in outcome.reason.text("id")
    assert running(twin, ROS) == before  # byte for byte: not one line applied
    assert _checked_files(twin) == []  # the checked file removed
    _, steps = journal.run(pipeline.run_id)
    assert [s.step for s in steps][-3:] == ["backed_up", "planned", "failed"]
    assert "/import dry-run" in steps[-1].detail


@pytest.mark.parametrize("version", ["7.16.2", "6.49.8"])
def test_a_good_change_goes_through_and_leaves_no_file(
    twin_factory: TwinFactory, journal: Journal, version: str
) -> None:
    twin = _twin(twin_factory, version, [])
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(ROS), Phase.DUAL)
    assert outcome.status == "confirmed", outcome.as_dict()
    assert _checked_files(twin) == []


def test_routeros_6_is_not_sent_the_dry_run(twin_factory: TwinFactory, journal: Journal) -> None:
    twin = _twin(twin_factory, "6.49.8", [REFUSED])
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(ROS), Phase.DUAL)
    # as before: the line is refused at the push, and the router reverts the change
    assert outcome.status == "failed", outcome.as_dict()
    assert "/import dry-run" not in outcome.detail
    assert _checked_files(twin) == []
