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
    start: dt.date | None = None
    end: dt.date


class CentralProvider(Model):
    """A provider under the city's central contract (the tender winner)."""

    id: Identifier
    name: CliText
    capacity_mbps: Mbps
    oversubscription: Annotated[float, Field(ge=1.0, le=20.0)] = 1.0
    price_per_month_idr: Idr
    contract: Contract
    lastmile: list[Identifier] = Field(default_factory=list)
    # the public addresses its customers leave the internet from (the egress check)
    public_ranges: list[IPv4Network] = Field(default_factory=list)


class Provider(Model):
    """A legacy office ISP, a backup line provider or a sub-leased last-mile provider."""

    id: Identifier
    name: CliText
    public_ranges: list[IPv4Network] = Field(default_factory=list)


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
    filtering_resolvers: Annotated[list[HostAddress], Field(min_length=1)]
    block_dot: bool = True  # also block DNS-over-TLS (853) so clients cannot bypass
    # resolvers a PC may have written in by hand: where a platform cannot redirect every
    # DNS query to the filters (IOS), queries to these are translated to the first filter
    redirected: list[HostAddress] = Field(
        default_factory=lambda: [IPv4Address(a) for a in PUBLIC_RESOLVERS]
    )
    # a name the filter blocks, and the address it answers for blocked names (its landing
    # page): verification proves the filter is in force, not only reachable
    blocked_probe: Hostname | None = None
    sinkhole: IPv4Address | None = None

    @model_validator(mode="after")
    def _sinkhole_with_probe(self) -> DnsPolicy:
        if (self.blocked_probe is None) != (self.sinkhole is None):
            raise ValueError("blocked_probe and sinkhole go together (the answer to expect)")
        return self


class SnmpSettings(Model):
    community: SecretRef
    location: CliText
    contact: CliText


class FlowSettings(Model):
    collector: HostAddress
    port: Annotated[int, Field(ge=1, le=65535)] = 2055


class ProbeSettings(Model):
    """Internet addresses that prove an uplink really works, not only its gateway.

    One per uplink role: tracking pins each probe to its uplink with a host route, so two
    uplinks can never share a probe.
    """

    legacy: HostAddress
    central: HostAddress
    backup: HostAddress
    dns_name: Hostname = "google.com"
    # an echo service that answers with the address a request came from: proves which
    # provider an office really leaves by (policy routing can disagree with the routes)
    egress_echo: HttpUrl | None = None

    @model_validator(mode="after")
    def _distinct(self) -> ProbeSettings:
        if len({self.legacy, self.central, self.backup}) != 3:
            raise ValueError("legacy, central and backup probes must be three different addresses")
        return self


class BandwidthPolicy(Model):
    floors_mbps: dict[SiteKind, Mbps] = Field(default_factory=dict)
    burst_factor: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0


class SshSettings(Model):
    # OpenSSH known_hosts file every session checks router keys against (relative to the
    # inventory folder); None: ~/.ssh/known_hosts. Keys are recorded by `netprov trust`.
    known_hosts: Path | None = None


class Settings(Model):
    contract_warning_days: Annotated[int, Field(ge=0, le=3650)] = 90
    # how long a site runs clean on central before its office line may be cut (finalize)
    soak_days: Annotated[int, Field(ge=0, le=365)] = 14
    # verification pings: how many, and the loss above which a check fails
    ping_count: Annotated[int, Field(ge=1, le=100)] = 5
    max_ping_loss_percent: Annotated[int, Field(ge=0, le=99)] = 20
    # per site kind, where an office needs more (a health centre) or tolerates more (a
    # public hotspot on a shared line) than the default above
    max_ping_loss_percent_by_kind: dict[SiteKind, Annotated[int, Field(ge=0, le=99)]] = Field(
        default_factory=lambda: {SiteKind.PUSKESMAS: 10, SiteKind.HOTSPOT: 40}
    )
    # failover drill: how long traffic may take to move to the backup line and back
    drill_failover_seconds: Annotated[int, Field(ge=5, le=600)] = 60

    def max_loss_for(self, kind: SiteKind) -> int:
        return self.max_ping_loss_percent_by_kind.get(kind, self.max_ping_loss_percent)


class SourceOfTruth(Model):
    """Where the sites are kept when a team keeps them in Nautobot: the organisation's
    settings stay in this file (in git), the sites are read from there
    (docs/source-of-truth.md)."""

    nautobot: Annotated[str, Field(pattern=r"^nautobot\+https?://[^\s/?#@]+(/[^\s?#]*)?$")]
    token: SecretRef = SecretRef(env="NAUTOBOT_TOKEN")


class Organisation(Model):
    name: CliText
    short_name: Identifier
    domain: Hostname
    management_networks: Annotated[list[IPv4Network], Field(min_length=1)]
    # where maintenance windows are read: WIB by default; WITA/WIT provinces set theirs
    timezone: TimeZoneName = "Asia/Jakarta"
    central_services: list[IPv4Network] = Field(default_factory=list)
    central_providers: Annotated[list[CentralProvider], Field(min_length=1)]
    providers: list[Provider] = Field(default_factory=list)
    dns: DnsPolicy
    ntp_servers: Annotated[list[HostAddress], Field(min_length=1)]
    syslog_servers: list[HostAddress] = Field(default_factory=list)
    snmp: SnmpSettings
    flow: FlowSettings
    probes: ProbeSettings
    bandwidth: BandwidthPolicy = BandwidthPolicy()
    settings: Settings = Settings()
    ssh: SshSettings = SshSettings()
    # the groups sites may name (``groups:``, ``--group``): declared, any other is an
    # error (a misspelt group selects nothing); empty: a near miss is a warning
    groups: list[Identifier] = Field(default_factory=list)
    # scale-out: each inventory group's region, the work queue its sites go to (a site's
    # own ``region`` wins); docs/scale-out.md
    regions: dict[Identifier, Identifier] = Field(default_factory=dict)
    # organisation-wide lint suppressions (rule id -> reason), e.g. for NP004
    lint_exemptions: dict[Annotated[str, Field(pattern=r"^NP\d{3}$")], CliText] = Field(
        default_factory=dict
    )
    # the sites are read from Nautobot, not from sites/*.yaml
    source_of_truth: SourceOfTruth | None = None

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
