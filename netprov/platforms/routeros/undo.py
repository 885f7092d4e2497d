"""The exact undo of a RouterOS plan, pure: what gives a changed object its values back,
and where an object the plan takes away goes back (MikroTik manual, "Console": ``set``,
``unset``, ``add ... place-before``; which menus keep an order and which can ``unset``:
netprov.syntax.routeros_defaults).
"""

from __future__ import annotations

from collections.abc import Mapping

from netprov.syntax.filters import ros_line, ros_value
from netprov.syntax.routeros import RosCommand
from netprov.syntax.routeros_defaults import ORDERED, UNSETTABLE, default


def _find(comment: str) -> str:
    return f"[ find where comment={ros_value(comment)} ]"


def _find_by(params: Mapping[str, str], keys: tuple[str, ...]) -> str:
    terms = [f"{key}={ros_value(params.get(key, ''))}" for key in keys]
    return "[ find where " + " and ".join(terms) + " ]"


def restoring(
    path: str, where: str, before: Mapping[str, str], keys: list[str], major: int = 7
) -> tuple[list[str], list[str]]:
    """Commands that give the object ``where`` finds its values of ``keys`` back as they
    were (``before``: its properties then, as its export printed them), and what they
    cannot give back. A value it had is set again; one it did not have (an export leaves
    a value out when nothing set it) goes back to the manual's default, else is
    ``unset``, never set to ``""`` (netprov.syntax.routeros_defaults). The unsets come first: the
    set
    may give the object its old comment back, and ``where`` finds it by the new one.

    Examples:
        >>> where = "[ find where comment=netprov:wan ]"
        >>> for line in restoring("/ip dhcp-client", where, {"comment": "defconf"},
        ...                       ["comment", "use-peer-ntp"])[0]:
        ...     print(line)
        /ip dhcp-client set [ find where comment=netprov:wan ] comment=defconf use-peer-ntp=yes
        >>> for line in restoring("/ip route", where, {}, ["check-gateway", "comment"])[0]:
        ...     print(line)
        /ip route unset [ find where comment=netprov:wan ] value-name=check-gateway
        /ip route set [ find where comment=netprov:wan ] comment=""
        >>> restoring("/ip address", where, {}, ["network"])[1]
        ['/ip address network (no documented default, no unset)']
    """
    values: dict[str, str] = {}
    unset: list[str] = []
    lost: list[str] = []
    for key in keys:
        if key in before:
            values[key] = before[key]
        elif (value := default(path, key, major)) is not None:
            values[key] = value
        elif path in UNSETTABLE:
            unset.append(key)
        else:
            lost.append(f"{path} {key} (no documented default, no unset)")
    lines = [f"{path} unset {where} value-name={key}" for key in unset]
    if values:
        lines.append(f"{path} set {where} " + ros_line("", "", **values).strip())
    return lines, lost


def readded(
    menus: Mapping[str, list[RosCommand]],
    taken: list[RosCommand],
    found_after: Mapping[int, str],
    renamed: Mapping[str, str],
) -> list[str]:
    """The ``add`` of each object of ``taken`` (removed, or replaced, by the plan), menu
    by menu in the router's order (``menus``: each menu's objects as the router holds
    them). In a menu the router goes through in order (one with ``move``), each goes back
    before the object that followed it, the last first so that the one before it finds
    it there; any other menu appends what is added and has no order to keep.
    Each is removed first where it still is (a push cut halfway).
    ``found_after``: what finds an object the plan changed (by its new comment);
    ``renamed``: the interfaces the plan renamed (the undo names them back after this)."""
    gone = {id(cmd) for cmd in taken}
    lines: list[str] = []
    for path, items in menus.items():
        back = [index for index, cmd in enumerate(items) if id(cmd) in gone]
        if not back:
            continue
        if path not in ORDERED:
            for index in back:
                lines += [*_gone(items[index]), _add(items[index])]
            continue
        for index in reversed(back):
            lines += _gone(items[index])
            line = _add(items[index])
            if index + 1 < len(items):
                after = finding(items[index + 1], items, found_after, renamed)
                line += f" place-before={after}"
            lines.append(line)
    return lines


def _gone(item: RosCommand) -> list[str]:
    """The object first removed where it still is: a push cut before its own removal left
    it, and the undo must not add a second one (RouterOS removes nothing where ``find``
    finds nothing, so the undo holds whether the push ran to its end or not)."""
    comment = item.params.get("comment")
    return [f"{item.path} remove {_find(comment)}"] if comment else []


def _add(item: RosCommand) -> str:
    """The ``add`` of ``item`` as the router printed it, its flags too (``!dhcp-options``,
    a property printed unset; first, it reads as the add's selector)."""
    flags = ((item.selector,) if item.selector else ()) + item.flags
    return ros_line(item.path, "add", *flags, **item.params)


def finding(
    item: RosCommand,
    items: list[RosCommand],
    found_after: Mapping[int, str],
    renamed: Mapping[str, str],
) -> str:
    """A ``[ find ... ]`` for ``item`` (one of ``items``, its menu) as it stands when the
    undo adds objects back: by the comment the plan gave it, by the comment it alone has,
    else by every value it has (the interfaces it names as the plan renamed them)."""
    if id(item) in found_after:
        return found_after[id(item)]
    comment = item.params.get("comment")
    if comment and sum(other.params.get("comment") == comment for other in items) == 1:
        return _find(comment)
    values = {k: renamed.get(v, v) for k, v in item.params.items()}
    return _find_by(values, tuple(sorted(values)))
