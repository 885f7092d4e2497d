"""The device twin: emulated site routers, each a real SSH server on loopback with state.

netmiko and napalm drive it unmodified. See :mod:`netprov.twin.fleet` to build one from the
inventory, :mod:`netprov.twin.server` for the SSH side, :mod:`netprov.twin.ios` and
:mod:`netprov.twin.routeros` for the two personalities.
"""

from netprov.twin.fleet import Twin, TwinDevice, build_twin
from netprov.twin.scenario import Scenario, SiteFaults

__all__ = ["Scenario", "SiteFaults", "Twin", "TwinDevice", "build_twin"]
