"""The Nautobot objects an inventory describes (pure): what ``netprov inventory export``
makes Nautobot hold, each object by its natural key (names, not Nautobot's ids), and what
cannot be represented there, found before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Interface
from typing import Any

from netprov.inventory.nautobot import mapping as m
from netprov.inventory.placed import uplinks
from netprov.models import (
    BackupUplink,
    CentralUplink,
    LegacyUplink,
    Organisation,
    Platform,
    PppoeAddressing,
    SecretRef,
    Site,
    StaticAddressing,
    Uplink,
)
from netprov.platforms import driver_for


@dataclass(frozen=True, slots=True)
class WantedInterface:
    name: str
    type: str  # Nautobot's interface type, set when it is created
    role: str | None  # the interface role's name (None: the management loopback)
    vlan: int | None
    custom_fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WantedAddress:
    interface: str
    address: IPv4Interface
    role: str | None  # the IP address role's name (Secondary, Loopback) or None


@dataclass(frozen=True, slots=True)
class WantedCircuit:
    interface: str
    provider: str  # the Nautobot provider's name (the organisation's provider name)
    cid: str
    circuit_type: str
    commit_kbps: int
    custom_fields: dict[str, Any]


@dataclass
class SiteObjects:
    """Everything one site is in Nautobot."""

    site_id: str
    location: dict[str, Any]  # name, physical_address, time_zone, custom_fields
    device: dict[str, Any]  # name, custom_fields
    platform: Platform  # its Nautobot Platform is found by network driver
    interfaces: list[WantedInterface] = field(default_factory=list)
    addresses: list[WantedAddress] = field(default_factory=list)
    circuits: list[WantedCircuit] = field(default_factory=list)

    @property
    def primary(self) -> WantedAddress:
        return next(a for a in self.addresses if a.role == m.LOOPBACK_ROLE)


def reference(ref: SecretRef) -> dict[str, str]:
    """A secret's reference as JSON (never its value).

    Examples:
        >>> reference(SecretRef(file="secrets/pppoe.yaml", key="kec-a"))
        {'file': 'secrets/pppoe.yaml', 'key': 'kec-a'}
    """
    return ref.model_dump(exclude_none=True)


def organisation_data(org: Organisation) -> dict[str, Any]:
    """The organisation's settings as the config context holds them (JSON), without the
    pointer to where the sites are kept."""
    return org.model_dump(mode="json", exclude={"source_of_truth"})


def unrepresentable(site: Site) -> list[str]:
    """What of a site Nautobot cannot hold as netprov means it (nothing is exported then)."""
    found = []
    ports: dict[str, str] = {site.lan.interface: "lan"}
    if site.other_legacy_uplinks:
        found.append(
            f"{site.id}: other_legacy_uplinks: netprov's Nautobot mapping holds one office "
            "line per site"
        )
    for loc, uplink in uplinks(site):
        role = str(loc[0])
        if uplink.interface in ports:
            found.append(
                f"{site.id}: {role} shares interface {uplink.interface} with "
                f"{ports[uplink.interface]}: an interface has one role in Nautobot"
            )
        ports[uplink.interface] = role
        rates: dict[str, float | None] = {"bandwidth_mbps": uplink.bandwidth_mbps}
        if isinstance(uplink, CentralUplink):
            rates |= {"demand_mbps": uplink.demand_mbps, "ceiling_mbps": uplink.ceiling_mbps}
        for name, value in rates.items():
            if value is not None and m.kbps(value) is None:
                found.append(
                    f"{site.id}: {role}.{name} {value:g} is not a whole number of kbps "
                    "(Nautobot keeps rates in kbps)"
                )
    return found


def site_objects(site: Site, org: Organisation) -> SiteObjects:
    """The objects of one site (check :func:`unrepresentable` first)."""
    router = site.router
    names = {p.id: p.name for p in org.central_providers} | {p.id: p.name for p in org.providers}
    objects = SiteObjects(
        site.id,
        location={
            "name": site.name,
            "physical_address": site.address or "",
            "time_zone": site.timezone,
            "custom_fields": {
                "netprov_site_id": site.id,
                **{
                    key: site.model_dump(mode="json", include={name})[name]
                    for name, key in m.SITE_FIELDS.items()
                },
            },
        },
        device={
            "name": router.hostname,
            "custom_fields": {
                "netprov_credentials": {
                    "username": router.credentials.username,
                    "password": reference(router.credentials.password),
                }
            },
        },
        platform=router.platform,
    )
    management = driver_for(router.platform).management_interface
    objects.interfaces.append(WantedInterface(management, "virtual", None, None, {}))
    mgmt = IPv4Interface(f"{router.mgmt_address}/32")
    objects.addresses.append(WantedAddress(management, mgmt, m.LOOPBACK_ROLE))
    lan = site.lan
    objects.interfaces.append(
        WantedInterface(
            lan.interface,
            "1000base-t",
            m.INTERFACE_ROLES["lan"],
            None,
            {"netprov_dhcp": lan.dhcp, "netprov_dhcp_reserved": lan.dhcp_reserved},
        )
    )
    objects.addresses.append(WantedAddress(lan.interface, lan.address, None))
    for extra in lan.extra_subnets:
        objects.addresses.append(WantedAddress(lan.interface, extra, m.SECONDARY_ROLE))
    for loc, uplink in uplinks(site):
        if len(loc) > 1:
            continue  # a further office line: unrepresentable() stops the export first
        role = str(loc[0])
        addressing = uplink.addressing
        custom: dict[str, Any] = {
            "netprov_addressing": addressing.mode,
            "netprov_gateway": None,
            "netprov_pppoe": None,
        }
        if isinstance(addressing, StaticAddressing):
            custom["netprov_gateway"] = str(addressing.gateway)
            objects.addresses.append(WantedAddress(uplink.interface, addressing.address, None))
        elif isinstance(addressing, PppoeAddressing):
            custom["netprov_pppoe"] = {
                "username": addressing.username,
                "password": reference(addressing.password),
            }
        objects.interfaces.append(
            WantedInterface(
                uplink.interface, "1000base-t", m.INTERFACE_ROLES[role], uplink.vlan, custom
            )
        )
        objects.circuits.append(
            WantedCircuit(
                uplink.interface,
                names.get(uplink.provider, uplink.provider),
                uplink.circuit_id or f"{m.UNRECORDED_CID}{site.id}:{role}",
                m.CIRCUIT_TYPES[role],
                m.kbps(uplink.bandwidth_mbps) or 0,
                _circuit_fields(uplink),
            )
        )
    return objects


def _circuit_fields(uplink: Uplink) -> dict[str, Any]:
    """The circuit's netprov fields: the central line's share, an office line's cost."""
    if isinstance(uplink, CentralUplink):
        ceiling = uplink.ceiling_mbps
        return {
            "netprov_lastmile": uplink.lastmile,
            "netprov_demand_kbps": m.kbps(uplink.demand_mbps),
            "netprov_weight": uplink.weight,
            "netprov_ceiling_kbps": m.kbps(ceiling) if ceiling is not None else None,
        }
    if not isinstance(uplink, LegacyUplink | BackupUplink):
        return {}
    end = uplink.contract_end
    return {
        "netprov_monthly_cost_idr": uplink.monthly_cost_idr,
        "netprov_contract_end": end.isoformat() if end is not None else None,
    }
