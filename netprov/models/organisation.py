"""``organisation.yaml``: the city's providers and contracts, resolvers, collectors,
probes, bandwidth policy and settings."""

from __future__ import annotations

import datetime as dt
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from netprov.clisafe import CliText, Hostname, HttpUrl, Identifier
from netprov.hostaddr import HostAddress
from netprov.models.base import Idr, Mbps, Model, SecretRef, SiteKind, TimeZoneName

if TYPE_CHECKING:
    from netprov.models.site import Site


class Contract(Model):
    """A contract's term (the report warns before it ends)."""

    start: dt.date | None = Field(
        None, description="First day of the contract (YYYY-MM-DD).", examples=["2026-01-01"]
    )
    end: dt.date = Field(
        description="Last day of the contract (YYYY-MM-DD): the report warns "
        "settings.contract_warning_days before it.",
        examples=["2030-12-31"],
    )


class CentralProvider(Model):
    """A provider under the city's central contract (the tender winner)."""

    id: Identifier = Field(
        description="Short id the sites' central_uplink.provider names.", examples=["langit7"]
    )
    name: CliText = Field(description="The provider's name.", examples=["PT Langit Tujuh Net"])
    capacity_mbps: Mbps = Field(
        description="Capacity the city bought, in Mbps: the sites' guarantees share it.",
        examples=[1000],
    )
    oversubscription: Annotated[float, Field(ge=1.0, le=20.0)] = Field(
        1.0,
        description="How far the sites' burst ceilings may add up past the capacity "
        "(a factor, 1 to 20).",
        examples=[2.0],
    )
    price_per_month_idr: Idr = Field(
        description="What the city pays per month, in rupiah (the report's budget).",
        examples=[110000000],
    )
    contract: Contract = Field(
        description="The central contract's term.",
        examples=[{"start": "2026-01-01", "end": "2030-12-31"}],
    )
    lastmile: list[Identifier] = Field(
        default_factory=list,
        description="Providers it sub-leases the last mile from where it has no fibre (ids "
        "from providers).",
        examples=[["biznet"]],
    )
    public_ranges: list[IPv4Network] = Field(
        default_factory=list,
        description="Public addresses its customers reach the internet from: the egress "
        "check proves an office leaves by this provider.",
        examples=[["198.18.7.0/24"]],
    )


class Provider(Model):
    """A legacy office ISP, a backup line provider or a sub-leased last-mile provider."""

    id: Identifier = Field(
        description="Short id an uplink's provider names.", examples=["telkom-indihome"]
    )
    name: CliText = Field(
        description="The provider's name.", examples=["PT Telkom Indonesia - IndiHome"]
    )
    public_ranges: list[IPv4Network] = Field(
        default_factory=list,
        description="Public addresses its customers reach the internet from (the egress check).",
        examples=[["198.18.1.0/24"]],
    )


# Public resolvers offices configure by hand (Google, Cloudflare, Quad9, OpenDNS)
PUBLIC_RESOLVERS = (
    "8.8.8.8",
    "8.8.4.4",
    "1.1.1.1",
    "1.0.0.1",
    "9.9.9.9",
    "149.112.112.112",
    "208.67.222.222",
    "208.67.220.220",
)


class DnsPolicy(Model):
    """The city's DNS filtering (negative-content blocking), enforced on every site."""

    filtering_resolvers: Annotated[list[HostAddress], Field(min_length=1)] = Field(
        description="The city's filtering resolvers: every office's DNS is forced to them.",
        examples=[["192.0.2.53", "192.0.2.54"]],
    )
    block_dot: bool = Field(
        True,
        description="Also block DNS over TLS (port 853), so clients cannot go around the filter.",
        examples=[True],
    )
    redirected: list[HostAddress] = Field(
        default_factory=lambda: [IPv4Address(a) for a in PUBLIC_RESOLVERS],
        description="Resolvers a PC may have written in by hand: where a platform cannot "
        "redirect every query (IOS), queries to these are answered by the first filter "
        "(default: Google, Cloudflare, Quad9, OpenDNS).",
        examples=[["8.8.8.8", "1.1.1.1"]],
    )
    blocked_probe: Hostname | None = Field(
        None,
        description="A name the filter blocks: verification resolves it and expects the "
        "sinkhole (the filter in force, not only reachable). Goes with sinkhole.",
        examples=["blocked.trustpositif.example"],
    )
    sinkhole: IPv4Address | None = Field(
        None,
        description="The address the filter answers for a blocked name (its landing page).",
        examples=["192.0.2.80"],
    )

    @model_validator(mode="after")
    def _sinkhole_with_probe(self) -> DnsPolicy:
        if (self.blocked_probe is None) != (self.sinkhole is None):
            raise ValueError("blocked_probe and sinkhole go together (the answer to expect)")
        return self


