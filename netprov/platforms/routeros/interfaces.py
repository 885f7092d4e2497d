"""The interfaces a RouterOS plan names that the router lacks. Pure.

A router refuses a line naming an interface it does not have ("input does not match any
value of interface"), in the middle of the batch. What the router has is read from its
export: every interface it defines (``name=`` in an ``/interface`` menu) or names (a value
of ``interface=`` and its kind, which the router took), and its hardware ports by their
factory names, which ``/export`` prints only when changed (MikroTik manual, "Ethernet":
``default-name`` stays, ``name`` is the owner's): a port renamed
(``set [ find default-name=ether5 ] name=ether5-kelas``) no longer answers to ``ether5``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from ipaddress import ip_address, ip_network

from netprov.syntax.routeros import RosCommand, parse_command, parse_export

# parameters whose value is an interface (``!`` negates it; a route's gateway may be one)
_NAMING = ("interface", "in-interface", "out-interface", "bridge", "master-port", "dst")
_GATEWAY = "gateway"
# what RouterOS names by itself: factory port names (ether1, sfp-sfpplus1, wlan1, lte1,
# combo1, qsfp28-1-1), the v7 loopback, and the words that stand for no one interface
_FACTORY = re.compile(r"(?:ether|sfp|sfp-sfpplus|qsfp28-|combo|wlan|wifi|lte)\d+(?:-\d+)?|lo")
_WORDS = frozenset({"all", "none", "dynamic", "any"})
# /interface menus whose ``name`` is not an interface's
_NOT_INTERFACES = ("list", "security-profiles", "security", "configuration", "channel")


def _named(command: RosCommand) -> Iterator[str]:
    """The interfaces one command names in its values."""
    for key in _NAMING:
        value = command.params.get(key, "").lstrip("!")
        if value and value not in _WORDS and not (key == "dst" and _address(value)):
            yield value
    gateway = command.params.get(_GATEWAY, "")
    for hop in filter(None, gateway.split(",")):
        name = hop.split("%")[-1]  # 10.0.0.1%ether1: the address on that interface
        if name and not _address(name):
            yield name


def _address(text: str) -> bool:
    try:
        ip_network(text, strict=False) if "/" in text else ip_address(text)
    except ValueError:
        return False
    return True


def _defined(command: RosCommand) -> str | None:
    """The interface an ``/interface`` command adds or renames to (None: it makes none)."""
    words = command.path.split()
    if words[:1] != ["/interface"] or command.verb not in {"add", "set"}:
        return None
    if len(words) > 2 and words[-1] in {"port", "member", "peers", "server"}:
        return None
    if any(word in _NOT_INTERFACES for word in words[1:]):
        return None
    return command.params.get("name")


def _renamed_ports(commands: Iterable[RosCommand]) -> dict[str, str]:
    """Factory port names a rename took away, and their new names."""
    gone = {}
    for command in commands:
        factory = re.fullmatch(r"\[ ?find (?:where )?default-name=([\w-]+) ?\]", command.selector)
        new = command.params.get("name")
        if factory and new and new != factory[1]:
            gone[factory[1]] = new
    return gone


def present(export: str) -> set[str]:
    """The interfaces the router holding ``export`` has, by the names they answer to."""
    commands = parse_export(export)
    names = {name for command in commands if (name := _defined(command))}
    names |= {name for command in commands for name in _named(command)}
    return names - (_renamed_ports(commands).keys() - names)


def missing(export: str, commands: list[str]) -> list[tuple[str, str, str]]:
    """(interface, the first command naming it, its new name when the office renamed it) for
    each interface ``commands`` name that the router holding ``export`` lacks and no command
    creates."""
    has = present(export)
    gone = _renamed_ports(parse_export(export))
    parsed = []
    for line in commands:
        try:
            parsed.append((line, parse_command(line)))
        except ValueError:
            continue
    created = {name for _, command in parsed if (name := _defined(command))}
    found: dict[str, tuple[str, str, str]] = {}
    for line, command in parsed:
        for name in _named(command):
            known = name in has or name in created
            factory = _FACTORY.fullmatch(name) is not None and name not in gone
            if not known and not factory and name not in found:
                found[name] = (name, line, gone.get(name, ""))
    return list(found.values())
