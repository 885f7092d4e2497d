"""Which RouterOS simple queue takes a packet, read from an export: the queue netprov shapes a
line with works only if no queue above it takes the same traffic first. Pure.

MikroTik manual, "Queues" (Simple Queue): simple queues are tried in the order of the list
and the first one whose ``target`` (and ``dst``, when set) fits the packet takes it; no queue
below it sees the packet. A queue that has children (another names it ``parent``) is an
inner queue of the HTB: it only distributes what its leaf queues take ("HTB": leaf queues
consume traffic), so it takes nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import IPv4Network

from netprov.said import PhraseId, Said
from netprov.syntax.routeros import parse_command, terse_lines

Params = Mapping[str, str]


def _networks(values: str) -> list[IPv4Network]:
    nets = []
    for value in values.split(","):
        try:
            nets.append(IPv4Network(value.strip(), strict=False))
        except ValueError:
            continue  # an interface name
    return nets


def _takes(queue: Params, ours: list[IPv4Network], lan: set[str], out: str) -> bool:
    """Whether ``queue`` fits some of the traffic of the networks ``ours`` (on the
    interfaces ``lan``) leaving by ``out``: its target holds some of it (an overlapping
    network, a LAN interface or ``out``; no target at all: everything), and its ``dst``, if
    set, is ``out`` or addresses (some internet or city address: part of what leaves)."""
    targets = [t.strip() for t in queue.get("target", "").split(",") if t.strip()]
    fits = not targets or any(
        t in lan or t == out or any(net.overlaps(o) for net in _networks(t) for o in ours)
        for t in targets
    )
    dst = queue.get("dst", "")
    return fits and (not dst or dst == out or bool(_networks(dst)))


def first_taker(queues: list[Params], mine: Params, lan: set[str]) -> int | None:
    """The index of the first enabled leaf queue of ``queues`` that takes some of the
    traffic ``mine`` is for (its target's networks, from the interfaces ``lan``, leaving by
    its ``dst``); None: none does.

    Examples:
        >>> ours = {"name": "n", "target": "10.31.1.0/24", "dst": "vlan9-central"}
        >>> office = [{"name": "guest", "target": "192.168.88.0/24"},
        ...           {"name": "all", "target": "10.0.0.0/8"}]
        >>> first_taker(office, ours, {"bridge"})
        1
    """
    ours = _networks(mine.get("target", ""))
    out = mine.get("dst", "")
    inner = {q["parent"] for q in queues if q.get("parent")}
    for index, queue in enumerate(queues):
        if queue.get("disabled") == "yes" or queue.get("name", "") in inner:
            continue
        if _takes(queue, ours, lan, out):
            return index
    return None


def shadowing_queue(config: str, tag: str, out: str) -> Said | None:
    """The first enabled simple queue above netprov's (its ``comment=<tag>``) that takes
    traffic netprov's queue is for: what the LAN (netprov's queue's target) sends out of
    ``out``. None: netprov's queue is reached (or there is none).

    Examples:
        >>> office = "/queue simple add name=office max-limit=50M/50M target=10.0.0.0/8"
        >>> ours = "/queue simple add comment=netprov:qos-central dst=vlan9-central "
        >>> ours += "name=netprov-central target=10.31.1.0/24"
        >>> str(shadowing_queue(office + chr(10) + ours, "netprov:qos-central", "vlan9-central"))
        'queue "office" (target=10.0.0.0/8) above netprov-central'
        >>> shadowing_queue(ours + chr(10) + office, "netprov:qos-central", "vlan9-central")
        >>> guest = "/queue simple add name=guest target=192.168.88.0/24"
        >>> shadowing_queue(guest + chr(10) + ours, "netprov:qos-central", "vlan9-central")
    """
    queues: list[Params] = []
    addresses: list[Params] = []
    for _, line in terse_lines(config):
        if line.startswith("/queue simple add "):
            queues.append(parse_command(line).params)
        elif line.startswith("/ip address add "):
            addresses.append(parse_command(line).params)
    at = next((i for i, q in enumerate(queues) if q.get("comment") == tag), None)
    if at is None:
        return None
    mine = queues[at]
    ours = _networks(mine.get("target", ""))
    lan = {
        a.get("interface", "")
        for a in addresses
        for net in _networks(a.get("address", ""))
        if any(net.overlaps(o) for o in ours)
    }
    inner = {q["parent"] for q in queues if q.get("parent")}
    ancestors, parent = set(), mine.get("parent")
    while parent and parent not in ancestors:
        ancestors.add(parent)
        parent = next((q.get("parent") for q in queues if q.get("name") == parent), None)
    for queue in queues[:at]:
        name = queue.get("name", "")
        if queue.get("disabled") == "yes" or name in inner or name in ancestors:
            continue
        if _takes(queue, ours, lan, out):
            shown = f"target={queue['target']}" if queue.get("target") else Said(PhraseId.NO_TARGET)
            above = {"name": name, "shown": shown, "ours": mine.get("name", tag)}
            return Said(PhraseId.QUEUE_ABOVE, above)
    return None
