"""Shaping proven effective (issue 36): the central shaper counts only where it takes the
traffic. RouterOS simple queues are first-match, so an office queue above netprov's takes
the LAN's traffic first; an IOS policy acts only on packets leaving by the interface it is
attached to. The twin models which queue takes a packet, ``verify`` fails the shaping check
live and ``check`` (NP011) finds the same offline."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netprov.checks.gate import run_check
from netprov.checks.lint import shaping_findings
from netprov.checks.site_context import SiteContext
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.phases import central_view
from netprov.platforms import driver_for
from netprov.platforms.uplinks import uplink_views
from netprov.render.config import Renderer
from netprov.sim.routeros.queues import queue_taking
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from netprov.state.journal import Journal
from netprov.twin.build import build_twin
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TODAY, Edit
from tests.test_check import DESA, active, device_backup
from tests.test_pipeline import make_pipeline
from tests.test_twin_clients import netmiko

ROS_SITE = "kec-sukamaju"  # LAN 10.31.31.0/24 on ether2, central on vlan1131-central
PROBE = IPv4Address("199.7.83.42")
OFFICE_PCS = [IPv4Address("10.31.31.50"), IPv4Address("10.31.31.200")]


def _dual_router(tmp_path: Path) -> RosDevice:
    loaded = load_inventory(SAMPLE, today=TODAY)
    twin = build_twin(
        loaded, site_ids=[ROS_SITE], start_phase=Phase.DUAL, host_key_path=tmp_path / "key"
    )
    state = twin.devices[ROS_SITE].state
    assert isinstance(state, RosDevice)
    return state


# an office's own queue, placed above netprov's: does it take the LAN's central traffic?
OFFICE_QUEUES = {
    "target=10.0.0.0/8": True,  # every private address: the whole LAN
    "target=10.31.31.0/24": True,
    "target=10.31.31.50/32": True,  # one PC's traffic escapes netprov's share
    "target=ether2": True,  # the LAN interface
    "target=vlan1131-central": True,  # everything through the central line
    "target=10.0.0.0/8 dst=vlan1131-central": True,
    "target=10.0.0.0/8 dst=pppoe-legacy": False,  # only what leaves by the office ISP
    "target=192.168.88.0/24": False,  # another network (a guest Wi-Fi)
    "target=10.0.0.0/8 disabled=yes": False,
}


@pytest.mark.parametrize("office", sorted(OFFICE_QUEUES))
def test_the_twin_and_the_reader_agree_on_which_queue_takes_the_traffic(
    tmp_path: Path, office: str
) -> None:
    """Twin first: its model of the router's queues (first match, in the list's order) says
    which queue an office PC's packet to the central probe meets; the driver's reader of
    the export finds netprov's queue shadowed exactly when the twin hands some PC's traffic
    to another queue."""
    router = _dual_router(tmp_path)
    assert {queue_taking(router, pc, PROBE) for pc in OFFICE_PCS} == {"netprov-central"}
    refused, _ = router.run(
        f"/queue simple add name=office {office} max-limit=50M/50M "
        "place-before=[ find where name=netprov-central-line ]",
        "/",
    )
    assert not refused
    taken = {queue_taking(router, pc, PROBE) for pc in OFFICE_PCS}
    assert ("office" in taken) is OFFICE_QUEUES[office]
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site(ROS_SITE)
    view = central_view(uplink_views(site, loaded.organisation, Phase.DUAL))
    assert view is not None
    shaping = driver_for(site.router.platform).read_shaping(router.config_text(), view)
    assert (shaping.shadowed is not None) is OFFICE_QUEUES[office], shaping
    if OFFICE_QUEUES[office]:
        shown = office.split(maxsplit=1)[0]
        assert str(shaping.shadowed) == f'queue "office" ({shown}) above netprov-central'


def test_a_queue_below_netprovs_takes_nothing_from_it(tmp_path: Path) -> None:
    router = _dual_router(tmp_path)
    router.run("/queue simple add name=office target=10.0.0.0/8 max-limit=50M/50M", "/")
    assert {queue_taking(router, pc, PROBE) for pc in OFFICE_PCS} == {"netprov-central"}


@pytest.mark.twin
def test_verify_fails_shaping_under_an_office_queue(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """A router in service holds the office's own queue for the whole 10/8: netprov puts
    its queues above it (issue 37 item 4) and the change is confirmed. The office then
    puts a queue of its own on top: the central shaper no longer sees the LAN's traffic,
    and that is the one check that fails; the next change moves netprov's queue back
    above it."""
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        conn.send_command("/queue simple add name=kantor target=10.0.0.0/8 max-limit=50M/50M")
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    site = pipeline.loaded.site(ROS_SITE)
    assert pipeline.apply(site, Phase.DUAL).status == "confirmed"
    with netmiko(twin, ROS_SITE) as conn:
        conn.send_command(
            "/queue simple add name=boss target=10.31.31.0/24 max-limit=90M/90M place-before=0"
        )
    verified = make_pipeline(twin, journal).verify(site, Phase.DUAL)
    failed = {c.name: c.observed for c in verified.checks if not c.ok}
    assert list(failed) == ["shaping on central"], failed
    assert 'taken first by queue "boss" (target=10.31.31.0/24)' in failed["shaping on central"]
    again = make_pipeline(twin, journal).apply(site, Phase.DUAL)
    assert again.status == "confirmed", again.as_dict()
    assert again.plan is not None
    assert [c for c in again.plan.commands if " move " in c] == [
        "/queue simple move [ find where comment=netprov:qos-central ] "
        "destination=[ find where max-limit=90M/90M and name=boss and target=10.31.31.0/24 ]"
    ]


def test_np011_a_queue_of_the_router_above_netprovs(
    inventory_copy: Path, edit: Edit, tmp_path: Path
) -> None:
    """Offline alike, on the stored backup with the plan simulated on it. The plan puts
    netprov's queue above an office queue that would take its traffic (issue 37 item 4:
    netprov.platforms.routeros.placement; before, it came below and NP011 fired), and
    moves it there on a backup already converged with the office queue inserted above
    netprov's since: NP011 reads the router after the plan and is silent. The backup as
    it stands is what verify would find: the office's queue takes the traffic first."""
    backups = tmp_path / "backups"
    backups.mkdir()
    office = "/queue simple add max-limit=20M/20M name=kantor target=10.0.0.0/8"
    legacy = device_backup("desa-balokang", tmp_path)
    edit(DESA, "  wave: 0\n", "  wave: 0\n  desired_phase: central\n")
    (backups / "desa-balokang.cfg").write_text(legacy + office + "\n")
    report = run_check(inventory_copy, backups=backups, today=TODAY)
    desa = next(s for s in report.sites if s.site.id == "desa-balokang")
    assert desa.commands is not None
    (queue,) = [c for c in desa.commands if "comment=netprov:qos-central " in c + " "]
    assert queue.endswith(
        "place-before=[ find where max-limit=20M/20M and name=kantor and target=10.0.0.0/8 ]"
    )
    assert active(inventory_copy, "NP011", backups=backups) == []
    converged = device_backup("desa-balokang", tmp_path, Phase.CENTRAL)
    at = converged.index("/queue simple add")
    above = converged[:at] + office + "\n" + converged[at:]
    (backups / "desa-balokang.cfg").write_text(above)
    report = run_check(inventory_copy, backups=backups, today=TODAY)
    desa = next(s for s in report.sites if s.site.id == "desa-balokang")
    assert desa.commands is not None
    assert [c for c in desa.commands if " move " in c] == [
        "/queue simple move [ find where comment=netprov:qos-central ] destination="
        "[ find where max-limit=20M/20M and name=kantor and target=10.0.0.0/8 ]"
    ]
    assert active(inventory_copy, "NP011", backups=backups) == []
    org = load_inventory(inventory_copy, today=TODAY).organisation
    view = central_view(uplink_views(desa.site, org, Phase.CENTRAL))
    assert view is not None
    assert str(driver_for(desa.site.router.platform).read_shaping(above, view).shadowed) == (
        'queue "kantor" (target=10.0.0.0/8) above netprov-central'
    )


