"""Which simple queue of a RouterOS router takes a packet: the twin's model of its QoS.

MikroTik manual, "Queues" (Simple Queue): the queues are tried in the order of the list;
the first whose ``target`` holds the packet (an address of the target's, or an interface it
passes) and whose ``dst``, when set, fits where it goes (an interface it leaves by, or an
address it goes to) takes it, and no queue below sees it. A queue that another names as
``parent`` is an inner queue of the HTB tree: only leaf queues take packets ("HTB").
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING

from netprov.sim.routeros import forwarding

if TYPE_CHECKING:
    from netprov.sim.routeros.router import RosDevice


def _holds(values: str, address: IPv4Address, interfaces: set[str]) -> bool:
    for value in (v.strip() for v in values.split(",")):
        if value in interfaces:
            return True
        try:
            if address in IPv4Network(value, strict=False):
                return True
        except ValueError:
            continue  # another interface
    return False


def queue_taking(device: RosDevice, source: IPv4Address, destination: IPv4Address) -> str | None:
    """The name of the simple queue that takes a packet from ``source`` (an office PC) to
    ``destination``, routed as the router's config routes it; None: no queue takes it."""
    router = forwarding.router_of(device)
    path = router.path(destination)
    out = path.link.name if path is not None else ""
    arrives = {
        link.name
        for link in router.links.values()
        if (address := router.address_of(link)) is not None and source in address.network
    }
    queues = device.tables["/queue simple"]
    inner = {q["parent"] for q in queues if q.get("parent")}
    for queue in queues:
        if queue.get("disabled") == "yes" or queue.get("name") in inner:
            continue
        target, dst = queue.get("target", ""), queue.get("dst", "")
        if target and not _holds(target, source, arrives | {out}):
            continue
        if dst and not _holds(dst, destination, {out}):
            continue
        return queue.get("name")
    return None
