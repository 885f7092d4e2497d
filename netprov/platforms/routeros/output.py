"""Readers of what RouterOS 6 and 7 print, in the stable ``print terse`` form.

A plain ``print`` is a column table whose layout changes between versions (RouterOS 7 adds
a ``Columns:`` line and leaves dynamic routes unnumbered); ``print terse`` gives one
``key=value`` row per item on both, after an optional index and the item's flags. Lines
that are not rows (a log message echoed to the console, a blank) are skipped. Tested on real
output in ``tests/fixtures/real/mikrotik_routeros``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from netprov.platforms.base import Hop, InterfaceState, PingResult

# optional index, then flags (letters and spaces; RouterOS 6 pads them positionally), then
# the first key=value
_ROW = re.compile(r"^\s*(?:(?P<index>\d+)\s+)?(?P<flags>[A-Za-z+ ]*?)\s*(?P<body>[a-z][\w-]*=.*)$")
_KEY = re.compile(r"\s+(?=[a-z][\w-]*=)")

# how RouterOS starts an error message (MikroTik manual, Console: errors)
ERROR_LINE = re.compile(r"^(failure:|bad command name|syntax error|expected |no such |invalid )")


@dataclass(frozen=True)
class TerseRow:
    """One item of a ``print terse`` listing: its number, its flags, its properties."""

    index: int | None
    flags: frozenset[str]
    fields: dict[str, str]

    def flag(self, letter: str) -> bool:
        """Whether the item carries flag ``letter`` (``X`` disabled, ``D`` dynamic, ...)."""
        return letter in self.flags


def terse_rows(output: str) -> list[TerseRow]:
    """Rows of a ``print terse`` output.

    Examples:
        >>> row = terse_rows(" 0 A S  dst-address=0.0.0.0/0 gateway=10.0.0.1 distance=1")[0]
        >>> sorted(row.flags), row.fields["gateway"]
        (['A', 'S'], '10.0.0.1')
        >>> terse_rows("DAc dst-address=10.1.0.0/24 gateway=bridge")[0].index is None
        True
        >>> terse_rows("17:20:06 echo: system,error login failure for user admin")
        []
    """
    rows = []
    for line in output.splitlines():
        match = _ROW.match(line)
        if match is None:
            continue
        fields = {}
        for pair in _KEY.split(match["body"].strip()):
            key, _, value = pair.partition("=")
            fields[key] = value.strip()
        index = int(match["index"]) if match["index"] is not None else None
        rows.append(TerseRow(index, frozenset(match["flags"].replace(" ", "")), fields))
    return rows


def read_interface(output: str, name: str) -> InterfaceState:
    """``/interface print terse``: R is running, X disabled (RouterOS 6 and 7 alike)."""
    for row in terse_rows(output):
        if row.fields.get("name") == name:
            if row.flag("X"):
                return InterfaceState(name, present=True, running=False, status="disabled")
            running = row.flag("R")
            return InterfaceState(
                name, present=True, running=running, status="running" if running else "not running"
            )
    return InterfaceState(name, present=False, running=False, status="absent")


def read_default_gateway(output: str) -> str:
    """The gateway of the active IPv4 default route in ``/ip route print terse``.

    RouterOS 6 lists several gateways comma-separated; the first is named.
    """
    for row in terse_rows(output):
        if row.fields.get("dst-address") == "0.0.0.0/0" and row.flag("A"):
            gateway = row.fields.get("gateway", "")
            return gateway.split(",")[0] or "?"
    return "none"


# RouterOS 6 ``gateway-status``: "<gw> reachable via  <interface>" (an interface gateway:
# "<interface> reachable"), "<gw> recursive via <neighbour> <interface>"; ECMP routes list
# several, comma-separated, unreachable ones included
# an interface's name runs to the next gateway (","): it may hold spaces ("wan A",
# tests/fixtures/real-configs/routeros-6.49.6-rb4011-terse-head.rsc)
_V6_REACHABLE = re.compile(r"(?:^|,)(?P<gw>[^,\s]+) reachable(?: via\s+(?P<iface>[^,]*[^,\s]))?")
_V6_RECURSIVE = re.compile(r"(?:^|,)[^,\s]+ recursive via (?P<gw>[^,\s]+) (?P<iface>[^,]*[^,\s])")
_DROPPING = {"blackhole", "unreachable", "prohibit"}


def read_route(output: str, address: str) -> Hop | None:
    """How the router forwards to ``address``, from ``/ip route print terse``: the active
    route of the main table with the longest prefix holding it (RouterOS 6 and 7 alike: the
    ``A`` flag; a route of another table, ``routing-mark=`` on 6, ``routing-table=`` on 7,
    serves only marked packets). Its neighbour and interface: RouterOS 7's ``immediate-gw``
    (``<neighbour>%<interface>``, or the interface alone), RouterOS 6's ``gateway-status``
    (MikroTik manual, "IP Routing"; tests/fixtures/real/mikrotik_routeros).

    Examples:
        >>> v7 = "DAc dst-address=10.0.0.0/24 gateway=ether1 immediate-gw=ether1"
        >>> v7 += chr(10) + " 0 As dst-address=0.0.0.0/0 routing-table=main gateway=8.8.8.8 "
        >>> v7 += "immediate-gw=10.0.0.1%ether1 distance=1"
        >>> str(read_route(v7, "1.1.1.1")), str(read_route(v7, "10.0.0.9"))
        ('ether1 (10.0.0.1)', 'ether1')
        >>> v6 = " 4 A S  dst-address=0.0.0.0/0 gateway=1.2.3.4 gateway-status=1.2.3.4 "
        >>> v6 += "recursive via 10.152.1.230 ether5 distance=1"
        >>> str(read_route(v6, "8.8.8.8"))
        'ether5 (10.152.1.230)'
        >>> v6 = " 0 A S  dst-address=0.0.0.0/0 gateway=192.168.100.1 gateway-status="
        >>> v6 += "192.168.100.1 reachable via  wan A distance=50"
        >>> str(read_route(v6, "8.8.8.8"))
        'wan A (192.168.100.1)'
    """
    target = IPv4Address(address)
    best: tuple[IPv4Network, dict[str, str]] | None = None
    for row in terse_rows(output):
        fields = row.fields
        if not row.flag("A") or row.flag("X") or "routing-mark" in fields:
            continue
        if fields.get("routing-table", "main").split()[0] != "main":
            continue
        try:
            prefix = IPv4Network(fields.get("dst-address", "").split()[0])
        except (ValueError, IndexError):
            continue  # an IPv6 route, or a row that is not a route
        if target in prefix and (best is None or prefix.prefixlen > best[0].prefixlen):
            best = (prefix, fields)
    if best is None:
        return None
    prefix, fields = best
    words = " ".join(fields.values()).split()
    if fields.get("type") in _DROPPING or _DROPPING & set(words):
        return Hop(str(prefix), None, None)
    immediate = fields.get("immediate-gw")
    if immediate:  # RouterOS 7
        neighbour, _, interface = immediate.split(",")[0].partition("%")
        return (
            Hop(str(prefix), neighbour, interface)
            if interface
            else Hop(str(prefix), None, neighbour)
        )
    status = fields.get("gateway-status", "")
    match = _V6_RECURSIVE.search(status) or _V6_REACHABLE.search(status)
    if match is None:
        return None
    gateway, interface = match["gw"], match["iface"]
    if interface is None:  # "<interface> reachable": an interface route
        return Hop(str(prefix), None, gateway)
    return Hop(str(prefix), gateway, interface)


# packet-loss goes below zero when several replies answer one request (a multicast, a
# duplicating link: the manual's own example, tests/fixtures/real)
_SUMMARY = re.compile(
    r"sent=(\d+)\s+received=(\d+)\s+packet-loss=-?\d+%(?:.*?avg-rtt=([\d.]+)(ms|us))?"
)


def read_ping(output: str) -> PingResult:
    """``/ping``: the last ``sent=N received=M`` summary (RouterOS repeats it as it goes).

    Examples:
        >>> read_ping("    sent=4 received=3 packet-loss=25% min-rtt=1ms avg-rtt=2ms max-rtt=3ms")
        PingResult(sent=4, received=3, avg_ms=2.0)
    """
    matches = list(_SUMMARY.finditer(output))
    if not matches:
        return PingResult(0, 0)
    last = matches[-1]
    avg = None
    if last[3] is not None:
        avg = float(last[3]) / (1000 if last[4] == "us" else 1)
    return PingResult(int(last[1]), int(last[2]), avg)


def read_resolved(output: str) -> str | None:
    """The address ``:put [:resolve NAME]`` printed, None for an error."""
    text = output.strip()
    return text if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", text) else None


def read_leases(output: str) -> int | None:
    """Bound leases in ``/ip dhcp-server lease print terse``; None when the router refused it."""
    first = output.strip().splitlines()[0] if output.strip() else ""
    if ERROR_LINE.match(first):
        return None
    rows = terse_rows(output)
    return sum(1 for row in rows if row.fields.get("status") == "bound")


def read_fetched(output: str) -> str | None:
    """The address ``/tool fetch ... output=user`` printed as its data."""
    match = re.search(r"^\s*data: (\d{1,3}(?:\.\d{1,3}){3})\s*$", output, re.M)
    return match[1] if match else None
