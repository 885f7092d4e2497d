"""Unmodified netmiko and napalm drive twin devices; the twin's state is asserted afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from napalm import get_network_driver
from netmiko import ConnectHandler
from netmiko.exceptions import ConfigInvalidException
from ntc_templates.parse import parse_output

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.render.config import Renderer
from netprov.secrets import twin_secret
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.twin.pytest_plugin import TWIN_PASSWORD, TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

IOS_SITE, ROS_SITE = "setda", "kel-hegarsari"


def netmiko(twin: Twin, site: str, **extra: Any) -> Any:
    device = twin.devices[site]
    platform = "cisco_ios" if isinstance(device.state, IosDevice) else "mikrotik_routeros"
    return ConnectHandler(
        device_type=platform,
        host=device.host,
        port=device.port,
        username=device.username,
        password=TWIN_PASSWORD,
        **extra,
    )


def napalm_ios(twin: Twin, site: str) -> Any:
    device = twin.devices[site]
    driver = get_network_driver("ios")(
        device.host, device.username, TWIN_PASSWORD, optional_args={"port": device.port}
    )
    driver.open()
    return driver


def rendered(site_id: str, phase: Phase) -> str:
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site(site_id)
    return (
        Renderer()
        .render(site, loaded.organisation, phase, loaded.allocations[site_id], twin_secret)
        .text
    )


def ios_state(twin: Twin) -> IosDevice:
    state = twin.devices[IOS_SITE].state
    assert isinstance(state, IosDevice)
    return state


def ros_state(twin: Twin) -> RosDevice:
    state = twin.devices[ROS_SITE].state
    assert isinstance(state, RosDevice)
    return state


def test_twin_starts_with_the_rendered_legacy_config(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE, ROS_SITE])
    ios_lines = ios_state(twin).running.lines()
    assert "hostname smj-setda-r1" in ios_lines
    assert "ip route 0.0.0.0 0.0.0.0 203.0.113.5 track 10" in ios_lines
    export = ros_state(twin).export()
    assert "/system identity set name=smj-kel-hegarsari-r1" in export
    assert "comment=netprov:default-central" not in export  # legacy phase: no central yet


def test_netmiko_ios_config_mode_changes_state(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    with netmiko(twin, IOS_SITE) as conn:
        assert conn.find_prompt() == "smj-setda-r1#"
        conn.send_config_set(
            [
                "interface GigabitEthernet0/0/2",
                "description LAN lantai 2",
                "no ip flow monitor NETPROV-FLOW input",
            ],
            error_pattern=r"% Invalid",
        )
        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(["ip routing-bogus on"], error_pattern=r"% Invalid")
        conn.exit_config_mode()  # netmiko stays in config mode after the exception
        conn.save_config()
    state = ios_state(twin)
    lan = state.running.root.find("interface GigabitEthernet0/0/2")
    assert lan is not None
    texts = [child.text for child in lan.children]
    assert "description LAN lantai 2" in texts
    assert "ip flow monitor NETPROV-FLOW input" not in texts
    assert "interface GigabitEthernet0/0/2" in state.startup  # write mem copied it
    assert " description LAN lantai 2" in state.startup


def test_netmiko_routeros_add_remove_and_errors(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        assert conn.find_prompt().startswith("[netprov@smj-kel-hegarsari-r1]")
        conn.send_config_set(
            ['/ip address add address=192.168.77.1/24 interface=ether3 comment="netprov:test x"']
        )
        conn.send_config_set(
            ['/ip firewall nat remove [ find where comment~"^netprov:dns-redirect" ]']
        )
        bad = conn.send_command("/ip address add address=192.168.78.1/24 interface=ether9")
        assert "input does not match any value of interface" in bad
        assert "bad command name frobnicate" in conn.send_command("/ip frobnicate")
        assert "expected end of command" in conn.send_command(
            "/ip address add address=1.2.3.4/32 colour=red interface=ether3"
        )
        export = conn.send_command("/export terse")
    assert (
        '/ip address add address=192.168.77.1/24 comment="netprov:test x" interface=ether3 '
        "network=192.168.77.0" in export
    )
    state_export = ros_state(twin).export()
    assert "dns-redirect" not in state_export
    assert "192.168.78.1" not in state_export


def test_ntc_templates_parse_twin_show_outputs(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    with netmiko(twin, IOS_SITE) as conn:
        outputs = {
            cmd: conn.send_command(cmd)
            for cmd in (
                "show version",
                "show ip interface brief",
                "show ip route",
                "show interfaces",
            )
        }
    version = parse_output(
        platform="cisco_ios", command="show version", data=outputs["show version"]
    )
    assert version[0]["hostname"] == "smj-setda-r1"
    assert version[0]["hardware"] == ["ISR4331/K9"]
    brief = {
        row["interface"]: row
        for row in parse_output(
            platform="cisco_ios",
            command="show ip interface brief",
            data=outputs["show ip interface brief"],
        )
    }
    assert brief["GigabitEthernet0/0/0"]["ip_address"] == "203.0.113.6"
    assert brief["GigabitEthernet0/0/0"]["status"] == "up"
    assert brief["GigabitEthernet0/0/1"]["status"] == "administratively down"  # unused in legacy
    routes = parse_output(
        platform="cisco_ios", command="show ip route", data=outputs["show ip route"]
    )
    default = next(r for r in routes if r["prefix_length"] == "0")
    assert default["nexthop_ip"] == "203.0.113.5"
    assert default["distance"] == "1"
    interfaces = parse_output(
        platform="cisco_ios", command="show interfaces", data=outputs["show interfaces"]
    )
    lan = next(i for i in interfaces if i["interface"] == "GigabitEthernet0/0/2")
    assert lan["ip_address"] == "10.31.1.1"
    assert lan["link_status"] == "up"
    assert lan["description"] == "netprov:lan Kantor Sekretariat Daerah"


def test_napalm_ios_getters_and_replace_with_confirm(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    driver = napalm_ios(twin, IOS_SITE)
    try:
        facts = driver.get_facts()
        assert facts["hostname"] == "smj-setda-r1"
        assert facts["model"] == "ISR4331/K9"
        assert "GigabitEthernet0/0/1" in facts["interface_list"]
        before = driver.get_config(retrieve="running")["running"]
        assert before.startswith("!")
        assert "hostname smj-setda-r1" in before
        driver.load_replace_candidate(config=rendered(IOS_SITE, Phase.DUAL))
        diff = driver.compare_config()
        assert "+interface GigabitEthernet0/0/1.1101" in diff
        assert "+ip route 0.0.0.0 0.0.0.0 100.72.1.1 5 track 20" in diff
        driver.commit_config(revert_in=120)
        assert driver.has_pending_commit()
        driver.confirm_commit()
        assert not driver.has_pending_commit()
        driver.load_replace_candidate(config=rendered(IOS_SITE, Phase.DUAL))
        assert driver.compare_config() == ""  # idempotent: nothing left to change
        assert driver.ping("10.250.1.10")["success"]["packet_loss"] == 0  # e-gov via central
    finally:
        driver.close()
    assert "interface GigabitEthernet0/0/1.1101" in ios_state(twin).running.lines()


def test_napalm_ios_commit_without_revert_then_rollback(twin_factory: TwinFactory) -> None:
    # the central line down: its NAT rule holds no translations, so the rollback's
    # configure replace may remove it (IOS refuses a rule in use: Cisco tech note 13779)
    twin = twin_factory(
        [IOS_SITE],
        scenario=Scenario(sites={IOS_SITE: SiteFaults(uplinks={"central": {"state": "down"}})}),
    )
    original = ios_state(twin).running.lines()
    driver = napalm_ios(twin, IOS_SITE)
    try:
        driver.load_replace_candidate(config=rendered(IOS_SITE, Phase.CENTRAL))
        driver.commit_config()
        assert "ip route 0.0.0.0 0.0.0.0 100.72.1.1 track 20" in ios_state(twin).running.lines()
        assert ios_state(twin).startup == ios_state(twin).running.lines()  # saved
        driver.rollback()
    finally:
        driver.close()  # napalm removes its own "file prompt quiet" here
    assert ios_state(twin).running.lines() == original


def test_napalm_ios_merge_candidate(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    driver = napalm_ios(twin, IOS_SITE)
    try:
        driver.load_merge_candidate(
            config="interface GigabitEthernet0/0/2\n description merged\nend\n"
        )
        assert driver.compare_config() == "+interface GigabitEthernet0/0/2\n+ description merged"
        driver.commit_config()
        driver.load_merge_candidate(
            config="interface GigabitEthernet0/0/2\n description merged\nend\n"
        )
        assert driver.compare_config() == ""
    finally:
        driver.close()
    lan = ios_state(twin).running.root.find("interface GigabitEthernet0/0/2")
    assert lan is not None
    assert lan.find("description merged") is not None


def test_unconfirmed_commit_reverts_by_itself(twin_factory: TwinFactory) -> None:
    """The device-side safety net: netprov disappears after the push, the router reverts."""
    twin = twin_factory([IOS_SITE], time_scale=120.0)  # 1 device minute = 0.5 s
    original = ios_state(twin).running.lines()
    driver = napalm_ios(twin, IOS_SITE)
    driver.load_replace_candidate(config=rendered(IOS_SITE, Phase.CENTRAL))
    driver.commit_config(revert_in=60)
    assert ios_state(twin).pending is not None
    driver.device.remote_conn.close()  # lose the session without confirming
    twin.call(lambda: None)
    import time

    deadline = time.monotonic() + 10
    while ios_state(twin).pending is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in ios_state(twin).running.lines() if line != "file prompt quiet"]
    assert lines == original


def test_routeros_backup_export_import_and_scheduler_revert(twin_factory: TwinFactory) -> None:
    """The RouterOS safety net netprov builds on: a scheduled restore of a saved backup."""
    import time

    twin = twin_factory([ROS_SITE], time_scale=60.0)  # 30 device seconds = 0.5 s
    original = ros_state(twin).export()
    with netmiko(twin, ROS_SITE) as conn:
        assert "saved" in conn.send_command("/system backup save name=netprov-pre")
        conn.send_command("/export file=netprov-pre")
        conn.send_config_set(
            [
                "/system scheduler add name=netprov-revert interval=30s "
                'on-event="/system backup load name=netprov-pre"',
                "/ip address add address=192.168.99.1/24 interface=ether3 comment=netprov:risky",
            ]
        )
        assert "192.168.99.1/24" in conn.send_command("/export terse")
    device = twin.devices[ROS_SITE]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        "192.168.99.1/24" in ros_state(twin).export() or device.rebooting
    ):
        time.sleep(0.05)  # backup load restores, then the router reboots (as RouterOS does)
    assert "rebooting (fault)" not in device.notes  # a reboot, but not an injected fault
    assert "rebooting" in device.notes
    assert ros_state(twin).export().split("\n", 2)[2] == original.split("\n", 2)[2]
    assert "netprov-pre.rsc" in ros_state(twin).files
    # an import of the exported file onto a wiped table restores the addresses
    state = ros_state(twin)
    twin.call(state.tables["/ip address"].clear)
    with netmiko(twin, ROS_SITE) as conn:
        out = conn.send_command("/import file-name=netprov-pre.rsc")
    assert "Script file loaded and executed successfully" in out
    assert 'comment="netprov:lan-1' in ros_state(twin).export()


def test_host_key_persists_across_restarts(tmp_path: Path) -> None:
    from netprov.twin.build import load_host_key

    first = load_host_key(tmp_path / "key").export_public_key()
    second = load_host_key(tmp_path / "key").export_public_key()
    assert first == second
    assert ((tmp_path / "key").stat().st_mode & 0o777) == 0o600


def test_an_ios_pppoe_site_converges_on_its_own_config(tmp_path: Path) -> None:
    """Issue 14: every IOS site with a PPPoE legacy line "matched no phase": the twin let
    `ppp chap password` replace `ppp chap hostname` (two settings on a real router)."""
    from bench.synthetic import write_inventory
    from netprov.models import Platform, PppoeAddressing
    from netprov.platforms import driver_for
    from netprov.twin.build import build_twin

    loaded = load_inventory(write_inventory(tmp_path / "city", 200))
    pppoe = [
        s
        for s in loaded.sites
        if s.router.platform is Platform.CISCO_IOS
        and isinstance(s.legacy_uplink.addressing, PppoeAddressing)
    ]
    assert pppoe
    twin = build_twin(loaded, site_ids=[s.id for s in pppoe], host_key_path=tmp_path / "key")
    renderer = Renderer()
    for site in pppoe:
        intended = renderer.render(
            site, loaded.organisation, Phase.LEGACY, loaded.allocations.get(site.id), twin_secret
        ).text
        running = twin.devices[site.id].running_config()
        assert "ppp chap hostname" in running
        assert driver_for(site.router.platform).converged(running, intended), site.id


def test_a_session_the_client_ends_leaves_no_asyncio_noise(
    twin_factory: TwinFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 22 (5): after netmiko's `exit` the client closes its end at once; the twin's
    exit-status, EOF and channel close to it made asyncio log "socket.send() raised
    exception." (a demo printed it 19 times). Nothing is written to a closed connection."""
    import time

    twin = twin_factory([IOS_SITE, ROS_SITE])
    for site, device_type, command in (
        (IOS_SITE, "cisco_ios", "show clock"),
        (ROS_SITE, "mikrotik_routeros", "/system identity print"),
    ):
        device = twin.devices[site]
        for _ in range(3):
            with ConnectHandler(
                device_type=device_type,
                host=device.host,
                port=device.port,
                username=device.username,
                password=device.password,
            ) as conn:
                conn.send_command(command)
    time.sleep(0.5)  # the twin's loop runs what the closes left
    assert not [r for r in caplog.records if "socket.send() raised" in r.getMessage()]