def test_ios_shaping_is_held_to_the_interface_traffic_leaves_by() -> None:
    """IOS: a policy shapes only what leaves by the interface it is attached to. Attached
    to the hand-off port instead of the central VLAN's sub-interface, it shapes nothing of
    the central line's; offline, NP011 holds it to the route the config gives the line."""
    loaded = load_inventory(SAMPLE, today=TODAY)
    site, org = loaded.site("setda"), loaded.organisation
    driver = driver_for(site.router.platform)
    view = central_view(uplink_views(site, org, Phase.DUAL))
    assert view is not None
    assert view.l3 == "GigabitEthernet0/0/1.1101"

    allocation = loaded.allocations["setda"]
    text = Renderer().render(site, org, Phase.DUAL, allocation).text
    shaping = driver.read_shaping(text, view)
    assert shaping.interfaces == ("GigabitEthernet0/0/1.1101",)
    simulated = driver.simulator(site, site_world(site, org.central_services))
    assert simulated.load_initial(text) == []
    router = simulated.router()
    context = SiteContext.build(site, org, allocation)
    assert shaping_findings(context, Phase.DUAL, text, router=router) == []
    moved = text.replace(" service-policy output NETPROV-SHAPE-CENTRAL\n", "").replace(
        " description netprov:central hand-off",
        " service-policy output NETPROV-SHAPE-CENTRAL\n description netprov:central hand-off",
    )
    assert driver.read_shaping(moved, view).interfaces == ("GigabitEthernet0/0/1",)
    found = shaping_findings(context, Phase.DUAL, moved, router=router)
    assert len(found) == 1
    assert "leaves by GigabitEthernet0/0/1.1101, the shaper acts on GigabitEthernet0/0/1" in (
        found[0].message
    )
