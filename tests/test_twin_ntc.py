"""Every command users send first, answered by the twin and read by ntc-templates: the
twin's reply fills the fields the real captures fill (``tests/fixtures/real``, ntc-templates'
own test fixtures from real devices), and no field they never fill.

Where a template cannot read a real RouterOS 7 either, the test holds what it can and pins
down why, so a change on either side shows:

- ``/ip route print terse``: the template lacks RouterOS 7's ``s`` (static) flag (MikroTik
  manual, "IP Routing": ``c - connect, s - static, ...``); the dynamic rows are held to it.
- ``/ip address export verbose``: the template wants every comment quoted; RouterOS quotes a
  value only when it needs to (the default configuration's ``comment=defconf``,
  ``tests/fixtures/brownfield/routeros-defconf-pppoe.rsc``); lines with a quoted comment are held.
- ``/ip arp print``, ``/user print``, ``/ip route print detail``,
  ``/snmp community print without-paging``: RouterOS 6 templates (v6 legend, a ``" #"``
  header, no ``Columns:`` line). The real RouterOS 7 capture of ``/ip arp print`` fails the
  same template; the twin's values are held through the v7 template where one exists.
- IOS ``show startup-config`` has no template (the index sends ``sh sta`` to ``show
  standby``); napalm's ``get_config(retrieve="startup")`` reads it instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ntc_templates.parse import parse_output
from textfsm import TextFSMError

from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.twin.build import build_twin
from netprov.twin.cli_base import TwinClock
from netprov.twin.pytest_plugin import TWIN_PASSWORD
from tests.test_twin_clients import napalm_ios, netmiko

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

REAL = Path(__file__).parent / "fixtures" / "real"
IOS_SITE = "setda"  # legacy: fixed ISP line on Gi0/0/0, XL backup on DHCP
ROS_SITE = "kec-sukamaju"  # dual: PPPoE legacy line, the central line on VLAN 1131 of ether5

IOS_COMMANDS = [
    "show arp",
    "show ip arp",
    "show startup-config",
    "show interfaces description",
    "show inventory",
    "show lldp neighbors",
    "show cdp neighbors detail",
    "show ip route summary",
    "show users",
    "show ip route",
]
ROS_COMMANDS = [
    "/interface print detail",
    "/ip route print terse",
    "/ip route print detail",
    "/interface ethernet print",
    "/snmp community print without-paging",
    "/interface vlan print detail",
    "/ip address export verbose",
    "/ip arp print",
    "/ip arp print without-paging",
    "/user print",
]


def filled(records: list[dict[str, Any]]) -> set[str]:
    """Fields some record fills."""
    return {key for record in records for key, value in record.items() if value not in ("", [])}


def always_filled(records: list[dict[str, Any]]) -> set[str]:
    """Fields every record fills."""
    keys = set(records[0]) if records else set()
    return {k for k in keys if all(record.get(k) not in ("", [], None) for record in records)}


def real_records(platform: str, command: str, folder: str, pattern: str = "*.raw") -> list[Any]:
    records: list[Any] = []
    for raw in sorted((REAL / platform / folder).glob(pattern)):
        records += parse_output(platform=platform, command=command, data=raw.read_text())
    return records


@pytest.fixture(scope="module")
def replies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Each command's reply from one twin: an IOS office in legacy, a RouterOS one in dual."""
    twin = build_twin(
        load_inventory(Path("inventory")),
        site_ids=[IOS_SITE, ROS_SITE],
        clock=TwinClock(30.0),
        host_key_path=tmp_path_factory.mktemp("twin") / "host_key",
        password=TWIN_PASSWORD,
        start_phase=Phase.DUAL,
    )
    twin.start_in_thread()
    try:
        out: dict[str, str] = {}
        with netmiko(twin, IOS_SITE) as conn:
            out["lldp off"] = conn.send_command("show lldp neighbors")
            conn.send_config_set(["lldp run"])  # Cisco IOS XE: LLDP is off by default
            for command in IOS_COMMANDS:
                out[command] = conn.send_command(command)
        with netmiko(twin, ROS_SITE) as conn:
            for command in ROS_COMMANDS:
                out[command] = conn.send_command(command)
        napalm = napalm_ios(twin, IOS_SITE)
        try:
            out["napalm startup"] = napalm.get_config(retrieve="startup")["startup"]
        finally:
            napalm.close()
        yield out
    finally:
        twin.stop_thread()


def held(platform: str, command: str, reply: str, folder: str) -> list[Any]:
    """The twin's reply parsed, held to the real captures' fields."""
    ours: list[Any] = parse_output(platform=platform, command=command, data=reply)
    real = real_records(platform, command, folder)
    assert ours, reply
    assert filled(ours) <= filled(real)  # no field a real device leaves empty
    assert always_filled(real) <= filled(ours)  # every field each real row fills
    return ours


