"""Platform drivers behind one registry (``Platform -> driver``), as hier_config's
``get_hconfig_driver`` and napalm's ``get_network_driver`` do.

    >>> driver_for(Platform.CISCO_IOS).netmiko_device_type
    'cisco_ios'
"""

from __future__ import annotations

from netprov.errors import NetprovError
from netprov.models import Platform
from netprov.platforms.base import (
    ChangeMarker,
    Driver,
    InterfaceState,
    PingResult,
    Reverted,
    RevertMethod,
    Session,
    Target,
)
from netprov.platforms.ios.driver import IosDriver
from netprov.platforms.routeros.driver import RosDriver

DRIVERS: dict[Platform, Driver] = {
    Platform.CISCO_IOS: IosDriver(),
    Platform.MIKROTIK_ROUTEROS: RosDriver(),
}


def driver_for(platform: Platform) -> Driver:
    """The driver of ``platform``; an unknown platform is a clear error."""
    try:
        return DRIVERS[platform]
    except KeyError:
        raise NetprovError(f"no driver for platform {platform!s}") from None


__all__ = [
    "DRIVERS",
    "ChangeMarker",
    "Driver",
    "InterfaceState",
    "PingResult",
    "RevertMethod",
    "Reverted",
    "Session",
    "Target",
    "driver_for",
]
