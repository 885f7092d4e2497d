"""The twin's office PCs, reboots and RouterOS device-mode (issue 38): what a change costs
the office is measured on the twin, so the twin must carry an office's pings as the router's
config makes it, show a reboot from outside as a real router does, and refuse what a
router's owner turned off."""

from __future__ import annotations

import re
import time

import pytest
from netmiko import ConnectHandler

from netprov.errors import InventoryError
from netprov.models import Phase
from netprov.phases import Role
from netprov.twin.office import INTERVAL, lost_seconds
from netprov.twin.pytest_plugin import TWIN_PASSWORD, TwinFactory
from netprov.twin.running import TwinDevice
from netprov.twin.scenario import Scenario, SiteFaults

pytestmark = pytest.mark.twin

ROS, IOS = "kel-hegarsari", "setda"  # mikrotik_routeros, cisco_ios


def connect(device: TwinDevice) -> object:
    kind = "mikrotik_routeros" if device.platform.value == "mikrotik_routeros" else "cisco_ios"
    return ConnectHandler(
        device_type=kind,
        host=device.host,
        port=device.port,
        username=device.username,
        password=TWIN_PASSWORD,
        ssh_strict=False,
        system_host_keys=False,
    )


def wait_for(condition: object, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)


@pytest.mark.parametrize("site_id", [ROS, IOS])
def test_the_office_pc_pings_through_the_router_by_the_lines_its_config_routes(
    twin_factory: TwinFactory, site_id: str
) -> None:
    twin = twin_factory([site_id], start_phase=Phase.DUAL)
    wait_for(lambda: twin.now() > 3)
    pings = twin.pings(site_id)
    city = [p for p in pings if p.target == "city"]
    internet = [p for p in pings if p.target == "internet"]
    assert len(city) == len(internet) >= 3 / INTERVAL
    assert [p.at for p in city[:3]] == [0.0, 0.2, 0.4]  # every 200 ms of twin time
    # dual: the city's services over the central line, the internet over the office's ISP
    assert all(p.replied and p.outcome.line is Role.CENTRAL for p in city)
    assert all(p.replied and p.outcome.line is Role.LEGACY for p in internet)
    if site_id == ROS:  # the central line's share is a simple queue: it takes the city's
        assert {p.outcome.queue for p in city} == {"netprov-central"}


def test_a_dead_line_and_a_forward_drop_lose_the_office_its_replies(
    twin_factory: TwinFactory,
) -> None:
    faults = SiteFaults.model_validate({"uplinks": {"central": {"state": "down"}}})
    twin = twin_factory([ROS], scenario=Scenario(sites={ROS: faults}), start_phase=Phase.DUAL)
    wait_for(lambda: twin.now() > 2)
    city = twin.pings(ROS, "city")
    assert city
    assert not any(p.replied for p in city)
    assert all("no route" in p.outcome.reason or "carry" in p.outcome.reason for p in city)
    assert all(p.replied for p in twin.pings(ROS, "internet"))
    conn = connect(twin.devices[ROS])
    office = twin.devices[ROS].site.lan.address.network
    conn.send_command(  # type: ignore[attr-defined]
        f"/ip firewall filter add chain=forward action=drop src-address={office} "
        'comment="office cut off"',
        expect_string=r"\] > ",
    )
    cut = twin.now()
    wait_for(lambda: twin.now() > cut + 2)
    after = twin.pings(ROS, "internet", since=cut + INTERVAL)
    assert after
    assert not any(p.replied for p in after)
    assert all('forward chain: drop (rule "office cut off")' in p.outcome.reason for p in after)
    conn.disconnect()  # type: ignore[attr-defined]


