"""The twin answers in the real device's format: its replies and the real samples
(``tests/fixtures/real``) go through the same ntc-templates template and fill the same
fields, and netprov's readers read both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ntc_templates.parse import parse_output

from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.twin.pytest_plugin import TwinFactory
from tests.test_twin_clients import netmiko

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

REAL = Path(__file__).parent / "fixtures" / "real" / "mikrotik_routeros"
ROS_SITE = "kel-hegarsari"  # PPPoE legacy uplink on ether1


def filled(records: list[dict[str, Any]]) -> set[str]:
    return {key for record in records for key, value in record.items() if value not in ("", [])}


def real_parse(command: str, folder: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for raw in sorted((REAL / folder).glob("*.raw")):
        records += parse_output(
            platform="mikrotik_routeros", command=command, data=raw.read_text(encoding="utf-8")
        )
    return records


def test_routeros_print_forms_parse_like_real_output(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        interfaces = conn.send_command("/interface print terse without-paging")
        routes = conn.send_command("/ip route print terse without-paging")
        resource = conn.send_command("/system resource print")
        identity = conn.send_command("/system identity print")
        table = conn.send_command("/ip route print")
        addresses = conn.send_command("/ip address print")
    command = "/interface print terse without-paging"
    ours = parse_output(platform="mikrotik_routeros", command=command, data=interfaces)
    real = real_parse(command, "interface_print_terse_without-paging")
    assert {r["name"] for r in ours} >= {"ether1", "pppoe-legacy"}
    # every field the twin fills, a real RouterOS fills too
    assert filled(ours) <= filled(real)
    assert {"name", "type", "mtu", "mac_address", "status"} <= filled(ours)

    command = "/ip route print terse"
    # ntc-templates' route template lacks RouterOS 7's "s" (static) flag, which real v7
    # routers print ("c - connect, s - static, ... d - dhcp, v - vpn": MikroTik manual, IP
    # Routing); the dynamic rows (unnumbered, flags first) are held to it
    dynamic = "\n".join(line for line in routes.splitlines() if line.startswith("D"))
    ours = parse_output(platform="mikrotik_routeros", command=command, data=dynamic)
    real = real_parse(command, "ip_route_print_terse")
    assert filled(ours) <= filled(real)
    lan = [r for r in ours if r["dst_address"] == "10.31.36.0/24"]
    assert lan
    assert lan[0]["flags"].startswith("DA")  # the LAN's connected route

    resource_records = parse_output(
        platform="mikrotik_routeros", command="/system resource print", data=resource
    )
    assert resource_records[0]["version"].startswith("7.")
    assert resource_records[0]["board_name"]
    assert identity.strip() == "name: smj-kel-hegarsari-r1"
    assert table.splitlines()[1].startswith("Columns: DST-ADDRESS")  # RouterOS 7 column table
    command = "/ip address print"
    ours = parse_output(platform="mikrotik_routeros", command=command, data=addresses)
    assert filled(ours) <= filled(real_parse(command, "ip_address_print"))
    lan_address = next(r for r in ours if r["ip"] == "10.31.36.1")
    assert {"subnet": "24", "interface": "ether2"}.items() <= lan_address.items()
    management = next(r for r in ours if r["interface"] == "netprov-mgmt")
    assert management["subnet"] == "32"  # router.mgmt_address on its loopback bridge

    driver = driver_for(Platform.MIKROTIK_ROUTEROS)
    assert driver.read_interface(interfaces, "pppoe-legacy").running
    # the default route is the tracked one through the legacy probe (static, recursive)
    assert driver.read_default_gateway(routes) == "198.41.0.4"


def test_routeros_backup_load_asks_before_it_reboots(twin_factory: TwinFactory) -> None:
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        assert "saved" in conn.send_command("/system backup save name=before")
        asked = conn.send_command("/system backup load name=before", expect_string=r"password:")
        assert "password:" in asked
        asked = conn.send_command("", expect_string=r"\[y/N\]:")
        assert "Restore and reboot? [y/N]:" in asked
        answer = conn.send_command("n", expect_string=r"\] >")
        assert "action cancelled" in answer
    assert not twin.devices[ROS_SITE].rebooting  # "n" keeps the router running


def test_routeros_backup_load_says_it_reboots_before_the_session_drops(
    twin_factory: TwinFactory,
) -> None:
    """Answered "y", RouterOS prints that it restored the configuration and reboots, then
    the session drops (MikroTik manual, "Backup": load restores and reboots). Before, the
    twin dropped the session before its reply: every client read nothing and waited out
    its read timeout (netprov's revert: ten seconds per rollback)."""
    twin = twin_factory([ROS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        assert "saved" in conn.send_command("/system backup save name=before")
        conn.send_command("/system backup load name=before", expect_string=r"password:")
        conn.send_command("", expect_string=r"\[y/N\]:")
        answer = conn.send_command_timing("y", read_timeout=10, last_read=0.5)
        assert "rebooting now" in answer
    assert twin.devices[ROS_SITE].rebooting


IOS_SITE = "setda"
REAL_IOS = Path(__file__).parent / "fixtures" / "real" / "cisco_ios"


def test_ios_show_outputs_parse_like_real_output(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE])
    with netmiko(twin, IOS_SITE) as conn:
        arp = conn.send_command("show ip arp")
        interfaces = conn.send_command("show ip interface")
        route = conn.send_command("show ip route 0.0.0.0 0.0.0.0")
    ours = parse_output(platform="cisco_ios", command="show ip arp", data=arp)
    real = parse_output(
        platform="cisco_ios",
        command="show ip arp",
        data=(REAL_IOS / "show_ip_arp" / "cisco_ios_show_ip_arp.raw").read_text(),
    )
    assert filled(ours) == filled(real)
    # IOS prints one table for `show arp` and `show ip arp`; the twin uses the columns of the
    # capture that both ntc-templates templates read (the show_ip_arp capture's wider
    # "Age(min)" form fails the show_arp template: issue 22).
    real_header = (REAL_IOS / "show_arp" / "cisco_ios_show_arp.raw").read_text()
    assert arp.splitlines()[0] == real_header.splitlines()[0].rstrip()  # columns as captured
    gateway = next(r for r in ours if r["ip_address"] == "203.0.113.5")  # the ISP's gateway
    assert gateway["interface"] == "GigabitEthernet0/0/0"
    parsed = parse_output(platform="cisco_ios", command="show ip interface", data=interfaces)
    lan = next(r for r in parsed if r["interface"] == "GigabitEthernet0/0/2")
    assert lan["ip_address"] == ["10.31.1.1"]
    assert lan["prefix_length"] == ["24"]
    assert route.splitlines()[:2] == [
        "Routing entry for 0.0.0.0/0, supernet",
        '  Known via "static", distance 1, metric 0, candidate default path',
    ]
