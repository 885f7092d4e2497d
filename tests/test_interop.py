"""Clients nobody here wrote run unmodified against the twin: napalm's IOS getters and
scrapli (IOS-XE core driver, scrapli_community's MikroTik RouterOS driver)."""

from __future__ import annotations

from typing import Any

import pytest
from napalm import get_network_driver
from scrapli import Scrapli

from netprov.twin.pytest_plugin import TWIN_PASSWORD, TwinFactory
from netprov.twin.running import Twin

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

IOS_SITE, ROS_SITE = "setda", "kel-hegarsari"


def scrapli(twin: Twin, site: str, platform: str) -> Any:
    device = twin.devices[site]
    return Scrapli(
        host=device.host,
        port=device.port,
        auth_username=device.username,
        auth_password=TWIN_PASSWORD,
        auth_strict_key=False,  # the twin's key is checked by netprov's own tests
        platform=platform,
        transport="paramiko",
        timeout_ops=10,
        timeout_socket=5,
        timeout_transport=10,
    )


def test_napalm_ios_getters(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    device = twin.devices[IOS_SITE]
    driver: Any = get_network_driver("ios")(
        device.host, device.username, TWIN_PASSWORD, optional_args={"port": device.port}
    )
    driver.open()
    try:
        facts = driver.get_facts()
        interfaces = driver.get_interfaces()
        addresses = driver.get_interfaces_ip()
        arp = driver.get_arp_table()
        default = driver.get_route_to("0.0.0.0/0")
        probe = driver.get_route_to("198.41.0.4")
        ping = driver.ping("8.8.8.8")
        config = driver.get_config()
    finally:
        driver.close()
    assert facts["hostname"] == "smj-setda-r1"
    assert set(addresses) <= set(interfaces)
    assert addresses["GigabitEthernet0/0/2"]["ipv4"] == {"10.31.1.1": {"prefix_length": 24}}
    assert {"ip": "203.0.113.5", "interface": "GigabitEthernet0/0/0"}.items() <= next(
        entry for entry in arp if entry["ip"] == "203.0.113.5"
    ).items()
    (route,) = default["0.0.0.0/0"]
    assert route["next_hop"] == "203.0.113.5"
    assert route["protocol"] == "static"
    assert list(probe) == ["198.41.0.4/32"]  # the host route pinning the SLA probe
    assert ping["success"]["probes_sent"] == 5
    assert "hostname smj-setda-r1" in config["running"]


def test_scrapli_iosxe_reads_and_configures(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    with scrapli(twin, IOS_SITE, "cisco_iosxe") as conn:
        version = conn.send_command("show version")
        change = conn.send_configs(["interface Loopback5", " description scrapli"])
        section = conn.send_command("show running-config | section Loopback5")
    assert "Cisco IOS XE Software" in version.result
    assert not change.failed
    assert " description scrapli" in section.result


def test_scrapli_community_routeros(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS_SITE])
    with scrapli(twin, ROS_SITE, "mikrotik_routeros") as conn:
        resource = conn.send_command("/system resource print")
        added = conn.send_command("/ip address add address=192.0.2.1/32 interface=ether5")
        listing = conn.send_command("/ip address print terse where interface=ether5")
    assert "board-name: RB4011iGS+" in resource.result
    # RouterOS prints nothing for a successful add (the community driver may leave the
    # repainted command line in an otherwise empty result)
    assert "failure" not in added.result
    assert "bad command" not in added.result
    assert "address=192.0.2.1/32" in listing.result
