"""Issue 40: offices with two or three ISP lines move to the central provider instead of
being refused, on the config model of the router (the twin rehearsal is in
tests/test_pcc_twin.py).

The routers are real: the RouterOS 6.47 PCC office (three lines, reply-path marks, routes
per ``routing-mark``), the RouterOS 7.9.2 one (two PPPoE lines, ``/routing table``, failover
by distance switched by netwatch scripts), and that router without its PCC (failover by
distance and netwatch alone). The inventory describes each as it stands
(tests/fixtures/pcc/pcc-offices.yaml); the office PC is an address of the LAN whose
packets the model forwards by the router's marks and tables (netprov.sim.routeros.marks).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from netprov.checks.gate import _offline_plan
from netprov.checks.lint import bypass_findings
from netprov.checks.site_context import SiteContext
from netprov.inventory.loader import LoadedInventory, load_inventory
from netprov.models import Phase, Site
from netprov.phases import Role
from netprov.plan import SitePlan, unified_diff
from netprov.platforms import driver_for
from netprov.platforms.base import never
from netprov.platforms.routeros.migration import migrate, where
from netprov.platforms.routeros.policy import ROUTE, Kind, Line, Office, read_policy
from netprov.render.config import Renderer
from netprov.sim.packets import Packet
from netprov.sim.policy_routes import PolicyRouter
from netprov.sim.routeros.router import RosDevice
from netprov.sim.topology import World
from netprov.sim.world import site_world
from netprov.syntax.routeros import parse_command, parse_export, terse_lines
from tests.conftest import TEMPLATES, TODAY

REAL = Path(__file__).parent / "fixtures" / "real-configs"
OFFICES = Path(__file__).parent / "fixtures" / "pcc" / "pcc-offices.yaml"
PCC6, PCC7, FAILOVER = "kel-pcc-tiga", "kel-pcc-vlan", "kel-failover"
CITY = IPv4Address("10.250.1.10")  # the e-Government portal, a central service
INTERNET = IPv4Address("142.250.4.100")  # what the twin's resolvers give google.com
TODAY_TIME = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def failover_config() -> str:
    """routeros-7.9.2-chr-pcc-vlans-netwatch.rsc without its PCC: its mangle rules, routing
    tables and the routes in them left out: two PPPoE lines failing over by distance
    (``To-ISP1`` 1, ``To-ISP2`` 2), each switched by a netwatch entry's scripts (its LAN
    moved to 192.168.89.0/24, apart from the PCC office's)."""
    text = (REAL / "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc").read_text(encoding="utf-8")
    kept = []
    for _, line in terse_lines(text):
        command = parse_command(line)
        if command.path in ("/ip firewall mangle", "/routing table"):
            continue
        if command.path == "/ip route" and command.params.get("routing-table", "main") != "main":
            continue
        kept.append(line.replace("192.168.88.", "192.168.89."))
    return "\n".join(kept) + "\n"


def starting_config(site_id: str) -> str:
    """Each office's router as it is today."""
    if site_id == FAILOVER:
        return failover_config()
    name = {
        PCC6: "routeros-6.47-rb750gr3-pcc.rsc",
        PCC7: "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc",
    }[site_id]
    return (REAL / name).read_text(encoding="utf-8")


def with_offices(inventory: Path) -> Path:
    """The sample city with the offices of tests/fixtures/pcc added."""
    shutil.copyfile(OFFICES, inventory / "sites" / OFFICES.name)
    return inventory


@pytest.fixture
def offices(inventory_copy: Path) -> Path:
    return with_offices(inventory_copy)


