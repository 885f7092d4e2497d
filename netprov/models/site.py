"""``sites/*.yaml``: each office, its router, LAN and lines, and the whole inventory."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
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
    """A fixed address on the line, as the provider assigned it."""

    mode: Literal["static"] = Field(description="static", examples=["static"])
    address: IPv4Interface = Field(  # its network and broadcast address: refused
        description="The router's address on the line, with its prefix length.",
        examples=["203.0.113.6/30"],
    )
    gateway: HostAddress = Field(
        description="The provider's side of the line (the next hop).", examples=["203.0.113.5"]
    )


class DhcpAddressing(Model):
    """The address is learned from the provider by DHCP (the failover probe follows the
    learned gateway)."""

    mode: Literal["dhcp"] = Field(description="dhcp", examples=["dhcp"])


class PppoeAddressing(Model):
    """A PPPoE session (IndiHome and other fibre or DSL lines)."""

    mode: Literal["pppoe"] = Field(description="pppoe", examples=["pppoe"])
    username: Username = Field(
        description="The PPPoE account the ISP gave the office.",
        examples=["kec-sukamaju@indihome.co.id"],
    )
    password: SecretRef = Field(
        description="Its password, by reference: one entry per office in a secrets file.",
        examples=[{"file": "secrets/pppoe.yaml", "key": "kec-sukamaju"}],
    )


Addressing = Annotated[
    StaticAddressing | DhcpAddressing | PppoeAddressing, Field(discriminator="mode")
]


class Uplink(Model):
    """An internet line of the office: its provider, the router port, how it is
    addressed, its speed."""

    provider: Identifier = Field(
        description="Who delivers the line (an id from organisation.yaml providers or "
        "central_providers).",
        examples=["telkom-indihome"],
    )
    interface: InterfaceName = Field(
        description="The router port the line is on.", examples=["ether1"]
    )
    vlan: VlanId | None = Field(
        None,
        description="The VLAN the provider hands the line off on (1-4094), if any.",
        examples=[1101],
    )
    addressing: Addressing = Field(
        description="static (address, gateway), dhcp or pppoe (username, password).",
        examples=[{"mode": "static", "address": "203.0.113.6/30", "gateway": "203.0.113.5"}],
    )
    circuit_id: CliText | None = Field(
        None, description="The provider's circuit reference.", examples=["L7-SMJ-0001"]
    )
    bandwidth_mbps: Mbps = Field(description="The line's speed, in Mbps.", examples=[100])

    @property
    def gateway(self) -> IPv4Address | None:
        return self.addressing.gateway if isinstance(self.addressing, StaticAddressing) else None


class PolicyRoutingFate(StrEnum):
    """What ``final`` may do with an office line the router's own policy routing names:
    keep it (the site stays at ``central``), or retire it and the rules naming only it."""

    KEEP = "keep"
    RETIRE = "retire"


class LegacyUplink(Uplink):
    """The office's own ISP line today: backup once central carries the office, removed
    at final."""

    monthly_cost_idr: Idr = Field(
        description="What the line costs per month, in rupiah (the report's budget).",
        examples=[650000],
    )
    contract_end: dt.date | None = Field(
        None,
        description="When its contract ends (YYYY-MM-DD): the report warns before.",
        examples=["2027-12-31"],
    )
    policy_routing: PolicyRoutingFate = Field(
        PolicyRoutingFate.KEEP,
        description="What final may do where the router's own policy routing (PCC marks, "
        "marked tables, failover routes, netwatch entries) names this line: keep (the site "
        "stays at central) or retire (final removes the line and the rules naming only it).",
        examples=["retire"],
    )


class BackupUplink(Uplink):
    """A backup line (mobile, a second ISP): tracked failover in every phase."""

    monthly_cost_idr: Idr = Field(
        0, description="What the line costs per month, in rupiah.", examples=[450000]
    )
    contract_end: dt.date | None = Field(
        None, description="When its contract ends (YYYY-MM-DD).", examples=["2028-06-30"]
    )


class CentralUplink(Uplink):
    """The hand-off of the city's central provider (from dual on)."""

    lastmile: Identifier | None = Field(
        None,
        description="The provider that really delivers the last mile, when the central "
        "provider sub-leases it.",
        examples=["biznet"],
    )
    addressing: StaticAddressing = Field(  # the central hand-off is always static
        description="The hand-off's fixed address and gateway (always static).",
        examples=[{"mode": "static", "address": "100.72.1.2/30", "gateway": "100.72.1.1"}],
    )
    demand_mbps: Mbps = Field(
        description="What the office needs, in Mbps: its share of the capacity follows it.",
        examples=[20],
    )
    weight: Annotated[float, Field(gt=0, le=100)] = Field(
        1.0,
        description="Priority in the proportional share beyond the floor (a factor, default 1).",
        examples=[1.5],
    )
    ceiling_mbps: Mbps | None = Field(
        None,
        description="The burst ceiling in Mbps, instead of demand times burst_factor.",
        examples=[40],
    )


