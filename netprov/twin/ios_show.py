"""IOS-XE ``show`` output the twin prints beyond what netprov reads: the commands an engineer's
own playbooks send first. Each is laid out as the real command prints it, after the captures
in ``tests/fixtures/real/cisco_ios`` (ntc-templates' test fixtures, real devices).

What the twin has around the router: the office's LAN switch (a Cisco, so it speaks CDP and
LLDP) on the LAN port, and each provider's CPE (LLDP only) on the port of a line that is up.
"""

from __future__ import annotations

from dataclasses import dataclass

from netprov.sim.ios import IosDevice
from netprov.sim.topology import Link, Router

_SHORT = (
    ("GigabitEthernet", "Gi"),
    ("TenGigabitEthernet", "Te"),
    ("FastEthernet", "Fa"),
    ("Loopback", "Lo"),
    ("Dialer", "Di"),
    ("Tunnel", "Tu"),
    ("Vlan", "Vl"),
)


def short_name(name: str) -> str:
    """IOS's short interface names (as ``show interfaces description`` and CDP print them).

    Examples:
        >>> short_name("GigabitEthernet0/0/1.1101"), short_name("Loopback0")
        ('Gi0/0/1.1101', 'Lo0')
    """
    for long, short in _SHORT:
        if name.startswith(long):
            return short + name[len(long) :]
    return name


@dataclass(frozen=True)
class Neighbour:
    """A device on the far side of one of the router's ports."""

    name: str
    local: str  # the router's interface
    port: str  # the neighbour's port
    platform: str
    capabilities: str  # CDP's words
    lldp_capabilities: str  # LLDP's codes
    version: str
    address: str | None
    cdp: bool  # a Cisco: it speaks CDP


def neighbours(device: IosDevice, router: Router) -> list[Neighbour]:
    """The office switch on the LAN port; a provider CPE on each live line's port."""
    found = []
    for link in router.links.values():
        if link.vlan is not None or link.dynamic == "pppoe" or not router.link_up(link):
            continue
        if link.name != link.port or link.name.startswith(("Loopback", "Dialer")):
            continue
        uplink = router.world.uplink_for(link)
        host = device.running.hostname().removesuffix("-r1")
        if uplink is None and link.address is not None:
            found.append(
                Neighbour(
                    f"{host}-sw1",
                    link.name,
                    "GigabitEthernet1/0/1",
                    "cisco WS-C2960X-24TS-L",
                    "Switch IGMP",
                    "B",
                    "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version "
                    "15.2(7)E8, RELEASE SOFTWARE (fc1)",
                    str(link.address.network.network_address + 2),
                    True,
                )
            )
        elif uplink is not None:
            found.append(
                Neighbour(
                    f"cpe-{uplink.role.value}",
                    link.name,
                    "ge-0/0/1",
                    "provider CPE",
                    "Router",
                    "R",
                    "provider CPE",
                    str(uplink.gateway) if uplink.gateway else None,
                    False,
                )
            )
    return found


def show_arp(device: IosDevice, router: Router, rows: list[tuple[Link, str]]) -> str:
    """``show arp`` / ``show ip arp``: each interface's own address (age ``-``) and the
    gateway of each live line (tests/fixtures/real/cisco_ios/show_arp)."""
    lines = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    for index, (link, protocol) in enumerate(rows):
        address = router.address_of(link)
        if address is None or protocol != "up":
            continue
        lines.append(_arp_row(str(address.ip), "-", _mac(index), link.name))
        uplink = router.world.uplink_for(link)
        if uplink is not None and uplink.gateway is not None and uplink.alive:
            peer = f"5254.00{index:02x}.{int(uplink.gateway) & 0xFFFF:04x}"
            lines.append(_arp_row(str(uplink.gateway), "1", peer, link.name))
    return "\n".join(lines)


def _arp_row(address: str, age: str, mac: str, interface: str) -> str:
    return f"Internet  {address:<16} {age:>8}   {mac:<14}  ARPA   {interface}"


def _mac(index: int) -> str:
    return f"0000.0c{index:02x}.{index:04x}"


def show_startup_config(device: IosDevice) -> str:
    """``show startup-config``: how much NVRAM it uses, then the saved config."""
    body = "\n".join(["!", "version 17.9", *device.startup, "end"])
    return f"Using {len(body)} out of 33554432 bytes\n{body}"


def show_interfaces_description(rows: list[tuple[str, str, str, str]]) -> str:
    """(name, status, protocol, description) per interface, in IOS's columns."""
    lines = ["Interface                      Status         Protocol Description"]
    for name, status, protocol, description in rows:
        shown = "admin down" if status.startswith("administratively") else status
        lines.append(f"{short_name(name):<30} {shown:<14} {protocol:<8} {description}".rstrip())
    return "\n".join(lines)


