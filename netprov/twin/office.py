"""The office PC on each LAN of a twin router: it pings a city service and an internet
address every 200 ms of twin time through the router (its forward chain, NAT, routes and
queues as the router's config makes them) and records every reply or loss with its time,
the way its packets left (interface and line) and the queue that took them. Tests, the
downtime bench and the policy-routing work read what it recorded.

The PC pings on the twin's clock, but its pings are worked out when they are read or when
the router is about to change: a router's state changes only at a command it runs, a timer
that fires or a reboot, and each of those first brings its PCs up to that instant
(:meth:`OfficePc.catch_up`). The pings in between all meet the same state, so they are
recorded as spans of equal outcome and expanded when read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface

from netprov.models import Organisation, Site
from netprov.phases import Role
from netprov.sim.topology import Carried, Router

INTERVAL = 0.2  # twin seconds between two pings of one target
# what an office PC reaches on the internet: the address the twin's resolvers give the
# probe name (netprov.twin.build.resolver_answers), so the office's "google.com"
INTERNET = IPv4Address("142.250.4.100")


@dataclass(frozen=True)
class Outcome:
    """What one ping met: replied or lost (why), and the way it left the router."""

    replied: bool
    reason: str = ""  # why it was lost ("" when it replied)
    interface: str | None = None  # the router's interface the request left by
    line: Role | None = None  # the uplink behind that interface
    queue: str | None = None  # the router's queue that took it (RouterOS simple queues)


@dataclass(frozen=True)
class Ping:
    """One ping of the office PC and what became of it."""

    at: float  # twin seconds since the twin started
    target: str  # "city" or "internet"
    address: IPv4Address
    sequence: int  # the ping's number for this target (0, 1, ...)
    outcome: Outcome

    @property
    def replied(self) -> bool:
        """Whether the reply came back."""
        return self.outcome.replied


@dataclass
class _Span:
    first: int  # sequence number of the first ping
    count: int
    outcome: Outcome


class OfficePc:
    """One PC on one LAN subnet of the router: ``address`` on it, two targets."""

    def __init__(self, address: IPv4Interface, targets: dict[str, IPv4Address]) -> None:
        self.address = address
        self.targets = targets
        self.sent = 0  # pings sent per target so far (the next one's sequence number)
        self.spans: dict[str, list[_Span]] = {name: [] for name in targets}

    def due(self, now: float) -> int:
        """How many pings per target are due by ``now`` (twin seconds) and not yet sent."""
        return max(0, math.floor(now / INTERVAL) + 1 - self.sent)

    def catch_up(self, now: float, outcome: Callable[[IPv4Address], Met]) -> None:
        """Send every ping due by ``now``; each meets the router as it stands now
        (``outcome(address)``: nothing changed since the last catch-up), and a lossy line
        loses its share of them, spread evenly."""
        count = self.due(now)
        if not count:
            return
        first = self.sent
        for name, address in self.targets.items():
            met = outcome(address)
            if met.loss == 0:
                self._record(name, first, count, met.outcome)
                continue
            for sequence in range(first, first + count):
                self._record(name, sequence, 1, met.at(sequence))
        self.sent += count

    def _record(self, name: str, first: int, count: int, outcome: Outcome) -> None:
        spans = self.spans[name]
        last = spans[-1] if spans else None
        if last is not None and last.outcome == outcome and last.first + last.count == first:
            last.count += count
        else:
            spans.append(_Span(first, count, outcome))

    def pings(
        self, target: str | None = None, *, since: float = 0.0, until: float = math.inf
    ) -> Iterator[Ping]:
        """Every ping sent (of ``target``, or of both), in order, from ``since`` to ``until``
        (twin seconds)."""
        for name, spans in self.spans.items():
            if target is not None and name != target:
                continue
            for span in spans:
                for sequence in range(span.first, span.first + span.count):
                    at = sequence * INTERVAL
                    if since <= at <= until:
                        yield Ping(at, name, self.targets[name], sequence, span.outcome)


def lost_seconds(pings: list[Ping]) -> float:
    """Seconds without replies: each lost ping stands for its interval."""
    return round(sum(INTERVAL for ping in pings if not ping.replied), 1)


@dataclass(frozen=True)
class Met:
    """What the pings to one address meet on the router as it stands: the outcome, and
    the share of them the line loses."""

    outcome: Outcome
    loss: int = 0  # percent

    def at(self, sequence: int) -> Outcome:
        """The outcome of ping ``sequence``: lost as often as the line loses, evenly."""
        loss = self.loss
        if math.floor((sequence + 1) * loss / 100) > math.floor(sequence * loss / 100):
            line = self.outcome.line
            reason = f"lost on the {line.value if line else ''} line ({loss}% loss)"
            return Outcome(False, reason, self.outcome.interface, line)
        return self.outcome


def ping_outcome(
    router: Router,
    source: IPv4Address,
    destination: IPv4Address,
    *,
    queue: Callable[[IPv4Address, IPv4Address], str | None],
    connection: int = 0,
) -> Met:
    """What pings of the office PC meet on ``router``: carried as its config makes it
    (:meth:`Router.carries`), the line's loss, and the queue that takes them. The pings
    between two changes of the router are one run of the PC's ``ping`` (``connection``:
    its identifier), a connection the router's policy routing classifies once and keeps
    the mark of (MikroTik manual, "Mangle", "PCC")."""
    carried: Carried = router.carries(source, destination, run=connection)
    interface = carried.link.name if carried.link is not None else None
    line = carried.uplink.role if carried.uplink is not None else None
    if not carried.delivered:
        return Met(Outcome(False, carried.reason, interface, line))
    loss = carried.uplink.loss_percent if carried.uplink is not None else 0
    return Met(Outcome(True, "", interface, line, queue(source, destination)), loss)


def office_pcs(site: Site, org: Organisation) -> list[OfficePc]:
    """One PC on each LAN subnet of ``site``, on the first address the router's DHCP
    server hands out there; it pings the site's first city service (else the first host
    of the city's central services) and the internet."""
    targets: dict[str, IPv4Address] = {}
    if site.services:
        targets["city"] = site.services[0].address
    elif org.central_services:
        targets["city"] = org.central_services[0].network_address + 1
    targets["internet"] = INTERNET
    return [
        OfficePc(IPv4Interface(f"{first}/{subnet.network.prefixlen}"), targets)
        for subnet, (first, _) in zip(site.lan.interfaces, site.lan.dhcp_ranges, strict=True)
    ]