@dataclass
class Rehearsed:
    """One office's router on the config model, and the inventory describing it."""

    loaded: LoadedInventory
    site: Site
    device: RosDevice

    @classmethod
    def of(cls, inventory: Path, site_id: str, config: str | None = None) -> Rehearsed:
        loaded = load_inventory(inventory, today=TODAY)
        site = loaded.site(site_id)
        world = site_world(site, loaded.organisation.central_services)
        device = driver_for(site.router.platform).simulator(site, world)
        assert isinstance(device, RosDevice)
        assert device.load_initial(config or starting_config(site_id)) == []
        return cls(loaded, site, device)

    def plan(self, phase: Phase) -> SitePlan:
        """The plan as ``apply`` makes it, on the router's export as a backup holds it."""
        org = self.loaded.organisation
        running = self.device.config_text()
        allocation = self.loaded.allocations.get(self.site.id)
        intended = (
            Renderer(TEMPLATES).render(self.site, org, phase, allocation, running=running).text
        )
        return _offline_plan(self.site, running, intended, phase, org.central_services)

    def apply(self, plan: SitePlan) -> None:
        steps = driver_for(self.site.router.platform).simulate_plan(self.device, plan)
        assert [step.rejected for step in steps if step.rejected] == []

    def go(self, phase: Phase) -> SitePlan:
        """Plan ``phase`` and apply it; nothing refused, and a second plan is empty."""
        plan = self.plan(phase)
        assert plan.conflicts == [], (phase, plan.conflicts)
        self.apply(plan)
        again = self.plan(phase)
        assert (again.commands, again.conflicts) == ([], []), phase
        return plan

    def leaves_by(self, destination: IPv4Address, *, port: int = 0) -> Role | None:
        """The line the office PC's packets to ``destination`` leave by (a new connection:
        ``port`` tells connections apart), as the router's marks and tables route them."""
        pc = IPv4Address(int(self.site.lan.address.ip) + 19)
        packet = Packet(
            pc, destination, self.site.lan.interface, protocol="icmp", port=0, src_port=port
        )
        router = self.device.router()
        assert isinstance(router, PolicyRouter)
        path = router.routed(packet).path
        return path.uplink.role if path is not None and path.uplink is not None else None

    def lines(self, menu: str) -> list[str]:
        return [line for _, line in terse_lines(self.device.config_text()) if line.startswith(menu)]


def _office_rules(office: Rehearsed, menu: str) -> list[str]:
    return [line for line in office.lines(menu) if "netprov:" not in line]


# --- reading the office's policy routing from its backup -------------------------------------