def show_inventory(device: IosDevice) -> str:
    """The chassis, its power supply and its built-in ports, as an ISR 4331 lists them."""
    serial = device.serial
    items = [
        ("Chassis", "Cisco ISR4331 Chassis", "ISR4331/K9", "V04", serial),
        (
            "Power Supply Module 0",
            "250W AC Power Supply for Cisco ISR 4330",
            "PWR-4330-AC",
            "V02",
            f"PST{serial[3:]}",
        ),
        ("module 0", "Cisco ISR4331 Built-In NIM controller", "ISR4331/K9", "", ""),
        (
            "NIM subslot 0/0",
            "Front Panel 3 ports Gigabitethernet Module",
            "ISR4331-3x1GE",
            "V01",
            "",
        ),
    ]
    blocks = [
        f'NAME: "{name}", DESCR: "{descr}"\nPID: {pid:<22}, VID: {vid}, SN: {sn}'.rstrip()
        for name, descr, pid, vid, sn in items
    ]
    return "\n\n".join(blocks) + "\n"


def show_lldp_neighbors(device: IosDevice, router: Router) -> str:
    """LLDP is off unless ``lldp run`` (Cisco IOS XE: LLDP is disabled by default); the
    message is the one Ansible cisco.ios's LLDP modules test for (``has_lldp``)."""
    if not device.running.top("lldp run"):
        return "% LLDP is not enabled"
    found = neighbours(device, router)
    lines = [
        "Capability codes:",
        "    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device",
        "    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other",
        "",
        "Device ID           Local Intf     Hold-time  Capability      Port ID",
    ]
    for n in found:
        lines.append(
            f"{n.name[:20]:<20}{short_name(n.local):<15}{120:<11}{n.lldp_capabilities:<16}"
            f"{short_name(n.port)}"
        )
    lines += ["", f"Total entries displayed: {len(found)}"]
    return "\n".join(lines)


def show_cdp_neighbors_detail(device: IosDevice, router: Router) -> str:
    """CDP runs by default on IOS-XE routers; ``no cdp run`` turns it off."""
    if device.running.top("no cdp run"):
        return "% CDP is not enabled"
    blocks = []
    for n in (n for n in neighbours(device, router) if n.cdp):
        block = ["-------------------------", f"Device ID: {n.name}", "Entry address(es):"]
        if n.address:
            block.append(f"  IP address: {n.address}")
        block += [
            f"Platform: {n.platform},  Capabilities: {n.capabilities}",
            f"Interface: {n.local},  Port ID (outgoing port): {n.port}",
            "Holdtime : 164 sec",
            "",
            "Version :",
            n.version,
            "Technical Support: http://www.cisco.com/techsupport",
            "Copyright (c) 1986-2022 by Cisco Systems, Inc.",
            "",
            "advertisement version: 2",
            "VTP Management Domain: ''",
            "Native VLAN: 1",
            "Duplex: full",
            "Management address(es):",
        ]
        if n.address:
            block.append(f"  IP address: {n.address}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks) + f"\n\nTotal cdp entries displayed : {len(blocks)}"


def show_ip_route_summary(router: Router) -> str:
    """Routes by source (tests/fixtures/real/cisco_ios/show_ip_route_summary)."""
    active = router.active_routes()
    connected = sum(1 for r in active if r.code == "C")
    static = len(active) - connected
    rows = [
        ("connected", 0, connected * 2),  # each with its local /32
        ("static", 0, static),
        ("application", 0, 0),
        ("internal", 2, 0),
    ]
    lines = [
        "IP routing table name is default (0x0)",
        "IP routing table maximum-paths is 32",
        "Route Source    Networks    Subnets     Replicates  Overhead    Memory (bytes)",
    ]
    total_networks = total_subnets = total_overhead = total_memory = 0
    for source, networks, subnets in rows:
        overhead, memory = 96 * (networks + subnets), 288 * (networks + subnets)
        if source == "internal":
            lines.append(f"{source:<16}{networks:<48}{memory}")
        else:
            lines.append(f"{source:<16}{networks:<12}{subnets:<12}{0:<12}{overhead:<12}{memory}")
        total_networks += networks
        total_subnets += subnets
        total_overhead += overhead
        total_memory += memory
    lines.append(
        f"{'Total':<16}{total_networks:<12}{total_subnets:<12}{0:<12}{total_overhead:<12}"
        f"{total_memory}"
    )
    return "\n".join(lines)


def show_users(username: str, peer: str) -> str:
    """This session, on the first vty line (tests/fixtures/real/cisco_ios/show_users)."""
    return "\n".join(
        [
            "    Line       User       Host(s)              Idle       Location",
            f"*  2 vty 0     {username:<10} idle                 00:00:00 {peer}",
            "",
            "  Interface    User               Mode         Idle     Peer Address",
        ]
    )
