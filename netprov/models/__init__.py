"""The inventory model: organisation-wide settings and sites, validated once at load.

Every model is frozen and forbids unknown keys, so a typo in the YAML is an error, not a
silently ignored field. Strings that end up on a router's command line use the constrained
types from :mod:`netprov.clisafe`. Every field has a description, a unit where it has one,
and an example: ``netprov schema`` gives editors its hover help.

=====================================  ==============================================
:mod:`~netprov.models.base`            vocabularies, the base model, secrets
:mod:`~netprov.models.organisation`    ``organisation.yaml``
:mod:`~netprov.models.site`            ``sites/*.yaml`` and the whole inventory
=====================================  ==============================================
"""

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
from netprov.models.organisation import (
    PUBLIC_RESOLVERS,
    BandwidthPolicy,
    CentralProvider,
    Contract,
    DnsPolicy,
    FlowSettings,
    Organisation,
    ProbeSettings,
    Provider,
    Settings,
    SnmpSettings,
    SourceOfTruth,
    SshSettings,
)
from netprov.models.site import (
    Addressing,
    BackupUplink,
    CentralUplink,
    DhcpAddressing,
    Inventory,
    Lan,
    LegacyUplink,
    MaintenanceWindow,
    PolicyRoutingFate,
    PppoeAddressing,
    Router,
    Service,
    Site,
    StaticAddressing,
    Uplink,
)

__all__ = [
    "PUBLIC_RESOLVERS",
    "Addressing",
    "BackupUplink",
    "BandwidthPolicy",
    "CentralProvider",
    "CentralUplink",
    "Contract",
    "Credentials",
    "DhcpAddressing",
    "DnsPolicy",
    "FlowSettings",
    "Idr",
    "Inventory",
    "Lan",
    "LegacyUplink",
    "MaintenanceWindow",
    "Mbps",
    "Model",
    "Organisation",
    "Phase",
    "Platform",
    "PolicyRoutingFate",
    "PppoeAddressing",
    "ProbeSettings",
    "Provider",
    "Router",
    "SecretRef",
    "Service",
    "Settings",
    "Site",
    "SiteKind",
    "SnmpSettings",
    "SourceOfTruth",
    "SshSettings",
    "StaticAddressing",
    "TimeZoneName",
    "Uplink",
    "VlanId",
    "Weekday",
]
