"""What the RouterOS offices of the corpus (tests/fixtures/real-configs) taught the planner,
each a class of defect found by rehearsing them (tests/test_corpus.py), held here on the
office that showed it: the plan is made as ``apply`` makes it (in-service policies and the
lockout guard included) on the office's config, and pushed into the twin's model of the
router, which refuses what a real router refuses."""

from __future__ import annotations

import dataclasses
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netprov.checks.gate import _offline_plan
from netprov.checks.lockout_guard import lockout_step
from netprov.checks.site_context import SiteContext
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from netprov.sim.routeros.router import RosDevice
from netprov.syntax.routeros import parse_export
from tests.conftest import TEMPLATES, TODAY
from tests.corpus_offices import (
    DHCP,
    ROS_SITE,
    ROUTEROS_OFFICES,
    Line,
    Office,
    office_router,
    pppoe,
    site_for,
)

ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
OFFICES = {office.file: office for office in ROUTEROS_OFFICES}


def _office(name: str, inventory: Path) -> Office:
    office = OFFICES[name]
    site_for(inventory, office)
    return office


def _plan(inventory: Path, router: RosDevice, phase: Phase) -> SitePlan:
    loaded = load_inventory(inventory, today=TODAY)
    site = loaded.site(ROS_SITE)
    export = router.export()  # its header names the version the plan renders for
    intended = Renderer(TEMPLATES).render(
        site, loaded.organisation, phase, loaded.allocations.get(ROS_SITE), running=export
    )
    return _offline_plan(site, ROS.comparable(export), intended.text, phase)


def _push(router: RosDevice, plan: SitePlan) -> None:
    """Every command as the router takes it: none refused."""
    refused = [(c, out) for c in plan.commands if (out := router.run(c, "/")[0])]
    assert refused == []


def _safe(inventory: Path, router: RosDevice, plan: SitePlan) -> object:
    loaded = load_inventory(inventory, today=TODAY)
    context = SiteContext.build(loaded.site(ROS_SITE), loaded.organisation)
    return lockout_step(context, router.export(), plan)


