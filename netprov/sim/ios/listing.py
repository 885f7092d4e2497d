"""How IOS lists a config tree (``show running-config``): each line as the router's own
listing printed it when the twin loaded one, else the way IOS formats it. Pure.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netprov.sim.ios.config import Node

# an IPv4 access list's "deny", as IOS lists it: padded to the width of "permit" however it
# was typed (every real listing in tests/fixtures/real-configs: "deny   ip any any"); IPv6
# lists are not padded
_DENY = re.compile(r"^((?:access-list \d+ |\d+ )?)deny (?=\S)")


def child_lines(node: Node, depth: int, *, listing: bool = False) -> list[str]:
    """The lines under ``node``, each as its listing printed it or indented by its depth.
    Unless the config is a router's own listing (which says "no ip address" where IOS
    does), an interface without an address shows "no ip address" as IOS does."""
    children = node.children
    missing = -1  # where "no ip address" goes, if IOS shows one the tree does not hold
    if node.mode == "config-if":
        description = [c for c in children if c.text.startswith("description ")]
        children = description + [c for c in children if not c.text.startswith("description ")]
        has_address = any(
            c.text.startswith(("ip address", "ip unnumbered", "no ip address")) for c in children
        )
        if not listing and not has_address and children:
            missing = address_index(children)
    out: list[str] = []
    for index, child in enumerate(children):
        if index == missing:
            out.append(" " * depth + "no ip address")
        shown = child.shown
        out.append(shown if shown is not None else " " * depth + aligned(child.text, node.mode))
        out.extend(child_lines(child, depth + 1, listing=listing))
    return out


def aligned(text: str, mode: str) -> str:
    """``text`` as IOS lists it under a section of ``mode`` ("" at the top)."""
    ipv4_list = mode in {"config-std-nacl", "config-ext-nacl"} or (
        not mode and text.startswith("access-list ")
    )
    return _DENY.sub(r"\1deny   ", text) if ipv4_list else text


def address_index(children: list[Node]) -> int:
    """Where IOS lists an interface's address (or its absence): after its description,
    encapsulation and VRF."""
    first = ("description ", "encapsulation", "vrf forwarding")
    return sum(1 for c in children if c.text.startswith(first))


def indent_of(line: str) -> int:
    """How far ``line`` is indented (spaces and tabs)."""
    return len(line) - len(line.lstrip())
