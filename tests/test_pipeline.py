"""The safe change pipeline on the twin, both platforms, with the real clients."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from netprov.change.pipeline import Pipeline
from netprov.change.restore import restore
from netprov.checks.lockout_guard import lockout_step
from netprov.checks.site_context import SiteContext
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.platforms.device import targets_from_hosts
from netprov.platforms.ios.session import IosSession
from netprov.render.config import Renderer
from netprov.secrets import twin_secret
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TWIN_PASSWORD, TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TEMPLATES, TODAY

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

SITES = ["setda", "kel-hegarsari"]  # cisco_ios, mikrotik_routeros


def make_pipeline(
    twin: Twin,
    journal: Journal,
    *,
    renderer: Renderer | None = None,
    run: str = "",
    loaded: LoadedInventory | None = None,
) -> Pipeline:
    loaded = loaded or load_inventory(SAMPLE, today=TODAY)
    run_id = run or journal.start_run("apply")
    return Pipeline(
        loaded,
        journal,
        targets_from_hosts(twin.hosts_inventory()),
        renderer or Renderer(TEMPLATES),
        twin_secret,
        run_id,
        revert_minutes=3,  # x30 twin time: 6 s of real time for the push and the checks
        reconnect_attempts=40,
    )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")


def running(twin: Twin, site: str) -> str:
    return driver_for(twin.devices[site].platform).comparable(twin.devices[site].running_config())


@pytest.mark.parametrize("site_id", SITES)
def test_plan_on_unchanged_site_is_empty(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    twin = twin_factory([site_id])
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.plan_only(pipeline.loaded.site(site_id), Phase.LEGACY)
    assert outcome.plan is not None
    assert outcome.plan.commands == []
    kept = (journal.backups_dir / f"{site_id}.cfg").read_text()
    assert "SECRET-NETPROV_SNMP_COMMUNITY" in kept  # the git copy never holds a secret
    assert "twin-netprovsnmpcommunity" not in kept
    backup = journal.backup(site_id)
    assert backup is not None
    assert "twin-netprovsnmpcommunity" in backup.content  # the journal keeps it for restores


@pytest.mark.parametrize("site_id", SITES)
def test_apply_verifies_confirms_and_is_idempotent(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    twin = twin_factory([site_id], start_phase=Phase.DUAL)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)
    outcome = pipeline.apply(site, Phase.CENTRAL)
    assert outcome.status == "confirmed", outcome.as_dict()
    assert all(check.ok for check in outcome.checks)
    assert "100.72." in running(twin, site_id)
    again = pipeline.apply(site, Phase.CENTRAL)
    assert again.status == "unchanged"
    assert again.plan is not None
    assert again.plan.commands == []
    # nothing left pending on the device: the revert timer / scheduler was disarmed
    time.sleep(2.5)
    assert "100.72." in running(twin, site_id)
    _, steps = journal.run(pipeline.run_id)
    assert [s.step for s in steps if s.site == site_id][:6] == [
        "backed_up",
        "planned",
        "applied",
        "verified",
        "confirmed",
        "backed_up",
    ]


@pytest.mark.parametrize("site_id", SITES)
def test_dead_central_uplink_fails_verification_and_restores_the_backup(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    scenario = Scenario(
        sites={site_id: SiteFaults.model_validate({"uplinks": {"central": {"state": "down"}}})}
    )
    twin = twin_factory([site_id], scenario=scenario, start_phase=Phase.DUAL)
    before = running(twin, site_id)
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.CENTRAL)
    assert outcome.status == "rolled_back"
    assert outcome.restored_identical is True
    # reverted at the first check the dead line fails, its interface (the others not run)
    (failed_first,) = [c for c in outcome.checks if not c.ok]
    assert failed_first.name.startswith("uplink "), failed_first
    assert running(twin, site_id) == before
    backup = journal.backup(site_id, run_id=pipeline.run_id)
    assert backup is not None
    assert driver_for(twin.devices[site_id].platform).comparable(backup.content) == before
    _, steps = journal.run(pipeline.run_id)
    story = [(s.step, s.ok) for s in steps]
    assert story == [
        ("backed_up", True),
        ("planned", True),
        ("applied", True),
        ("verified", False),
        ("reverted", True),
        ("rolled_back", True),
    ]
    # a read-only verify of a router already at central runs every check: the city's
    # services fail over the dead line too
    held = twin_factory([site_id], scenario=scenario, start_phase=Phase.CENTRAL)
    seen = make_pipeline(held, journal).verify(pipeline.loaded.site(site_id), Phase.CENTRAL)
    failed = {check.name for check in seen.checks if not check.ok}
    service = "service e-Government portal (10.250.1.10) from LAN"
    assert {failed_first.name, "default route via central", service} <= failed


def test_routeros_session_cut_mid_push_comes_back_by_its_scheduled_undo(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    site_id = "kel-hegarsari"
    # config lines: the change marker, the undo script and its job, the backup load's
    # job, then the dual -> central commands: cut after the first two (the default
    # routes' distances), before the NOC route's removal
    scenario = Scenario(sites={site_id: SiteFaults(drop_after_config_lines=6)})
    twin = twin_factory([site_id], scenario=scenario, start_phase=Phase.DUAL)
    before = running(twin, site_id)
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.CENTRAL)
    assert outcome.status == "failed"
    assert "push interrupted" in outcome.detail
    assert running(twin, site_id) != before  # half a change, and netprov is gone
    deadline = time.monotonic() + 15
    while running(twin, site_id) != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running(twin, site_id) == before  # the device put itself back ...
    assert twin.reboots(site_id) == []  # ... by the scheduled undo, without a reboot
    export = twin.devices[site_id].running_config()
    assert "netprov-undo" not in export  # nothing left armed: no script, no job
    assert "netprov-revert" not in export
    _, steps = journal.run(pipeline.run_id)
    assert [s.step for s in steps] == [
        "backed_up",
        "planned",
        "failed",
    ]  # netprov did not roll back


def test_ios_session_lost_after_commit_reverts_on_the_device(
    twin_factory: TwinFactory, journal: Journal
) -> None:
    site_id = "setda"
    twin = twin_factory([site_id])
    before = running(twin, site_id)
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)
    session = pipeline.session(site)
    backup = pipeline.backup(site, session)
    plan = pipeline.plan(site, Phase.CENTRAL, backup.content)
    session.apply(plan, revert_minutes=1)
    assert running(twin, site_id) != before
    assert isinstance(session, IosSession)
    session.driver.device.remote_conn.close()  # netprov vanishes
    deadline = time.monotonic() + 15
    while running(twin, site_id) != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running(twin, site_id) == before


@pytest.mark.parametrize("site_id", SITES)
def test_rollback_to_an_older_backup(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    twin = twin_factory([site_id])
    legacy = running(twin, site_id)
    first = make_pipeline(twin, journal)
    assert first.apply(first.loaded.site(site_id), Phase.DUAL).status == "confirmed"
    second = make_pipeline(twin, journal)
    assert second.apply(second.loaded.site(site_id), Phase.CENTRAL).status == "confirmed"
    backup = journal.backup(site_id, run_id=first.run_id)  # taken before the first change
    assert backup is not None
    restorer = make_pipeline(twin, journal)
    outcome = restore(restorer, restorer.loaded.site(site_id), backup)
    assert outcome.restored_identical is True
    assert outcome.status == "restored"
    assert not outcome.failed  # a rollback that worked is a success
    deadline = time.monotonic() + 15
    while twin.devices[site_id].rebooting and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running(twin, site_id) == legacy


@pytest.mark.parametrize("site_id", SITES)
def test_saved_plan_is_refused_when_the_router_changed_by_hand(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    twin = twin_factory([site_id])
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(site_id)
    saved = pipeline.plan_only(site, Phase.DUAL).plan
    device = twin.devices[site_id]
    platform = "cisco_ios" if device.platform is Platform.CISCO_IOS else "mikrotik_routeros"
    with ConnectHandler(
        device_type=platform,
        host=device.host,
        port=device.port,
        username=device.username,
        password=TWIN_PASSWORD,
    ) as conn:
        if platform == "cisco_ios":
            conn.send_config_set(["interface GigabitEthernet0/0/2", "description changed by hand"])
        else:
            conn.send_command("/ip address add address=192.168.55.1/24 interface=ether3")
    hand_made = running(twin, site_id)
    outcome = pipeline.apply(site, Phase.DUAL, saved)
    assert outcome.status == "stale"
    assert running(twin, site_id) == hand_made


@pytest.mark.parametrize("site_id", ["dprd", "kel-hegarsari"])  # no backup line on either
def test_plan_that_would_cut_management_is_refused(
    twin_factory: TwinFactory, journal: Journal, site_id: str, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    for platform in ("cisco_ios", "mikrotik_routeros"):
        for fragment in ("routing.j2", "legacy_uplink.j2"):  # a template bug drops the uplink
            (templates / platform / fragment).write_text("")
    twin = twin_factory([site_id])
    before = running(twin, site_id)
    pipeline = make_pipeline(twin, journal, renderer=Renderer(templates))
    outcome = pipeline.apply(pipeline.loaded.site(site_id), Phase.LEGACY)
    assert outcome.status == "refused"
    assert "would cut the management path" in outcome.detail
    assert running(twin, site_id) == before


@pytest.mark.parametrize("site_id", SITES)
def test_dual_keeps_the_way_back_to_the_noc_on_the_proven_line(
    twin_factory: TwinFactory, journal: Journal, site_id: str, tmp_path: Path
) -> None:
    """Issue 10: the management networks lie inside the central services, so the dual push
    would move the route back to the NOC onto the central line it brings in, mid-session.
    The rendered dual config pins it to the primary line; a template without that pin has
    its push refused by the lockout guard, naming the step and the line."""
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site(site_id)
    org = loaded.organisation
    intended = Renderer(TEMPLATES).render(site, org, Phase.DUAL, loaded.allocations[site_id])
    twin = twin_factory([site_id])
    driver = driver_for(site.router.platform)
    legacy = twin.devices[site_id].running_config()
    plan = driver.plan(site_id, Phase.DUAL, legacy, intended.text)
    assert lockout_step(SiteContext.build(site, org), legacy, plan) is None
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    routing = templates / site.router.platform.value / "routing.j2"
    routing.write_text(
        routing.read_text().replace("{% if central and not central.primary %}", "{% if false %}")
    )
    before = running(twin, site_id)
    pipeline = make_pipeline(twin, journal, renderer=Renderer(templates))
    outcome = pipeline.apply(site, Phase.DUAL)
    assert outcome.status == "refused", outcome.as_dict()
    assert "would move the management path to 10.250.10.1 onto the central line" in outcome.detail
    assert running(twin, site_id) == before


def test_a_locked_site_is_not_touched(twin_factory: TwinFactory, journal: Journal) -> None:
    twin = twin_factory(["setda"])
    pipeline = make_pipeline(twin, journal)
    assert journal.lock("setda", "someone-else")
    outcome = pipeline.apply(pipeline.loaded.site("setda"), Phase.DUAL)
    assert outcome.status == "failed"
    assert "locked by run someone-else" in outcome.detail


@pytest.mark.parametrize("site_id", SITES)
def test_a_plan_carries_secret_references_and_only_the_push_resolves_them(
    twin_factory: TwinFactory, journal: Journal, site_id: str
) -> None:
    """Issue 13: the SNMP community is rotated. The plan (shown, saved, journaled) holds
    ``SECRET-<name>``; the router gets the new value."""
    twin = twin_factory([site_id])
    pipeline = make_pipeline(twin, journal)
    pipeline.secret = lambda ref: "rotated" + twin_secret(ref).removeprefix("twin")
    site = pipeline.loaded.site(site_id)
    outcome = pipeline.apply(site, Phase.LEGACY)
    assert outcome.status == "confirmed", outcome.as_dict()
    assert outcome.plan is not None
    planned = "\n".join(outcome.plan.commands)
    assert "SECRET-NETPROV_SNMP_COMMUNITY" in planned
    assert "rotated" not in planned
    _, steps = journal.run(pipeline.run_id)
    assert not [s for s in steps if "rotated" in s.diff + s.detail]
    assert "rotated-netprovsnmpcommunity" in twin.devices[site_id].running_config()
    assert "SECRET-" not in twin.devices[site_id].running_config()


@pytest.mark.parametrize("site_id", SITES)
def test_a_second_journal_never_pushes_to_a_router_under_change(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    """Issue 13 item 4: two runs with different ``--db``. The first leaves its change marker
    on the router (as during its push); the second is refused before touching anything."""
    from netprov.platforms import ChangeMarker

    twin = twin_factory([site_id], start_phase=Phase.DUAL)
    first = Journal(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a")
    second = Journal(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b")
    holder = make_pipeline(twin, first)
    site = holder.loaded.site(site_id)
    session = holder.session(site)
    try:
        session.mark(ChangeMarker.here(holder.run_id))
    finally:
        session.close()
    before = running(twin, site_id)
    outcome = make_pipeline(twin, second).apply(site, Phase.CENTRAL)
    assert outcome.status == "failed"
    assert f"in the middle of change {holder.run_id}" in outcome.detail
    assert running(twin, site_id) == before
    # the first journal's next run knows that run: it clears the marker and goes ahead
    done = make_pipeline(twin, first).apply(site, Phase.CENTRAL)
    assert done.status == "confirmed", done.as_dict()
    session = holder.session(site)
    try:
        assert session.marker() is None  # a confirmed change leaves no marker behind
    finally:
        session.close()
    assert "netprov-change" not in twin.devices[site_id].running_config()