def uptime_seconds(device: TwinDevice) -> int:
    """The uptime the router prints, in seconds (RouterOS ``/system resource print``:
    ``1h2m3s``; IOS ``show version``: ``uptime is D days, H hours, M minutes``)."""
    conn = connect(device)
    try:
        if device.platform.value == "mikrotik_routeros":
            text = conn.send_command("/system resource print")  # type: ignore[attr-defined]
            found = re.search(r"uptime: (?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(\d+)s", text)
            assert found, text
            days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
            return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        text = conn.send_command("show version")  # type: ignore[attr-defined]
        found = re.search(r"uptime is (\d+) days, (\d+) hours, (\d+) minutes", text)
        assert found, text
        days, hours, minutes = (int(g) for g in found.groups())
        return ((days * 24 + hours) * 60 + minutes) * 60
    finally:
        conn.disconnect()  # type: ignore[attr-defined]


@pytest.mark.parametrize("site_id", [ROS, IOS])
def test_a_reboot_is_recorded_and_restarts_the_uptime_as_on_a_real_router(
    twin_factory: TwinFactory, site_id: str
) -> None:
    twin = twin_factory([site_id], time_scale=120.0)  # two twin minutes a real second
    device = twin.devices[site_id]
    wait_for(lambda: twin.now() > 240)
    asked = twin.now()
    assert uptime_seconds(device) >= asked - 60  # up since the twin started (whole minutes)
    down = twin.now()
    twin.call(lambda: twin.reboot(device))
    wait_for(lambda: not device.rebooting)
    (reboot,) = twin.reboots(site_id)
    assert reboot.reason == "fault"
    assert reboot.seconds is not None
    assert reboot.seconds >= device.faults.reboot_seconds
    assert reboot.back is not None
    after = uptime_seconds(device)
    # the uptime started again when it came back: a reboot is seen from outside
    assert after <= twin.now() - reboot.back + 1
    assert after < twin.now() - down
    lost = twin.pings(site_id, "internet", since=down, until=reboot.at + reboot.seconds)
    assert {p.outcome.reason for p in lost if not p.replied} == {"the router is rebooting"}
    assert lost_seconds(lost) >= device.faults.reboot_seconds


def test_a_home_mode_router_keeps_its_scheduler_jobs_and_never_runs_them(
    twin_factory: TwinFactory,
) -> None:
    faults = SiteFaults.model_validate({"device_mode": {"mode": "home"}})
    twin = twin_factory([ROS], scenario=Scenario(sites={ROS: faults}))
    conn = connect(twin.devices[ROS])
    printed = conn.send_command("/system device-mode print")  # type: ignore[attr-defined]
    assert re.search(r"^\s*mode: home$", printed, re.M)
    assert re.search(r"^\s+scheduler: no$", printed, re.M)
    assert re.search(r"^\s+fetch: no$", printed, re.M)
    added = conn.send_command(  # type: ignore[attr-defined]
        '/system scheduler add name=probe interval=1s on-event="/system identity set name=x"'
    )
    assert added.strip() == ""  # taken as configuration ...
    time.sleep(0.5)  # 15 twin seconds
    identity = conn.send_command("/system identity print")  # type: ignore[attr-defined]
    assert "name: x" not in identity  # ... and never run
    asked = conn.send_command_timing("/system device-mode update scheduler=yes")  # type: ignore[attr-defined]
    assert "pressing reset or mode button" in asked
    printed = conn.send_command("/system device-mode print")  # type: ignore[attr-defined]
    assert re.search(r"^\s+scheduler: no$", printed, re.M)  # not over SSH
    fetch = conn.send_command(  # type: ignore[attr-defined]
        "/tool fetch url=http://192.0.2.80/ip output=user as-value"
    )
    assert "not allowed by device-mode" in fetch
    conn.disconnect()  # type: ignore[attr-defined]


def test_device_mode_is_refused_for_a_router_that_has_none(twin_factory: TwinFactory) -> None:
    faults = SiteFaults.model_validate({"device_mode": {"scheduler": False}})
    with pytest.raises(InventoryError) as refused:
        twin_factory([IOS], scenario=Scenario(sites={IOS: faults}))
    (problem,) = refused.value.problems
    assert "setda: device_mode: Cisco IOS has no device-mode" in problem.message
