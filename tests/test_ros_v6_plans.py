"""The planner writes for the RouterOS version the router runs (issue 37, items 2 and 7):
the inventory's ``router.os_version``, else the version its backup or running config names.
Every phase rendered for a RouterOS 6 office loads into a RouterOS 6 router, and every plan
between phases runs there, without one refused line; a v6 backup DHCP client that never ran
is enabled when adopted; ``netprov check`` plans against a stored v6 backup in v6 forms."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from netprov.checks.gate import run_check
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from netprov.rollout.cutover import cutover_site, finalize_site
from netprov.secrets import twin_secret
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from netprov.state.journal import Journal
from netprov.syntax.routeros_versions import RosVersion
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.routeros_show import RosShow
from netprov.twin.scenario import Scenario
from tests.conftest import SAMPLE, TEMPLATES, TODAY, Edit
from tests.test_pipeline import make_pipeline

ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
V6 = "6.49.8"
HEADER = f"# jan/10/2024 12:00:00 by RouterOS {V6}\n# model = RB4011iGS+\n"
LOADED = load_inventory(SAMPLE, today=TODAY)
# one office of each kind of uplink set: office line by DHCP, PPPoE or static address, a
# backup line by DHCP, a public hotspot with two LAN subnets
ROS_SITES = ["desa-balokang", "kel-hegarsari", "kec-sukamaju", "satpolpp", "hotspot-alun-alun-kota"]
DHCP_BACKUP_SITE = "kec-sukamaju"  # PPPoE office line, backup line by DHCP on ether4
RENDERER = Renderer(TEMPLATES)  # compiled once


def _render(
    site_id: str, phase: Phase, os_version: str | None = V6, *, running: str | None = None
) -> str:
    site = LOADED.site(site_id)
    allocation = LOADED.allocations.get(site_id)
    org = LOADED.organisation
    return RENDERER.render(
        site, org, phase, allocation, twin_secret, os_version=os_version, running=running
    ).text


def _router(site_id: str, config: str) -> RosDevice:
    site = LOADED.site(site_id)
    device = ROS.simulator(site, site_world(site, LOADED.organisation.central_services))
    assert isinstance(device, RosDevice)
    device.show = RosShow(device)
    assert device.load_initial(config) == []
    return device


# a line of a RouterOS 6 router that runs the ipv6 package (its config shows it)
IPV6_IN_USE = "/ipv6 firewall address-list add address=fd00::/8 list=office\n"


@pytest.mark.parametrize("ipv6", [False, True], ids=["without-ipv6", "with-ipv6"])
@pytest.mark.parametrize("site_id", ROS_SITES)
def test_every_phase_for_a_v6_router_loads_and_every_plan_runs_on_one(
    site_id: str, ipv6: bool
) -> None:
    """A v6 router with the ipv6 package (its config has an /ipv6 line) and one without
    (most: routeros_versions.ipv6_package), from each phase to each other one."""
    factory = HEADER + (IPV6_IN_USE if ipv6 else "")
    refused: list[str] = []
    for phase in Phase:
        router = _router(site_id, factory + _render(site_id, phase, running=factory))
        assert router.version == RosVersion(6, 49, 8)
        text = router.export()
        assert "/system ntp client servers" not in text
        assert "type=icmp" not in text
        assert ("comment=netprov:dns6-udp" in text) is ipv6
    for start, phase in itertools.permutations(Phase, 2):
        router = _router(site_id, factory + _render(site_id, start, running=factory))
        running = router.export()
        assert running.startswith("# ")
        assert f"by RouterOS {V6}" in running
        # no version in the inventory: the plan reads it from the router's config
        intended = _render(site_id, phase, None, running=running)
        plan = ROS.plan(site_id, phase, running, intended)
        assert plan.conflicts == []
        for step in ROS.simulate_plan(router, plan):
            refused += step.rejected
        again = ROS.plan(site_id, phase, router.export(), intended)
        assert again.commands == [], (start, phase, again.commands)
    assert refused == []


def test_the_inventory_version_comes_first(edit: Edit, inventory_copy: Path) -> None:
    site_file = "sites/kecamatan-kelurahan.yaml"
    edit(
        site_file,
        "    hostname: smj-kec-sukamaju-r1\n",
        f"    hostname: smj-kec-sukamaju-r1\n    os_version: '{V6}'\n",
    )
    loaded = load_inventory(inventory_copy, today=TODAY)
    site = loaded.site(DHCP_BACKUP_SITE)
    assert site.router.os_version == V6
    text = Renderer(TEMPLATES).render(site, loaded.organisation, Phase.LEGACY, None).text
    assert f"primary-ntp={LOADED.organisation.ntp_servers[0]}" in text
    # the router's own config naming another version does not override the inventory
    again = Renderer(TEMPLATES).render(
        site, loaded.organisation, Phase.LEGACY, None, os_version="7.16"
    )
    assert again.text == text


def test_a_v6_backup_dhcp_client_that_never_ran_is_enabled_when_adopted() -> None:
    """RouterOS 6 printed ``/ip dhcp-client add interface=ether4`` without ``disabled=no``:
    the client is disabled, it never ran. netprov takes it over as the backup line's client
    and enables it (its lease then pins the probe route, MikroTik manual "DHCP client")."""
    legacy = _render(DHCP_BACKUP_SITE, Phase.LEGACY)
    office = [line for line in legacy.splitlines() if not line.startswith("/ip dhcp-client add")]
    start = (
        HEADER + "\n".join(office) + "\n/ip dhcp-client add comment=isp-cadangan interface=ether4\n"
    )
    router = _router(DHCP_BACKUP_SITE, start)
    assert router.tables["/ip dhcp-client"][0]["disabled"] == "yes"
    running = router.export()
    plan = ROS.plan(DHCP_BACKUP_SITE, Phase.LEGACY, running, legacy)
    assert plan.conflicts == []
    adopted = "\n".join(plan.adopted)
    assert "/ip dhcp-client set [ find where interface=ether4 and comment=isp-cadangan ]" in adopted
    assert "disabled=no" in adopted
    for step in ROS.simulate_plan(router, plan):
        assert step.rejected == ()
    (client,) = router.tables["/ip dhcp-client"]
    assert client["disabled"] == "no"
    assert "disabled=yes" in "\n".join(plan.undo)  # the undo disables it again
    assert ROS.plan(DHCP_BACKUP_SITE, Phase.LEGACY, router.export(), legacy).commands == []


def test_a_disabled_v7_client_is_enabled_when_adopted() -> None:
    legacy = _render(DHCP_BACKUP_SITE, Phase.LEGACY, None)
    office = [line for line in legacy.splitlines() if not line.startswith("/ip dhcp-client add")]
    start = "\n".join(office) + "\n/ip dhcp-client add disabled=yes interface=ether4\n"
    router = _router(DHCP_BACKUP_SITE, start)
    plan = ROS.plan(DHCP_BACKUP_SITE, Phase.LEGACY, router.export(), legacy)
    assert "disabled=no" in "\n".join(plan.adopted)
    for step in ROS.simulate_plan(router, plan):
        assert step.rejected == ()
    assert router.tables["/ip dhcp-client"][0]["disabled"] == "no"


def test_a_router_older_than_6_41_is_refused_naming_its_version() -> None:
    old = HEADER.replace(V6, "6.40.4") + _render(DHCP_BACKUP_SITE, Phase.LEGACY)
    plan = ROS.plan(DHCP_BACKUP_SITE, Phase.DUAL, old, _render(DHCP_BACKUP_SITE, Phase.DUAL))
    assert any("RouterOS 6.40.4" in c and "6.41" in c for c in plan.conflicts), plan.conflicts


def test_backups_in_git_keep_the_version_not_the_time() -> None:
    export = HEADER + "/system identity set name=r1\n"
    kept = ROS.for_git(export)
    assert kept.startswith(f"# by RouterOS {V6}\n")
    assert "jan/10/2024" not in kept
    assert ROS.config_version(kept) == V6


def test_check_plans_against_a_v6_backup_in_v6_forms(tmp_path: Path) -> None:
    """The stored backup of a v6 office names its version: ``netprov check`` renders for it,
    so a router that holds its phase plans nothing (a v7 render would replace its NTP and
    netwatch lines) and no line is refused by the router's model."""
    backups = tmp_path / "backups"
    backups.mkdir()
    renderer = RENDERER
    for site in LOADED.sites:
        version = V6 if site.id == DHCP_BACKUP_SITE else None
        allocation = LOADED.allocations.get(site.id)
        phase = site.desired_phase
        text = renderer.render(site, LOADED.organisation, phase, allocation, os_version=version)
        stored = ROS.for_git(HEADER + text.text) if version else text.text
        (backups / f"{site.id}.cfg").write_text(stored)
    report = run_check(SAMPLE, templates=TEMPLATES, backups=backups, today=TODAY)
    (result,) = [r for r in report.sites if r.site.id == DHCP_BACKUP_SITE]
    assert result.commands == []
    assert [f for f in result.findings if f.severity.value == "error"] == []