def ios(replies: dict[str, str], command: str, folder: str) -> list[Any]:
    return held("cisco_ios", command, replies[command], folder)


def ros(replies: dict[str, str], command: str, folder: str, data: str | None = None) -> list[Any]:
    return held("mikrotik_routeros", command, replies[command] if data is None else data, folder)


def test_ios_arp_tables(replies: dict[str, str]) -> None:
    for command, folder, address in (
        ("show arp", "show_arp", "address"),
        ("show ip arp", "show_ip_arp", "ip_address"),
    ):
        rows = {r[address]: r for r in ios(replies, command, folder)}
        assert rows["203.0.113.5"]["interface"] == "GigabitEthernet0/0/0"  # the ISP's gateway
        own = rows["10.31.1.1"]
        assert own["interface"] == "GigabitEthernet0/0/2"
        assert own["age" if address == "ip_address" else "age_min"] == "-"  # its own address


def test_ios_interfaces_description(replies: dict[str, str]) -> None:
    rows = {
        r["port"]: r
        for r in ios(replies, "show interfaces description", "show_interfaces_description")
    }
    assert rows["Gi0/0/2"]["description"] == "netprov:lan Kantor Sekretariat Daerah"
    assert rows["Gi0/0/1.1101"]["description"].startswith("netprov:central ")  # dual: up
    assert rows["Lo0"]["description"] == "netprov:mgmt smj-setda-r1"


def test_ios_inventory(replies: dict[str, str]) -> None:
    rows = ios(replies, "show inventory", "show_inventory")
    assert (rows[0]["name"], rows[0]["pid"]) == ("Chassis", "ISR4331/K9")


def test_ios_lldp_and_cdp_neighbours(replies: dict[str, str]) -> None:
    # the message Ansible cisco.ios's LLDP modules look for (has_lldp)
    assert replies["lldp off"].strip() == "% LLDP is not enabled"
    lldp = ios(replies, "show lldp neighbors", "show_lldp_neighbors")
    switch = next(r for r in lldp if r["neighbor_name"] == "smj-setda-sw1")
    assert switch["local_interface"] == "Gi0/0/2"
    cdp = ios(replies, "show cdp neighbors detail", "show_cdp_neighbors_detail")
    assert [(r["neighbor_name"], r["mgmt_address"], r["local_interface"]) for r in cdp] == [
        ("smj-setda-sw1", "10.31.1.2", "GigabitEthernet0/0/2")  # CDP: only the Cisco switch
    ]


def test_ios_route_summary_counts_the_routing_table(replies: dict[str, str]) -> None:
    rows = {
        r["route_source"]: r for r in ios(replies, "show ip route summary", "show_ip_route_summary")
    }
    codes = [line.split()[0] for line in replies["show ip route"].splitlines()[5:] if line]
    static = rows["static"]
    assert int(static["networks"]) + int(static["subnets"]) == sum(c.startswith("S") for c in codes)
    connected = rows["connected"]
    assert int(connected["networks"]) + int(connected["subnets"]) == sum(
        c in ("C", "L") for c in codes
    )


def test_ios_users_shows_the_noc_session(replies: dict[str, str]) -> None:
    rows = ios(replies, "show users", "show_users")
    assert [(r["user"], r["location"]) for r in rows] == [("netprov", "10.250.10.1")]
    assert rows[0]["line"].startswith("*")  # the session that asked


def test_ios_startup_config_through_napalm(replies: dict[str, str]) -> None:
    reply = replies["show startup-config"]
    assert reply.startswith("Using ")
    assert " out of 33554432 bytes" in reply.splitlines()[0]
    with pytest.raises(TextFSMError):  # routed to the show standby template by the index
        parse_output(platform="cisco_ios", command="show startup-config", data=reply)
    startup = replies["napalm startup"]
    assert "hostname smj-setda-r1" in startup
    assert "interface GigabitEthernet0/0/2" in startup


def test_routeros_interfaces(replies: dict[str, str]) -> None:
    rows = {r["name"]: r for r in ros(replies, "/interface print detail", "interface_print_detail")}
    assert (rows["vlan1131-central"]["type"], rows["vlan1131-central"]["status"]) == ("vlan", "R")
    assert rows["pppoe-legacy"]["type"] == "pppoe-out"
    ethernet = {
        r["name"]: r for r in ros(replies, "/interface ethernet print", "interface_ethernet_print")
    }
    assert set(ethernet) == {f"ether{n}" for n in range(1, 6)}
    assert ethernet["ether5"]["status"] == "R"
    vlans = ros(replies, "/interface vlan print detail", "interface_vlan_print_detail")
    assert [(v["name"], v["vlan_id"], v["parent_interface"]) for v in vlans] == [
        ("vlan1131-central", "1131", "ether5")
    ]
    assert vlans[0]["description"] == ["netprov:central-vlan"]  # the ;;; comment


