"""``sites/*.yaml``: each office, its router, LAN and lines, and the whole inventory."""

from __future__ import annotations

import datetime as dt
from ipaddress import IPv4Address, IPv4Interface
from typing import Annotated, Literal

from pydantic import Field

from netprov.clisafe import CliText, Hostname, Identifier, InterfaceName, Username
from netprov.hostaddr import HostAddress, HostInterface
from netprov.models.base import (
    Credentials,
    Idr,
    Mbps,
    Model,
    Phase,
    Platform,
    SecretRef,
    SiteKind,
    TimeZoneName,
    VlanId,
    Weekday,
)
from netprov.models.organisation import Organisation


class StaticAddressing(Model):
    mode: Literal["static"]
    address: IPv4Interface  # its network and broadcast address: refused by the cross-checks
    gateway: HostAddress


class DhcpAddressing(Model):
    mode: Literal["dhcp"]


class PppoeAddressing(Model):
    mode: Literal["pppoe"]
    username: Username
    password: SecretRef


Addressing = Annotated[
    StaticAddressing | DhcpAddressing | PppoeAddressing, Field(discriminator="mode")
]


class Uplink(Model):
    provider: Identifier
    interface: InterfaceName
    vlan: VlanId | None = None
    addressing: Addressing
    circuit_id: CliText | None = None
    bandwidth_mbps: Mbps

    @property
    def gateway(self) -> IPv4Address | None:
        return self.addressing.gateway if isinstance(self.addressing, StaticAddressing) else None


class LegacyUplink(Uplink):
    monthly_cost_idr: Idr
    contract_end: dt.date | None = None


class BackupUplink(Uplink):
    monthly_cost_idr: Idr = 0
    contract_end: dt.date | None = None


class CentralUplink(Uplink):
    lastmile: Identifier | None = None  # sub-leased last-mile provider, if any
    addressing: StaticAddressing  # the central hand-off is always static
    demand_mbps: Mbps
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    ceiling_mbps: Mbps | None = None  # explicit burst ceiling, overrides the computed one


class Lan(Model):
    interface: InterfaceName
    address: HostInterface  # the router's own address; its network is the LAN subnet
    extra_subnets: list[HostInterface] = Field(default_factory=list)
    # the router hands out addresses on the LAN (the first ``dhcp_reserved`` are left for
    # printers, servers and the router itself)
    dhcp: bool = True
    dhcp_reserved: Annotated[int, Field(ge=1, le=200)] = 10

    @property
    def dhcp_range(self) -> tuple[IPv4Address, IPv4Address]:
        return self.dhcp_ranges[0]

    @property
    def dhcp_ranges(self) -> list[tuple[IPv4Address, IPv4Address]]:
        """The addresses handed out in each LAN subnet (the first ``dhcp_reserved`` kept)."""
        return [
            (net.network_address + self.dhcp_reserved + 1, net.broadcast_address - 1)
            for net in (address.network for address in self.interfaces)
        ]

    @property
    def interfaces(self) -> list[IPv4Interface]:
        return [self.address, *self.extra_subnets]


class Router(Model):
    hostname: Hostname
    mgmt_address: HostAddress
    platform: Platform
    credentials: Credentials
    # the software the router runs ("6.49.8", "7.16"): netprov renders what that version
    # accepts (RouterOS 6 is not 7: netprov.rosversion); without it, the version its backup
    # or running config names
    os_version: Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")] | None = None


class Service(Model):
    """Something the office must reach for the site to count as working."""

    name: CliText
    address: HostAddress
    port: Annotated[int, Field(ge=1, le=65535)] | None = None


class MaintenanceWindow(Model):
    days: Annotated[list[Weekday], Field(min_length=1)]
    start: dt.time
    end: dt.time  # may be earlier than start: the window then runs past midnight


class Site(Model):
    id: Identifier
    name: CliText
    kind: SiteKind
    groups: list[Identifier] = Field(default_factory=list)
    address: CliText | None = None
    router: Router
    lan: Lan
    legacy_uplink: LegacyUplink
    central_uplink: CentralUplink
    backup_uplink: BackupUplink | None = None
    services: list[Service] = Field(default_factory=list)
    wave: Annotated[int, Field(ge=0, le=1000)] = 1
    # the region whose workers reach this router (a work queue; else its group's, else
    # "default"): docs/scale-out.md
    region: Identifier | None = None
    maintenance_window: MaintenanceWindow | None = None
    timezone: TimeZoneName | None = None  # overrides the organisation's for this site
    desired_phase: Phase = Phase.LEGACY
    # policy-lint suppressions: rule id -> the reason (required, shown in every report)
    lint_exemptions: dict[Annotated[str, Field(pattern=r"^NP\d{3}$")], CliText] = Field(
        default_factory=dict
    )


class Inventory(Model):
    """The whole validated inventory. Sites keep the order of the files they came from."""

    organisation: Organisation
    sites: list[Site]
