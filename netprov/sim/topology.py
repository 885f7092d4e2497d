"""The simulated world around a twin router: which uplinks work, and what answers a ping.

Personalities describe their config as neutral :class:`Link` and :class:`RouteEntry`
objects; this module decides which routes are usable (their egress uplink alive, their
tracked probe answering through it) and whether a destination answers. Pure.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Literal

from netprov.phases import Role
from netprov.sim.packets import Packet, PacketFilter, own_packet

_PRIVATE = [
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv4Network("100.64.0.0/10"),
]


@dataclass
class UplinkSim:
    """The provider side of one uplink, as the scenario wants it."""

    role: Role
    port: str
    vlan: int | None  # the VLAN the provider delivers on (may differ from the config: a fault)
    gateway: IPv4Address | None  # provider gateway; for DHCP/PPPoE the one it hands out
    lease: IPv4Interface | None = None  # address DHCP/PPPoE assigns
    alive: bool = True
    loss_percent: int = 0
    path_mtu: int = 1500  # the largest packet the provider's path carries unfragmented
    public: IPv4Address | None = None  # where the internet sees traffic leaving by this line


@dataclass
class Link:
    """An L3 interface of the router as its config defines it."""

    name: str
    address: IPv4Interface | None
    admin_up: bool
    port: str
    vlan: int | None = None
    dynamic: str | None = None  # "dhcp" or "pppoe": addressed by the provider
    # a bridge: a line may reach it untagged through one of its ports, or tagged (a VLAN
    # interface on it); its own untagged side is never a tagged line's trunk
    bridge: bool = False


@dataclass
class RouteEntry:
    """One route of a router's table: prefix, gateway or interface, distance."""

    prefix: IPv4Network
    gateway: IPv4Address | None
    interface: str | None
    distance: int
    probe: IPv4Address | None = None  # tracked target that must answer through this route
    code: str = "S"
    probe_source: str | None = None  # IOS SLA: the probe leaves by this interface


@dataclass
class World:
    """What lies around a router: its uplinks' providers and the city's central services."""

    uplinks: list[UplinkSim]
    central_services: list[IPv4Network] = field(default_factory=list)
    # what the filtering resolvers answer, name -> address (a name not here does not exist)
    names: dict[str, IPv4Address] = field(default_factory=dict)
    # web traffic policy-routed out of this line whatever the routes say (a fault)
    egress_via: Role | None = None

    def uplink_for(self, link: Link) -> UplinkSim | None:
        """The provider's side of ``link``, if a line is plugged into it: on its port, the
        line on its VLAN (a port may carry an untagged line and a tagged one), else the
        port's first (a link on another VLAN of it sees that line's state)."""
        lines = [
            u
            for u in self.uplinks
            if u.port == link.port
            and not (link.bridge and link.vlan is None and u.vlan is not None)
        ]
        return next((u for u in lines if u.vlan == link.vlan), lines[0] if lines else None)


@dataclass
class PathResult:
    """Where a packet to an address leaves: the link, the line behind it, the gateway."""

    link: Link
    uplink: UplinkSim | None


@dataclass(frozen=True)
class Forwarding:
    """How a router forwards packets to one address (its FIB entry, as IOS ``show ip cef``
    and RouterOS's ``immediate-gw`` show it): the route's prefix, the link out, and the
    neighbour it hands them to (None: the address is on the link itself)."""

    prefix: IPv4Network
    link: Link
    next_hop: IPv4Address | None


@dataclass(frozen=True)
class Verdict:
    """What a router does with a new connection, and the rule (or setting) that decided."""

    action: Literal["accept", "drop", "reject"]
    reason: str = ""

    @property
    def accepted(self) -> bool:
        """Whether the packet gets through."""
        return self.action == "accept"


@dataclass(frozen=True)
class Carried:
    """What a router does with a ping an office PC on its LAN sends: carried out (and the
    reply back), or lost and why; and the way it left, the interface and the line behind
    it (None: it never left)."""

    delivered: bool
    reason: str  # why it was lost ("" when delivered)
    link: Link | None = None
    uplink: UplinkSim | None = None


