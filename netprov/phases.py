"""What each cutover phase means for a site: which uplinks exist and how traffic prefers them.

Pure data and functions: the templates draw these facts, they do not decide them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address

from netprov.models import (
    DhcpAddressing,
    Phase,
    PppoeAddressing,
    StaticAddressing,
    Uplink,
)


class Role(StrEnum):
    LEGACY = "legacy"
    CENTRAL = "central"
    BACKUP = "backup"


# Administrative distance of each uplink's default route, per phase. Lower wins; an
# absent role has no config at all in that phase.
DISTANCES: dict[Phase, dict[Role, int]] = {
    Phase.LEGACY: {Role.LEGACY: 1, Role.BACKUP: 10},
    Phase.DUAL: {Role.LEGACY: 1, Role.CENTRAL: 5, Role.BACKUP: 10},
    Phase.CENTRAL: {Role.CENTRAL: 1, Role.LEGACY: 5, Role.BACKUP: 10},
    Phase.FINAL: {Role.CENTRAL: 1, Role.BACKUP: 10},
}


class Carried(StrEnum):
    """What a line carries for an office."""

    INTERNET = "internet"  # the default route
    CITY = "city services"  # the city's central services (routes of their own)
    MANAGEMENT = "management"  # the way back to the NOC


# What each phase promises, and on which line: verification checks each line with what it
# carries in that phase, so a line is proven by the first phase that puts traffic on it
# (dual already sends the city's services over the central line).
PROMISES: dict[Phase, dict[Carried, Role]] = {
    Phase.LEGACY: {Carried.INTERNET: Role.LEGACY, Carried.MANAGEMENT: Role.LEGACY},
    Phase.DUAL: {
        Carried.INTERNET: Role.LEGACY,
        Carried.CITY: Role.CENTRAL,
        Carried.MANAGEMENT: Role.LEGACY,
    },
    Phase.CENTRAL: {
        Carried.INTERNET: Role.CENTRAL,
        Carried.CITY: Role.CENTRAL,
        Carried.MANAGEMENT: Role.CENTRAL,
    },
    Phase.FINAL: {
        Carried.INTERNET: Role.CENTRAL,
        Carried.CITY: Role.CENTRAL,
        Carried.MANAGEMENT: Role.CENTRAL,
    },
}


def carrying(phase: Phase) -> dict[Role, list[Carried]]:
    """Each line that carries something in ``phase``, and what.

    Examples:
        >>> {r.value: [c.value for c in cs] for r, cs in carrying(Phase.DUAL).items()}
        {'legacy': ['internet', 'management'], 'central': ['city services']}
    """
    lines: dict[Role, list[Carried]] = {}
    for carried, role in PROMISES[phase].items():
        lines.setdefault(role, []).append(carried)
    return lines


TRACK_IDS: dict[Role, int] = {Role.LEGACY: 10, Role.CENTRAL: 20, Role.BACKUP: 30}
DIALER_IDS: dict[Role, int] = {Role.LEGACY: 1, Role.CENTRAL: 2, Role.BACKUP: 3}


@dataclass(frozen=True, slots=True)
class UplinkView:
    """One uplink as configured in one phase, with platform-specific interface names."""

    role: Role
    uplink: Uplink
    provider_name: str
    distance: int
    track: int
    probe: IPv4Address
    port: str  # physical port
    l2: str  # where addressing or PPPoE sits: the port, or its VLAN sub-interface
    l3: str  # where IP traffic leaves: ``l2``, or the PPPoE interface

    @property
    def static(self) -> StaticAddressing | None:
        addressing = self.uplink.addressing
        return addressing if isinstance(addressing, StaticAddressing) else None

    @property
    def dhcp(self) -> bool:
        return isinstance(self.uplink.addressing, DhcpAddressing)

    @property
    def pppoe(self) -> PppoeAddressing | None:
        addressing = self.uplink.addressing
        return addressing if isinstance(addressing, PppoeAddressing) else None

    @property
    def dialer(self) -> int:
        return DIALER_IDS[self.role]

    @property
    def primary(self) -> bool:
        return self.distance == 1


def central_view(views: list[UplinkView]) -> UplinkView | None:
    return next((v for v in views if v.role is Role.CENTRAL), None)
