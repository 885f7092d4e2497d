"""An IOS configuration as a tree, applied line by line the way IOS parses it.

Pure: no I/O. Used for the running config, for ``configure replace`` candidates and for
``show archive config differences``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from netprov.sim.ios.listing import address_index, aligned, child_lines, indent_of
from netprov.sim.ios.modes import (
    KEYED,
    ORDER,
    SINGLE,
    allowed_in,
    order_key,
    section_mode,
)
from netprov.sim.ios.words import GLOBAL_WORDS, INSTANCE_COMMANDS, SECTION_WORDS, known_global
from netprov.syntax import ios_type7 as type7

# Settings on by default that IOS shows as "no ..." once turned off (the web UI's servers)
_DEFAULT_ON = {"ip http server": True, "ip http secure-server": True}

# Lines of ``show running-config`` output that are not configuration.
_DISPLAY_ONLY = ("version ", "Building configuration", "Current configuration")


# where a top-level line is listed: (the listing order's key of the line it follows, 1 for a
# line placed after another or 0, the order such lines came in)
Place = tuple[tuple[int, tuple[object, ...]], int, int]


@dataclass
class Node:
    text: str
    mode: str = ""
    children: list[Node] = field(default_factory=list)
    # where a top-level line the twin has no place for is listed: right after the line it
    # followed when it came (its sort key), in the order such lines came
    place: Place | None = None
    # the line as a listing printed it, indentation and spacing included ("   network ..."
    # under an IOS 12.4 DHCP pool, "deny   ip" in an access list): listed back so; ``text``,
    # its words one space apart, is what the line is matched by
    shown: str | None = None
    indent: int | None = None  # how far the file the line came from indented it

    def find(self, text: str) -> Node | None:
        return next((c for c in self.children if c.text == text), None)


class ConfigError(ValueError):
    """IOS would answer ``% Invalid input detected``; ``column`` is where the caret goes."""

    def __init__(self, column: int = 0) -> None:
        super().__init__("invalid input")
        self.column = column


@functools.lru_cache(maxsize=8192)  # asked of every sibling for every line set: O(n^2) calls
def _key(text: str) -> str:
    """The part of a line that names the setting it holds (one value per key in a section)."""
    for keyed in KEYED:
        match = keyed.match(text)
        if match:
            return " ".join(match.groups())
    for pattern, words in SINGLE:
        if pattern.match(text):
            return " ".join(text.split()[:words])
    return text


# Global commands the twin knows (shapes, not only first words): anything else is invalid.
_GLOBAL = re.compile(
    r"^(hostname \S+|version \S+|service \S.*|boot \S.*|boot-(start|end)-marker|enable \S.*"
    r"|username \S.*|aaa \S.*"
    r"|clock \S.*|login \S.*|file prompt quiet|control-plane|license \S.*|redundancy|banner \S.*"
    r"|multilink \S.*|crypto \S.*|vrf \S.*|access-list \d+ .*|lldp run|cdp run"
    r"|no ip http (secure-)?server"
    r"|ip (domain name \S+|name-server \S.*|ssh version [12]|scp server enable|route \S+ \S+ \S.*"
    r"|nat (inside|outside) source \S.*|http \S.*|forward-protocol \S.*|routing|cef"
    r"|sla schedule \d+ .*"
    r"|dhcp \S.*|tcp \S.*)"
    r"|ntp (server|source) \S.*|logging (host|buffered|trap|source-interface) \S.*"
    r"|snmp-server (community|location|contact|host|enable|ifindex|trap-source) \S.*)$"
)


_BANNER = re.compile(r"^banner (motd|login|exec|incoming|prompt-timeout|slip-ppp) (\S.*)$")

# Passwords ``service password-encryption`` shows as type 7 once they are configured: the
# username, enable, line and PPP passwords (Cisco IOS Security Command Reference, "service
# password-encryption": "applied to all passwords, including username passwords,
# authentication key passwords, the privileged command password, console and virtual
# terminal line access passwords"). Group 1 is kept, group 2 is the clear text.
_CLEAR_PASSWORD = re.compile(
    r"^((?:ppp chap password|ppp pap sent-username \S+ password"
    r"|username \S+(?: privilege \d+)? password|enable password(?: level \d+)?|password))"
    r" (?:0 )?(\S+)$"
)
_ENCRYPTION = "service password-encryption"
_NO_ADDRESS = "no ip address"


class IosConfig:
    """A running (or candidate) configuration and the cursor of a config-mode session."""

    def __init__(self, *, listing: bool = False, as_written: bool = False) -> None:
        self.root = Node("", "")
        # a router's own listing: its interfaces list "no ip address" where IOS printed it,
        # none is made up where it did not (a subinterface with only a PVC has none)
        self.listing = listing
        # lines are listed as the file wrote them (a listing IOS printed), not re-spaced
        self.as_written = as_written
        self._shown: str | None = None  # the file line being applied, as it was written
        self._indent: int | None = None  # and its indentation
        self._last_top: Node | None = None  # the top-level line the cursor last touched
        self._placed = 0  # how many lines were placed after another one
        self._banner: Node | None = None  # a banner whose text is still coming
        self._delimiter = ""

    def _encrypt_passwords(self) -> None:
        """Under ``service password-encryption``, clear-text passwords are kept as type 7."""
        if self.root.find(_ENCRYPTION) is None:
            return
        stack = [self.root]
        while stack:
            node = stack.pop()
            for child in node.children:
                clear = _CLEAR_PASSWORD.match(child.text)
                if clear is not None:
                    child.text = f"{clear[1]} 7 {type7.encode(clear[2])}"
                    child.shown = None
                stack.append(child)

    # --- building ---------------------------------------------------------------------

    def apply(self, line: str, stack: list[Node], *, in_file: bool = False) -> list[Node]:
        """Apply one config-mode line at the position ``stack`` (root first); return the new one.
        ``in_file``: a line of a config file, where only indentation puts a line in a section
        (an unindented line after one is global, as in a listing).

        Raises ConfigError for what IOS would reject.
        """
        if self._banner is not None:
            self._banner_line(line)
            return stack[:1]
        indented = line[:1].isspace()
        if in_file and not indented:
            stack = stack[:1]
        text = " ".join(line.split())
        banner = _BANNER.match(text)
        if banner is not None and not indented:
            self._open_banner(text)
            return stack[:1]
        if not text or text.startswith("!"):
            return stack
        self._shown = line.rstrip() if in_file and self.as_written else None
        self._indent = indent_of(line) if in_file else None
        if text == "exit":
            return stack[:-1] if len(stack) > 1 else stack
        if indented and len(stack) == 1 and self._last_top is not None:
            stack = [*stack, self._last_top]  # the lines under a line the twin keeps verbatim
        if in_file and indented:  # in a file, a line is under the last line indented less
            while len(stack) > 2 and _indent(stack[-1], len(stack) - 1) >= indent_of(line):
                stack = stack[:-1]
        while True:
            current = stack[-1]
            if len(stack) == 1:
                stack = self._apply_global(text, stack, in_file=in_file)
                break
            typed_in_section = current.mode not in {"", "verbatim"} and _stays_in_section(text)
            if indented or allowed_in(current.mode, text) or typed_in_section:
                depth = _depth(line) if indented else 0
                stack = self._apply_child(text, stack, depth=depth, in_file=in_file)
                break
            stack = stack[:-1]
        if "password" in text:
            self._encrypt_passwords()
        return stack

    def _apply_global(self, text: str, stack: list[Node], *, in_file: bool) -> list[Node]:
        shown_off = _DEFAULT_ON.get(text.removeprefix("no "))
        if shown_off is not None:  # on by default: IOS shows it off as "no ..."
            positive = text.removeprefix("no ")
            self._remove(self.root, "no " + positive)
            self._remove(self.root, positive)
            self.root.children.append(self._node(text))
            return stack
        if text.startswith("no "):
            positive = text[3:]
            before = len(self.root.children)
            self._remove(self.root, positive)
            removed = len(self.root.children) != before
            # a default turned off, as a listing shows it (no aaa new-model); typed, a "no"
            # that removes nothing leaves nothing (no file prompt quiet: back to the default)
            turned_off = (
                in_file
                and not removed
                and not positive.startswith(INSTANCE_COMMANDS)
                and (known_global(positive) or _GLOBAL.match(positive) is not None)
            )
            if turned_off:
                self._last_top = self.root.find(text) or self._add_top(self._node(text))
            return stack
        mode = section_mode(text, "")
        if mode is None and not _GLOBAL.match(text):
            if not known_global(text):
                raise ConfigError(_bad_column(text))
            kept = self.root.find(text) or self._add_top(self._node(text))  # kept verbatim
            self._last_top = kept
            return [*stack, kept]
        if mode is not None:
            node = self.root.find(text)
            if node is None:
                node = self._add_top(self._node(text, mode))
            self._last_top = node
            return [*stack, node]
        self._remove(self.root, "no " + text)  # the setting on again
        self._last_top = _set_leaf(self.root, text, self._place_for(text), self._node(text))
        return stack

    def _node(self, text: str, mode: str = "") -> Node:
        """A node for the line being applied, listed as it was written."""
        return Node(text, mode, shown=self._shown, indent=self._indent)

    def _open_banner(self, text: str) -> None:
        """``banner motd ^C``: the text runs to the next delimiter, on this line or a later
        one; listings print the delimiter as ``^C`` (Cisco IOS Configuration Fundamentals
        Command Reference, "banner motd")."""
        match = _BANNER.match(text)
        assert match is not None
        kind, rest = match[1], match[2]
        self._delimiter = "^C" if rest.startswith("^C") else rest[0]
        self._remove(self.root, f"banner {kind}")
        node = self._add_top(Node(f"banner {kind} {rest}"))
        self._last_top = node
        if self._delimiter not in rest[len(self._delimiter) :]:
            self._banner = node  # more lines to come

    def _banner_line(self, line: str) -> None:
        assert self._banner is not None
        self._banner.text += "\n" + line.rstrip()
        if self._delimiter in line:
            self._banner = None

    def _place_for(self, text: str) -> Place | None:
        """A line the listing order has no place for goes after the line before it."""
        if order_key(text)[0] < len(ORDER):
            return None
        anchor = _sort_key(self._last_top) if self._last_top is not None else ((-1, ()), 0, 0)
        self._placed += 1
        return (anchor[0], 1, self._placed)

    def _add_top(self, node: Node) -> Node:
        node.place = self._place_for(node.text)
        self.root.children.append(node)
        return node

    def _apply_child(
        self, text: str, stack: list[Node], *, depth: int = 0, in_file: bool = False
    ) -> list[Node]:
        current = stack[-1]
        if text.startswith("no "):
            self._negate(current, text[3:], in_file=in_file)
            return stack
        mode = section_mode(text, current.mode)
        if mode is not None:
            node = current.find(text)
            if node is None:
                node = self._node(text, mode)
                current.children.append(node)
            return [*stack, node]
        if not allowed_in(current.mode, text):
            # a line the twin does not model, under the line above it (by its indentation)
            if not in_file and 0 < depth < len(stack):
                stack = stack[: depth + 1]
            parent = stack[-1]
            # the same line twice is one line, but for the "exit-..." ending each block
            node = None if text.startswith("exit") else parent.find(text)
            if node is None:
                node = self._node(text, "verbatim")
                parent.children.append(node)
            return [*stack, node]
        if text.startswith(("ip address ", "ip unnumbered ")):
            self._remove(current, _NO_ADDRESS)
        self._remove(current, "no " + text)  # the default on again
        _set_leaf(current, text, made=self._node(text))
        return stack

    def _negate(self, section: Node, target: str, *, in_file: bool) -> None:
        """``no X`` in a section: X goes. In a config file, a ``no X`` that removes nothing is
        a default turned off, and IOS lists it there ("no ip redirects" under an interface,
        "no exec" under a line), as it does globally; "no shutdown" and "no description"
        leave nothing. A router's listing has "no ip address" where IOS printed it."""
        before = len(section.children)
        self._remove(section, target)  # "no ip address" takes "ip address dhcp" too
        removed = len(section.children) != before
        if target == "ip address" and self.listing and section.mode == "config-if":
            self._remove(section, "no ip address")
            index = len(section.children) if in_file else address_index(section.children)
            section.children.insert(index, self._node("no ip address"))
        elif (
            in_file
            and not removed
            and target not in {"shutdown", "description", "ip address"}
            and section.find(f"no {target}") is None
        ):
            section.children.append(self._node(f"no {target}"))

    @staticmethod
    def _remove(parent: Node, target: str) -> None:
        parent.children = [
            c for c in parent.children if not (c.text == target or c.text.startswith(target + " "))
        ]

    def load(self, text: str) -> list[tuple[int, str]]:
        """Apply a whole config file (as ``configure replace`` does); return rejected lines."""
        stack = [self.root]
        rejected: list[tuple[int, str]] = []
        seen: set[int] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if self._banner is not None:  # a banner's text is its own, "!" and "end" too
                self.apply(line, stack, in_file=True)
                continue
            if stripped == "end":
                break
            if line.startswith("!"):
                stack = [self.root]  # in a config file an unindented "!" closes the section
                continue
            if stripped.startswith(_DISPLAY_ONLY):
                continue
            try:
                stack = self.apply(line, stack, in_file=True)
            except ConfigError:
                rejected.append((number, stripped))
                continue
            section = stack[-1]
            if len(stack) > 1 and id(section) not in seen:
                # a section written in the file is the whole section (replace semantics):
                # defaults such as a port's "shutdown" go unless the file repeats them
                seen.add(id(section))
                if section.text == stripped:
                    section.children = []
        self._encrypt_passwords()
        return rejected

    # --- reading ----------------------------------------------------------------------

    def hostname(self) -> str:
        node = next((c for c in self.root.children if c.text.startswith("hostname ")), None)
        return node.text.split(None, 1)[1] if node else "Router"

    def top(self, prefix: str) -> list[Node]:
        return [c for c in self.root.children if c.text.startswith(prefix)]

    def lines(self) -> list[str]:
        """The config body as ``show running-config`` prints it (without header)."""
        out: list[str] = []
        for node in sorted(self.root.children, key=_sort_key):
            out.append(node.shown if node.shown is not None else aligned(node.text, ""))
            out.extend(child_lines(node, 1, listing=self.listing))
            if node.children or node.text.startswith(("interface", "router", "line", "archive")):
                out.append("!")
        return out

    def clone(self) -> IosConfig:
        copy = IosConfig(listing=self.listing, as_written=self.as_written)
        copy.load("\n".join(self.lines()))
        return copy


