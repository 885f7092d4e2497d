"""The RouterOS plan engine: a diff of the objects netprov owns. Pure.

Only objects tagged ``comment=netprov:<key>`` and the settings netprov sets are compared;
commands are ordered add-before-remove so that a session cut half-way never leaves a router
with less than it had.
"""

from __future__ import annotations

from netprov.filters import ros_line, ros_value
from netprov.rossyntax import SETTINGS, RosCommand, parse_export


def _find(comment: str) -> str:
    return f"[ find where comment={ros_value(comment)} ]"


def _key(command: RosCommand) -> tuple[str, str] | None:
    if command.verb == "add":
        managed = command.managed_key
        return (command.path, managed) if managed else None
    if command.verb == "set":
        return (command.path, "set " + command.selector)
    return None


def plan_routeros(running_export: str, intended: str) -> tuple[list[str], list[str]]:
    """(commands, undo commands) for a RouterOS router."""
    running = {key: cmd for cmd in parse_export(running_export) if (key := _key(cmd))}
    wanted = [(key, cmd) for cmd in parse_export(intended) if (key := _key(cmd))]
    adds: list[str] = []
    removes: list[str] = []
    undo_adds: list[str] = []
    undo_removes: list[str] = []
    for key, cmd in wanted:
        current = running.get(key)
        selector = (cmd.selector,) if cmd.selector else ()
        if cmd.verb == "set":
            have = {**SETTINGS.get(cmd.path, {}), **(current.params if current else {})}
            changed = {k: v for k, v in cmd.params.items() if have.get(k) != v}
            if changed:
                adds.append(ros_line(cmd.path, "set", *selector, **changed))
                undo_adds.append(
                    ros_line(cmd.path, "set", *selector, **{k: have.get(k, "") for k in changed})
                )
            continue
        comment = cmd.params["comment"]
        if current is None:
            adds.append(ros_line(cmd.path, "add", **cmd.params))
            undo_removes.append(f"{cmd.path} remove {_find(comment)}")
        elif current.params != cmd.params:
            gone = [k for k in current.params if k not in cmd.params]
            if gone:  # a parameter must disappear: replace the object
                removes.append(f"{cmd.path} remove {_find(current.params['comment'])}")
                adds.append(ros_line(cmd.path, "add", **cmd.params))
                undo_removes.append(f"{cmd.path} remove {_find(comment)}")
                undo_adds.append(ros_line(cmd.path, "add", **current.params))
            else:
                changed = {k: v for k, v in cmd.params.items() if current.params.get(k) != v}
                adds.append(
                    f"{cmd.path} set {_find(current.params['comment'])} "
                    + ros_line("", "", **changed).strip()
                )
                undo_adds.append(
                    f"{cmd.path} set {_find(comment)} "
                    + ros_line("", "", **{k: current.params.get(k, "") for k in changed}).strip()
                )
    wanted_keys = {key for key, _ in wanted}
    for key, cmd in reversed(list(running.items())):
        if cmd.verb == "add" and key not in wanted_keys:
            removes.append(f"{cmd.path} remove {_find(cmd.params['comment'])}")
            undo_adds.insert(0, ros_line(cmd.path, "add", **cmd.params))
    # add before remove; the undo removes what was added (newest first), then re-adds
    return adds + removes, list(reversed(undo_removes)) + undo_adds


def owned_lines(export: str) -> str:
    """The lines of an export that netprov compares (tagged objects and its settings):
    what a RouterOS plan can change, sorted by menu so two configs line up in a diff."""
    kept: list[tuple[str, str]] = []  # (menu, line)
    for line in export.splitlines():
        try:
            commands = parse_export(line)
        except ValueError:
            continue
        if commands and _key(commands[0]) is not None:
            kept.append((commands[0].path, line))
    kept.sort()
    return "".join(f"{line}\n" for _, line in kept)
