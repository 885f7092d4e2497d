"""A RouterOS command line taken apart (menu, verb, arguments, the column an error names),
and the small readers of values the twin's RouterOS shares: durations, addresses, item
selectors (``[find where ...]``), secrets left out of an export."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, IPv4Network
from types import MappingProxyType

from netprov.sim.routeros.menus import known_menu
from netprov.sim.routeros.schema import (
    INTERFACE_REFERENCES,
    PREFIXES,
    Item,
)
from netprov.sim.topology import Link
from netprov.syntax import routeros_defaults
from netprov.syntax.routeros import VERB_NAMED_MENUS, VERBS, params_of, tokens_of, unquote


class RosError(ValueError):
    pass


def duration(text: str) -> float:
    """RouterOS durations: ``30s``, ``5m``, ``1h``, ``1d``, ``00:05:00``."""
    if re.fullmatch(r"\d+:\d{2}:\d{2}", text):
        hours, minutes, seconds = (int(x) for x in text.split(":"))
        return hours * 3600 + minutes * 60 + seconds
    total = 0.0
    for number, unit in re.findall(r"(\d+)([wdhms]?)", text):
        total += int(number) * {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}[unit]
    return total


# What ``/export`` flags RouterOS 7 takes (MikroTik manual, "Configuration Management")
EXPORT_FLAGS = frozenset({"terse", "verbose", "compact", "show-sensitive"})


# Parameters RouterOS 7 counts as sensitive: left out of an export without show-sensitive
# (PPP/PPPoE passwords, user passwords, IPsec and WireGuard keys, SNMP v3 passwords)
SENSITIVE = re.compile(
    r" (?:password|secret|private-key|pre-shared-key|authentication-password"
    r'|encryption-password|passphrase)=(?:"(?:\\.|[^"\\])*"|\S+)'
)


def without_secrets(line: str) -> str:
    """Examples:
    >>> without_secrets("/interface pppoe-client add name=p password=s3cret user=u")
    '/interface pppoe-client add name=p user=u'
    """
    return SENSITIVE.sub("", line)


def lease_state(client: Item) -> tuple[str, str]:
    """What a DHCP client's lease depends on: a change of either is a status change."""
    return client.get("disabled", "no"), client.get("interface", "")


def visible(item: Item) -> Item:
    """An item's parameters without the simulator's own (``.id``, ``.default``)."""
    return {k: v for k, v in item.items() if not k.startswith(".")}


# Values an item holds without printing them (an export leaves a property at its default
# out): ``find where`` compares the item's value, printed or not. A route's dst-address is
# 0.0.0.0/0 unless given (RouterOS 6 exports omit it) and its table is main unless it names
# another (MikroTik manual, "IP Routing").
HELD_DEFAULTS: dict[str, dict[str, str]] = {
    "/ip route": {"dst-address": "0.0.0.0/0", "routing-table": "main"}
}


def matches(item: Item, expression: str, menu: str = "") -> bool:
    """Whether ``item`` (of ``menu``) is what a ``find where`` expression selects:
    ``key=value``, ``key!=value``, ``key~regex`` and ``!key`` (the item has no such value),
    joined by ``and`` (MikroTik manual, "Scripting": find, where)."""
    held = HELD_DEFAULTS.get(menu, {})
    for term in re.split(r"\s+and\s+", expression.strip()):
        if not term:
            continue
        absent = re.fullmatch(r"!([\w.-]+)", term.strip())
        if absent is not None:
            if item.get(absent[1], ""):
                return False
            continue
        match = re.fullmatch(r'([\w.-]+)\s*(=|~|!=)\s*(".*"|\S+)', term.strip())
        if match is None:
            return False
        key, operator, raw = match.groups()
        value = unquote(raw)
        actual = item.get(key, item.get("." + key, held.get(key, "")))
        if operator == "=" and actual != value:
            return False
        if operator == "!=" and actual == value:
            return False
        if operator == "~" and not re.search(value, actual):
            return False
    return True