def _bad_column(text: str) -> int:
    """Where IOS puts the caret: at the first word it cannot parse (approximately)."""
    words = text.split()
    for count in range(len(words), 0, -1):
        prefix = " ".join(words[:count])
        if _GLOBAL.match(prefix + " x") or _GLOBAL.match(prefix) or section_mode(prefix, ""):
            return len(prefix) + 1
    return 0


def _set_leaf(
    parent: Node, text: str, place: Place | None = None, made: Node | None = None
) -> Node:
    """Set the single-valued ``text`` under ``parent`` (``made``: its node, as written)."""
    node = made or Node(text)
    key = _key(text)
    for index, child in enumerate(parent.children):
        if child.text == text:
            return child
        if key != text and _key(child.text) == key:
            node.place = child.place
            parent.children[index] = node
            return node
    node.place = place
    parent.children.append(node)
    return node


def _sort_key(node: Node) -> Place:
    """Where a top-level line is listed: by the listing order of IOS, or (a line it has no
    place for) right after the line it followed."""
    return node.place if node.place is not None else (order_key(node.text), 0, 0)


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indent(node: Node, level: int) -> int:
    """How far a node's line is indented: as its file wrote it, else by its level."""
    return node.indent if node.indent is not None else level


@functools.lru_cache(maxsize=4096)
def _stays_in_section(text: str) -> bool:
    """An unindented line typed in a section that IOS takes there although the twin does
    not model it: its first word starts no global command, or starts section commands too
    (``ip ospf cost 10`` under an interface), and it is not a global command the twin knows."""
    first = text.split(maxsplit=1)[0]
    if section_mode(text, "") is not None or _GLOBAL.match(text):
        return False
    return first not in GLOBAL_WORDS or first in SECTION_WORDS


