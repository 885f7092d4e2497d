"""Policy routing in the simulated world: routes of tables other than ``main`` and what
picks a table for a packet (a platform's :class:`Classifier`: RouterOS's mangle marks,
connection tracking and routing rules, netprov.sim.routeros.marks). A :class:`PolicyRouter`
forwards an office's packets and answers the router's connections by them. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address
from typing import Any, Protocol

from netprov.sim.packets import Packet
from netprov.sim.topology import PathResult, RouteEntry, Router


class Classifier(Protocol):
    """A platform's policy routing, read from one config: the tables a packet is looked
    up in."""

    def tables(self, packet: Packet) -> tuple[list[str], str]:
        """The tables ``packet`` is looked up in, in order (``main`` where it falls back
        to it; none: dropped), and what decided; the router's own by its output path."""

    def answers(self, packet: Packet) -> list[str]:
        """The tables the router's answers to a new connection ``packet`` (to the router
        itself) are looked up in, in order."""


@dataclass(frozen=True)
class Routed:
    """Where a packet leaves (None: no route), the table that routed it and why."""

    path: PathResult | None
    table: str
    why: str


class PolicyRouter(Router):
    """A router whose own policy routing picks the table a packet is routed by."""

    def __init__(
        self,
        *args: Any,
        tables: dict[str, list[RouteEntry]],
        classifier: Classifier,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tables = tables  # routes of tables other than main
        self.classifier = classifier

    def path_in(self, destination: IPv4Address, table: str) -> PathResult | None:
        """The way out towards ``destination`` by the routes of ``table`` alone (``main``:
        :meth:`path`); a gateway is resolved in ``main`` (MikroTik manual, "Policy
        Routing": a table's gateway must be reachable by main)."""
        if table == "main":
            return self.path(destination)
        main = self.routes()
        candidates = sorted(
            (r for r in self.tables.get(table, []) if destination in r.prefix),
            key=lambda r: (-r.prefix.prefixlen, r.distance),
        )
        for route in candidates:
            result = self._usable(route, 0, main)
            if result is not None:
                return result
        return None

    def routed(self, packet: Packet) -> Routed:
        """Where a packet arriving on the router (or one of its own, ``chain="output"``)
        leaves, by the tables its policy routing picks."""
        if packet.chain == "output" and packet.source == IPv4Address(0):
            # the router's source address: the one of the interface main's route leaves by
            first = self.path(packet.destination)
            address = self.address_of(first.link) if first is not None else None
            packet = replace(packet, source=address.ip if address else packet.source)
        tables, why = self.classifier.tables(packet)
        for table in tables:
            found = self.path_in(packet.destination, table)
            if found is not None:
                return Routed(found, table, why)
        return Routed(None, tables[-1] if tables else "", why)

    def forward_path(self, packet: Packet) -> PathResult | None:
        return self.routed(packet).path

    def answer_path(self, source: IPv4Address, to: IPv4Address, port: int) -> PathResult | None:
        """The router's route back to ``source``, else the first line on which a connection
        from ``source`` is answered by the way it came: the answer's table (its
        connection's mark, MikroTik manual "Mangle") routes it back out of that line."""
        back = self.path(source)
        if back is not None:
            return back
        for link in self.links.values():
            uplink = self.world.uplink_for(link)
            if uplink is None or not self.link_up(link):
                continue
            packet = Packet(source, to, link.name, port=port)
            for table in self.classifier.answers(packet):
                found = self.path_in(source, table)
                if found is not None and found.link is link:
                    return found
        return None