# The model of a router is rebuilt after every step of a plan (the lockout guard), from the
# same few dozen strings: parsed once (ipaddress objects are immutable).
@functools.lru_cache(maxsize=4096)
def address(text: str) -> IPv4Address | None:
    try:
        return IPv4Address(text)
    except (AddressValueError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def interface(text: str) -> IPv4Interface:
    return IPv4Interface(text)


@functools.lru_cache(maxsize=4096)
def network(text: str) -> IPv4Network:
    return IPv4Network(text)


def port_of(name: str, links: list[Link]) -> Link | None:
    return next((link for link in links if link.name == name), None)


@functools.lru_cache(maxsize=8192)
def resolved(line: str, path: str) -> tuple[str, str | None, tuple[str, ...], int]:
    """(menu, verb, arguments, column of the verb) of a command line typed at menu ``path``;
    no verb for a line that only moves to a menu. Cached: most lines are the same on every
    router, and ``check`` runs thousands of configs through the simulator."""
    tokens = list(tokens_of(line))
    if not tokens:
        raise RosError("syntax error (line 1 column 1)")
    menu = "" if tokens[0].startswith("/") else path.rstrip("/")
    column = 1
    index = 0
    if tokens[0].startswith("/"):
        first = tokens[0][1:]
        tokens = ([first] if first else []) + tokens[1:]
        column = 2
    while index < len(tokens):
        candidate = f"{menu} {tokens[index]}".strip() if menu else f"/{tokens[index]}"
        named = candidate.replace("/ ", "/")
        if named in PREFIXES and (tokens[index] not in VERBS or named in VERB_NAMED_MENUS):
            menu = named
            column += len(tokens[index]) + 1
            index += 1
            continue
        break
    menu = menu or "/"
    words = unmodelled_words(tokens[index:])
    while words and not known_menu((*menu.lstrip("/").split(), *words)):
        words = words[:-1]  # the router names the first word it has no menu for
    if words:
        menu = "/" + " ".join((*menu.lstrip("/").split(), *words))
        column += sum(len(word) + 1 for word in words)
        index += len(words)
    if index == len(tokens):
        return menu, None, (), column
    return menu, tokens[index], tuple(tokens[index + 1 :]), column


# menus RouterOS 6 had as tables where RouterOS 7 has settings
ROUTEROS6_TABLES = {"/tool mac-server", "/tool mac-server mac-winbox"}


def routeros6_form(menu: str, verb: str, args: list[str]) -> bool:
    """A line of a RouterOS 6 export in a menu RouterOS 7 made a setting."""
    params = params_of([arg for arg in args if not arg.startswith("[")])
    return (
        menu in ROUTEROS6_TABLES
        and verb in {"add", "set"}
        and set(params) <= {"interface", "disabled"}
    )


PROPERTY_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")


# an item's internal id, ``*`` and capital hex digits (MikroTik manual, "Scripting": data
# types): an export prints one where the item named has no name of its own (a dynamic
# interface, one removed), as in tests/fixtures/real-configs (``interface=*1``)
INTERNAL_ID = re.compile(r"\*[0-9A-F]+")


# names a matcher takes beside the interfaces: every interface, none, and every one of a
# kind (captures: "in-interface=all-ppp" in the MSS rules of tests/fixtures/real-configs,
# "in-interface=all-ethernet" in a public ``/ip firewall filter print``)
BUILTIN_INTERFACES = frozenset(
    {"all", "none", "all-ethernet", "all-ppp", "all-vlan", "all-wireless"}
)


def flags_of(args: list[str]) -> list[str]:
    """The bare words of an ``add``: a flag such as a route's ``blackhole``, or ``!name``,
    a property printed as set to nothing (``add !dhcp-options interface=ether1``)."""
    return [arg for arg in args if "=" not in arg and re.fullmatch(r"!?[a-z][a-z0-9-]*", arg)]


HARDWARE_PORT = re.compile(r"(ether|sfp|sfp-sfpplus|qsfp28-|combo)\d+(-\d+)?")


def unmodelled_words(tokens: list[str]) -> list[str]:
    """The menu words at the start of ``tokens`` (up to the command word, a selector or a
    value): a menu the twin does not model, such as ``routing table``."""
    words: list[str] = []
    for token in tokens:
        if token in VERBS or "=" in token or token.startswith(("[", '"', "*")):
            break
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", token):
            break
        words.append(token)
    return words


@functools.lru_cache(maxsize=8192)
def parameters(args: tuple[str, ...]) -> Mapping[str, str]:
    """A command's ``key=value`` arguments, read-only (cached like :func:`_resolved`: the
    caller copies them before it stores or changes them)."""
    return MappingProxyType(params_of(args))


@functools.lru_cache(maxsize=8192)
def add_arguments(args: tuple[str, ...]) -> tuple[Mapping[str, str], str | None]:
    """An ``add``'s parameters (read-only), its flags under ``.flags``, and its
    ``place-before=``, if any."""
    rest, before = place_before(list(args))
    if flags := flags_of(rest):
        return MappingProxyType({**parameters(tuple(rest)), ".flags": " ".join(flags)}), before
    return parameters(tuple(rest)), before


def place_before(args: list[str]) -> tuple[list[str], str | None]:
    """Split ``place-before=`` off an ``add`` (a number, an id or ``[ find ... ]``)."""
    return split_named(args, "place-before")


def split_named(args: list[str], name: str) -> tuple[list[str], str | None]:
    """Split the argument ``name=`` (whose value may be a ``[ find ... ]`` of its own)."""
    rest: list[str] = []
    chosen: str | None = None
    tokens = iter(args)
    for token in tokens:
        if token == f"{name}=":
            chosen = next(tokens, "")
        elif token.startswith(f"{name}="):
            chosen = unquote(token.removeprefix(f"{name}="))
        else:
            rest.append(token)
    return rest, chosen


def unset_arguments(args: list[str]) -> tuple[str, str]:
    """``unset <items> value-name=<property>`` (or the property after the items, as the
    console completes it): (the items, the property)."""
    rest, name = split_named(args, "value-name")
    if name is None:
        name = rest[1] if len(rest) > 1 else ""
    return (rest[0] if rest else ""), name


def forget_defaults(menu: str, item: dict[str, str], params: Mapping[str, str], major: int) -> None:
    """A value set back to what it is when nothing sets it on RouterOS ``major`` (a
    comment set to ``""``, a documented default: netprov.syntax.routeros_defaults) is one
    ``/export``
    no longer prints."""
    for key, value in params.items():
        if value == routeros_defaults.default(menu, key, major):
            item.pop(key, None)


def move(items: list[Item], moving: list[Item], before: Item | None) -> None:
    """``move <items> [destination=<item>]``: the items go before ``destination``, or to
    the end without one (MikroTik manual, "Console": move; rule order in "Firewall")."""
    if not moving:
        raise RosError("failure: no such item")
    if before is not None and before in moving:
        return
    for item in moving:
        items.remove(item)
    at = items.index(before) if before is not None else len(items)
    items[at:at] = moving


def renamed(tables: Mapping[str, list[Item]], old: str, new: str) -> None:
    """RouterOS refers to an interface by its internal id: a rename shows everywhere the
    interface is used (addresses, rules, queues, list members, bridge ports)."""
    for table in tables.values():
        for item in table:
            for key in INTERFACE_REFERENCES & item.keys():
                if item[key].lstrip("!") == old:
                    item[key] = item[key].replace(old, new, 1)