class Router:
    """Routing decisions for one device state in one world."""

    def __init__(
        self,
        world: World,
        links: list[Link],
        static: list[RouteEntry],
        dynamic_distance: dict[str, int],
        translated: set[str] | None = None,
        packet_filter: PacketFilter | None = None,
    ) -> None:
        self.world = world
        self.links = {link.name: link for link in links}
        self.static = static
        self.dynamic_distance = dynamic_distance
        # links whose outgoing traffic is source-NATed (None: NAT not modelled, all are)
        self.translated = translated
        self.packet_filter = packet_filter  # None: nothing filtered
        self._paths: dict[IPv4Address, PathResult | None] = {}  # path(), once per address

    def with_packet_filter(self, packet_filter: PacketFilter) -> Router:
        """The same routing with another filter (a step that changed only the filter):
        links, routes and the paths already looked up are shared."""
        other = copy.copy(self)
        other.packet_filter = packet_filter
        return other

    # --- new connections -----------------------------------------------------------------

    def admits(
        self, source: IPv4Address, destination: IPv4Address, *, port: int = 22, sessions: int = 0
    ) -> Verdict:
        """Whether a new management session from ``source`` gets in: it arrives on the
        interface the router's own route back to ``source`` leaves by (no route back: the
        router's answers go nowhere: :meth:`answer_path`), then meets the config's filtering."""
        path = self.answer_path(source, destination, port)
        if path is None:
            return Verdict("drop", f"no route back to {source}")
        if self.packet_filter is None:
            return Verdict("accept")
        packet = Packet(source, destination, path.link.name, port=port, sessions=sessions)
        return self.packet_filter.decide(packet)

    def answer_path(self, source: IPv4Address, to: IPv4Address, port: int) -> PathResult | None:
        """How the router's answers to ``source`` leave: its route back (netprov.sim.
        policy_routes: by the line the connection came in on)."""
        return self.path(source)

    def forward_path(self, packet: Packet) -> PathResult | None:
        """How ``packet`` leaves: its destination's route (netprov.sim.policy_routes)."""
        return self.path(packet.destination)

    def forwards_new(
        self, source: IPv4Address, destination: IPv4Address, in_interface: str, *, port: int = 80
    ) -> Verdict:
        """Whether a new connection arriving on ``in_interface`` is forwarded on to
        ``destination`` (a host behind the router, e.g. on the LAN)."""
        path = self.path(destination)
        if path is None:
            return Verdict("drop", f"no route to {destination}")
        if self.packet_filter is None:
            return Verdict("accept")
        packet = Packet(
            source,
            destination,
            in_interface,
            port=port,
            chain="forward",
            out_interface=path.link.name,
        )
        return self.packet_filter.decide(packet)

    def carries(self, source: IPv4Address, destination: IPv4Address, run: int = 0) -> Carried:
        """A ping from a host on one of the router's networks (an office PC) to
        ``destination`` (``run``: its ICMP identifier), forwarded as the config makes it:
        in on the interface holding ``source``'s network, out by :meth:`forward_path`
        through the forward chain, delivered only if that line carries it and leaves
        translated where it must (:meth:`delivers`, :meth:`_source_fits`)."""
        arrives = next(
            (
                link
                for link in self.links.values()
                if (address := self.address_of(link)) is not None
                and source in address.network
                and self.link_up(link)
            ),
            None,
        )
        if arrives is None:
            return Carried(False, f"no interface of the router is up on {source}'s network")
        path = self.forward_path(
            Packet(source, destination, arrives.name, "icmp", 0, "forward", src_port=run)
        )
        if path is None:
            return Carried(False, f"no route to {destination}")
        link, uplink = path.link, path.uplink
        if self.packet_filter is not None:
            packet = Packet(
                source,
                destination,
                arrives.name,
                protocol="icmp",
                port=0,
                chain="forward",
                out_interface=link.name,
            )
            verdict = self.packet_filter.decide(packet)
            if not verdict.accepted:
                reason = f"forward chain: {verdict.action} ({verdict.reason})"
                return Carried(False, reason, link, uplink)
        if not self.delivers(path, destination):
            return Carried(False, f"{link.name} does not carry it to {destination}", link, uplink)
        if not self._source_fits(path, destination, source):
            return Carried(False, f"leaves {link.name} untranslated (no source NAT)", link, uplink)
        return Carried(True, "", link, uplink)

    # --- layer 2/3 state ---------------------------------------------------------------

    def link_up(self, link: Link) -> bool:
        """Whether ``link`` carries traffic: enabled, and its line (or PPPoE session) up."""
        if not link.admin_up:
            return False
        uplink = self.world.uplink_for(link)
        if uplink is None:
            return True  # LAN side
        if link.vlan is None and uplink.vlan is not None:
            return uplink.alive  # the trunk port itself: physically up, carries no untagged L3
        return uplink.alive and uplink.vlan == link.vlan

    def address_of(self, link: Link) -> IPv4Interface | None:
        """The address on ``link``: configured, else leased from its line (DHCP, PPPoE)."""
        if link.dynamic and link.address is None:
            uplink = self.world.uplink_for(link)
            return uplink.lease if uplink and self.link_up(link) else None
        return link.address

    def _leased(self, link: Link) -> bool:
        """Whether the DHCP or PPPoE client of ``link`` holds a lease from its line (a line
        that hands out none, a static one, leaves the client searching)."""
        uplink = self.world.uplink_for(link)
        return uplink is not None and uplink.lease is not None and self.link_up(link)

    def connected(self) -> list[RouteEntry]:
        """The connected routes of every link that is up."""
        routes = []
        for link in self.links.values():
            address = self.address_of(link)
            if address is not None and self.link_up(link):
                routes.append(RouteEntry(address.network, None, link.name, 0, code="C"))
        return routes

    def dynamic_defaults(self) -> list[RouteEntry]:
        """The default routes the DHCP and PPPoE clients install, with their distances."""
        routes = []
        for name, distance in self.dynamic_distance.items():
            link = self.links.get(name)
            uplink = self.world.uplink_for(link) if link else None
            # installed once the client is bound (MikroTik manual, "DHCP client")
            if link and uplink and uplink.gateway and self._leased(link):
                routes.append(
                    RouteEntry(IPv4Network("0.0.0.0/0"), uplink.gateway, name, distance, code="S*")
                )
        return routes

    # --- forwarding --------------------------------------------------------------------

    def routes(self) -> list[RouteEntry]:
        """Every route the router holds: connected, static and from DHCP or PPPoE."""
        return [*self.connected(), *self.static, *self.dynamic_defaults()]

    def active_routes(self) -> list[RouteEntry]:
        """Routes that would be installed: usable, best distance per prefix."""
        best: dict[IPv4Network, RouteEntry] = {}
        routes = self.routes()
        for route in routes:
            if self._usable(route, 0, routes) is None:
                continue
            current = best.get(route.prefix)
            if current is None or route.distance < current.distance:
                best[route.prefix] = route
        return sorted(
            best.values(), key=lambda r: (int(r.prefix.network_address), r.prefix.prefixlen)
        )

    def path(
        self, destination: IPv4Address, depth: int = 0, routes: list[RouteEntry] | None = None
    ) -> PathResult | None:
        """The way out towards ``destination`` (``routes``: :meth:`routes`, when the caller
        has them already: a recursive next hop looks them up again)."""
        if depth > 3:
            return None
        if depth == 0 and routes is None:  # a lookup from outside: once per address
            if destination not in self._paths:
                self._paths[destination] = self.path(destination, 0, self.routes())
            return self._paths[destination]
        routes = self.routes() if routes is None else routes
        # a next hop is never resolved through a default route (RouterOS scope/target-scope;
        # it is also what makes recursive check-gateway routes fail over)
        candidates = [
            r for r in routes if destination in r.prefix and (depth == 0 or r.prefix.prefixlen > 0)
        ]
        candidates.sort(key=lambda r: (-r.prefix.prefixlen, r.distance))
        for route in candidates:
            result = self._usable(route, depth, routes)
            if result is not None:
                return result
        return None

    def forwarding(self, destination: IPv4Address) -> Forwarding | None:
        """The route packets to ``destination`` follow (longest prefix, then distance, among
        the usable ones) and the neighbour they are handed to: a recursive next hop resolved
        to the one on the link. None: no route."""
        routes = self.routes()
        candidates = sorted(
            (r for r in routes if destination in r.prefix),
            key=lambda r: (-r.prefix.prefixlen, r.distance),
        )
        for route in candidates:
            result = self._usable(route, 0, routes)
            if result is None:
                continue
            next_hop = route.gateway
            if route.gateway is not None and route.interface is None:
                resolved = self.next_hop_of(route.gateway)
                if resolved is not None:
                    next_hop = resolved[1]
            return Forwarding(route.prefix, result.link, next_hop)
        return None

    def next_hop_of(
        self, gateway: IPv4Address, depth: int = 0
    ) -> tuple[Link, IPv4Address | None] | None:
        """The link and on-link neighbour a route's ``gateway`` resolves to: on a connected
        network, or recursively through a more specific route (never the default: RouterOS
        scope/target-scope, as :meth:`path`); through an interface route (a PPPoE session)
        the link alone. None: unresolved (the route is unusable)."""
        connected = self._via_connected(gateway)
        if connected is not None:
            return connected.link, gateway
        if depth > 3:
            return None
        routes = self.routes()
        candidates = sorted(
            (r for r in routes if gateway in r.prefix and r.prefix.prefixlen > 0),
            key=lambda r: (-r.prefix.prefixlen, r.distance),
        )
        for route in candidates:
            result = self._usable(route, depth + 1, routes)
            if result is None:
                continue
            if route.gateway is None:  # an interface route (point to point): the link alone
                return result.link, None
            if route.interface is not None:
                return result.link, route.gateway
            return self.next_hop_of(route.gateway, depth + 1)
        return None

    def _usable(self, route: RouteEntry, depth: int, routes: list[RouteEntry]) -> PathResult | None:
        result: PathResult | None = None
        if route.interface is not None:
            link = self.links.get(route.interface)
            if link is not None and self.link_up(link):
                result = PathResult(link, self.world.uplink_for(link))
        elif route.gateway is not None:
            result = self._via_connected(route.gateway) or self.path(
                route.gateway, depth + 1, routes
            )
        if result is None:
            return None
        if route.probe is not None:
            probe_path = result
            if route.probe_source is not None:
                link = self.links.get(route.probe_source)
                if link is None or not self.link_up(link):
                    return None
                probe_path = PathResult(link, self.world.uplink_for(link))
            if not self.delivers(probe_path, route.probe):
                return None
        return result

    def _via_connected(self, gateway: IPv4Address) -> PathResult | None:
        for link in self.links.values():
            address = self.address_of(link)
            if address is not None and gateway in address.network and self.link_up(link):
                return PathResult(link, self.world.uplink_for(link))
        return None

    def delivers(self, path: PathResult, destination: IPv4Address) -> bool:
        """Whether a packet sent out of ``path`` reaches ``destination``."""
        uplink = path.uplink
        if uplink is None:
            address = self.address_of(path.link)
            return address is not None and destination in address.network
        if not uplink.alive or uplink.vlan != path.link.vlan:
            return False
        if destination == uplink.gateway:
            return True
        if any(destination in net for net in self.world.central_services):
            return uplink.role is Role.CENTRAL
        return not any(destination in net for net in _PRIVATE)

    def _source_fits(self, path: PathResult, destination: IPv4Address, source: IPv4Address) -> bool:
        """A packet from ``source`` (e.g. the LAN address) to the internet comes back only
        if it leaves translated: no provider routes the office's private range. The city's
        central services are reached untranslated over the central line."""
        address = self.address_of(path.link)
        if self.translated is None or (address is not None and address.ip == source):
            return True
        if any(destination in net for net in self.world.central_services):
            return True
        return path.link.name in self.translated

    def resolve(self, name: str, servers: list[IPv4Address]) -> IPv4Address | None:
        """The router's own lookup of ``name`` through ``servers`` (the first that answers
        a ping stands for the first that answers the query); None: no answer, or no name."""
        if not any(self.ping(server, 1) for server in servers):
            return None
        return self.world.names.get(name.lower().rstrip("."))

    def echo(self, service: IPv4Address) -> IPv4Address | None:
        """The address an echo service at ``service`` sees the router's request come from;
        None when the request does not get there."""
        path = self.path(service)
        if path is None or not self.delivers(path, service):
            return None
        uplink, link = path.uplink, path.link
        forced = next((u for u in self.world.uplinks if u.role is self.world.egress_via), None)
        if forced is not None and forced.alive:
            uplink = forced
        if uplink is not None and uplink.public is not None:
            return uplink.public
        address = self.address_of(link)
        return address.ip if address else None

    def path_mtu(self, path: PathResult) -> int:
        """PPPoE takes 8 bytes of the Ethernet frame (RFC 2516): 1492 at most over it."""
        carried = path.uplink.path_mtu if path.uplink else 1500
        return min(carried, 1492) if path.link.dynamic == "pppoe" else carried

    def ping(
        self,
        destination: IPv4Address,
        count: int,
        *,
        size: int = 100,
        df: bool = False,
        source: IPv4Address | None = None,
    ) -> int:
        """Number of echo replies out of ``count`` (``size``: the whole IP packet; with
        ``df`` a packet larger than the path carries is dropped, as a black hole does)."""
        for link in self.links.values():
            address = self.address_of(link)
            if address is not None and address.ip == destination and self.link_up(link):
                return count
        path = self.forward_path(own_packet(destination, source))
        if path is None or not self.delivers(path, destination):
            return 0
        if df and size > self.path_mtu(path):
            return 0
        if source is not None and not self._source_fits(path, destination, source):
            return 0
        loss = path.uplink.loss_percent if path.uplink else 0
        return count - round(count * loss / 100)
