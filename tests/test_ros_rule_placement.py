"""Issue 37, item 4: the rules and queues netprov adds to a RouterOS office neither shadow
nor are shadowed by the office's for the traffic netprov promises, and no rule of
netprov's changes the traffic of a LAN netprov does not own.

RouterOS tries a chain's rules top to bottom and the first that takes a packet decides
(MikroTik manual, "Firewall: Filter", "Firewall: NAT"; a FastTrack rule sends its
connection's later packets past the filter and the simple queues, "Firewall: FastTrack");
simple queues are first-match too ("Queues": Simple Queue). The twin's model of which rule
or queue takes a packet is held to that first, on real offices of the corpus; then the
plan's placement (``place-before=`` the first office rule or queue that would take the
traffic otherwise) and scoping (the LAN netprov owns, the interface list WAN it owns)."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path
from typing import Literal

from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.sim.packets import Packet
from netprov.sim.routeros import forwarding
from netprov.sim.routeros.queues import queue_taking
from netprov.sim.routeros.router import RosDevice
from netprov.syntax.routeros import parse_export
from tests.conftest import TODAY
from tests.corpus_offices import ROS_SITE, office_router
from tests.test_ros_corpus_plans import _office, _plan, _push

ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
INTERNET = IPv4Address("203.0.113.99")  # a host out on the internet
CITY = IPv4Address("10.250.1.10")  # the e-Government portal, over the central line
NOC = IPv4Address("10.250.10.1")

Chain = Literal["input", "forward", "dstnat", "srcnat"]
State = Literal["new", "established"]


def _taking(
    router: RosDevice,
    source: IPv4Address,
    destination: IPv4Address,
    into: str,
    *,
    chain: Chain,
    out: str = "",
    port: int = 53,
    protocol: str = "udp",
    state: State = "new",
) -> str | None:
    """The comment (else the action) of the rule that takes the packet, None: no rule."""
    links = router.router().links.values()
    menu = "/ip firewall nat" if chain in {"srcnat", "dstnat"} else "/ip firewall filter"
    rules = forwarding.packet_filter_of(router, links, menu)
    packet = Packet(
        source,
        destination,
        into,
        protocol=protocol,
        port=port,
        chain=chain,
        out_interface=out,
        state=state,
    )
    rule = rules.taking(packet)
    return None if rule is None else rule.get("comment", rule.get("action", "accept"))


def _through(inventory: Path, name: str, *phases: Phase, extra: str = "") -> RosDevice:
    """The office's router after netprov's plan of each phase in turn."""
    office = _office(name, inventory)
    router = office_router(inventory, office, extra)
    for phase in phases:
        plan = _plan(inventory, router, phase)
        assert plan.conflicts == [], plan.conflicts
        _push(router, plan)
    return router


# --- the twin's model ---------------------------------------------------------------------

GUEST = (
    "/interface vlan add interface=bridge name=guest vlan-id=30\n"
    "/ip address add address=192.168.30.1/24 interface=guest network=192.168.30.0\n"
    "/interface list member add interface=guest list=LAN\n"
)


def test_twin_the_first_rule_that_takes_a_packet_decides(inventory_copy: Path) -> None:
    """The RouterOS 7 default configuration: an established connection's packet is taken
    by "defconf: fasttrack", a new one from the LAN is accepted by no rule, one from the
    internet is dropped by "drop all not coming from LAN"; this office's LAN is public,
    its "defconf: masquerade" disabled: nothing translates its traffic."""
    office = _office("routeros-7.12-l009-defconf-pppoe-wifiwave2.rsc", inventory_copy)
    router = office_router(inventory_copy, office, GUEST)
    pc = IPv4Address("81.187.180.150")
    established = _taking(
        router,
        pc,
        INTERNET,
        "bridge",
        chain="forward",
        out="pppoe-out1",
        port=443,
        protocol="tcp",
        state="established",
    )
    assert established == "defconf: fasttrack"
    new = _taking(
        router,
        pc,
        INTERNET,
        "bridge",
        chain="forward",
        out="pppoe-out1",
        port=443,
        protocol="tcp",
    )
    assert new is None
    assert _taking(router, INTERNET, pc, "pppoe-out1", chain="input", port=22) == (
        "defconf: drop all not coming from LAN"
    )
    assert _taking(router, pc, INTERNET, "bridge", chain="srcnat", out="pppoe-out1") is None


# --- scoping: a LAN netprov does not own ----------------------------------------------------


def test_dns_to_the_router_from_the_offices_other_lan_is_not_netprovs(
    inventory_copy: Path,
) -> None:
    """The campus office's second LAN, bridge-mahasiswa, gets the router as its resolver
    from its own DHCP server. Before, netprov's "drop DNS from anything but its LAN"
    (in-interface=!bridge-dosen) dropped it. Now the resolver is closed on the WAN list
    netprov owns, and the other LAN's DNS meets the office's rules only."""
    router = _through(inventory_copy, "routeros-6.49.8-rb450gx4-two-lans-vpn.rsc", Phase.LEGACY)
    router_address = IPv4Address("172.16.0.1")
    student = IPv4Address("172.16.0.50")
    assert _taking(router, student, router_address, "bridge-mahasiswa", chain="input") is None
    assert _taking(router, INTERNET, router_address, "ether1-isp1", chain="input") == (
        "netprov:dns-closed-udp"
    )
    lecturer = IPv4Address("10.0.0.50")
    assert _taking(router, lecturer, IPv4Address("8.8.8.8"), "bridge-dosen", chain="dstnat") == (
        "netprov:dns-redirect-udp"
    )
    assert (
        _taking(router, student, IPv4Address("8.8.8.8"), "bridge-mahasiswa", chain="dstnat") is None
    )


def test_fasttrack_is_kept_for_the_offices_other_lan(inventory_copy: Path) -> None:
    """netprov accepts its LAN's established central traffic before the office's FastTrack
    rule (so its queue shapes it); a guest LAN of the office keeps its FastTrack. Before,
    netprov's accept took every established connection over the central line."""
    router = _through(
        inventory_copy,
        "routeros-7.12-l009-defconf-pppoe-wifiwave2.rsc",
        Phase.LEGACY,
        Phase.DUAL,
        Phase.CENTRAL,
        extra=GUEST,
    )
    central = "vlan1131-central"
    pc, guest = IPv4Address("81.187.180.150"), IPv4Address("192.168.30.50")

    def forward(source: IPv4Address, into: str, out: str) -> str | None:
        target = INTERNET if source != INTERNET else pc
        return _taking(
            router,
            source,
            target,
            into,
            chain="forward",
            out=out,
            port=443,
            protocol="tcp",
            state="established",
        )

    assert forward(pc, "bridge", central) == "netprov:qos-accept-out"
    assert forward(INTERNET, central, "bridge") == "netprov:qos-accept-in"
    assert forward(guest, "guest", central) == "defconf: fasttrack"


