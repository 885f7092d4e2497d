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
        "move",
        "renew",
        "release",
        "unset",
        "run",
    }
)
MANAGED_PREFIX = "netprov:"
# Menus whose last word is also a command's name (MikroTik manual, "MAC server": the
# MAC-ping server is ``/tool mac-server ping``; ``/ping`` is the command)
VERB_NAMED_MENUS = frozenset({"/tool mac-server ping"})

# Settings menus and their factory values (``/export`` omits values equal to these).
SETTINGS: dict[str, dict[str, str]] = {
    "/system identity": {"name": "MikroTik"},
    "/system clock": {"time-zone-name": "manual"},
    "/system ntp client": {"enabled": "no"},
    "/snmp": {"enabled": "no", "contact": "", "location": ""},
    "/ip dns": {"servers": "", "allow-remote-requests": "no"},
    "/ip traffic-flow": {"enabled": "no", "interfaces": "all"},
    "/ip neighbor discovery-settings": {"discover-interface-list": "all"},
    # MAC-Telnet, MAC-WinBox and MAC-ping, and the bandwidth-test server: on everywhere on
    # a factory router (MikroTik manual, "MAC server", "Bandwidth Test")
    "/tool mac-server": {"allowed-interface-list": "all"},
    "/tool mac-server mac-winbox": {"allowed-interface-list": "all"},
    "/tool mac-server ping": {"enabled": "yes"},
    "/tool bandwidth-server": {"enabled": "yes", "authenticate": "yes"},
}


# RouterOS string escapes (MikroTik manual, "Scripting": constant escape sequences): \" \\
# \n \r \t \$ \? \_ (a space) \a \b \f \v, and \XX, a byte in capital hex digits (an
# export prints each byte of a UTF-8 character so); any other escaped character is itself
_ESCAPED = re.compile(r"\\([0-9A-F]{2}|.)", re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "_": " ", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@functools.lru_cache(maxsize=1024)
def tokens_of(line: str) -> tuple[str, ...]:
    """A command line's tokens. Cached: a check reads each line twice (its plan, and the
    simulator of the router) and the tokenising regex is a third of reading it."""
    return tuple(TOKEN.findall(line))


def unquote(value: str) -> str:
    r"""A value as the router holds it: quotes removed, escapes read.

    Examples:
        >>> unquote('"Desa X"'), unquote("ether1")
        ('Desa X', 'ether1')
        >>> unquote(r'":put \$x\r\n:log info \"up \41\""')
        ':put $x\r\n:log info "up A"'
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        return _unescaped(inner) if "\\" in inner else inner
    return value


def _unescaped(text: str) -> str:
    """``text`` with its escapes read; escaped bytes are UTF-8 (an undecodable one is kept
    as a surrogate, so printing it again gives the same byte)."""
    data = bytearray()
    last = 0
    for match in _ESCAPED.finditer(text):
        data += text[last : match.start()].encode("utf-8", "surrogateescape")
        code = match[1]
        if len(code) == 2:
            data.append(int(code, 16))
        else:
            data += _ESCAPES.get(code, code).encode("utf-8", "surrogateescape")
        last = match.end()
    data += text[last:].encode("utf-8", "surrogateescape")
    return data.decode("utf-8", "surrogateescape")


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
    # words without a value after the first (``blackhole``, ``!dhcp-options``: a property
    # printed unset), in the order printed
    flags: tuple[str, ...] = ()

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
    while index < len(tokens) and (
        tokens[index].lstrip("/") not in VERBS
        or "/" + " ".join([*path, tokens[index].lstrip("/")]) in VERB_NAMED_MENUS
    ):
        path.append(tokens[index].lstrip("/"))
        index += 1
    if index == len(tokens):
        raise ValueError(f"no command verb in {line!r}")
    verb, rest = tokens[index].lstrip("/"), tokens[index + 1 :]
    selector = ""
    if rest and (rest[0].startswith("[") or "=" not in rest[0]):
        selector, rest = rest[0], rest[1:]
    params = MappingProxyType(params_of(rest))
    flags = tuple(token for token in rest if "=" not in token)
    return RosCommand("/" + " ".join(p for p in path if p), verb, selector, params, flags)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with ``\\``-continued lines joined, as ``/export`` wraps
    long lines (its continuations start with four spaces).

    Examples:
        >>> logical_lines("/ip dns\\nset servers=192.0.2.53 \\\\\\n    allow-remote-requests=yes")
        [(1, '/ip dns'), (2, 'set servers=192.0.2.53 allow-remote-requests=yes')]
    """
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        first, line = (number, raw) if pending is None else (pending[0], pending[1] + raw.lstrip())
        pending = None
        if line.endswith("\\"):
            pending = (first, line[:-1])
            continue
        joined.append((first, line))
    if pending is not None:
        joined.append(pending)
    return joined


def terse_lines(text: str) -> list[tuple[int, str]]:
    """An export in either form as terse lines, each with its menu: ``/export terse``
    (a full path on every line) or the default block form (a menu line, then ``add`` and
    ``set`` lines relative to it). Comments and blank lines are left out.

    Examples:
        >>> terse_lines("# by RouterOS 7.16\\n/ip address\\nadd address=10.0.0.1/24")
        [(3, '/ip address add address=10.0.0.1/24')]
    """
    lines: list[tuple[int, str]] = []
    menu = ""
    for number, line in logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("/"):
            if _menu_line(stripped):
                menu = stripped  # a block's menu line
                continue
            lines.append((number, stripped))
        else:
            lines.append((number, f"{menu} {stripped}" if menu else stripped))
    return lines


def _menu_line(line: str) -> bool:
    """A line that only names a menu (a block's header): no command word in it. A line
    with a value or a selector is a command (every line of a terse export is)."""
    if "=" in line or "[" in line:
        return False
    if " ".join(line.split()) in VERB_NAMED_MENUS:
        return True
    return not any(token in VERBS for token in tokens_of(line))


def parse_export(text: str) -> list[RosCommand]:
    """The commands of an export, terse or block form (comments and blank lines skipped)."""
    return [parse_command(line) for _, line in terse_lines(text)]