class SnmpSettings(Model):
    """SNMP on every router (read-only, from the management networks only)."""

    community: SecretRef = Field(
        description="The read community, by reference (never the default public).",
        examples=[{"env": "NETPROV_SNMP_COMMUNITY"}],
    )
    location: CliText = Field(
        description="sysLocation of every router.", examples=["Kota Sukamaju"]
    )
    contact: CliText = Field(
        description="sysContact of every router.", examples=["noc@sukamajukota.go.id"]
    )


class FlowSettings(Model):
    """Where routers export flow records (NetFlow / IPFIX)."""

    collector: HostAddress = Field(
        description="The flow collector's address.", examples=["10.250.0.55"]
    )
    port: Annotated[int, Field(ge=1, le=65535)] = Field(
        2055, description="Its UDP port.", examples=[2055]
    )


class ProbeSettings(Model):
    """Internet addresses that prove an uplink really works, not only its gateway.

    One per uplink role: tracking pins each probe to its uplink with a host route, so two
    uplinks can never share a probe.
    """

    legacy: HostAddress = Field(
        description="Probe of the office ISP line: pinned to it, so no office PC may use "
        "this address (a root name server answers pings).",
        examples=["198.41.0.4"],
    )
    central: HostAddress = Field(
        description="Probe of the central line (another address than the others).",
        examples=["199.7.83.42"],
    )
    backup: HostAddress = Field(
        description="Probe of the backup line (another address than the others).",
        examples=["193.0.14.129"],
    )
    dns_name: Hostname = Field(
        "google.com",
        description="A name verification resolves through the filtering resolvers.",
        examples=["google.com"],
    )
    egress_echo: HttpUrl | None = Field(
        None,
        description="A service answering with the address a request came from: proves "
        "which provider an office really leaves by.",
        examples=["http://198.51.100.7/ip"],
    )

    @model_validator(mode="after")
    def _distinct(self) -> ProbeSettings:
        if len({self.legacy, self.central, self.backup}) != 3:
            raise ValueError("legacy, central and backup probes must be three different addresses")
        return self


class BandwidthPolicy(Model):
    """How a central provider's capacity is shared: a floor per kind, the rest in
    proportion to demand, each share with a burst ceiling."""

    floors_mbps: dict[SiteKind, Mbps] = Field(
        default_factory=dict,
        description="Guaranteed floor per site kind, in Mbps; the rest of the capacity is "
        "shared in proportion to demand.",
        examples=[{"opd": 10, "desa": 4, "puskesmas": 8}],
    )
    burst_factor: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0,
        description="A site's burst ceiling is its demand times this factor (1 to 10).",
        examples=[2.0],
    )


class SshSettings(Model):
    """How netprov checks the routers' SSH host keys."""

    known_hosts: Path | None = Field(
        None,
        description="OpenSSH known_hosts file every session checks router keys against, "
        "relative to the inventory folder (default: ~/.ssh/known_hosts); netprov trust "
        "records keys.",
        examples=["known_hosts"],
    )


class Settings(Model):
    """Thresholds and timings of the checks, the report and the rollout."""

    contract_warning_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        90,
        description="Warn of a contract ending within this many days (validate, report).",
        examples=[90],
    )
    soak_days: Annotated[int, Field(ge=0, le=365)] = Field(
        14,
        description="How many days a site runs clean on central before its office line "
        "may be cut (finalize).",
        examples=[14],
    )
    ping_count: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="Pings per verification check.", examples=[5]
    )
    max_ping_loss_percent: Annotated[int, Field(ge=0, le=99)] = Field(
        20,
        description="A ping check fails above this loss, in % (0 to 99).",
        examples=[20],
    )
    max_ping_loss_percent_by_kind: dict[SiteKind, Annotated[int, Field(ge=0, le=99)]] = Field(
        default_factory=lambda: {SiteKind.PUSKESMAS: 10, SiteKind.HOTSPOT: 40},
        description="The loss allowed per site kind, in %, where an office needs more (a "
        "health centre) or tolerates more (a public hotspot) than max_ping_loss_percent.",
        examples=[{"puskesmas": 10, "hotspot": 40}],
    )
    drill_failover_seconds: Annotated[int, Field(ge=5, le=600)] = Field(
        60,
        description="In a failover drill, how many seconds traffic may take to move to "
        "the backup line and back (5 to 600).",
        examples=[60],
    )

    def max_loss_for(self, kind: SiteKind) -> int:
        return self.max_ping_loss_percent_by_kind.get(kind, self.max_ping_loss_percent)


