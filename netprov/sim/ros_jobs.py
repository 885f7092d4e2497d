"""The scheduler of the twin's RouterOS: a job with an ``interval`` runs its ``on-event``
every interval on the router's clock (MikroTik manual, "Scheduler")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from netprov.sim import ros_device_mode, ros_lines
from netprov.sim.ros_schema import Item

if TYPE_CHECKING:
    from netprov.sim.routeros import RosDevice

# the commands of a job's on-event: separated by ";" or by its line ends
_COMMANDS = re.compile(r"[;\r\n]+")


def arm(device: RosDevice, item: Item) -> None:
    """Start ``item``'s job on ``device``'s clock; a disabled job or one without an
    interval waits for nothing (a job at ``start-time=startup`` only runs at boot), and
    none runs on a router whose device-mode turns its scheduler off."""
    seconds = ros_lines.duration(item.get("interval", "0s"))
    if item.get("disabled") == "yes" or seconds <= 0:
        return
    if not ros_device_mode.allows(device.device_mode, "scheduler"):
        return
    name = item.get("name", item[".id"])

    def fire() -> None:
        if item not in device.tables["/system scheduler"]:
            return
        for command in _COMMANDS.split(item.get("on-event", "")):
            device.run(command, "/")
        if item in device.tables["/system scheduler"]:
            device.timers[name] = device.schedule(seconds, fire)

    device.timers[name] = device.schedule(seconds, fire)
