"""Host addresses: where the inventory needs a host (a router's own address, a gateway, a
server), a subnet's network or broadcast address, or an address no host has, is refused.

A LAN written as ``10.41.10.0/24`` is the network address: rendered, it becomes the
router's address and every office PC's DHCP gateway. RFC 3021 /31 links and /32 have no
network or broadcast address to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from netprov.suggest import did_you_mean

# the error type of a refused address; its context holds the suggestion, if any
HOST_ERROR = "host_address"


def not_a_host(address: IPv4Address, network: IPv4Network) -> str | None:
    """``network`` or ``broadcast`` where ``address`` is that of ``network``, else None.

    Examples:
        >>> not_a_host(IPv4Address("10.41.10.0"), IPv4Network("10.41.10.0/24"))
        'network'
        >>> not_a_host(IPv4Address("10.0.0.1"), IPv4Network("10.0.0.0/31")) is None
        True
    """
    if network.prefixlen >= 31 or address not in network:
        return None
    if address == network.network_address:
        return "network"
    if address == network.broadcast_address:
        return "broadcast"
    return None


def a_host(
    network: IPv4Network, *, last: bool = False, besides: Iterable[IPv4Address] = ()
) -> IPv4Address:
    """The first (or last) host of ``network`` that is none of ``besides``.

    Examples:
        >>> a_host(IPv4Network("100.72.44.0/30"), besides=[IPv4Address("100.72.44.1")])
        IPv4Address('100.72.44.2')
    """
    taken = set(besides)
    hosts = range(int(network.network_address) + 1, int(network.broadcast_address))
    for number in reversed(hosts) if last else hosts:
        if IPv4Address(number) not in taken:
            return IPv4Address(number)
    return network.network_address + 1


def no_host_has(address: IPv4Address) -> str | None:
    """Why no host can have ``address`` (unspecified, multicast, ...), else None."""
    checks = (
        (address.is_unspecified, "unspecified"),
        (address == IPv4Address("255.255.255.255"), "the limited broadcast"),
        (address.is_multicast, "multicast"),
        (address.is_loopback, "loopback"),
        (address.is_reserved, "reserved"),
    )
    return next((why for found, why in checks if found), None)


def _host_address(address: IPv4Address) -> IPv4Address:
    why = no_host_has(address)
    if why is not None:
        raise PydanticCustomError(
            HOST_ERROR,
            "{address} is not a host address ({why})",
            {"address": str(address), "why": why},
        )
    return address


def _host_interface(interface: IPv4Interface) -> IPv4Interface:
    _host_address(interface.ip)
    which = not_a_host(interface.ip, interface.network)
    if which is not None:
        better = IPv4Interface(
            f"{a_host(interface.network, last=which == 'broadcast')}/{interface.network.prefixlen}"
        )
        raise PydanticCustomError(
            HOST_ERROR,
            "{address} is the {which} address of {network}, not a host: {hint}",
            {
                "address": str(interface.ip),
                "which": which,
                "network": str(interface.network),
                "hint": did_you_mean(str(better), quoted=False),
                "suggestion": str(better),
            },
        )
    return interface


# an address a host has: a router, a gateway, a server (not a multicast group, not 0.0.0.0)
HostAddress = Annotated[IPv4Address, AfterValidator(_host_address)]
# a host's address with its subnet (a router's LAN address): not the network or broadcast
HostInterface = Annotated[IPv4Interface, AfterValidator(_host_interface)]
