"""Where each inventory field lives in Nautobot: the mapping both directions share, as data.

Native objects carry what Nautobot models (locations, devices, platforms, interfaces and
their roles, IP addresses, VLANs, providers, circuits and their terminations, cables);
netprov's own fields are custom fields named ``netprov_*``; the organisation's settings are
one config context. ``docs/source-of-truth.md`` shows the same mapping as a table (a test
checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

from netprov.models import Phase, Platform, SiteKind

# the tag that marks a location's router as netprov's (one per location)
ROUTER_TAG = "netprov"
# the config context holding the organisation settings, under the key ``netprov``
ORGANISATION_CONTEXT = "netprov organisation"
ORGANISATION_KEY = "netprov"
# what the export creates where the team has nothing yet (the reader does not look at them)
LOCATION_TYPE = "Office"
DEVICE_ROLE = "Router"
NAMESPACE = "Global"

# the site's interfaces, by the role Nautobot gives each (dcim.interface roles)
INTERFACE_ROLES: dict[str, str] = {
    "lan": "LAN",
    "legacy_uplink": "Legacy uplink",
    "central_uplink": "Central uplink",
    "backup_uplink": "Backup uplink",
}
UPLINK_FIELDS = ("legacy_uplink", "central_uplink", "backup_uplink")
# each uplink's circuit, by type (what the line is to the city)
CIRCUIT_TYPES: dict[str, str] = {
    "legacy_uplink": "Office ISP",
    "central_uplink": "Central hand-off",
    "backup_uplink": "Backup line",
}
# the IP address role of a LAN's further subnets (IOS ``ip address ... secondary``)
SECONDARY_ROLE = "Secondary"
LOOPBACK_ROLE = "Loopback"

# A Nautobot circuit needs an ID; an uplink the inventory records none for is exported
# under this prefix, and read back as having none.
UNRECORDED_CID = "unrecorded:"


def network_drivers() -> dict[str, Platform]:
    """Nautobot's ``network_driver`` (netutils' names) -> netprov's platform, as each
    platform's driver lists them."""
    from netprov.platforms import driver_for

    return {name: p for p in Platform for name in driver_for(p).network_drivers}


@dataclass(frozen=True, slots=True)
class CustomField:
    """One ``netprov_*`` custom field: its key, Nautobot type, the objects it sits on,
    the inventory field it holds, and (for a select) its choices."""

    key: str
    type: str
    content_type: str
    holds: str
    choices: tuple[str, ...] = ()
    description: str = ""

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


LOCATION = "dcim.location"
DEVICE = "dcim.device"
INTERFACE = "dcim.interface"
CIRCUIT = "circuits.circuit"

CUSTOM_FIELDS: tuple[CustomField, ...] = (
    CustomField("netprov_site_id", "text", LOCATION, "id", description="netprov's site id"),
    CustomField("netprov_kind", "select", LOCATION, "kind", tuple(k.value for k in SiteKind)),
    CustomField("netprov_groups", "json", LOCATION, "groups", description="list of groups"),
    CustomField("netprov_wave", "integer", LOCATION, "wave"),
    CustomField("netprov_region", "text", LOCATION, "region"),
    CustomField(
        "netprov_desired_phase", "select", LOCATION, "desired_phase", tuple(p.value for p in Phase)
    ),
    CustomField("netprov_maintenance_window", "json", LOCATION, "maintenance_window"),
    CustomField("netprov_services", "json", LOCATION, "services"),
    CustomField("netprov_lint_exemptions", "json", LOCATION, "lint_exemptions"),
    CustomField(
        "netprov_credentials",
        "json",
        DEVICE,
        "router.credentials",
        description="{username, password: {env: VAR} | {file: PATH[, key: K]}}: a reference",
    ),
    CustomField(
        "netprov_addressing", "select", INTERFACE, "addressing.mode", ("static", "dhcp", "pppoe")
    ),
    CustomField("netprov_gateway", "text", INTERFACE, "addressing.gateway"),
    CustomField(
        "netprov_pppoe",
        "json",
        INTERFACE,
        "addressing.username, addressing.password",
        description="{username, password: {env: VAR} | {file: PATH[, key: K]}}: a reference",
    ),
    CustomField("netprov_dhcp", "boolean", INTERFACE, "lan.dhcp"),
    CustomField("netprov_dhcp_reserved", "integer", INTERFACE, "lan.dhcp_reserved"),
    CustomField("netprov_monthly_cost_idr", "integer", CIRCUIT, "monthly_cost_idr"),
    CustomField("netprov_contract_end", "date", CIRCUIT, "contract_end"),
    CustomField("netprov_lastmile", "text", CIRCUIT, "central_uplink.lastmile"),
    CustomField("netprov_demand_kbps", "integer", CIRCUIT, "central_uplink.demand_mbps"),
    CustomField("netprov_weight", "json", CIRCUIT, "central_uplink.weight"),
    CustomField("netprov_ceiling_kbps", "integer", CIRCUIT, "central_uplink.ceiling_mbps"),
)

# site field -> location custom field (the site-level netprov fields, read and written alike)
SITE_FIELDS: dict[str, str] = {
    cf.holds: cf.key for cf in CUSTOM_FIELDS if cf.content_type == LOCATION and cf.holds != "id"
}


def kbps(mbps: float) -> int | None:
    """``mbps`` as the whole kbps Nautobot keeps rates in, or None if it is not one.

    Examples:
        >>> kbps(8), kbps(2.5), kbps(0.0015)
        (8000, 2500, None)
    """
    value = mbps * 1000
    whole = round(value)
    return whole if abs(value - whole) < 1e-6 else None


def mbps(kbps_value: int) -> float:
    """Nautobot's kbps as netprov's Mbps.

    Examples:
        >>> mbps(8000), mbps(2500)
        (8.0, 2.5)
    """
    return kbps_value / 1000
