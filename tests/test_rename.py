"""A plan that renames the router (issue 37, item 1; invariant g): the prompt follows the
router's name as on the real device (RouterOS ``[user@identity] >``, MikroTik manual,
"Command Line Interface"; IOS ``hostname#``), and netprov's session follows it, so the
checks still read the router's answers and a failed change is still reverted exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netprov.models import Phase
from netprov.render.config import Renderer
from netprov.secrets import twin_secret
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TEMPLATES, TODAY
from tests.test_pipeline import make_pipeline
from tests.test_twin_clients import netmiko

pytestmark = pytest.mark.twin

ROS_SITE = "kel-hegarsari"
IOS_SITE = "setda"
OLD_NAME = "kantor-lama"


def _renamed_start(tmp_path: Path, site_id: str) -> tuple[Path, str]:
    """The site's legacy config as the inventory renders it, under another router name:
    the router in service was named by someone else, so netprov's plan renames it."""
    from netprov.inventory.loader import load_inventory

    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site(site_id)
    allocation = loaded.allocations.get(site_id)
    text = (
        Renderer(TEMPLATES)
        .render(site, loaded.organisation, Phase.LEGACY, allocation, twin_secret)
        .text
    )
    hostname = site.router.hostname
    identity = "/system identity set name="
    renamed = text.replace(f"{identity}{hostname}", f"{identity}{OLD_NAME}")
    renamed = renamed.replace(f"hostname {hostname}\n", f"hostname {OLD_NAME}\n")
    assert renamed != text
    path = tmp_path / f"{site_id}.cfg"
    path.write_text(renamed, encoding="utf-8")
    return path, hostname


def test_routeros_prompt_follows_the_identity(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        before = conn.find_prompt()
        conn.write_channel("/system identity set name=renamed-r1\r\n")
        seen = conn.read_until_pattern(r"\[\S+@renamed-r1\] >", read_timeout=10)
        after = conn.find_prompt()
    assert re.fullmatch(r"\[netprov@smj-kel-hegarsari-r1\] >", before.strip()), before
    assert "[netprov@renamed-r1] >" in seen
    assert after.strip() == "[netprov@renamed-r1] >"


def test_ios_prompt_follows_the_hostname(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    with netmiko(twin, IOS_SITE) as conn:
        conn.send_config_set(["hostname renamed-r1"])
        after = conn.find_prompt()
    assert after.strip() == "renamed-r1#"


@pytest.mark.parametrize("site_id", [ROS_SITE, IOS_SITE])
def test_a_renaming_change_is_confirmed(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    start, hostname = _renamed_start(tmp_path, site_id)
    twin = twin_factory([site_id], scenario=Scenario(configs={site_id: str(start)}))
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.LEGACY)
    assert outcome.status == "confirmed", outcome.detail
    assert all(check.ok for check in outcome.checks), outcome.checks
    running = twin.devices[site_id].running_config()
    assert hostname in running
    assert OLD_NAME not in running
    assert "netprov-revert" not in running
    assert "netprov-change" not in running
    again = pipeline.plan_only(pipeline.loaded.site(site_id), Phase.LEGACY)
    assert again.plan is not None
    assert again.plan.commands == []


@pytest.mark.parametrize("site_id", [ROS_SITE, IOS_SITE])
def test_a_renaming_change_that_fails_its_checks_is_reverted_exactly(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    start, _ = _renamed_start(tmp_path, site_id)
    scenario = Scenario(
        configs={site_id: str(start)},
        sites={site_id: SiteFaults(dns_unfiltered=True)},  # the DNS check fails
    )
    twin = twin_factory([site_id], scenario=scenario)
    device = twin.devices[site_id]
    before = device.running_config()
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.LEGACY)
    assert outcome.status == "rolled_back", (outcome.status, outcome.detail)
    assert outcome.restored_identical is True
    after = twin.call(device.running_config)
    assert _dated(after) == _dated(before)  # byte-identical but for the export's date
    # and nothing of the change is left armed: no revert job, no pending rollback timer
    state = device.state
    if isinstance(state, RosDevice):
        assert state.tables["/system scheduler"] == []
        assert state.timers == {}
    else:
        assert isinstance(state, IosDevice)
        assert state.pending is None


def _dated(config: str) -> list[str]:
    """A config without the line RouterOS dates each export with."""
    return [line for line in config.splitlines() if " by RouterOS " not in line]
