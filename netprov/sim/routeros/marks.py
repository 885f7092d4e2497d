"""RouterOS policy routing in the twin: which table a packet from the LAN is routed by.

The prerouting chain of ``/ip firewall mangle`` runs in order (MikroTik manual, "Mangle"):
``mark-connection`` gives the packet's connection a mark it keeps for its life (connection
tracking: every later packet of it carries the mark), ``mark-routing`` gives the packet a
routing mark, each going on to the next rule unless ``passthrough=no``; ``accept`` ends
the chain, ``jump``/``return`` enter and leave another. A routing mark names a table: the
routes of that ``routing-mark`` (RouterOS 6) or ``routing-table`` (RouterOS 7), looked up
first, then ``main`` when the table holds no route for the address (a routing rule's
``lookup``; ``lookup-only-in-table`` does not fall back: MikroTik manual, "Policy Routing"
and "Routing rule"). Routing rules (``/ip route rule`` on 6, ``/routing rule`` on 7) are
tried first, in order. On RouterOS 7 a table forwards only if ``/routing table`` added it
with ``fib`` (netprov.sim.routeros.forwarding.fib_tables).

PCC (``per-connection-classifier=fields:denominator/remainder``, MikroTik manual "PCC")
hashes the fields it names and keeps the packets whose hash leaves that remainder: the twin
hashes them with CRC-32, so a connection lands in the same stream every time and streams
are split evenly, though not on the line a real router's hash would pick.

Matchers the twin does not model (``nth``, ``content``, ``time``, layer 7, ...) make a rule
not match: the twin says which rule decided, a test sees where that was.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from ipaddress import AddressValueError, IPv4Address, IPv4Network

from netprov.sim.packets import Packet

Item = Mapping[str, str]
# a connection as connection tracking tells it apart, and the mark it carries ("": none)
Connection = tuple[str, IPv4Address, IPv4Address, int, int]
_PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1"}
_IGNORED = frozenset(
    {
        "chain",
        "action",
        "comment",
        "disabled",
        "passthrough",
        "new-connection-mark",
        "new-routing-mark",
        "new-packet-mark",
        "jump-target",
        "log",
        "log-prefix",
    }
)


def _address_in(address: IPv4Address, value: str) -> bool:
    try:
        if "-" in value:
            low, high = (IPv4Address(part) for part in value.split("-", 1))
            return low <= address <= high
        return address in IPv4Network(value, strict=False)
    except (AddressValueError, ValueError):
        return False


def _port_in(port: int, ports: str) -> bool:
    for part in ports.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and int(low) <= port <= int(high or low):
            return True
    return False


def pcc(value: str, packet: Packet) -> bool | None:
    """Whether ``packet`` falls in the stream ``fields:denominator/remainder`` names (None:
    a value the twin cannot read).

    Examples:
        >>> p = Packet(IPv4Address("192.168.10.20"), IPv4Address("142.250.4.100"), "LAN")
        >>> [pcc(f"both-addresses:3/{n}", p) for n in range(3)].count(True)
        1
    """
    fields, _, fraction = value.partition(":")
    denominator, _, remainder = fraction.partition("/")
    if not (denominator.isdigit() and remainder.isdigit()) or int(denominator) == 0:
        return None
    parts = {
        "src-address": str(packet.source),
        "dst-address": str(packet.destination),
        "src-port": str(packet.src_port),
        "dst-port": str(packet.port),
    }
    chosen = {
        "both-addresses": ("src-address", "dst-address"),
        "both-ports": ("src-port", "dst-port"),
        "both-addresses-and-ports": ("src-address", "dst-address", "src-port", "dst-port"),
        "src-address-and-port": ("src-address", "src-port"),
        "dst-address-and-port": ("dst-address", "dst-port"),
    }.get(fields, (fields,) if fields in parts else ())
    if not chosen:
        return None
    key = "|".join(parts[name] for name in chosen).encode()
    return zlib.crc32(key) % int(denominator) == int(remainder)


@dataclass
class RosMarks:
    """The prerouting mangle chain and routing rules of one config, and the connections
    the router tracks (shared with the router: marks outlive a config change)."""

    rules: Sequence[Item]  # /ip firewall mangle, in order
    routing_rules: Sequence[Item]  # /ip route rule (6) or /routing rule (7), in order
    address_lists: Mapping[str, Sequence[str]]
    list_members: Mapping[str, frozenset[str]]
    local: frozenset[IPv4Address]  # the router's own addresses (dst-address-type=local)
    connections: MutableMapping[Connection, str]

    def tables(self, packet: Packet) -> tuple[list[str], str]:
        """The tables the router looks ``packet`` up in, in order (``main`` last where it
        falls back to it), and what decided: a packet through it by the prerouting chain,
        one of its own (``chain="output"``: its pings, netprov's probes) by output."""
        key = (packet.protocol, packet.source, packet.destination, packet.src_port, packet.port)
        known = self.connections.get(key)
        state = {"mark": known or "", "routing": "", "new": known is None, "why": ""}
        # the router's own packets pass output instead (MikroTik manual, "Packet Flow in
        # RouterOS": locally generated, then the routing adjustment by their new mark)
        self._chain("output" if packet.chain == "output" else "prerouting", packet, state, 0)
        self.connections[key] = str(state["mark"])
        routing = str(state["routing"])
        for rule in self.routing_rules:
            if rule.get("disabled") == "yes" or not self._rule_matches(rule, packet, routing):
                continue
            action, table = rule.get("action", "lookup"), rule.get("table", "main")
            why = f"routing rule to {table}"
            if action == "lookup-only-in-table":
                return [table], why
            if action in {"drop", "unreachable"}:
                return [], why
            return ([table, "main"] if table != "main" else ["main"]), why
        if routing and routing != "main":
            return [routing, "main"], str(state["why"])
        return ["main"], str(state["why"]) or "no mark"

    def answers(self, packet: Packet) -> list[str]:
        """The tables the router's answers to ``packet`` (a new connection to the router
        itself) are looked up in: the connection is marked by the prerouting and input
        chains, the answer by the output chain (MikroTik manual, "Packet flow": a locally
        originated packet goes through output; the template's ``mark-routing chain=output
        connection-mark=...`` sends it back by the line it came in on). Nothing is kept."""
        state: dict[str, object] = {"mark": "", "routing": "", "new": True, "why": ""}
        for chain in ("prerouting", "input"):
            if self._chain(chain, packet, state, depth=0):
                break
        back = Packet(packet.destination, packet.source, "", packet.protocol, packet.src_port)
        state["routing"], state["new"] = "", False
        self._chain("output", back, state, depth=0)
        routing = str(state["routing"])
        return [routing, "main"] if routing and routing != "main" else ["main"]

    def _chain(self, chain: str, packet: Packet, state: dict[str, object], depth: int) -> bool:
        """Run ``chain``; True when a rule ended the packet's way through mangle."""
        if depth > 8:
            return False
        for rule in self.rules:
            if rule.get("chain") != chain or rule.get("disabled") == "yes":
                continue
            if not self._matches(rule, packet, state):
                continue
            action = rule.get("action", "accept")
            label = _label(rule)
            if action == "accept":
                state["why"] = state["why"] or f"accepted by {label}"
                return True
            if action == "return":
                return False
            if action == "jump":
                if self._chain(rule.get("jump-target", ""), packet, state, depth + 1):
                    return True
                continue
            if action == "mark-connection":
                state["mark"] = rule.get("new-connection-mark", "")
            elif action == "mark-routing":
                state["routing"] = rule.get("new-routing-mark", "")
                state["why"] = f"marked by {label}"
            if rule.get("passthrough", "yes") == "no":
                return True
        return False

    def _matches(self, rule: Item, packet: Packet, state: Mapping[str, object]) -> bool:
        for key, raw in rule.items():
            if key in _IGNORED:
                continue
            negated, value = raw.startswith("!"), raw.lstrip("!")
            held = self._holds(key, value, packet, state)
            if held is None or held == negated:
                return False
        return True

    def _holds(
        self, key: str, value: str, packet: Packet, state: Mapping[str, object]
    ) -> bool | None:
        """Whether matcher ``key=value`` (without its ``!``) holds; None: not modelled."""
        if key == "in-interface":
            return packet.in_interface == value
        if key == "in-interface-list":
            return packet.in_interface in self.list_members.get(value, frozenset())
        if key in {"src-address", "dst-address"}:
            address = packet.source if key == "src-address" else packet.destination
            return _address_in(address, value)
        if key in {"src-address-list", "dst-address-list"}:
            address = packet.source if key == "src-address-list" else packet.destination
            return any(_address_in(address, a) for a in self.address_lists.get(value, ()))
        if key == "dst-address-type":
            return value == "local" and packet.destination in self.local
        if key == "protocol":
            return _PROTOCOLS.get(packet.protocol) in {value, _PROTOCOLS.get(value)}
        if key in {"dst-port", "src-port"}:
            port = packet.port if key == "dst-port" else packet.src_port
            return packet.protocol in {"tcp", "udp"} and _port_in(port, value)
        if key == "connection-mark":
            mark = str(state["mark"])
            return mark == "" if value == "no-mark" else mark == value
        if key == "routing-mark":
            return str(state["routing"]) == value
        if key == "connection-state":
            return ("new" if state["new"] else "established") in value.split(",")
        if key == "per-connection-classifier":
            return pcc(value, packet)
        return None

    @staticmethod
    def _rule_matches(rule: Item, packet: Packet, routing: str) -> bool:
        """Whether a routing rule's matchers all hold (MikroTik manual, "Routing rule")."""
        if "src-address" in rule and not _address_in(packet.source, rule["src-address"]):
            return False
        if "dst-address" in rule and not _address_in(packet.destination, rule["dst-address"]):
            return False
        if "routing-mark" in rule and routing != rule["routing-mark"]:
            return False
        return rule.get("interface", packet.in_interface) == packet.in_interface


def _label(rule: Item) -> str:
    comment = rule.get("comment")
    if comment:
        return f'mangle rule "{comment}"'
    shown = " ".join(f"{k}={v}" for k, v in rule.items() if k not in {"comment", "disabled"})
    return f"mangle rule {shown}"