def interface_shutdown(node: Node) -> bool:
    return any(c.text == "shutdown" for c in node.children)


def contextual_diff(running: IosConfig, candidate: IosConfig) -> list[str]:
    """``show archive config differences`` in IOS's contextual format (+ added, - removed)."""
    return _diff_nodes(running.root, candidate.root, 0)


def _diff_nodes(old: Node, new: Node, depth: int) -> list[str]:
    out: list[str] = []
    pad = " " * depth
    # "no ip address" is display (said or not, an interface without an address shows it)
    old_children = [c for c in old.children if c.text != _NO_ADDRESS]
    new_children = [c for c in new.children if c.text != _NO_ADDRESS]
    old_map = {c.text: c for c in old_children}
    new_map = {c.text: c for c in new_children}
    for child in old_children:
        if child.text not in new_map:
            out.append(f"{pad}-{child.text}")
            out.extend(f"{pad} -{line.strip()}" for line in child_lines(child, 0))
    for child in new_children:
        if child.text not in old_map:
            out.append(f"{pad}+{child.text}")
            out.extend(f"{pad} +{line.strip()}" for line in child_lines(child, 0))
        else:
            inner = _diff_nodes(old_map[child.text], child, depth + 1)
            if inner:
                out.append(f"{pad}{child.text}")
                out.extend(inner)
    return out
