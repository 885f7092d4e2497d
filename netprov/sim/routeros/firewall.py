"""RouterOS firewall filtering of new connections, read from one config. Pure.

Rules of a chain are tried in order; the first one whose every matcher holds and whose
action decides (``accept``, ``drop``, ``reject``, ``tarpit``) ends the packet's way through
the chain; ``jump`` tries another chain and comes back on ``return`` or its end; a chain
with no deciding rule accepts (MikroTik manual, "Firewall: Filter": chains, actions,
properties). A new connection to the router that passes the input chain still has to reach a
service: ``/ip service`` ``disabled`` and ``address`` (MikroTik manual, "IP Services").

Matchers netprov's twin does not model make a rule count as matching when it would drop or
reject, and as not matching when it would accept: a guard that errs, errs on the side of
"the NOC may be locked out".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import AddressValueError, IPv4Address, IPv4Network

from netprov.sim.packets import Packet
from netprov.sim.topology import Verdict

Item = Mapping[str, str]

_DECIDING = {"accept": "accept", "drop": "drop", "reject": "reject", "tarpit": "drop"}
# what every packet of the checks is not: nothing the twin sends is IPsec or NATed yet
_PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1"}
_SERVICE_PORTS = {"22": "ssh", "23": "telnet", "80": "www", "443": "www-ssl", "8291": "winbox"}
_IGNORED = {"chain", "action", "comment", "disabled", "hw-offload", "reject-with", "jump-target"}
_IGNORED |= {"to-addresses", "to-ports", "log", "log-prefix", "passthrough"}
# what takes a packet in a chain: an action that ends its way through the chain (filter:
# MikroTik manual "Firewall: Filter"; NAT: "Firewall: NAT", a translation or an accept
# ends NAT for it), or FastTrack, which does not end it but sends its connection's later
# packets past the firewall and the simple queues ("Firewall: FastTrack")
TAKING = frozenset(
    {
        *_DECIDING,
        "fasttrack-connection",
        "masquerade",
        "src-nat",
        "dst-nat",
        "redirect",
        "netmap",
        "same",
    }
)


@dataclass(frozen=True)
class RosFilter:
    """The firewall filter of one RouterOS config, and what it needs to be read."""

    rules: tuple[Item, ...]  # ``/ip firewall filter`` in order
    address_lists: Mapping[str, tuple[str, ...]]  # list name -> its addresses/prefixes
    list_members: Mapping[str, frozenset[str]]  # interface list -> member interfaces
    dynamic: frozenset[str]  # interfaces RouterOS calls dynamic (PPPoE clients)
    services: Mapping[str, Item]  # ``/ip service`` by name

    def decide(self, packet: Packet) -> Verdict:
        verdict = self._chain(packet.chain, packet, depth=0)
        if verdict is None:
            verdict = Verdict("accept", f"no rule of the {packet.chain} chain decides")
        if verdict.accepted and packet.chain == "input":
            return self._service(packet) or verdict
        return verdict

    def _chain(self, chain: str, packet: Packet, depth: int) -> Verdict | None:
        if depth > 8:  # RouterOS refuses jump loops; the twin just stops following
            return None
        for rule in self.rules:
            if rule.get("chain") != chain or rule.get("disabled") == "yes":
                continue
            action = rule.get("action", "accept")
            if not self._matches(rule, packet, blocking=_DECIDING.get(action, "") != "accept"):
                continue
            if action in _DECIDING:
                return Verdict(_DECIDING[action], _label(rule))  # type: ignore[arg-type]
            if action == "return":
                return None
            if action == "jump" and rule.get("jump-target"):
                decided = self._chain(rule["jump-target"], packet, depth + 1)
                if decided is not None:
                    return decided
        return None

    def taking(self, packet: Packet) -> Item | None:
        """The first rule of the packet's chain (jumps followed) that takes it (an action
        of :data:`TAKING`); a matcher the twin does not model is taken to hold, so a rule
        that may take the packet counts. None: no rule takes it."""
        return self._taking(packet.chain, packet, depth=0)

    def _taking(self, chain: str, packet: Packet, depth: int) -> Item | None:
        if depth > 8:
            return None
        for rule in self.rules:
            if rule.get("chain") != chain or rule.get("disabled") == "yes":
                continue
            action = rule.get("action", "accept")
            if action not in TAKING | {"jump", "return"}:
                continue
            if not self._matches(rule, packet, blocking=True):
                continue
            if action == "return":
                return None
            if action == "jump":
                taken = self._taking(rule.get("jump-target", ""), packet, depth + 1)
                if taken is not None:
                    return taken
                continue
            return rule
        return None

    def _service(self, packet: Packet) -> Verdict | None:
        name = _SERVICE_PORTS.get(str(packet.port))
        service = self.services.get(name or "")
        if service is None:
            return None
        if service.get("disabled") == "yes":
            return Verdict("reject", f"/ip service {name} is disabled")
        allowed = [a for a in service.get("address", "").split(",") if a]
        if allowed and not any(_address_in(packet.source, a) for a in allowed):
            return Verdict("reject", f"/ip service {name} answers only {','.join(allowed)}")
        return None

    def _matches(self, rule: Item, packet: Packet, *, blocking: bool) -> bool:
        for key, raw in rule.items():
            if key in _IGNORED:
                continue
            negated, value = raw.startswith("!"), raw.lstrip("!")
            held = self._holds(key, value, packet)
            if held is None:  # a matcher the twin does not model: assume the worse
                if blocking:
                    continue
                return False
            if held == negated:
                return False
        return True

    def _holds(self, key: str, value: str, packet: Packet) -> bool | None:
        """Whether matcher ``key=value`` (without its ``!``) holds; None: not modelled."""
        interfaces = {"in": packet.in_interface, "out": packet.out_interface}
        if key in {"in-interface", "out-interface"}:
            return interfaces[key.partition("-")[0]] == value
        if key in {"in-interface-list", "out-interface-list"}:
            return self._member(interfaces[key.partition("-")[0]], value)
        if key == "protocol":
            return _PROTOCOLS.get(packet.protocol) in {value, _PROTOCOLS.get(value)}
        if key == "dst-port":
            return packet.protocol in {"tcp", "udp"} and _port_in(packet.port, value)
        if key in {"src-address", "dst-address"}:
            address = packet.source if key == "src-address" else packet.destination
            return _address_in(address, value)
        if key in {"src-address-list", "dst-address-list"}:
            address = packet.source if key == "src-address-list" else packet.destination
            return any(_address_in(address, a) for a in self.address_lists.get(value, ()))
        if key == "connection-state":
            return packet.state in value.split(",")
        if key == "connection-nat-state":
            return False  # a new connection the router did not translate
        if key == "ipsec-policy":
            direction, _, policy = value.partition(",")
            wanted = "in" if packet.chain in {"input", "dstnat"} else direction
            return direction == wanted and policy == "none"
        return None

    def _member(self, interface: str, listed: str) -> bool:
        if listed == "all":
            return bool(interface)
        if listed == "none":
            return False
        if listed == "dynamic":
            return interface in self.dynamic
        return interface in self.list_members.get(listed, frozenset())


def _label(rule: Item) -> str:
    comment = rule.get("comment")
    if comment:
        return f'rule "{comment}"'
    shown = " ".join(f"{k}={v}" for k, v in rule.items() if k not in {"comment", "disabled"})
    return f"rule {shown}"


def _port_in(port: int, ports: str) -> bool:
    """Examples:
    >>> _port_in(22, "22,443,8291"), _port_in(22, "1-1024"), _port_in(22, "53")
    (True, True, False)
    """
    for part in ports.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and int(low) <= port <= int(high or low):
            return True
    return False


def _address_in(address: IPv4Address, value: str) -> bool:
    """An address, a prefix or a range as RouterOS writes them.

    Examples:
        >>> a = IPv4Address("10.250.10.1")
        >>> _address_in(a, "10.250.10.0/24"), _address_in(a, "10.250.10.1-10.250.10.9")
        (True, True)
        >>> _address_in(a, "127.0.0.1"), _address_in(a, "::/0")
        (False, False)
    """
    try:
        if "-" in value:
            low, high = (IPv4Address(part) for part in value.split("-", 1))
            return low <= address <= high
        return address in IPv4Network(value, strict=False)
    except (AddressValueError, ValueError):
        return False  # an IPv6 prefix, a name: not this IPv4 packet's