CORPUS: dict[str, tuple[Office, set[Kind], str]] = {
    "routeros-6.47-rb750gr3-pcc.rsc": (
        Office(
            ("LAN",), (IPv4Network("192.168.10.0/24"),), (Line("ISP1"), Line("ISP2"), Line("ISP3"))
        ),
        {Kind.PCC, Kind.REPLY_PATH, Kind.FAILOVER},
        "routing-mark (RouterOS 6)",
    ),
    "routeros-6.49.2-rb750r2-pcc-office.rsc": (
        Office(
            ("bridgeLAN_500",),
            (IPv4Network("192.168.88.0/24"),),
            (Line("vlan481_1"), Line("ether3 PM iP 10.69.56.166")),
        ),
        {Kind.PCC, Kind.REPLY_PATH, Kind.FAILOVER},
        "routing-mark (RouterOS 6)",
    ),
    "routeros-7.9.2-chr-pcc-vlans-netwatch.rsc": (
        Office(("Bridge-VLAN-TRUNKs",), (IPv4Network("192.168.88.0/24"),), (Line("ether1"),)),
        {Kind.PCC, Kind.REPLY_PATH, Kind.FAILOVER, Kind.NETWATCH},
        "routing tables (RouterOS 7)",
    ),
    "routeros-7.x-pcc-hotspot-cake.rsc": (
        Office(("vlan201-hotspot",), (IPv4Network("10.10.201.0/24"),), (Line("ether1-pldt"),)),
        {Kind.PCC, Kind.REPLY_PATH},
        "routing tables (RouterOS 7)",
    ),
    "routeros-6.47.9-rb750gr3-three-isp-failover.rsc": (
        Office(("bridge-lan",), (IPv4Network("192.168.9.0/24"),), (Line("ether1-frist"),)),
        {Kind.MARKS, Kind.FAILOVER, Kind.NETWATCH},
        "routing-mark (RouterOS 6)",
    ),
    "routeros-6.48.6-rb750gr3-vpn-clients-netwatch.rsc": (
        Office(("bridge-lan",), (IPv4Network("192.168.56.0/24"),), (Line("ether1-IDPLAY1"),)),
        {Kind.MARKS, Kind.RULES, Kind.FAILOVER, Kind.NETWATCH},
        "routing-mark (RouterOS 6)",
    ),
    "routeros-7.4-rb941-recursive-failover.rsc": (
        Office(("ether3",), (IPv4Network("192.168.3.0/24"),), (Line("ether1"), Line("ether2"))),
        {Kind.FAILOVER},
        "",
    ),
    "routeros-6.40-rb750g-defconf.rsc": (
        Office(("bridge",), (IPv4Network("192.168.88.0/24"),), (Line("ether1"),)),
        set(),
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_offices_policy_routing_is_read_from_its_backup(name: str) -> None:
    """Each real office's PCC, reply-path marks, marks, routing rules, failover by distance
    and netwatch scripts, and how its tables are named (6: routing-mark, 7: /routing
    table); a router without any says nothing."""
    office, kinds, style = CORPUS[name]
    policy = read_policy((REAL / name).read_text(encoding="utf-8"), office)
    assert set(policy.kinds) == kinds
    assert policy.style == style
    if kinds:
        assert policy.summary().startswith("policy routing found: ")
    else:
        assert policy.summary() == ""


def test_the_pcc_template_is_sorted_rule_by_rule() -> None:
    """On the 6.47 office: the five PCC rules on the LAN classify new connections (central
    disables them); the marks of connections coming in on each line and the output
    routing marks are the reply path (kept); the bypass goes above the first marking rule,
    below the office's own accepts for its lines' subnets."""
    office, _, _ = CORPUS["routeros-6.47-rb750gr3-pcc.rsc"]
    policy = read_policy((REAL / "routeros-6.47-rb750gr3-pcc.rsc").read_text(), office)
    assert [c.params["per-connection-classifier"] for c in policy.classifiers] == [
        f"both-addresses:5/{n}" for n in range(5)
    ]
    assert [r.describe() for r in policy.reply_path] == [
        "mangle prerouting mark-connection isp1_con (in-interface=ISP1)",
        "mangle prerouting mark-connection isp2_con (in-interface=ISP2)",
        "mangle prerouting mark-connection isp3_con (in-interface=ISP3)",
        "mangle output mark-routing to_isp1 (connection-mark=isp1_con)",
        "mangle output mark-routing to_isp2 (connection-mark=isp2_con)",
        "mangle output mark-routing to_isp3 (connection-mark=isp3_con)",
    ]
    assert policy.first_mark is not None
    assert policy.first_mark.index == 3
    assert sorted(policy.tables) == ["to_isp1", "to_isp2", "to_isp3"]


# --- the staged migration --------------------------------------------------------------------


@pytest.mark.parametrize("site_id", [PCC6, PCC7])
def test_a_pcc_office_goes_legacy_dual_central(offices: Path, site_id: str) -> None:
    office = Rehearsed.of(offices, site_id)
    legacy = office.go(Phase.LEGACY)
    # the marked tables as the office keeps them (a PPPoE client netprov adopted is renamed:
    # RouterOS follows the rename in every route naming it)
    tables = [line for line in office.lines("/ip route") if "routing-" in line]
    assert any(w.startswith("policy routing found: PCC load balancing") for w in legacy.warnings)
    assert office.leaves_by(INTERNET) is Role.LEGACY
    # dual: the city's services bypass the marks, the internet stays balanced
    dual = office.go(Phase.DUAL)
    mangle = office.lines("/ip firewall mangle")
    bypass = next(n for n, line in enumerate(mangle) if "netprov:city-bypass-1" in line)
    first_mark = next(n for n, line in enumerate(mangle) if "action=mark-" in line)
    assert bypass < first_mark
    assert "dst-address=10.250.0.0/20" in mangle[bypass]
    assert not any(c.startswith("/ip firewall mangle set") for c in dual.commands)
    assert office.leaves_by(CITY) is Role.CENTRAL
    assert office.leaves_by(INTERNET) is Role.LEGACY
    reply_path = [
        line for line in _office_rules(office, "/ip firewall mangle") if "PCC" not in line
    ]
    reply_path = [line for line in reply_path if "per-connection-classifier" not in line]
    # central: new LAN connections are no longer classified; tables and reply path stay
    office.go(Phase.CENTRAL)
    pcc = [
        line for line in office.lines("/ip firewall mangle") if "per-connection-classifier" in line
    ]
    assert pcc
    assert all("disabled=yes" in line for line in pcc)
    assert [
        line
        for line in _office_rules(office, "/ip firewall mangle")
        if "per-connection-classifier" not in line
    ] == reply_path
    assert [line for line in office.lines("/ip route") if "routing-" in line] == tables
    assert office.leaves_by(CITY) is Role.CENTRAL
    assert office.leaves_by(INTERNET, port=1) is Role.CENTRAL


def test_a_connection_keeps_its_mark_for_its_life(offices: Path) -> None:
    """A connection the office PC opened at dual is marked onto an office line and keeps
    that mark after central disables the classification (the router's connection
    tracking: MikroTik manual, "Mangle"); a new connection leaves by the central line."""
    office = Rehearsed.of(offices, PCC6)
    office.go(Phase.LEGACY)
    office.go(Phase.DUAL)
    assert office.leaves_by(INTERNET, port=7) is Role.LEGACY
    office.go(Phase.CENTRAL)
    assert office.leaves_by(INTERNET, port=7) is Role.LEGACY  # still marked
    assert office.leaves_by(INTERNET, port=8) is Role.CENTRAL


def test_the_failover_office_goes_through_all_four_phases(offices: Path) -> None:
    """Two PPPoE lines failing over by distance, each switched by a netwatch entry: from
    legacy on its own default routes sit below netprov's (their order kept, so its
    failover still works behind netprov's tracked routes); at central the internet leaves
    by the central line; final (both lines policy_routing: retire) removes the second
    line, the routes, probes and netwatch entries of both, and nothing else of the
    office's."""
    office = Rehearsed.of(offices, FAILOVER)
    before = office.device.config_text()
    legacy = office.go(Phase.LEGACY)
    found = [w for w in legacy.warnings if w.startswith("policy routing found: ")]
    assert found == [
        "policy routing found: failover by distance, netwatch scripts switching routes and rules"
    ]
    routes = {parse_command(line).params.get("comment"): line for line in office.lines("/ip route")}
    assert "distance=11" in routes["To-ISP1"]
    assert "distance=12" in routes["To-ISP2"]
    assert office.leaves_by(INTERNET) is Role.LEGACY
    office.go(Phase.DUAL)
    assert office.leaves_by(CITY) is Role.CENTRAL
    assert office.leaves_by(INTERNET, port=1) is Role.LEGACY
    office.go(Phase.CENTRAL)
    assert office.leaves_by(INTERNET, port=2) is Role.CENTRAL
    final = office.go(Phase.FINAL)
    assert any("final removes 8 of the office's objects" in w for w in final.warnings)
    after = office.device.config_text()
    for gone in ("To-ISP1", "To-ISP2", "Netwatch ISP1", "comment=ISP1", "pppoe-out2"):
        assert gone not in after, gone
    assert not office.lines("/interface pppoe-client")
    assert office.leaves_by(INTERNET, port=3) is Role.CENTRAL
    # what names no office line is still there as it was
    untouched = ("/interface vlan", "/ip pool", "/ip dhcp-server ", "/interface list member")
    for menu in untouched:
        kept = [line for _, line in terse_lines(before) if line.startswith(menu)]
        assert kept == [line for line in office.lines(menu) if "netprov:" not in line], menu


def test_final_keeps_the_site_at_central_without_retire(offices: Path) -> None:
    """The PCC office's lines say policy_routing: keep (the default): final is refused,
    saying so, and nothing is pushed."""
    office = Rehearsed.of(offices, PCC7)
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        office.go(phase)
    plan = office.plan(Phase.FINAL)
    (refusal,) = plan.conflicts
    assert refusal.startswith("policy routing in service: final would take away office lines")
    assert "(ether1, ether2)" in refusal
    assert "policy_routing: retire" in refusal


# --- what netprov cannot migrate: named (NP015) ----------------------------------------------


def test_a_netwatch_script_that_enables_a_classification_is_named_at_central() -> None:
    """The three-line failover office's netwatch scripts enable the mangle rules commented
    'isp2' and 'isp3' when a line comes back: central would disable them, the next up-script
    would balance the LAN again. Central is refused naming the script and the rule; dual
    is not."""
    name = "routeros-6.47.9-rb750gr3-three-isp-failover.rsc"
    office, _, _ = CORPUS[name]
    config = (REAL / name).read_text(encoding="utf-8")
    city = [IPv4Network("10.250.0.0/20")]
    assert migrate(config, office, Phase.DUAL, city).refusals == []
    refusals = migrate(config, office, Phase.CENTRAL, city).refusals
    assert len(refusals) == 2
    assert refusals[0].startswith("netwatch 8.8.4.4 (comment=isp2 cek): its script enables")
    assert "mangle prerouting mark-routing isp2 (src-address=192.168.9.0/24" in refusals[0]
    assert refusals[1].startswith("netwatch 149.112.112.10 (comment=isp3 cek)")


def test_a_routing_rule_for_the_lan_is_named_from_dual() -> None:
    """A routing rule sending a LAN host to an office line's table whatever the marks say
    (the VPN office's ``/ip route rule``, its source moved into the LAN): netprov's bypass
    is a mangle rule and cannot stop it. Named from dual; a rule for another network (the
    office's PPPoE customers) is not in the way."""
    name = "routeros-6.48.6-rb750gr3-vpn-clients-netwatch.rsc"
    office, _, _ = CORPUS[name]
    config = (REAL / name).read_text(encoding="utf-8")
    city = [IPv4Network("10.250.0.0/20")]
    assert migrate(config, office, Phase.DUAL, city).refusals == []
    moved = config.replace(
        "src-address=172.16.0.2/32 table=isp1", "src-address=192.168.56.7/32 table=isp1"
    )
    (refusal,) = migrate(moved, office, Phase.DUAL, city).refusals
    assert refusal.startswith("routing rule lookup isp1 (src-address=192.168.56.7/32 comment=isp1)")
    assert "netprov does not migrate routing rules" in refusal
    # a rule for the packets the office's mangle marked (RouterOS 7's way to a mark's
    # table) leaves the city's unmarked traffic be
    marked = config.replace("src-address=172.16.0.2/32 table=isp1", "routing-mark=MNET table=isp1")
    assert migrate(marked, office, Phase.DUAL, city).refusals == []


# --- the lint: nothing above the bypass marks the city's traffic (NP016) ----------------------


def test_a_mark_above_the_bypass_is_named(offices: Path) -> None:
    """A router's own pings do not pass prerouting: the bypass is proven from the config.
    At dual as netprov leaves it, nothing; with an office rule moved above the bypass that
    marks every LAN connection, that rule is named."""
    office = Rehearsed.of(offices, PCC6)
    office.go(Phase.LEGACY)
    office.go(Phase.DUAL)
    org = office.loaded.organisation
    config = office.device.config_text()
    context = SiteContext.build(office.site, org)
    assert bypass_findings(context, Phase.DUAL, config) == []
    pcc = next(line for line in office.lines("/ip firewall mangle") if "both-addresses:5/0" in line)
    moved = [line for _, line in terse_lines(config) if line != pcc]
    at = next(n for n, line in enumerate(moved) if "netprov:city-bypass-1" in line)
    moved.insert(at, pcc)
    (finding,) = bypass_findings(context, Phase.DUAL, "\n".join(moved))
    assert finding.rule == "NP016"
    assert (
        "mangle prerouting mark-connection isp1_con (in-interface=LAN "
        "per-connection-classifier=both-addresses:5/0) is above netprov's bypass" in finding.message
    )


def test_the_undo_of_central_gives_the_office_its_classification_back(offices: Path) -> None:
    """A failed check at central reverts: the undo switches the classification on again
    and puts the office's default routes back at their distances."""
    office = Rehearsed.of(offices, PCC7)
    office.go(Phase.LEGACY)
    office.go(Phase.DUAL)
    before = driver_for(office.site.router.platform).comparable(office.device.config_text())
    plan = office.plan(Phase.CENTRAL)
    office.apply(plan)
    undo = SitePlan(plan.site_id, plan.platform, plan.phase, "", plan.undo, [])
    office.apply(undo)
    after = driver_for(office.site.router.platform).comparable(office.device.config_text())
    assert sorted(after.splitlines()) == sorted(before.splitlines())
    assert parse_export(after)  # still an export the router reads


def test_the_diff_shows_what_the_migration_changes(offices: Path) -> None:
    """``plan --diff`` shows the office's own rules as the migration leaves them (before:
    netprov's commands alone, the classification still on in the "after" side)."""
    office = Rehearsed.of(offices, PCC6)
    office.go(Phase.LEGACY)
    office.go(Phase.DUAL)
    diff = unified_diff(office.plan(Phase.CENTRAL))
    added = [line for line in diff.splitlines() if line.startswith("+/ip firewall mangle")]
    assert len([line for line in added if "per-connection-classifier" in line]) == 5
    assert all("disabled=yes" in line for line in added if "per-connection-classifier" in line)


def test_only_the_offices_main_routes_move(tmp_path: Path) -> None:
    """The 6.49.2 office's default route in main and its marked table's route have the
    same gateway, check and distance. The one in main is straight over the line netprov
    tracks and no netwatch script switches it: netprov's tracked route takes it over
    (routeros_plan), so the migration leaves it (and the other line's route, at 100,
    already below netprov's); a find of its values selects it alone (before: both, and
    the line's table lost its route's place)."""
    name = "routeros-6.49.2-rb750r2-pcc-office.rsc"
    office, _, _ = CORPUS[name]
    config = (REAL / name).read_text(encoding="utf-8")
    migration = migrate(config, office, Phase.LEGACY, [IPv4Network("10.250.0.0/20")])
    assert migration.commands == []
    policy = read_policy(config, office)
    assert [r.params.get("distance") for r in policy.adopted] == ["1"]
    items = {ROUTE: [dict(c.params) for c in parse_export(config) if c.path == ROUTE]}
    device = RosDevice(ports=[], world=World([]), schedule=never, now=lambda: TODAY_TIME)
    assert device.load_initial(config) == []
    find = where(ROUTE, dict(policy.adopted[0].params), items)
    assert device.run(f"{ROUTE} set {find} distance=11", "/")[0] == ""
    routes = [dict(c.params) for c in parse_export(device.export()) if c.path == ROUTE]
    main = [r for r in routes if "routing-mark" not in r and "dst-address" not in r]
    assert [r["distance"] for r in main] == ["11", "100"]
    marked = [r for r in routes if "routing-mark" in r]
    assert [r["distance"] for r in marked] == ["1", "1"]


def test_a_pcc_office_whose_lines_retire_goes_final(offices: Path) -> None:
    """The 6.47 office with policy_routing: retire on its three lines: final removes its
    marks, its tables' routes, the probes' host routes, the further lines' NAT and
    addresses and netprov's bypass (no mark is left to bypass); its own accepts for its
    lines' subnets and its LAN stay; the office PC leaves by the central line."""
    sites = offices / "sites" / OFFICES.name
    text = sites.read_text(encoding="utf-8")
    for cost in ("400000\n  other", "400000\n  - provider: myrepublic", "350000\n  central"):
        head, _, tail = cost.partition("\n")
        text = text.replace(cost, f"{head}\n    policy_routing: retire\n{tail}", 1)
    sites.write_text(text, encoding="utf-8")
    office = Rehearsed.of(offices, PCC6)
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        office.go(phase)
    final = office.go(Phase.FINAL)
    assert any("final removes 29 of the office's objects" in w for w in final.warnings)
    mangle = office.lines("/ip firewall mangle")
    assert [parse_command(line).params.get("action") for line in mangle] == ["accept"] * 3
    assert not [line for line in office.lines("/ip route") if "routing-mark" in line]
    assert not office.lines("/ip address add address=192.168.2.40")
    assert office.lines("/ip address add address=192.168.10.1/24")
    assert office.leaves_by(INTERNET) is Role.CENTRAL
    assert office.leaves_by(CITY) is Role.CENTRAL


def test_a_table_without_fib_routes_nothing_on_routeros_7(offices: Path) -> None:
    """RouterOS 7 forwards by a table's routes only where ``/routing table`` added it with
    ``fib`` (MikroTik manual, "Routing table": fib, whether its routes are installed in
    the FIB): the office's marks naming a table without it fall back to ``main``."""
    text = starting_config(PCC7)
    office = Rehearsed.of(offices, PCC7, text)
    without = Rehearsed.of(offices, PCC7, text.replace(" fib name=via-ISP", " name=via-ISP"))
    tables = set()
    for host in range(10, 18):  # PCC by both addresses: PCs of the LAN apart
        pc = IPv4Address(int(office.site.lan.address.ip) + host)
        packet = Packet(pc, INTERNET, office.site.lan.interface, protocol="icmp")
        for rehearsed in (office, without):
            router = rehearsed.device.router()
            assert isinstance(router, PolicyRouter)
            tables.add((rehearsed is office, router.routed(packet).table))
    assert tables == {(True, "via-ISP1"), (True, "via-ISP2"), (False, "main")}
