"""A check proves what its name says (issue 36, found in review): checks that read the
running config passed on a word in it, whatever the object held. On a router at ``dual``
changed by hand the way an office's engineer or a previous contractor does, each change
makes exactly the check that names it fail: netprov's queue disabled (shaping), the DNS
redirect disabled (LAN DNS forced), the backup line's default route gone or untracked
(failover route), the office line's probe route pointed at the central line (default
route via legacy), a DHCP server handing out another gateway (DHCP serves the LAN)."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netprov.checks.results import Check
from netprov.models import Phase
from netprov.sim.routeros.queues import queue_taking
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from tests.test_pipeline import make_pipeline
from tests.test_twin_clients import netmiko

pytestmark = pytest.mark.twin

ROS = "kec-sukamaju"  # LAN 10.31.31.0/24, office ISP by PPPoE, central vlan1131, DHCP backup
IOS = "setda"  # office ISP static, central Gi0/0/1.1101, DHCP backup on Gi0/1/0 (track 30)
NAMED = (
    "shaping on central",
    "LAN DNS forced to the filtering resolvers",
    "failover route for backup line",
    "default route via legacy",
    "DHCP serves the LAN",
)


def checks_at_dual(
    twin_factory: TwinFactory, tmp_path: Path, site: str, by_hand: list[str]
) -> dict[str, Check]:
    """The checks of ``site`` at dual after ``by_hand`` was typed on its router (IOS: in
    configuration mode)."""
    twin = twin_factory([site], start_phase=Phase.DUAL)
    with netmiko(twin, site) as conn:
        if site == IOS and by_hand:
            conn.send_config_set(by_hand)
        for command in by_hand if site == ROS else []:
            assert "failure" not in conn.send_command(command), command
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, run=journal.start_run("verify"))
    outcome = pipeline.verify(pipeline.loaded.site(site), Phase.DUAL)
    return {check.name: check for check in outcome.checks}


@pytest.mark.parametrize("site", [ROS, IOS])
def test_untouched_the_named_checks_pass(
    twin_factory: TwinFactory, tmp_path: Path, site: str
) -> None:
    checks = checks_at_dual(twin_factory, tmp_path, site, [])
    assert all(checks[name].ok for name in NAMED), [checks[n] for n in NAMED]


def failed(checks: dict[str, Check]) -> list[str]:
    return [name for name, check in checks.items() if not check.ok]


def test_a_disabled_queue_shapes_nothing(twin_factory: TwinFactory, tmp_path: Path) -> None:
    """A disabled simple queue takes no packet (MikroTik manual, "Queues"): the twin's
    model hands the LAN's traffic to no queue, and the shaping check says so."""
    disable = "/queue simple disable [find name=netprov-central]"
    checks = checks_at_dual(twin_factory, tmp_path, ROS, [disable])
    assert failed(checks) == ["shaping on central"]
    assert "disabled" in checks["shaping on central"].observed


def test_the_twin_gives_a_disabled_queue_no_packet(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS], start_phase=Phase.DUAL)
    router = twin.devices[ROS].state
    assert isinstance(router, RosDevice)
    pc, probe = IPv4Address("10.31.31.50"), IPv4Address("199.7.83.42")
    assert twin.call(lambda: queue_taking(router, pc, probe)) == "netprov-central"
    twin.call(lambda: router.run("/queue simple disable [find name=netprov-central]", "/"))
    assert twin.call(lambda: queue_taking(router, pc, probe)) is None


def test_a_disabled_dns_redirect_forces_nothing(twin_factory: TwinFactory, tmp_path: Path) -> None:
    disable = '/ip firewall nat disable [find comment~"netprov:dns-redirect"]'
    checks = checks_at_dual(twin_factory, tmp_path, ROS, [disable])
    assert failed(checks) == ["LAN DNS forced to the filtering resolvers"]


@pytest.mark.parametrize("how", ["remove", "disable"])
def test_routeros_without_the_backup_default_route(
    twin_factory: TwinFactory, tmp_path: Path, how: str
) -> None:
    """The DHCP client of the backup line keeps its comment "netprov:backup ...": the word
    alone proved nothing; its default route is what fails over."""
    by_hand = f"/ip route {how} [find comment=netprov:default-backup]"
    checks = checks_at_dual(twin_factory, tmp_path, ROS, [by_hand])
    assert failed(checks) == ["failover route for backup line"]


def test_ios_a_backup_default_route_no_longer_tracked(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """The words "track 30" are also the track object's line: the DHCP default route of the
    backup line must be the tracked one."""
    by_hand = ["interface GigabitEthernet0/1/0", "no ip dhcp client route track 30"]
    checks = checks_at_dual(twin_factory, tmp_path, IOS, by_hand)
    assert failed(checks) == ["failover route for backup line"]


def test_default_route_via_legacy_follows_the_route_to_its_gateway(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """RouterOS's default route points at the office line's probe (recursive): with the
    probe's host route pointed at the central gateway, the default route names the legacy
    probe and leaves by the central line."""
    by_hand = "/ip route set [find comment=netprov:probe-legacy] gateway=100.72.31.1"
    checks = checks_at_dual(twin_factory, tmp_path, ROS, [by_hand])
    assert not checks["default route via legacy"].ok
    assert "vlan1131-central" in checks["default route via legacy"].observed


@pytest.mark.parametrize(
    ("site", "by_hand"),
    [
        (ROS, ["/ip dhcp-server network set [find comment=netprov:lan-dhcp] gateway=10.31.31.254"]),
        (IOS, ["ip dhcp pool NETPROV-LAN", "default-router 10.31.1.254"]),
    ],
)
def test_a_dhcp_server_handing_out_another_gateway_does_not_serve_the_lan(
    twin_factory: TwinFactory, tmp_path: Path, site: str, by_hand: list[str]
) -> None:
    """The office's PCs get an address and a gateway nobody answers on: no internet."""
    checks = checks_at_dual(twin_factory, tmp_path, site, by_hand)
    assert failed(checks) == ["DHCP serves the LAN"]


def test_the_ios_twin_takes_a_pool_s_default_router_again_as_its_new_list(
    twin_factory: TwinFactory,
) -> None:
    """Twin first: IOS lists one default-router line per pool, the one entered last."""
    twin = twin_factory([IOS], start_phase=Phase.DUAL)
    with netmiko(twin, IOS) as conn:
        conn.send_config_set(["ip dhcp pool NETPROV-LAN", "default-router 10.31.1.254"])
        listed = conn.send_command("show running-config | section ip dhcp pool")
    assert [x.strip() for x in listed.splitlines() if "default-router" in x] == [
        "default-router 10.31.1.254"
    ], listed
