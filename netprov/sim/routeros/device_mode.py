"""RouterOS 7's ``/system device-mode``: the features a router allows, as its owner set them
at the device (MikroTik manual, "Device-mode").

A mode allows a set of features; ``home`` disables "scheduler, socks, fetch,
bandwidth-test, traffic-gen, sniffer, romon, proxy, hotspot, email, zerotier, container".
The mode is changed only at the router itself: ``update`` waits for a press of its reset
button or a power cycle ("remote access to the device is not enough to change it"), so over
SSH it asks and nothing changes. It is not configuration: ``/export`` does not print it.

A router whose scheduler is off takes its ``/system scheduler`` jobs and never runs them
(configuring a blocked feature "succeeds" and it "sits inactive (not allowed by
device-mode)", as a RouterOS provisioning tool, ZxheiFi, notes); a command of a blocked
feature (``/tool fetch``) is refused with those words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from netprov.sim.routeros.lines import RosError

if TYPE_CHECKING:
    from netprov.sim.routeros.console import RosOutput
    from netprov.syntax.routeros_versions import RosVersion

# the features in the order ``print`` lists them (the manual's print of 7.17+)
FEATURES = (
    "scheduler",
    "socks",
    "fetch",
    "pptp",
    "l2tp",
    "bandwidth-test",
    "traffic-gen",
    "sniffer",
    "ipsec",
    "romon",
    "proxy",
    "hotspot",
    "smb",
    "email",
    "zerotier",
    "container",
)
# what each mode turns off (enterprise: every feature but container, "Device-mode")
OFF = {
    "enterprise": frozenset({"container", "traffic-gen"}),
    "advanced": frozenset({"container", "traffic-gen"}),
    "home": frozenset(
        {
            "scheduler",
            "socks",
            "fetch",
            "bandwidth-test",
            "traffic-gen",
            "sniffer",
            "romon",
            "proxy",
            "hotspot",
            "email",
            "zerotier",
            "container",
        }
    ),
}
REFUSED = "not allowed by device-mode"
ASKED = "update: please activate by turning power off or pressing reset or mode button in 5m00s"


def device_mode(
    mode: str = "enterprise", overrides: Mapping[str, bool] | None = None
) -> dict[str, str]:
    """The device-mode a router runs: ``mode`` and each feature yes/no (``overrides`` set
    single features, as ``update scheduler=no`` at the device does)."""
    if mode not in OFF:
        raise ValueError(f"unknown device-mode {mode!r} (one of {', '.join(OFF)})")
    unknown = [name for name in overrides or {} if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown device-mode feature(s): {', '.join(unknown)}")
    flags = {name: "no" if name in OFF[mode] else "yes" for name in FEATURES}
    flags |= {name: "yes" if on else "no" for name, on in (overrides or {}).items()}
    return {"mode": mode, **flags}


def limited(version: RosVersion, mode: str, features: Mapping[str, bool]) -> dict[str, str]:
    """:func:`device_mode` of a router of ``version`` (ValueError: RouterOS 6 has none)."""
    if version.major < 7:
        raise ValueError(f"device_mode: RouterOS {version} has no device-mode (7 has)")
    return device_mode(mode, features)


def allows(mode: Mapping[str, str], feature: str) -> bool:
    """Whether the router's device-mode allows ``feature``."""
    return mode.get(feature, "yes") == "yes"


def command(mode: Mapping[str, str], verb: str, console: RosOutput) -> str:
    """``print`` (the mode and each feature) or ``update`` (it asks for the button: over
    SSH nothing changes)."""
    if verb == "print":
        return console.settings(dict(mode))
    if verb == "update":
        return ASKED
    raise RosError(f"bad command name {verb}")
