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

from netprov.platforms.base import InterfaceState, PingResult

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
