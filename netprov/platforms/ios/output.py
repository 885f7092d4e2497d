"""Readers of what a real IOS router prints for netprov's checks: ``show ip interface
brief``, ``show ip route`` and ``ping`` through ntc-templates' TextFSM templates, and the
rest by their real layout (tests/fixtures/real/cisco_ios).
"""

from __future__ import annotations

import re

from netprov.platforms import ntc
from netprov.platforms.base import Hop, InterfaceState, PingResult

# one lease of ``show ip dhcp binding``: address, client id, expiry (may hold spaces), type
_BINDING = re.compile(
    r"^\d{1,3}(?:\.\d{1,3}){3}\s+\S+\s+.+?\s+(?:Automatic|Manual|Selected)\s*$", re.M
)


def read_interface(output: str, name: str) -> InterfaceState:
    """Interface ``name`` in ``show ip interface brief`` (ntc-templates): running when status and
    protocol are both up."""
    for row in ntc.parse("cisco_ios_show_ip_interface_brief", output):
        if row["interface"] == name:
            status, proto = str(row["status"]), str(row["proto"])
            running = status == "up" and proto == "up"
            shown = status if status == proto or not running else f"{status}/{proto}"
            return InterfaceState(name, present=True, running=running, status=shown)
    return InterfaceState(name, present=False, running=False, status="absent")


def read_default_gateway(output: str) -> str:
    """The next hop of the global table's default route in ``show ip route``, or ``"none"``."""
    for row in ntc.parse("cisco_ios_show_ip_route", output):
        # a /0 in the global table is the default route
        if not row["vrf"] and row["prefix_length"] == "0":
            return str(row["nexthop_ip"] or row["nexthop_if"] or "?")
    return "none"


def read_ping(output: str) -> PingResult:
    """Probes sent and answered, and the average round trip, of an IOS ``ping``."""
    rows = ntc.parse("cisco_ios_ping", output) if "Sending" in output else []
    if not rows:
        return PingResult(0, 0)
    row = rows[0]
    sent = int(str(row["sent_qty"]) or 0)
    received = int(str(row["success_qty"]) or 0)
    avg = float(str(row["rtt_avg"])) if row["rtt_avg"] and received else None
    return PingResult(sent, received, avg)


def read_resolved(output: str) -> str | None:
    """The address IOS translated a name to, from the first line of its one-packet ping."""
    match = re.search(r"Sending \d+, \d+-byte ICMP Echos to (\d{1,3}(?:\.\d{1,3}){3}),", output)
    return match[1] if match else None


def read_leases(output: str) -> int | None:
    """Rows of ``show ip dhcp binding``. Not through ntc-templates: its template takes the
    expiry as one word (``Infinite``), and an automatic lease's is a date with spaces."""
    if output.lstrip().startswith("%"):
        return None
    return len(_BINDING.findall(output))


def read_fetched(output: str) -> str | None:
    """The address ``more http://...`` printed (the egress echo), None on an ``%Error``."""
    if "%Error" in output:
        return None
    match = re.search(r"^\s*(\d{1,3}(?:\.\d{1,3}){3})\s*$", output, re.M)
    return match[1] if match else None


# ``show ip cef A``: the entry's prefix opens a line (", epoch ..." or ", version ..." may
# follow); then how it forwards, IOS 15 (``nexthop <neighbour> <interface>``, ``attached
# to <interface>``) or 12.x (``next hop <neighbour>, <interface>``); the table form of some
# releases puts both on the prefix's line (ntc-templates' show ip cef / show ip cef detail
# captures)
_CEF_PREFIX = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})\b(.*)$")
_CEF_NEXTHOP = re.compile(r"^\s*next ?hop (\d{1,3}(?:\.\d{1,3}){3}),? (\S+)")
_CEF_ATTACHED = re.compile(r"^\s*attached(?: to)? (\S+)")
_CEF_TABLE = re.compile(r"^\s+(\d{1,3}(?:\.\d{1,3}){3}|attached)\s+(\S+)\s*$")
_CEF_DROP = re.compile(r"^\s*(drop|no route|null0|discard)\b", re.I)
_CEF_RECURSIVE = re.compile(r"^\s*recursive via (\d{1,3}(?:\.\d{1,3}){3})")


def read_route(output: str) -> Hop | None:
    r"""Where ``show ip cef A`` says packets to A leave: the FIB entry IOS forwards them by
    (Cisco IOS IP Switching Command Reference, "show ip cef"). None: no entry, or ``receive``
    (the router's own address).

    Examples:
        >>> str(read_route("0.0.0.0/0\n  nexthop 203.0.113.5 GigabitEthernet0/0/0"))
        'GigabitEthernet0/0/0 (203.0.113.5)'
        >>> str(read_route("8.8.8.8/32, version 142\n  attached to Dialer1"))
        'Dialer1'
        >>> str(read_route("0.0.0.0/0            10.180.122.153       GigabitEthernet0/1"))
        'GigabitEthernet0/1 (10.180.122.153)'
        >>> str(read_route("0.0.0.0/0\n  no route"))
        'dropped (0.0.0.0/0)'
    """
    prefix: str | None = None
    recursive: str | None = None  # the detail form's "recursive via <neighbour>"
    for line in output.splitlines():
        opening = _CEF_PREFIX.match(line)
        rest = line
        if prefix is None:
            if opening is None:
                continue
            prefix, rest = opening[1], opening[2]
        elif opening is not None:
            break  # the next entry
        if "receive" in rest.split():
            return None
        if _CEF_DROP.match(rest.strip(", ")):
            return Hop(prefix, None, None)
        found = _CEF_NEXTHOP.match(rest) or _CEF_TABLE.match(rest)
        if found is not None:
            gateway = None if found[1] == "attached" else found[1]
            return Hop(prefix, gateway, found[2])
        via = _CEF_RECURSIVE.match(rest)
        if via is not None:
            recursive = via[1]
        attached = _CEF_ATTACHED.match(rest)
        if attached is not None:
            return Hop(prefix, recursive, attached[1])
    return None