class Lan(Model):
    """The office network behind the router."""

    interface: InterfaceName = Field(
        description="The port (or bridge) the LAN is on.", examples=["bridge"]
    )
    address: HostInterface = Field(  # the router's own; its network is the LAN subnet
        description="The router's LAN address with its prefix: its network is the LAN.",
        examples=["10.31.31.1/24"],
    )
    extra_subnets: list[HostInterface] = Field(
        default_factory=list,
        description="More LAN subnets on the same port (the router's address in each).",
        examples=[["10.31.131.1/24"]],
    )
    dhcp: bool = Field(
        True,
        description="The router hands out addresses on the LAN (false: the office has its "
        "own DHCP server).",
        examples=[True],
    )
    dhcp_reserved: Annotated[int, Field(ge=1, le=200)] = Field(
        10,
        description="How many addresses at the start of each subnet DHCP leaves for "
        "printers, servers and the router (1-200).",
        examples=[10],
    )

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
    """The office's router and how netprov reaches it."""

    hostname: Hostname = Field(
        description="The router's name (its prompt, its identity).",
        examples=["smj-kec-sukamaju-r1"],
    )
    mgmt_address: HostAddress = Field(
        description="Where netprov reaches it over SSH from the management networks.",
        examples=["10.251.0.31"],
    )
    platform: Platform = Field(
        description="cisco_ios (IOS, IOS-XE) or mikrotik_routeros (RouterOS 6, 7).",
        examples=["mikrotik_routeros"],
    )
    credentials: Credentials = Field(
        description="The account netprov logs in with (password by reference).",
        examples=[{"username": "netprov", "password": {"env": "NETPROV_ROUTER_PASSWORD"}}],
    )
    os_version: Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")] | None = Field(
        None,
        description="The software the router runs: netprov renders what that version "
        "accepts (RouterOS 6 is not 7); without it, the version its backup or running "
        "config names.",
        examples=["6.49.8"],
    )


class Service(Model):
    """Something the office must reach for the site to count as working."""

    name: CliText = Field(description="What it is.", examples=["e-Government portal"])
    address: HostAddress = Field(description="Its address.", examples=["10.250.1.10"])
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        None, description="Its TCP port, if one matters.", examples=[443]
    )


class MaintenanceWindow(Model):
    """When a cutover may touch the site, on the site's clock."""

    days: Annotated[list[Weekday], Field(min_length=1)] = Field(
        description="The days the window opens (mon ... sun).",
        examples=[["mon", "tue", "wed", "thu", "fri"]],
    )
    start: dt.time = Field(description="When it opens (HH:MM).", examples=["19:00"])
    end: dt.time = Field(  # may be earlier than start: the window then runs past midnight
        description="When it closes (HH:MM); earlier than start: it runs past midnight.",
        examples=["06:00"],
    )