def test_versions_in_the_inventory_and_on_the_router_that_render_differently_conflict(
    edit: Edit, inventory_copy: Path
) -> None:
    from netprov.render.config import version_conflicts

    edit(
        "sites/kecamatan-kelurahan.yaml",
        "    hostname: smj-kec-sukamaju-r1\n",
        "    hostname: smj-kec-sukamaju-r1\n    os_version: '7.16'\n",
    )
    loaded = load_inventory(inventory_copy, today=TODAY)
    site = loaded.site(DHCP_BACKUP_SITE)
    renderer = Renderer(TEMPLATES)
    org = loaded.organisation
    allocation = loaded.allocations.get(site.id)
    (found,) = version_conflicts(renderer, site, org, Phase.DUAL, allocation, HEADER)
    assert V6 in found
    assert "7.16" in found
    newer = HEADER.replace(V6, "7.18.2")
    assert version_conflicts(renderer, site, org, Phase.DUAL, allocation, newer) == []
    assert version_conflicts(renderer, site, org, Phase.DUAL, allocation, None) == []


@pytest.mark.twin
def test_a_v6_office_is_rehearsed_from_legacy_to_final_on_a_v6_router(
    twin_factory: TwinFactory, tmp_path: Path, edit: Edit, inventory_copy: Path
) -> None:
    """An office still on RouterOS 6.49.8 (the inventory does not say so; its router
    does), cut over legacy -> dual -> central -> final on a twin running 6.49.8: every
    phase is pushed without a refused line and confirmed, the backup line's DHCP client
    runs, and afterwards ``backup`` + ``check`` plan nothing."""
    twin = twin_factory([DHCP_BACKUP_SITE], scenario=Scenario(versions={DHCP_BACKUP_SITE: V6}))
    device = twin.devices[DHCP_BACKUP_SITE]
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(DHCP_BACKUP_SITE)
    assert site.router.os_version is None
    tuesday = dt.datetime(2026, 11, 24, 2)  # inside the office's maintenance window
    central = cutover_site(pipeline, site, Phase.CENTRAL, tuesday)
    assert central.status == "confirmed", central.detail
    assert journal.confirmed_phase(DHCP_BACKUP_SITE) == "central"
    final = finalize_site(pipeline, site, dt.timedelta(0))
    assert final.status == "confirmed", final.detail
    export = twin.call(device.running_config)
    assert f"by RouterOS {V6}" in export.splitlines()[0]
    assert "/system ntp client servers" not in export
    assert "type=icmp" not in export
    assert "primary-ntp=" in export
    (client,) = [line for line in export.splitlines() if line.startswith("/ip dhcp-client add")]
    assert "disabled=no" in client.split()
    assert "comment=netprov-dhcp:probe-backup" in export  # its lease ran the script
    assert "pppoe-legacy" not in export  # the office ISP line is gone
    stored = (tmp_path / "backups" / f"{DHCP_BACKUP_SITE}.cfg").read_text()
    assert stored.startswith(f"# by RouterOS {V6}\n")
    # git says final: the stored backup plans nothing, in v6 forms, nothing refused
    edit(
        "sites/kecamatan-kelurahan.yaml",
        f"- id: {DHCP_BACKUP_SITE}\n",
        f"- id: {DHCP_BACKUP_SITE}\n  desired_phase: final\n",
    )
    report = run_check(inventory_copy, templates=TEMPLATES, backups=tmp_path / "backups")
    (result,) = [r for r in report.sites if r.site.id == DHCP_BACKUP_SITE]
    assert result.commands == []
    assert [f for f in result.findings if f.severity.value == "error"] == []
