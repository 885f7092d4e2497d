"""What a RouterOS command does to a menu of the twin's router (netprov.sim.routeros.router):
the checks a real router makes before it takes an ``add`` or ``set`` (it refuses what it
cannot take, naming it), the items a selector names, ``set`` in a settings menu, and
``set``/``remove``/``enable``/``disable``/``unset`` of a table's items.
"""

from __future__ import annotations

import re
from ipaddress import AddressValueError, IPv4Interface
from typing import TYPE_CHECKING

from netprov.sim.routeros import lines
from netprov.sim.routeros.lines import HARDWARE_PORT, PROPERTY_NAME, RosError
from netprov.sim.routeros.schema import (
    INTERFACE_KEYS,
    INTERFACE_LIST_KEYS,
    INTERFACE_MENUS,
    KNOWN_PROPERTIES,
    KNOWN_SETTINGS,
    QUEUE_INTERFACE_KEYS,
    TABLE_KEYS,
    Item,
)
from netprov.syntax import routeros_defaults, routeros_versions
from netprov.syntax.routeros import params_of, unquote

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


def setting(device: RosDevice, menu: str, verb: str, args: list[str], column: int) -> str:
    """``print`` or ``set`` in a settings menu (``/ip dns``)."""
    values = device.settings[menu]
    if verb == "print":
        return device.console().settings(values)
    if verb != "set":
        raise RosError(f"bad command name {verb} (line 1 column {column})")
    params = params_of(args)
    known = KNOWN_SETTINGS[menu]
    unknown = [k for k in params if k not in known and not kept_as_printed(device, k)]
    if unknown:
        raise RosError(f"expected end of command (line 1 column {column + len(verb) + 1})")
    for key, value in params.items():
        if key.endswith("interface-list") and value.lstrip("!") not in device.list_names():
            raise RosError(f"input does not match any value of {key}")
        if device.loading and device.factory[menu].get(key) == value:
            del device.factory[menu][key]  # printed, so not this router's factory value
    values.update(params)
    if not device.loading:
        lines.forget_defaults(menu, values, params, device.version.major)
    device.on_config_line()
    return ""


def edit(
    device: RosDevice, menu: str, items: list[Item], verb: str, args: list[str], column: int
) -> None:
    """``set``, ``remove``, ``enable``, ``disable`` or ``unset`` of the items a selector
    names (``unset``: in a menu that has it, routeros_defaults.UNSETTABLE)."""
    selector, rest = (args[0], args[1:]) if args else ("", [])
    if verb == "unset":
        if menu not in routeros_defaults.UNSETTABLE:
            raise RosError(f"bad command name {verb} (line 1 column {column})")
        selector, name = lines.unset_arguments(args)
        for target in select(device, menu, items, selector):
            target.pop(name, None)  # as if nothing had set it: /export leaves it out
        return
    targets = select(device, menu, items, selector)
    if verb == "remove":
        for target in targets:
            if target.get(".default") == "yes":
                raise RosError("failure: default item can not be removed")
            items.remove(target)
            if menu == "/system scheduler":
                device.timers.pop(target.get("name", ""), lambda: None)()
            if menu == "/ip dhcp-client":
                device.lease_event(target, released=True)
        return
    params = (
        dict(lines.parameters(tuple(rest)))
        if verb == "set"
        else {"disabled": "yes" if verb == "disable" else "no"}
    )
    check(device, menu, params, column + len(verb) + len(selector) + 2)
    for target in targets:
        if menu in INTERFACE_MENUS and params.get("name", target["name"]) != target["name"]:
            lines.renamed(device.tables, target["name"], params["name"])
        lease = lines.lease_state(target)
        target.update(params)
        if verb == "set" and not device.loading:
            lines.forget_defaults(menu, target, params, device.version.major)
        if menu == "/ip dhcp-client" and lines.lease_state(target) != lease:
            device.lease_event(target)  # on a status change only, not a new script


