"""A packet as a twin router's filtering and forwarding see it, and the filtering a
platform reads from one config (netprov.sim.topology routes them). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from netprov.sim.topology import Verdict


@dataclass(frozen=True)
class Packet:
    """A packet as a router's filter sees it: by default the first of a new connection."""

    source: IPv4Address
    destination: IPv4Address
    in_interface: str
    protocol: str = "tcp"
    port: int = 22
    # to the router itself, or through it; RouterOS's NAT chains: before routing (dstnat),
    # leaving (srcnat); the router's own (output)
    chain: Literal["input", "forward", "dstnat", "srcnat", "output"] = "input"
    out_interface: str = ""  # forward and srcnat only
    sessions: int = 0  # sessions already open on the router (IOS hands out vty lines in order)
    state: Literal["new", "established", "related", "invalid"] = "new"  # its connection's
    src_port: int = 0  # the source port (ICMP: the echo's identifier)


def own_packet(destination: IPv4Address, source: IPv4Address | None) -> Packet:
    """An echo the router itself sends (its ``/ping``, a probe from ``src-address``; no
    source given: 0.0.0.0, the router picks it by the route out)."""
    return Packet(source or IPv4Address(0), destination, "", "icmp", 0, "output")


class PacketFilter(Protocol):
    """A platform's filtering of new connections, read from one config (RouterOS: the
    firewall filter, services; IOS: vty lines and their access-class)."""

    def decide(self, packet: Packet) -> Verdict:
        """What the filter does with ``packet``: accept, drop or reject, naming the rule."""
