"""The scheduler and scripts of the twin's RouterOS: a job with an ``interval`` runs its
``on-event`` every interval on the router's clock (MikroTik manual, "Scheduler"); ``/system
script run`` runs a script's lines (MikroTik manual, "Scripting")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from netprov.sim.routeros import device_mode, lines
from netprov.sim.routeros.lines import RosError
from netprov.sim.routeros.schema import Item
from netprov.syntax.routeros import logical_lines

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice

# the commands of a job's on-event: separated by ";" or by its line ends
_COMMANDS = re.compile(r"[;\r\n]+")


def arm(device: RosDevice, item: Item) -> None:
    """Start ``item``'s job on ``device``'s clock; a disabled job or one without an
    interval waits for nothing (a job at ``start-time=startup`` only runs at boot), and
    none runs on a router whose device-mode turns its scheduler off."""
    seconds = lines.duration(item.get("interval", "0s"))
    if item.get("disabled") == "yes" or seconds <= 0:
        return
    if not device_mode.allows(device.device_mode, "scheduler"):
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


def run_script(device: RosDevice, selector: str) -> str:
    """``/system script run``: the script's lines in order, stopped by the first that
    fails (MikroTik manual, "Scripting": a command that fails ends the script); what
    failed is kept in the router's log."""
    scripts = device.tables["/system script"]
    for script in device.select("/system script", scripts, selector):
        path = "/"
        for _, line in logical_lines(script.get("source", "")):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                _, path = device.execute(line, path)
            except RosError as exc:
                device.log.append(f"script error: {script.get('name', '')}: {exc}")
                break
    return ""


def lease_event(device: RosDevice, client: Item, *, released: bool = False) -> None:
    """A DHCP client bound (or lost) its lease: run its ``script`` with ``$bound`` and
    ``$"gateway-address"`` (MikroTik manual, "DHCP client"). The twin runs the one shape
    netprov writes: ``:if ($bound=1) do={...} else={...}``, commands split at ``;``."""
    shape = re.fullmatch(
        r":if \(\$bound=1\) do=\{(.*)\} else=\{(.*)\}", client.get("script", ""), re.S
    )
    if shape is None:
        return
    gateway = None
    if not released and client.get("disabled") != "yes":
        router = device.router()
        link = router.links.get(client["interface"])
        uplink = device.world.uplink_for(link) if link else None
        if link and uplink and uplink.gateway and router.link_up(link):
            gateway = uplink.gateway
    body = shape[1] if gateway is not None else shape[2]
    for command in body.split(";"):
        device.run(command.replace('$"gateway-address"', str(gateway)), "/")