def test_routeros_route_terse_dynamic_rows(replies: dict[str, str]) -> None:
    reply = replies["/ip route print terse"]
    statics = [line for line in reply.splitlines() if line.lstrip()[:1].isdigit()]
    assert statics
    assert all(line.split()[1].endswith("s") for line in statics)
    with pytest.raises(TextFSMError):
        parse_output(platform="mikrotik_routeros", command="/ip route print terse", data=statics[0])
    dynamic = "\n".join(line for line in reply.splitlines() if line.startswith("D"))
    rows = ros(replies, "/ip route print terse", "ip_route_print_terse", data=dynamic)
    lan = next(r for r in rows if r["dst_address"] == "10.31.31.0/24")
    assert lan["flags"] == "DAc"
    assert lan["gateway"] == "ether2"


def test_routeros_address_export_verbose(replies: dict[str, str]) -> None:
    reply = replies["/ip address export verbose"]
    adds = [line for line in reply.splitlines() if line.startswith("add ")]
    assert adds
    assert all(" disabled=no " in line for line in adds)
    unquoted = [line for line in adds if "comment=" in line and 'comment="' not in line]
    assert unquoted  # "netprov:mgmt-address" needs no quotes, so RouterOS prints none
    with pytest.raises(TextFSMError):
        parse_output(
            platform="mikrotik_routeros", command="/ip address export verbose", data=unquoted[0]
        )
    held = "\n".join(line for line in reply.splitlines() if line not in unquoted)
    rows = ros(replies, "/ip address export verbose", "ip_address_export_verbose", data=held)
    central = next(r for r in rows if r["interface"] == "vlan1131-central")
    assert (central["ip"], central["mask"], central["network"]) == (
        "100.72.31.2",
        "30",
        "100.72.31.0",
    )


def test_routeros_arp(replies: dict[str, str]) -> None:
    rows = ros(replies, "/ip arp print without-paging", "ip_arp_print_without-paging")
    by_interface = {r["interface"]: r for r in rows}
    assert by_interface["vlan1131-central"]["ip_address"] == "100.72.31.1"  # central gateway
    lan = [r["ip_address"] for r in rows if r["interface"] == "ether2"]
    assert lan
    assert all(a.startswith("10.31.31.") for a in lan)
    assert {r["flags"] for r in rows} == {"DC"}
    # `/ip arp print` prints the same table; its template is RouterOS 6's, and fails on a
    # real RouterOS 7 capture as it does on the twin
    assert replies["/ip arp print"] == replies["/ip arp print without-paging"]
    v7 = (REAL / "mikrotik_routeros" / "ip_arp_print_without-paging").glob("*paging2.raw")
    for data in (replies["/ip arp print"], next(v7).read_text()):
        with pytest.raises(TextFSMError):
            parse_output(platform="mikrotik_routeros", command="/ip arp print", data=data)
    assert real_records("mikrotik_routeros", "/ip arp print", "ip_arp_print")  # v6 reads


@pytest.mark.parametrize(
    ("command", "folder", "v7_line"),
    [
        ("/user print", "user_print", "Columns: NAME, GROUP, ADDRESS, LAST-LOGGED-IN"),
        (
            "/ip route print detail",
            "ip_route_print_detail",
            "Flags: D - dynamic; X - disabled, I - inactive, A - active; "
            "c - connect, s - static, d - dhcp, v - vpn",
        ),
        (
            "/snmp community print without-paging",
            "snmp_community_print_without-paging",
            "Columns: NAME, ADDRESSES, SECURITY, READ-ACCESS, WRITE-ACCESS",
        ),
    ],
)
def test_routeros_6_templates(
    replies: dict[str, str], command: str, folder: str, v7_line: str
) -> None:
    """The template reads the real RouterOS 6 capture; the twin prints RouterOS 7's form,
    which the template stops at (an error, or no table found)."""
    assert real_records("mikrotik_routeros", command, folder)
    reply = replies[command]
    assert v7_line in reply.splitlines()
    try:
        rows = parse_output(platform="mikrotik_routeros", command=command, data=reply)
    except TextFSMError:
        rows = []
    assert rows == []


def test_routeros_6_template_rows_hold_the_twin_values(replies: dict[str, str]) -> None:
    users = [line.split() for line in replies["/user print"].splitlines()[2:]]
    assert [row[1:3] for row in users] == [["admin", "full"], ["netprov", "full"]]
    snmp = replies["/snmp community print without-paging"].splitlines()
    assert snmp[2].startswith("#")  # v7: the number column's header at the margin
    ours = next(line.split() for line in snmp if "10.250.10.0/24" in line)
    assert ours[-3:] == ["none", "yes", "no"]  # read-only, from the NOC's network only
    detail = replies["/ip route print detail"]
    assert ";;; netprov:default-legacy" in detail
    assert "check-gateway=ping" in detail
