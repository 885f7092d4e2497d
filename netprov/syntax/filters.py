"""The one registry of Jinja filters the templates may use.

Each is a small pure function. ``tests/test_filters.py`` checks that every entry is used
by some template and every filter a template uses is registered here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from ipaddress import IPv4Interface, IPv4Network
from typing import Any

# printed unquoted by /export (``*`` too: an internal id ``*1``, a wildcard ``*.example``)
_ROS_BARE = re.compile(r"[A-Za-z0-9.,:/_!*-]+")
_bare = _ROS_BARE.fullmatch


def ros_value(value: object) -> str:
    r"""A RouterOS value, double-quoted when it holds anything but plain word characters.

    Inventory strings are already refused if they hold quotes, ``$``, ``[``, ``;`` or line
    breaks (:mod:`netprov.clisafe`), so quoting is enough to keep them in their field. The
    scripts netprov writes itself (a DHCP client's ``script``) are escaped inside the quotes
    as ``/export`` prints them: ``\\``, ``\"`` and ``\$`` (MikroTik manual, "Scripting":
    string escapes).

    Examples:
        >>> ros_value("ether1")
        'ether1'
        >>> ros_value("netprov:lan Kantor Desa Balokang")
        '"netprov:lan Kantor Desa Balokang"'
        >>> ros_value(True)
        'yes'
        >>> print(ros_value(':if ($bound=1) do={:log info "up"}'))
        ":if (\$bound=1) do={:log info \"up\"}"
        >>> print(ros_value(":log info ok?\r\n:put \u2705"))
        ":log info ok\?\r\n:put \E2\9C\85"
    """
    if value is True or value is False:
        return "yes" if value else "no"
    text = value if type(value) is str else str(value)
    if _bare(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    if _unprintable(escaped):  # only in what a router holds: inventory text is refused so
        escaped = _UNPRINTABLE.sub(_escape, escaped)
    return f'"{escaped}"'


# What /export prints escaped besides \\ \" \$: ? (console help), line ends and tabs, and
# any other control or non-ASCII byte as \XX (MikroTik manual, "Scripting": constant escape
# sequences; tests/fixtures/real-configs print \r\n, \t, \? and \E2\9C\85)
_UNPRINTABLE = re.compile(r"[?\x00-\x1f\x7f-\U0010ffff]")
_unprintable = _UNPRINTABLE.search
_NAMED = {"?": "\\?", "\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in _NAMED:
        return _NAMED[char]
    return "".join(f"\\{byte:02X}" for byte in char.encode("utf-8", "surrogateescape"))


def ros_line(path: str, verb: str, *selector: str, **params: object) -> str:
    """One RouterOS command in ``/export terse`` style: parameters sorted by name.

    ``None`` values are left out. Python-unfriendly parameter names use ``_`` for ``-``.

    Examples:
        >>> ros_line("/ip address", "add", address="10.0.0.1/24", interface="ether2")
        '/ip address add address=10.0.0.1/24 interface=ether2'
        >>> ros_line("/ip service", "set", "telnet", disabled=True)
        '/ip service set telnet disabled=yes'
    """
    parts = [path, verb, *selector]
    for name, assign in _assignments(tuple(params)):
        value = params[name]
        if value is not None:
            parts.append(assign + ros_value(value))
    return " ".join(parts)


@functools.lru_cache(maxsize=1024)
def _assignments(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The parameters in ``/export`` order, each with its ``name=`` as RouterOS spells it
    (worked out once per set of names: a render calls ros_line 1.5 million times)."""
    return tuple((name, name.replace("_", "-") + "=") for name in sorted(names))


def ros_rate(kbps: int) -> str:
    """A rate the way RouterOS prints it.

    Examples:
        >>> ros_rate(16000), ros_rate(4281)
        ('16M', '4281k')
    """
    return f"{kbps // 1000}M" if kbps % 1000 == 0 else f"{kbps}k"


def netmask(value: IPv4Interface | IPv4Network) -> str:
    """Dotted netmask as IOS wants it.

    Examples:
        >>> netmask(IPv4Interface("10.31.1.1/24"))
        '255.255.255.0'
    """
    return str(value.netmask)


def wildcard(value: IPv4Interface | IPv4Network) -> str:
    """Wildcard (inverse) mask for IOS access lists.

    Examples:
        >>> wildcard(IPv4Network("10.250.10.0/24"))
        '0.0.0.255'
    """
    return str(value.hostmask)


def network(value: IPv4Interface) -> IPv4Network:
    """The subnet an interface address sits in.

    Examples:
        >>> str(network(IPv4Interface("10.31.1.1/24")))
        '10.31.1.0/24'
    """
    return value.network


FILTERS: dict[str, Callable[..., Any]] = {
    "ros_rate": ros_rate,
    "netmask": netmask,
    "wildcard": wildcard,
    "network": network,
    # A filter, not a global: Jinja calls a filter directly, a global through
    # Context.call (about 2 us a call, 42 calls a RouterOS config).
    "ros_line": ros_line,
}
