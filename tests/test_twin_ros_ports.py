"""Which port of a RouterOS router a line is plugged into, as the real router sees it, on
routers of the corpus (tests/fixtures/real-configs): a port the office renamed carries its
line under the new name, a VLAN on a bridge receives the line's tagged frames from the
bridge's ports, and a DHCP client on a line that hands out no lease installs no route.
The twin's model of the router (netprov.sim) is held to the MikroTik manual first; the
rehearsals of the corpus (tests/test_corpus.py) stand on it."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path

from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.sim.routeros.router import RosDevice
from tests.corpus_offices import ROUTEROS_OFFICES, office_router, site_for

ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
OFFICES = {office.file: office for office in ROUTEROS_OFFICES}


def _router(inventory: Path, name: str, extra: str = "") -> RosDevice:
    office = OFFICES[name]
    site_for(inventory, office)
    return office_router(inventory, office, extra)


def test_a_renamed_port_carries_its_line_under_the_name_it_has(inventory_copy: Path) -> None:
    """The RB5009's ether1 is "wan A" (``set [ find default-name=ether1 ] name="wan A"``;
    MikroTik manual, "Ethernet": default-name stays, name is the owner's). The office's ISP
    is plugged into that port: a DHCP client there gets the line's lease. Before, the
    twin looked for the line on a port named as the factory names it and found none,
    and made up a second port named like the renamed one."""
    router = _router(
        inventory_copy,
        "routeros-7.21-rb5009-terse-head.rsc",
        '/ip dhcp-client add disabled=no interface="wan A"\n',
    )
    ports = [p["name"] for p in router.tables["/interface ethernet"]]
    assert ports.count("wan A") == 1
    model = router.router()
    lease = model.address_of(model.links["wan A"])
    assert lease is not None
    assert lease.ip in IPv4Interface("172.30.0.0/24").network
    assert model.forwarding(IPv4Address("198.41.0.4")) is not None


def test_a_vlan_on_a_bridge_receives_the_lines_tagged_frames(inventory_copy: Path) -> None:
    """A hAP lite whose every port is in the LAN bridge: the central provider's fibre is
    plugged into one of them and its hand-off, VLAN 1131, is a VLAN interface on the
    bridge (MikroTik manual, "Bridging and Switching" / "VLAN": a VLAN interface on a
    bridge gets the frames tagged with its VLAN ID from the bridge's ports). The LAN on
    the bridge's untagged side stays up whatever that line does. Before, the twin gave a
    VLAN on a bridge no port: the central line never came up."""
    hand_off = (
        "/interface vlan add interface=bridge name=vlan1131-central vlan-id=1131\n"
        "/ip address add address=100.72.31.2/30 interface=vlan1131-central\n"
    )
    router = _router(inventory_copy, "routeros-6.49.7-hap-lite-office-static-arp.rsc", hand_off)
    model = router.router()
    central = model.links["vlan1131-central"]
    assert model.link_up(central)
    path = model.path(IPv4Address("100.72.31.1"))
    assert path is not None
    assert path.link.name == "vlan1131-central"
    lan = model.links["bridge"]
    model.world.uplinks[[u.port for u in model.world.uplinks].index("bridge")].alive = False
    assert model.link_up(lan)
    assert not model.link_up(central)


def test_a_dhcp_client_on_a_static_line_installs_no_route(inventory_copy: Path) -> None:
    """The shop's hAP lite runs a DHCP client on ether1 beside its static address: the
    ISP's static line hands out no lease, so the client installs no default route
    (MikroTik manual, "DHCP client": the route is added when the client is bound). Before,
    the twin installed one through the line's gateway, which then took the office's
    traffic from the default route netprov renders."""
    router = _router(inventory_copy, "routeros-6.49.7-hap-lite-hotspot.rsc")
    model = router.router()
    assert model.address_of(model.links["ether1"]) == IPv4Interface("200.108.198.182/28")
    assert model.dynamic_defaults() == []
