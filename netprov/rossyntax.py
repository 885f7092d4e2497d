"""RouterOS command-line syntax shared by the planner and the twin: one parser, one format.

Examples:
    >>> cmd = parse_command('/ip address add address=10.0.0.1/24 comment="netprov:lan-1 Desa X"')
    >>> cmd.path, cmd.verb, cmd.params["comment"]
    ('/ip address', 'add', 'netprov:lan-1 Desa X')
    >>> parse_command("/snmp community set [ find default=yes ] disabled=yes").selector
    '[ find default=yes ]'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\[[^\]]*\]|[^\s"\[]+(?:"(?:\\.|[^"\\])*")?')
VERBS = frozenset(
    {
        "add",
        "set",
        "remove",
        "print",
        "export",
        "find",
        "enable",
        "disable",
        "ping",
        "import",
        "quit",
        "save",
        "load",
        "reboot",
        "get",
        "edit",
        "comment",
        "monitor",
    }
)
MANAGED_PREFIX = "netprov:"

# Settings menus and their factory values (``/export`` omits values equal to these).
SETTINGS: dict[str, dict[str, str]] = {
    "/system identity": {"name": "MikroTik"},
    "/system clock": {"time-zone-name": "manual"},
    "/system ntp client": {"enabled": "no"},
    "/snmp": {"enabled": "no", "contact": "", "location": ""},
    "/ip dns": {"servers": "", "allow-remote-requests": "no"},
    "/ip traffic-flow": {"enabled": "no", "interfaces": "all"},
    "/ip neighbor discovery-settings": {"discover-interface-list": "all"},
}


_ESCAPED = re.compile(r"\\(.)")


@functools.lru_cache(maxsize=1024)
def tokens_of(line: str) -> tuple[str, ...]:
    """A command line's tokens. Cached: a check reads each line twice (its plan, and the
    simulator of the router) and the tokenising regex is a third of reading it."""
    return tuple(TOKEN.findall(line))


def unquote(value: str) -> str:
    """Examples:
    >>> unquote('"Desa X"'), unquote("ether1")
    ('Desa X', 'ether1')
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return _ESCAPED.sub(r"\1", inner) if "\\" in inner else inner
    return value


def params_of(tokens: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep:
            params[key] = unquote(value)
    return params


@dataclass(frozen=True)
class RosCommand:
    """One parsed command line. Read-only (its ``params`` too): parsed lines are shared."""

    path: str
    verb: str
    selector: str = ""
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def managed_key(self) -> str | None:
        """``netprov:<key>`` of an object netprov owns (first word of its comment)."""
        comment = self.params.get("comment", "")
        return comment.split()[0] if comment.startswith(MANAGED_PREFIX) else None


@functools.lru_cache(maxsize=8192)
def parse_command(line: str) -> RosCommand:
    """Parse an absolute ``/menu ... verb [selector] key=value ...`` line. Cached: most
    lines are the same on every router (services, firewall, logging), and ``check`` plans
    thousands of them."""
    tokens = tokens_of(line.strip())
    path: list[str] = []
    index = 0
    while index < len(tokens) and tokens[index] not in VERBS:
        path.append(tokens[index].lstrip("/"))
        index += 1
    if index == len(tokens):
        raise ValueError(f"no command verb in {line!r}")
    verb, rest = tokens[index], tokens[index + 1 :]
    selector = ""
    if rest and (rest[0].startswith("[") or "=" not in rest[0]):
        selector, rest = rest[0], rest[1:]
    params = MappingProxyType(params_of(rest))
    return RosCommand("/" + " ".join(p for p in path if p), verb, selector, params)


def parse_export(text: str) -> list[RosCommand]:
    """The commands of an ``/export terse`` (comments and blank lines skipped)."""
    return [
        parse_command(line)
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]