class Site(Model):
    """One office and its router: an entry of a sites/*.yaml file."""

    id: Identifier = Field(
        description="The site's id, unique in the city: --limit, file names, reports.",
        examples=["kec-sukamaju"],
    )
    name: CliText = Field(
        description="The office's name, as the report shows it.",
        examples=["Kantor Kecamatan Sukamaju"],
    )
    kind: SiteKind = Field(
        description="opd, kecamatan, kelurahan, desa, puskesmas, mpp, hotspot or other.",
        examples=["kecamatan"],
    )
    groups: list[Identifier] = Field(
        default_factory=list,
        description="Inventory groups it belongs to (declared in organisation.yaml).",
        examples=[["opd-utama"]],
    )
    address: CliText | None = Field(
        None, description="Its street address.", examples=["Jl. Merdeka No. 1"]
    )
    router: Router = Field(description="The office's router.")
    lan: Lan = Field(description="The office LAN: its port, the router's address, DHCP.")
    legacy_uplink: LegacyUplink = Field(
        description="The office's own ISP line today, the one netprov tracks while the office "
        "moves (its probe, its failover route); an office with two or three names the "
        "others in other_legacy_uplinks."
    )
    other_legacy_uplinks: list[LegacyUplink] = Field(
        default_factory=list,
        description="The office's further ISP lines (PCC load balancing, failover by "
        "distance): netprov adopts none of them, migrates the router's policy routing over "
        "them and, at final, removes them only where policy_routing: retire.",
        examples=[
            [
                {
                    "provider": "biznet",
                    "interface": "ether2",
                    "addressing": {"mode": "dhcp"},
                    "bandwidth_mbps": 50,
                    "monthly_cost_idr": 450000,
                    "policy_routing": "retire",
                }
            ]
        ],
    )
    central_uplink: CentralUplink = Field(description="The central provider's hand-off.")
    backup_uplink: BackupUplink | None = Field(None, description="A backup line, if any.")
    services: list[Service] = Field(
        default_factory=list,
        description="What the office must reach to count as working (checked from dual on).",
        examples=[[{"name": "e-Government portal", "address": "10.250.1.10", "port": 443}]],
    )
    wave: Annotated[int, Field(ge=0, le=1000)] = Field(
        1,
        description="Its cutover wave: 0 is the canary, moved first; then wave by wave.",
        examples=[2],
    )
    region: Identifier | None = Field(
        None,
        description="Scale-out: the region whose workers reach this router (else its "
        "group's, else default; docs/scale-out.md).",
        examples=["priangan"],
    )
    maintenance_window: MaintenanceWindow | None = Field(
        None, description="When a cutover may touch it (none: any time)."
    )
    timezone: TimeZoneName | None = Field(
        None,
        description="Its own IANA time zone, where it differs from the organisation's.",
        examples=["Asia/Makassar"],
    )
    desired_phase: Phase = Field(
        Phase.LEGACY,
        description="The phase git wants it in: legacy, dual, central or final (netprov "
        "promote writes it; cutover converges the router to it).",
        examples=["dual"],
    )
    lint_exemptions: dict[Annotated[str, Field(pattern=r"^NP\d{3}$")], CliText] = Field(
        default_factory=dict,
        description="Lint suppressions for this site: rule id to the reason (shown in every "
        "report).",
        examples=[{"NP002": "backup line ordered, CR-123"}],
    )

    @property
    def legacy_lines(self) -> list[LegacyUplink]:
        """Every office ISP line: the one netprov tracks first, then the others."""
        return [self.legacy_uplink, *self.other_legacy_uplinks]


class Inventory(Model):
    """The whole validated inventory. Sites keep the order of the files they came from."""

    organisation: Organisation = Field(description="organisation.yaml.")
    sites: list[Site] = Field(description="Every site of sites/*.yaml, in file order.")
