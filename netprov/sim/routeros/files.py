"""The files of the twin's RouterOS a command reads or writes: ``/import`` of a script
file, ``/system backup save|load`` (MikroTik manual, "Configuration Management")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from netprov.sim.routeros.lines import RosError
from netprov.sim.routeros.schema import Item
from netprov.syntax.routeros import logical_lines, params_of, unquote

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


def import_file(device: RosDevice, args: list[str]) -> str:
    """``/import file-name=X``: run each line of a file (either export form). With
    ``dry-run`` (RouterOS 7.16+; an older version refuses the word before this runs,
    :func:`netprov.syntax.routeros_versions.refusal`) see :func:`_dry_run`."""
    params = params_of(args)
    name = params.get("file-name") or (unquote(args[0]) if args else "")
    if name not in device.files:
        raise RosError("failure: no such file")
    if "dry-run" in args or "dry-run" in params:
        return _dry_run(device, device.files[name])
    errors = 0
    path = "/"
    for _, line in logical_lines(device.files[name]):
        if line.strip() and not line.lstrip().startswith("#"):
            output, path = device.run(line, path)
            errors += bool(output)
    if errors:
        return f"failure: {errors} line(s) of {name} failed"
    return "\nScript file loaded and executed successfully"


# where RouterOS puts the line in its words: "bad command name routerboard (line 236 column
# 42)" for a script's line 236 (beeyev/Mikrotik-RouterOS-automatic-backup-and-update issue
# 53); the twin's refusals are of one typed line, "(line 1 column C)"
_LINE_1 = re.compile(r"\(line 1 column (\d+)\)")


def _dry_run(device: RosDevice, text: str) -> str:
    """Every line of ``text`` run in order against the router's state (a line sees what
    the lines before it made, as a real import would), then the state put back as it was,
    its jobs' clocks untouched: nothing changes. The first line the router refuses stops
    it (an import stops at its first error, MikroTik manual "Scripting"), reported in the
    router's words with its line number in the file. What a real 7.16 prints around it
    (a verbose echo of each line) is not documented nor captured in the sources searched:
    modelled as the refusal alone, and "Script file loaded successfully" for a good file."""
    saved, timers = device.snapshot(), dict(device.timers)
    path = "/"
    try:
        for number, line in logical_lines(text):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                _, path = device.execute(line, path)
            except RosError as exc:
                words = str(exc)
                located = _LINE_1.sub(f"(line {number} column \\1)", words)
                return located if located != words else f"{words} (line {number})"
    finally:
        device.put_back(saved, timers)
    return "\nScript file loaded successfully"


def file_command(device: RosDevice, verb: str, args: list[str]) -> str:
    """``/file print [file=X]`` (``file=`` writes the listing to ``X.txt``: how a file is
    made from the console, MikroTik manual "Scripting examples"), ``/file set X
    contents=...`` and ``/file remove X``."""
    params = params_of(args)
    if verb == "print":
        listing = device.console().files()
        if "file" in params:
            device.files[params["file"] + ".txt"] = listing
            return ""
        return listing
    if verb == "set" and args:
        name = unquote(args[0])
        if name not in device.files:
            raise RosError("no such item")
        if "contents" in params:
            device.files[name] = params["contents"]
        return ""
    if verb == "remove":
        for arg in args:
            device.files.pop(unquote(arg), None)
        return ""
    raise RosError(f"bad command name {verb}")


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
