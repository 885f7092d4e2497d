"""Who may open a session on an IOS router, read from one config. Pure.

An incoming SSH session takes the first free virtual terminal line (vty 0, then 1, ...);
the ``line vty`` section holding that line decides: ``transport input`` must allow SSH and
the source must be permitted by the line's ``access-class ... in`` (a standard access list:
entries in order, first match decides, an implicit deny at the end). A line number no
section configures does not exist: the session is refused (Cisco IOS Security
Configuration Guide, "Controlling Access to a Virtual Terminal Line"; Cisco IOS Terminal
Services Command Reference, ``access-class``, ``transport input``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import AddressValueError, IPv4Address

from netprov.sim.ios.config import IosConfig
from netprov.sim.packets import Packet
from netprov.sim.topology import Verdict

_VTY = re.compile(r"^line vty (\d+)(?: (\d+))?$")
_ENTRY = re.compile(r"^(?:\d+ )?(permit|deny) (any|host \S+|\S+(?: \S+)?)(?: log)?$")


@dataclass(frozen=True)
class VtySection:
    first: int
    last: int
    access_class: str | None
    transport: tuple[str, ...] | None  # None: not configured


@dataclass(frozen=True)
class IosAccess:
    """The vty lines of one IOS config and the standard access lists they may name."""

    lines: tuple[VtySection, ...]
    acls: dict[str, tuple[tuple[bool, str], ...]]  # name -> (permit, match) in order

    @classmethod
    def of(cls, config: IosConfig) -> IosAccess:
        sections = []
        for node in config.top("line vty "):
            match = _VTY.match(node.text)
            if match is None:
                continue
            first = int(match[1])
            last = int(match[2]) if match[2] else first
            words = [c.text.split() for c in node.children]
            access = next(
                (w[1] for w in words if w[:1] == ["access-class"] and w[-1:] == ["in"]), None
            )
            transport = next((tuple(w[2:]) for w in words if w[:2] == ["transport", "input"]), None)
            sections.append(VtySection(first, last, access, transport))
        acls: dict[str, list[tuple[bool, str]]] = {}
        for node in config.top("ip access-list standard "):
            entries = acls.setdefault(node.text.split()[3], [])
            for child in node.children:
                entry = _ENTRY.match(child.text)
                if entry is not None:
                    entries.append((entry[1] == "permit", entry[2]))
        for node in config.top("access-list "):
            number, _, rest = node.text.removeprefix("access-list ").partition(" ")
            entry = _ENTRY.match(rest)
            if entry is not None:
                acls.setdefault(number, []).append((entry[1] == "permit", entry[2]))
        return cls(tuple(sections), {name: tuple(found) for name, found in acls.items()})

    def decide(self, packet: Packet) -> Verdict:
        if packet.chain != "input" or packet.port != 22:
            return Verdict("accept")  # IOS filters nothing else on its own
        line = packet.sessions
        section = next((s for s in self.lines if s.first <= line <= s.last), None)
        if section is None:
            return Verdict("reject", f"no vty line {line} configured")
        where = f"line vty {section.first} {section.last}"
        if section.transport is not None and not {"ssh", "all"} & set(section.transport):
            return Verdict("reject", f"{where}: transport input {' '.join(section.transport)}")
        if section.access_class is None:
            return Verdict("accept")
        for permit, match in self.acls.get(section.access_class, ()):
            if _matches(packet.source, match):
                if permit:
                    return Verdict("accept")
                return Verdict("reject", f"{where}: access-class {section.access_class} denies it")
        return Verdict("reject", f"{where}: access-class {section.access_class} does not permit it")


def _matches(source: IPv4Address, match: str) -> bool:
    """A standard access list's address part: ``any``, ``host A``, ``A W`` or ``A``.

    Examples:
        >>> s = IPv4Address("10.250.10.1")
        >>> _matches(s, "10.250.10.0 0.0.0.255"), _matches(s, "host 10.250.10.1")
        (True, True)
        >>> _matches(s, "10.31.2.0 0.0.0.255"), _matches(s, "any")
        (False, True)
    """
    words = match.split()
    try:
        if words[0] == "any":
            return True
        if words[0] == "host":
            return source == IPv4Address(words[1])
        address = int(IPv4Address(words[0]))
        wildcard = int(IPv4Address(words[1])) if len(words) > 1 else 0
    except (AddressValueError, ValueError, IndexError):
        return False
    return (int(source) | wildcard) == (address | wildcard)
