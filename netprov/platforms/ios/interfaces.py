"""The interfaces an IOS plan names that the router lacks. Pure.

``show running-config`` lists every interface the router has, ports included. A port the
router lacks is refused (``interface GigabitEthernet0/0/9``: "% Invalid input detected"), a
sub-interface needs its port, and a command that names an interface as its source, its NAT
address or its next hop needs it to exist. Logical interfaces (Loopback, Dialer, Tunnel,
Vlan, BDI, sub-interfaces) are created by their ``interface`` line (Cisco IOS Interface and
Hardware Component Command Reference, "interface").
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^interface (\S+)")
_LOGICAL = ("Loopback", "Dialer", "Tunnel", "Vlan", "BDI", "Port-channel", "Virtual-Template")
# commands that name an interface (the group ``name``), at any depth
_REFERENCES = tuple(
    re.compile(pattern)
    for pattern in (
        r"^ip nat (?:inside|outside) source .* interface (?P<name>\S+)",
        r"(?:^|\s)source-interface (?P<name>\S+)",
        r"^(?:ntp|ip flow-export|ip tftp) source(?:-interface)? (?P<name>\S+)",
        r"^source (?P<name>\S+)$",  # a flow exporter's
        r"^snmp-server trap-source (?P<name>\S+)",
        r"^track \d+ interface (?P<name>\S+)",
        r"^ip route (?:vrf \S+ )?[\d.]+ [\d.]+ (?!dhcp\b|Null0\b)(?P<name>[A-Za-z]\S*)",
    )
)


def _parent(name: str) -> str | None:
    """The port a sub-interface sits on (None for a port or a logical interface)."""
    return name.split(".", 1)[0] if "." in name else None


def present(running: str) -> set[str]:
    """The interfaces of a running config."""
    return {m[1] for line in running.splitlines() if (m := _HEADER.match(line))}


def missing(running: str, commands: list[str]) -> list[tuple[str, str, str]]:
    """(interface, the first command naming it, "") for each interface ``commands`` name
    that the router lacks and no command creates."""
    has = present(running)
    created = set()
    for line in commands:
        header = _HEADER.match(line.strip())
        if header is not None and (header[1].startswith(_LOGICAL) or "." in header[1]):
            created.add(header[1])
    found: dict[str, str] = {}
    for line in commands:
        text = line.strip()
        header = _HEADER.match(text)
        if header is not None:
            name = header[1]
            port = _parent(name) or (None if name.startswith(_LOGICAL) else name)
            if port is not None and port not in has:
                found.setdefault(port, line)
            continue
        for pattern in _REFERENCES:
            match = pattern.search(text)
            if match is not None and match["name"] not in has | created:
                found.setdefault(match["name"], line)
    return [(name, line, "") for name, line in found.items()]
