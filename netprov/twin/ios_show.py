"""IOS-XE ``show`` output the twin prints: what netprov's checks read (version, interfaces,
ARP, DHCP bindings; routes are :mod:`netprov.twin.ios_routes`) and the commands an
engineer's own playbooks send first. Each is laid out as the real command prints it, after
the captures in ``tests/fixtures/real/cisco_ios`` (ntc-templates' test fixtures, real
devices).

What the twin has around the router: the office's LAN switch (a Cisco, so it speaks CDP and
LLDP) on the LAN port, and each provider's CPE (LLDP only) on the port of a line that is up.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Interface

from netprov.sim.ios.config import Node
from netprov.sim.ios.router import IosDevice
from netprov.sim.topology import Link, Router

# what IOS answers a line it cannot parse
INVALID_INPUT = "% Invalid input detected at '^' marker."

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


def show_ip_dhcp_binding(device: IosDevice) -> str:
    """Two office PCs leased from each pool with a network, in the columns of the real
    output (tests/fixtures/real/cisco_ios/show_ip_dhcp_binding)."""
    rows = [
        "Bindings from all pools not associated with VRF:",
        "IP address          Client-ID/              Lease expiration        Type",
        "                    Hardware address/",
        "                    User name",
    ]
    for pool in device.running.top("ip dhcp pool "):
        network = next(
            (c.text.split() for c in pool.children if c.text.startswith("network ")), None
        )
        if network is None:
            continue
        base = IPv4Interface(f"{network[1]}/{network[2]}").network.network_address
        for n in range(2):
            client = f"0102.005e.1000.{n + 1:02x}"
            expires = "Nov 24 2026 03:00 AM"
            rows.append(f"{base + 100 + n!s:<20}{client:<24}{expires:<24}Automatic")
    return "\n".join(rows)


def domain_name(device: IosDevice) -> str:
    """The router's ``ip domain name`` (IOS's default when none)."""
    node = next(iter(device.running.top("ip domain name ")), None)
    return node.text.split()[-1] if node else "not set"


def show_version(device: IosDevice) -> str:
    """``show version`` as IOS-XE prints it."""
    host = device.running.hostname()
    uptime = device.now() - device.booted
    minutes = int(uptime.total_seconds() // 60)
    return "\n".join(
        [
            "Cisco IOS XE Software, Version 17.09.04a",
            "Cisco IOS Software [Cupertino], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), "
            "Version 17.9.4a, RELEASE SOFTWARE (fc3)",
            "Technical Support: http://www.cisco.com/techsupport",
            "Copyright (c) 1986-2023 by Cisco Systems, Inc.",
            "",
            "ROM: 16.12(2r)",
            "",
            f"{host} uptime is {minutes // 1440} days, {minutes // 60 % 24} hours, "
            f"{minutes % 60} minutes",
            "Uptime for this control processor is 1 minute",
            "System returned to ROM by Reload Command",
            'System image file is "bootflash:isr4300-universalk9.17.09.04a.SPA.bin"',
            "Last reload reason: Reload Command",
            "",
            "cisco ISR4331/K9 (1RU) processor with 1795999K/6147K bytes of memory.",
            f"Processor board ID {device.serial}",
            "Router operating mode: Autonomous",
            f"{len(device.ports)} Gigabit Ethernet interfaces",
            "32768K bytes of non-volatile configuration memory.",
            "4194304K bytes of physical memory.",
            "6598655K bytes of flash memory at bootflash:.",
            "",
            "Configuration register is 0x2102",
        ]
    )


def interface_rows(device: IosDevice) -> list[tuple[Node, Link, str, str]]:
    """Each interface with its link, and its status and protocol as IOS words them."""
    router = device.router()
    rows = []
    links = {link.name: link for link in router.links.values()}
    for node in sorted(device.running.top("interface "), key=lambda n: n.text):
        link = links[node.text.split()[1]]
        if not link.admin_up:
            status, protocol = "administratively down", "down"
        elif router.link_up(link):
            status, protocol = "up", "up"
        else:
            status, protocol = "down", "down"
        rows.append((node, link, status, protocol))
    return rows


def show_ip_interface_brief(device: IosDevice) -> str:
    """``show ip interface brief``."""
    router = device.router()
    lines = ["Interface              IP-Address      OK? Method Status                Protocol"]
    for _node, link, status, protocol in interface_rows(device):
        address = router.address_of(link)
        ip = str(address.ip) if address else "unassigned"
        method = "DHCP" if link.dynamic else ("NVRAM" if address else "unset")
        lines.append(f"{link.name:<22} {ip:<15} YES {method:<6} {status:<21} {protocol}")
    return "\n".join(lines)


def show_interfaces(device: IosDevice) -> str:
    """``show interfaces``, each interface's block as IOS-XE prints it."""
    router = device.router()
    blocks = []
    for index, (node, link, status, protocol) in enumerate(interface_rows(device)):
        mac = f"0000.0c{index:02x}.{index:04x}"
        description = next(
            (c.text[12:] for c in node.children if c.text.startswith("description ")), None
        )
        address = router.address_of(link)
        encapsulation = (
            f"802.1Q Virtual LAN, Vlan ID  {link.vlan}." if link.vlan else "ARPA, loopback not set"
        )
        block = [
            f"{link.name} is {status}, line protocol is {protocol} ",
            f"  Hardware is ISR4331-3x1GE, address is {mac} (bia {mac})",
        ]
        if description:
            block.append(f"  Description: {description}")
        if address:
            block.append(f"  Internet address is {address.with_prefixlen}")
        block += [
            "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec, ",
            "     reliability 255/255, txload 1/255, rxload 1/255",
            f"  Encapsulation {encapsulation}",
            "  Keepalive not supported ",
            "  Full Duplex, 1000Mbps, link type is auto, media type is RJ45",
            "  Last input 00:00:01, output 00:00:01, output hang never",
            "  Input queue: 0/375/0/0 (size/max/drops/flushes); Total output drops: 0",
            "  Queueing strategy: fifo",
            "  5 minute input rate 1000 bits/sec, 2 packets/sec",
            "  5 minute output rate 1000 bits/sec, 2 packets/sec",
            "     1000 packets input, 100000 bytes, 0 no buffer",
            "     0 runts, 0 giants, 0 throttles ",
            "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
            "     1000 packets output, 100000 bytes, 0 underruns",
            "     0 output errors, 0 collisions, 0 interface resets",
        ]
        blocks.append("\n".join(block))
    return "\n".join(blocks)