def kept_as_printed(device: RosDevice, key: str) -> bool:
    """A property of a starting config the twin neither models nor lists: the router
    printed it, so it has it (any well-formed property name is kept)."""
    return device.loading and PROPERTY_NAME.fullmatch(key) is not None


def check(device: RosDevice, menu: str, params: Item, column: int) -> None:
    """What a real router refuses of an ``add`` or ``set``: an unknown property, a name
    of an interface, list, bridge or table it lacks, an address it cannot read."""
    known = KNOWN_PROPERTIES[menu]
    keys = [*params, *(flag.lstrip("!") for flag in params.get(".flags", "").split())]
    if not all(key in known or kept_as_printed(device, key) for key in keys if key[0] != "."):
        raise RosError(f"expected end of command (line 1 column {column})")
    for key in INTERFACE_KEYS:
        hardware(device, params.get(key, "").lstrip("!"))
    table = params.get(TABLE_KEYS.get(menu, ""), "main")
    if (
        table != "main"
        and not device.loading
        and routeros_versions.routing_tables(device.version)
        and table not in device.routing_tables()
    ):
        # RouterOS 7: a table is added in /routing table before anything names it
        # (MikroTik manual, "Moving from ROSv6 to v7": use of routing tables)
        raise RosError(f"input does not match any value of {TABLE_KEYS[menu]}")
    names: set[str] | None = None  # worked out only for a command that names one
    for key in QUEUE_INTERFACE_KEYS if menu == "/queue simple" else INTERFACE_KEYS:
        name = params.get(key, "").lstrip("!")
        if device.loading and lines.INTERNAL_ID.fullmatch(name):
            continue  # an item printed by its id: it has no name ("Scripting": id)
        if name and name not in (names := names or device.interface_names()):
            raise RosError(f"input does not match any value of {key}")
    address_lists = ("/ip firewall address-list", "/ipv6 firewall address-list")
    for key in () if menu in address_lists else INTERFACE_LIST_KEYS:
        name = params.get(key, "").lstrip("!")
        if name and name not in device.list_names():
            raise RosError(f"input does not match any value of {key}")
    if params.get("bridge") and params["bridge"] not in {
        i["name"] for i in device.tables["/interface bridge"]
    }:
        raise RosError("input does not match any value of bridge")
    if "address" in params and menu == "/ip address":
        try:
            IPv4Interface(params["address"])
        except (AddressValueError, ValueError) as exc:
            raise RosError("invalid value for argument address") from exc


def select(device: RosDevice, menu: str, items: list[Item], selector: str) -> list[Item]:
    """The items of ``menu`` a selector names (``[ find ... ]``, ids, numbers, a name)."""
    selector = selector.strip()
    if menu == "/interface ethernet":
        port = re.fullmatch(r"\[ find default-name=(\S+) \]", selector)
        hardware(device, port[1] if port else "")
    if selector.startswith("["):
        expression = (
            selector.strip("[] ").removeprefix("find").strip().removeprefix("where").strip()
        )
        return [item for item in items if lines.matches(item, expression, menu)]
    if selector.startswith("*"):
        return [item for item in items if item.get(".id") in selector.split(",")]
    if re.fullmatch(r"[\d,]+", selector):
        indexes = [int(i) for i in selector.split(",")]
        if any(i >= len(items) for i in indexes):
            raise RosError("no such item")
        return [items[i] for i in indexes]
    named = [item for item in items if item.get("name") == unquote(selector)]
    if not named:
        raise RosError(f"no such item ({selector})")
    return named


def hardware(device: RosDevice, name: str) -> None:
    """A starting config naming an Ethernet or SFP port this twin was not given: the
    router printed it, so it has the port (a real backup comes from a bigger model
    than the inventory's port list may say)."""
    if not device.loading or not HARDWARE_PORT.fullmatch(name):
        return
    ports = device.tables["/interface ethernet"]
    if any(name in (p["name"], p.get("default-name")) for p in ports):
        return
    item = {"name": name, "default-name": name, ".default": "yes"}
    ports.append(item)
    device.defaults.setdefault("/interface ethernet", []).append(dict(item))