class SourceOfTruth(Model):
    """Where the sites are kept when a team keeps them in Nautobot: the organisation's
    settings stay in this file (in git), the sites are read from there
    (docs/source-of-truth.md)."""

    nautobot: Annotated[str, Field(pattern=r"^nautobot\+https?://[^\s/?#@]+(/[^\s?#]*)?$")] = Field(
        description="The Nautobot the sites are read from.",
        examples=["nautobot+https://nautobot.sukamajukota.go.id"],
    )
    token: SecretRef = Field(
        default_factory=lambda: SecretRef(env="NAUTOBOT_TOKEN"),
        description="Its API token, by reference (default: env NAUTOBOT_TOKEN).",
        examples=[{"env": "NAUTOBOT_TOKEN"}],
    )


class Organisation(Model):
    """organisation.yaml: the city's settings every site shares."""

    name: CliText = Field(
        description="The organisation's name (the report's title).",
        examples=["Pemerintah Kota Sukamaju - Diskominfo"],
    )
    short_name: Identifier = Field(
        description="Short id, used in names on the routers.", examples=["sukamaju"]
    )
    domain: Hostname = Field(
        description="The routers' DNS domain.", examples=["sukamajukota.go.id"]
    )
    management_networks: Annotated[list[IPv4Network], Field(min_length=1)] = Field(
        description="Networks the routers are managed from (NOC, jump hosts): SSH and "
        "SNMP only from these; the lockout guard keeps a way back to them.",
        examples=[["10.250.10.0/24"]],
    )
    timezone: TimeZoneName = Field(
        "Asia/Jakarta",
        description="IANA time zone maintenance windows and the report are read in: "
        "Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT).",
        examples=["Asia/Makassar"],
    )
    central_services: list[IPv4Network] = Field(
        default_factory=list,
        description="The city's data centre networks, reached over the central provider "
        "(from dual on).",
        examples=[["10.250.0.0/20"]],
    )
    central_providers: Annotated[list[CentralProvider], Field(min_length=1)] = Field(
        description="Providers under the central contract."
    )
    providers: list[Provider] = Field(
        default_factory=list,
        description="The offices' own ISPs, backup line providers and last-mile partners.",
    )
    dns: DnsPolicy = Field(description="DNS filtering, forced on every site.")
    ntp_servers: Annotated[list[HostAddress], Field(min_length=1)] = Field(
        description="NTP servers every router uses.", examples=[["10.250.0.123"]]
    )
    syslog_servers: list[HostAddress] = Field(
        default_factory=list,
        description="Syslog servers every router logs to.",
        examples=[["10.250.0.51"]],
    )
    snmp: SnmpSettings = Field(description="SNMP on every router.")
    flow: FlowSettings = Field(description="Flow export of every router.")
    probes: ProbeSettings = Field(description="Internet addresses that prove each line works.")
    bandwidth: BandwidthPolicy = Field(
        default_factory=BandwidthPolicy, description="How the central capacity is shared."
    )
    settings: Settings = Field(
        default_factory=Settings, description="Thresholds and timings (defaults apply)."
    )
    ssh: SshSettings = Field(default_factory=SshSettings, description="SSH host key checking.")
    groups: list[Identifier] = Field(
        default_factory=list,
        description="The groups sites may name (groups:, --group): any other is an error, "
        "so a misspelt group selects nothing by mistake; empty: a near miss is a warning.",
        examples=[["opd-utama"]],
    )
    regions: dict[Identifier, Identifier] = Field(
        default_factory=dict,
        description="Scale-out: each group's region, the work queue its sites go to (a "
        "site's own region wins; docs/scale-out.md).",
        examples=[{"opd-utama": "priangan"}],
    )
    lint_exemptions: dict[Annotated[str, Field(pattern=r"^NP\d{3}$")], CliText] = Field(
        default_factory=dict,
        description="Organisation-wide lint suppressions: rule id to the reason (shown in "
        "every report).",
        examples=[{"NP004": "oversubscription agreed with the provider, CR-2026-031"}],
    )
    source_of_truth: SourceOfTruth | None = Field(
        None, description="Read the sites from Nautobot instead of sites/*.yaml."
    )

    def region_of(self, site: Site) -> str:
        """The work queue of ``site``: its own region, else its first group's, else
        ``default`` (one queue for an organisation that names none)."""
        if site.region:
            return site.region
        return next((self.regions[g] for g in site.groups if g in self.regions), "default")

    def public_ranges(self, provider_id: str) -> list[IPv4Network]:
        for central in self.central_providers:
            if central.id == provider_id:
                return list(central.public_ranges)
        for other in self.providers:
            if other.id == provider_id:
                return list(other.public_ranges)
        return []

    def provider_name(self, provider_id: str) -> str:
        for central in self.central_providers:
            if central.id == provider_id:
                return central.name
        for other in self.providers:
            if other.id == provider_id:
                return other.name
        return provider_id

    def central_provider(self, provider_id: str) -> CentralProvider | None:
        return next((p for p in self.central_providers if p.id == provider_id), None)
