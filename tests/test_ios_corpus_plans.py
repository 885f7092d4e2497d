"""What the IOS offices of the corpus (tests/fixtures/real-configs) taught the planner, each
a class of defect found by rehearsing them (tests/test_corpus.py), held here on the office
that showed it: the plan as ``apply`` makes it (in-service policies included), pushed into
the twin's model of the router as the push does (configure replace of the candidate)."""

from __future__ import annotations

from pathlib import Path

from netprov.models import Phase
from tests.corpus_offices import IOS_OFFICES, Office, site_for
from tests.test_ios_ownership import _apply, _plan, _router, _sections

OFFICES = {office.file: office for office in IOS_OFFICES}


def _office(name: str, inventory: Path) -> Office:
    office = OFFICES[name]
    site_for(inventory, office)
    return office


def test_netprovs_vty_transport_replaces_the_offices(inventory_copy: Path) -> None:
    """The course's 881 lets telnet in on its vty lines (``transport input telnet ssh``);
    netprov's management promise is SSH only (``transport input ssh``). A line holds one
    transport input: the later one written wins (Cisco IOS Terminal Services Command
    Reference, "transport input"). Before, the candidate kept both, the office's after
    netprov's: telnet stayed open and every plan wanted to change it again."""
    office = _office("ios-15.5-881-crypto-map-bgp-snmp.cfg", inventory_copy)
    router = _router(inventory_copy, office.path.read_text(), office.site_id)
    _apply(router, _plan(inventory_copy, router, Phase.LEGACY, office.site_id))
    vty = _sections(router.running_text())["line vty 0 4"]
    assert [line for line in vty if line.startswith(" transport input")] == [" transport input ssh"]
    assert " exec-timeout 20 0" in vty  # the office's own line stays
    assert _plan(inventory_copy, router, Phase.LEGACY, office.site_id).commands == []


def test_a_hand_off_on_the_port_of_another_line_is_one_interface(inventory_copy: Path) -> None:
    """The C1111 has one routed port in use: its ISP's line is GigabitEthernet0/0/0, and
    the central provider's VLAN comes on the same port (a subinterface, IOS's way to carry
    a tagged VLAN beside the port's own address). Before, the template wrote the port twice
    (once as the hand-off's bare parent, once as the ISP line) and the plan died with
    hier_config's "Found a duplicate section", a traceback."""
    office = _office("iosxe-16.12-c1111-secret9-acl.cfg", inventory_copy)
    router = _router(inventory_copy, office.path.read_text(), office.site_id)
    for phase in (Phase.LEGACY, Phase.DUAL):
        plan = _plan(inventory_copy, router, phase, office.site_id)
        assert plan.conflicts == [], plan.conflicts
        _apply(router, plan)
    sections = _sections(router.running_text())
    assert " ip address 10.220.88.22 255.255.255.0" in sections["interface GigabitEthernet0/0/0"]
    assert " encapsulation dot1Q 1102" in sections["interface GigabitEthernet0/0/0.1102"]
    assert _plan(inventory_copy, router, Phase.DUAL, office.site_id).commands == []


def test_twin_a_tagged_line_beside_an_untagged_one_on_a_port(inventory_copy: Path) -> None:
    """Twin first: the central provider's VLAN 1102 comes on the C1111's port that also
    carries its ISP's untagged line; the subinterface for VLAN 1102 gets the frames tagged
    1102, the port's own address the untagged ones (Cisco IOS XE, "Configuring 802.1Q
    VLAN encapsulation on subinterfaces"). Before, the twin took the port's first line for
    both: the central line never came up on the subinterface."""
    from ipaddress import IPv4Address

    office = _office("iosxe-16.12-c1111-secret9-acl.cfg", inventory_copy)
    router = _router(inventory_copy, office.path.read_text(), office.site_id)
    for phase in (Phase.LEGACY, Phase.DUAL):
        _apply(router, _plan(inventory_copy, router, phase, office.site_id))
    model = router.router()
    central = model.links["GigabitEthernet0/0/0.1102"]
    assert model.link_up(central)
    path = model.path(IPv4Address("100.72.2.1"))
    assert path is not None
    assert path.link.name == "GigabitEthernet0/0/0.1102"
    assert model.link_up(model.links["GigabitEthernet0/0/0"])
