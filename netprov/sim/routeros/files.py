"""The files of the twin's RouterOS a command reads or writes: ``/import`` of a script
file, ``/system backup save|load`` (MikroTik manual, "Configuration Management")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netprov.sim.routeros.lines import RosError
from netprov.sim.routeros.schema import Item
from netprov.syntax.routeros import logical_lines, params_of, unquote

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


def import_file(device: RosDevice, args: list[str]) -> str:
    """``/import file-name=X``: run each line of a file (either export form)."""
    params = params_of(args)
    name = params.get("file-name") or (unquote(args[0]) if args else "")
    if name not in device.files:
        raise RosError("failure: no such file")
    errors = 0
    path = "/"
    for _, line in logical_lines(device.files[name]):
        if line.strip() and not line.lstrip().startswith("#"):
            output, path = device.run(line, path)
            errors += bool(output)
    if errors:
        return f"failure: {errors} line(s) of {name} failed"
    return "\nScript file loaded and executed successfully"


def backup(device: RosDevice, verb: str, params: Item) -> str:
    """``/system backup save|load name=X``: a load restores the state and reboots."""
    name = params.get("name", "backup")
    name = name if name.endswith(".backup") else name + ".backup"
    if verb == "save":
        device.files[name] = device.snapshot()
        return "Configuration backup saved"
    if verb == "load":
        if name not in device.files:
            raise RosError("failure: no such file")
        device.restore(device.files[name])
        device.on_reboot()
        return "Restoring system configuration\nSystem configuration restored, rebooting now"
    raise RosError(f"bad command name {verb}")