# --- placement: an office rule or queue that would take netprov's traffic first ----------


def test_netprovs_queue_goes_above_an_office_queue_that_takes_its_traffic(
    inventory_copy: Path,
) -> None:
    """The campus office's "---------- VIP" (target=10.0.0.0/8,172.16.0.0/12) and
    "dosen" queues take the LAN's traffic first: netprov's central ceiling was a no-op
    (verify failed "shaping on central: taken first by ..."). netprov's queue now goes
    above the first of them; the other LAN's traffic is still the office's queues'."""
    router = _through(
        inventory_copy, "routeros-6.49.8-rb450gx4-two-lans-vpn.rsc", Phase.LEGACY, Phase.DUAL
    )
    assert queue_taking(router, IPv4Address("10.0.0.50"), CITY) == "netprov-central"
    assert queue_taking(router, IPv4Address("172.16.0.50"), CITY) == "---------- VIP"
    loaded = load_inventory(inventory_copy, today=TODAY)
    views = [v for v in _views(loaded) if v.role.value == "central"]
    shaping = ROS.read_shaping(router.export(), views[0])
    assert shaping.shadowed is None


def _views(loaded: object) -> list:  # type: ignore[type-arg]
    from netprov.platforms.uplinks import uplink_views

    site = loaded.site(ROS_SITE)  # type: ignore[attr-defined]
    return uplink_views(site, loaded.organisation, Phase.DUAL)  # type: ignore[attr-defined]


def test_netprovs_management_drop_goes_above_an_office_accept(inventory_copy: Path) -> None:
    """The tyre dealer's hAP lite accepts WinBox and SSH from the internet on ether1
    (``chain=input dst-port=8291 in-interface=ether1``): netprov promises management from
    its networks only. Before, its drop went at the end of the chain, below that accept."""
    router = _through(
        inventory_copy, "routeros-6.49.7-hap-lite-office-static-arp.rsc", Phase.LEGACY
    )
    wan = IPv4Address("200.108.229.199")
    assert _taking(router, INTERNET, wan, "ether1", chain="input", port=8291, protocol="tcp") == (
        "netprov:mgmt-drop"
    )
    assert _taking(router, NOC, wan, "ether1", chain="input", port=22, protocol="tcp") == (
        "netprov:mgmt-in"
    )


def test_the_undo_leaves_the_office_rules_in_their_order(inventory_copy: Path) -> None:
    """Every rule netprov placed among the office's goes with the undo: each chain holds
    the office's rules in the order it had."""
    office = _office("routeros-6.49.7-hap-lite-office-static-arp.rsc", inventory_copy)
    router = office_router(inventory_copy, office)

    before = _office_rules(router)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    _push(router, plan)
    assert _office_rules(router) == before  # placed among them, none moved
    for command in plan.undo:
        assert router.run(command, "/")[0] == "", command
    assert _office_rules(router) == before
    tagged = [c for c in parse_export(router.export()) if "netprov:" in c.params.get("comment", "")]
    assert tagged == []


def _office_rules(router: RosDevice) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for command in parse_export(router.export()):
        if command.path not in {"/ip firewall filter", "/ip firewall nat", "/queue simple"}:
            continue
        if command.params.get("comment", "").startswith("netprov:"):
            continue
        key = f"{command.path} {command.params.get('chain', '')}"
        found.setdefault(key, []).append(dict(command.params))
    return found