def show_ip_interface(device: IosDevice) -> str:
    """``show ip interface``: the per-interface form napalm's ``get_interfaces_ip`` reads."""
    router = device.router()
    blocks = []
    for _node, link, status, protocol in interface_rows(device):
        block = [f"{link.name} is {status}, line protocol is {protocol}"]
        address = router.address_of(link)
        if address is None:
            block.append("  Internet protocol processing disabled")
        else:
            block += [
                f"  Internet address is {address.with_prefixlen}",
                "  Broadcast address is 255.255.255.255",
                f"  Address determined by {'DHCP' if link.dynamic else 'non-volatile memory'}",
                "  MTU is 1500 bytes",
                "  Helper address is not set",
                "  Directed broadcast forwarding is disabled",
                "  Outgoing Common access list is not set ",
                "  Outgoing access list is not set",
                "  Inbound Common access list is not set ",
                "  Inbound  access list is not set",
                "  Proxy ARP is enabled",
                "  Local Proxy ARP is disabled",
                "  Security level is default",
                "  Split horizon is enabled",
                "  ICMP redirects are always sent",
                "  ICMP unreachables are always sent",
                "  ICMP mask replies are never sent",
                "  IP fast switching is enabled",
                "  IP Flow switching is disabled",
                "  IP CEF switching is enabled",
            ]
        blocks.append("\n".join(block))
    return "\n".join(blocks)


def show_arp_table(device: IosDevice) -> str:
    """``show arp`` / ``show ip arp``: the gateways and the office PCs the router has seen."""
    rows = [(link, protocol) for _node, link, _status, protocol in interface_rows(device)]
    return show_arp(device, device.router(), rows)