def test_a_rule_placed_after_a_rename_finds_the_rule_by_its_new_interface_name(
    inventory_copy: Path,
) -> None:
    """The office's PPPoE client pppoe-out1 is taken over as pppoe-legacy (RouterOS follows
    the rename in every rule naming it: MikroTik manual, "Interfaces"); the accept that
    keeps the management address untranslated goes above its masquerade, found by the
    name it has then. Before: ``place-before=[ find ... out-interface=pppoe-out1 ]``, which
    the router refused in the middle of the push ("no such item")."""
    office = _office("routeros-7.4-rb941-pppoe-l2tp.rsc", inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert plan.conflicts == []
    (keep,) = [c for c in plan.commands if "comment=netprov:nat-keep-mgmt" in c]
    assert keep.endswith("out-interface=pppoe-legacy ]")
    _push(router, plan)
    srcnat = [
        c.params.get("comment", c.params.get("action", ""))
        for c in parse_export(router.export())
        if c.path == "/ip firewall nat" and c.params.get("chain") == "srcnat"
    ]
    assert srcnat[:2] == ["netprov:nat-keep-mgmt", "netprov:nat-legacy"]


def test_an_address_on_an_interface_the_plan_renames_is_taken_over(
    inventory_copy: Path,
) -> None:
    """The office's line is a VLAN (vlan481 on ether1) with its static address: netprov
    takes the VLAN over under its own name, then the address on it. Before: "the router has
    interface=vlan481, the inventory interface=vlan481-legacy", a clash that was the same
    interface read before its rename."""
    office = _office("routeros-6.49.7-hap-lite-compact-vlans.rsc", inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert plan.conflicts == []
    _push(router, plan)
    addresses = [
        c.params
        for c in parse_export(router.export())
        if c.path == "/ip address" and c.params.get("address") == "200.108.217.100/27"
    ]
    assert [a["interface"] for a in addresses] == ["vlan481-legacy"]


def test_a_disabled_client_on_the_port_is_no_second_uplink(inventory_copy: Path) -> None:
    """The RouterOS 7 default configuration's DHCP client on ether1, disabled once the
    office's PPPoE went in (MikroTik manual, "DHCP client": disabled): it runs nothing, so
    it is no other uplink on the port. Before: "ether1 runs a /ip dhcp-client on the
    router; the inventory says /interface pppoe-client"."""
    office = _office("routeros-7.12-l009-defconf-pppoe-wifiwave2.rsc", inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert plan.conflicts == []
    _push(router, plan)


@pytest.mark.parametrize(
    "name",
    [
        "routeros-6.49.7-hap-lite-office-static-arp.rsc",
        "routeros-6.49.6-hap-lite-defconf-l2tp.rsc",
    ],
)
def test_the_offices_default_route_over_its_static_line_is_taken_over(
    name: str, inventory_copy: Path
) -> None:
    """``/ip route add distance=1 gateway=<the line's gateway>`` (v6 prints no
    dst-address for the default route: MikroTik manual, "IP Routing"): the default route
    the inventory describes. netprov takes it over as its tracked one (through the probe);
    before, it stayed beside netprov's at the same distance and kept the traffic, so the
    checks failed and the change was rolled back."""
    office = _office(name, inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert plan.conflicts == []
    assert any("comment=netprov:default-legacy" in c for c in plan.adopted)
    _push(router, plan)
    defaults = [
        c.params
        for c in parse_export(router.export())
        if c.path == "/ip route" and c.params.get("dst-address", "0.0.0.0/0") == "0.0.0.0/0"
    ]
    assert [d.get("comment") for d in defaults] == ["netprov:default-legacy"]
    forwarding = router.router().forwarding(IPv4Address("198.41.0.4"))  # the legacy probe
    assert forwarding is not None
    assert str(forwarding.next_hop) == office.legacy.addressing["gateway"]


@pytest.mark.parametrize(
    "name",
    [
        "routeros-6.49.6-rb4011-terse-head.rsc",
        "routeros-6.49.2-rb750r2-pcc-office.rsc",
        "routeros-7.21-rb5009-terse-head.rsc",
    ],
)
def test_an_office_port_named_with_spaces_is_named_in_the_inventory(
    name: str, inventory_copy: Path
) -> None:
    """RouterOS names a port as its owner likes, spaces included ("wan A", "ether3 PM iP
    10.69.56.166"; /export quotes them). Before, the inventory refused such a name ("is
    not a valid interface name (contains ' ')"), so the office could not be described."""
    office = _office(name, inventory_copy)
    loaded = load_inventory(inventory_copy, today=TODAY)
    assert loaded.site(ROS_SITE).legacy_uplink.interface == office.legacy.interface
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert [c for c in plan.conflicts if "policy routing" not in c] == []


@pytest.mark.parametrize(
    "name",
    [
        "routeros-6.48.4-rb1100x4-school-hotspot.rsc",
        "routeros-6.49.8-rb450gx4-two-lans-vpn.rsc",
    ],
)
def test_the_service_netprov_manages_by_is_on(name: str, inventory_copy: Path) -> None:
    """The office turned SSH off (``/ip service set ssh disabled=yes``): netprov manages the
    router over SSH, so its desired state has SSH on, for the management networks only
    (MikroTik manual, "IP Services"). Before, the plan left it off and the lockout guard
    refused it: "/ip service ssh is disabled"."""
    office = _office(name, inventory_copy)
    router = office_router(inventory_copy, office)
    plan = _plan(inventory_copy, router, Phase.LEGACY)
    assert "/ip service set ssh address=10.250.10.0/24 disabled=no" in plan.commands
    assert _safe(inventory_copy, router, plan) is None
    _push(router, plan)


def test_a_restore_that_lists_the_routes_in_another_order_is_the_same_config(
    inventory_copy: Path,
) -> None:
    """Loading a backup reboots the router; the DHCP client binds again and its script pins
    the probe's host route once more, and RouterOS lists that route last (by its new
    internal id). Routes have no order (the longest prefix, then the distance, choose:
    MikroTik manual, "IP Routing"), so the config compares the same. Before, the rollback
    of every office with a DHCP line said "running config DIFFERS from backup"."""
    office = _office("routeros-7.21-rb5009-terse-head.rsc", inventory_copy)
    router = office_router(inventory_copy, office)
    _push(router, _plan(inventory_copy, router, Phase.LEGACY))
    held = router.export()
    router.restore(router.snapshot())
    again = router.export()

    def routes(export: str) -> list[str]:
        return [line for line in export.splitlines() if line.startswith("/ip route add ")]

    assert routes(again) != routes(held)  # what the router lists after its reboot
    assert sorted(routes(again)) == sorted(routes(held))
    assert ROS.comparable(again) == ROS.comparable(held)


def test_a_hand_off_on_a_disabled_port_is_refused_before_the_push(
    inventory_copy: Path,
) -> None:
    """The RB4011's free ports are disabled (``/interface ethernet set ... disabled=yes
    name="lan E"``): a VLAN on a disabled port never runs (MikroTik manual, "Interface":
    ``disabled``; a VLAN is running only while its parent is), so the central line netprov
    put there carried nothing and every "via central" check of dual failed, rolled back.
    The plan names the port instead, before anything is pushed. Where the hand-off is on
    a port that runs (the corpus's choice: a VLAN on the LAN bridge), no such conflict."""
    name = "routeros-6.49.6-rb4011-terse-head.rsc"
    office = dataclasses.replace(OFFICES[name], central="lan E")
    site_for(inventory_copy, office)
    router = office_router(inventory_copy, office)
    conflicts = _plan(inventory_copy, router, Phase.DUAL).conflicts
    assert [c for c in conflicts if "lan E is disabled on the router" in c], conflicts
    site_for(inventory_copy, OFFICES[name])
    running = _plan(inventory_copy, router, Phase.DUAL).conflicts
    assert [c for c in running if "is disabled on the router" in c] == []


@pytest.mark.parametrize(
    ("central", "backup", "port"),
    [
        ("lan E", None, "lan E"),  # the central line's address
        (None, Line("lan F", DHCP), "lan F"),  # a DHCP client
        (None, Line("lan F", pppoe("kec-sukamaju@xl")), "lan F"),  # PPPoE
    ],
    ids=["address", "dhcp-client", "pppoe-client"],
)
def test_a_line_put_straight_onto_a_disabled_port_is_refused_before_the_push(
    inventory_copy: Path, central: str | None, backup: Line | None, port: str
) -> None:
    """The class of the VLAN case above: an address, a DHCP client or a PPPoE client that
    netprov puts straight onto one of the RB4011's disabled ports (no VLAN) would never run
    either (MikroTik manual, "Interface": a disabled interface passes nothing; an address on
    it is invalid, a client on it gets no lease, no session). The central hand-off is
    static (the inventory's rule), so the clients are tried as the backup line. The plan
    names the port instead of pushing."""
    office = OFFICES["routeros-6.49.6-rb4011-terse-head.rsc"]
    if central is not None:
        office = dataclasses.replace(office, central=central, central_vlan=None)
    if backup is not None:
        office = dataclasses.replace(office, backup=backup)
    site_for(inventory_copy, office)
    router = office_router(inventory_copy, office)
    conflicts = _plan(inventory_copy, router, Phase.DUAL).conflicts
    assert [c for c in conflicts if f"{port} is disabled on the router" in c], conflicts
