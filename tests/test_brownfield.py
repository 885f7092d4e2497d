"""Routers already in service (issue 10): netprov adopts what the inventory describes, adds
no duplicate, never removes what it does not own, refuses what clashes, and a rehearsed
cutover from such a router keeps the office's DNS and management alive at every step.

The starting configs are of our own making (tests/fixtures/brownfield): a RouterOS default
configuration with the office ISP's PPPoE and a bridge LAN, and an IOS router with a dialer,
NAT, local users, AAA and an interface netprov never renders.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.change.outcome import Outcome
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.platforms.base import never
from netprov.render.config import Renderer
from netprov.sim.routeros.router import RosDevice
from netprov.sim.topology import World
from netprov.state.journal import Journal
from netprov.syntax.routeros import RosCommand, parse_command, parse_export
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import Edit, twin_cli_args
from tests.test_pipeline import make_pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "brownfield"
ROS_DEFCONF = FIXTURES / "routeros-defconf-pppoe.rsc"
ROS_SITE = "kec-sukamaju"  # PPPoE office ISP on ether1, backup DHCP on ether4, central ether5
ROS_LAN = "lan: {interface: ether2, address: 10.31.31.1/24}"


@pytest.fixture
def bridged(edit: Edit, inventory_copy: Path) -> Path:
    """The inventory as an engineer writes it for this router: the LAN is the bridge."""
    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    return inventory_copy


def _ros_router(config: str) -> RosDevice:
    device = RosDevice(
        ports=[f"ether{n}" for n in range(1, 6)],
        world=World([]),
        schedule=never,
        now=lambda: dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )
    assert device.load_initial(config) == []
    return device


ROS = driver_for(Platform.MIKROTIK_ROUTEROS)


def _intended(inventory: Path, site_id: str, phase: Phase) -> str:
    loaded = load_inventory(inventory)
    site = loaded.site(site_id)
    renderer = Renderer(Path("templates"))
    return renderer.render(site, loaded.organisation, phase, loaded.allocations.get(site_id)).text


def _owned_view(export: str) -> str:
    return export.replace("twin-pppoekecsukamaju", "SECRET-pppoe-kec-sukamaju")


def _adds(commands: list[str], menu: str) -> list[str]:
    return [c for c in commands if c.startswith(f"{menu} add")]


@pytest.mark.parametrize("phase", [Phase.LEGACY, Phase.DUAL, Phase.CENTRAL])
def test_routeros_plan_adopts_the_default_config_and_adds_no_duplicate(
    bridged: Path, phase: Phase
) -> None:
    inventory = bridged
    router = _ros_router(ROS_DEFCONF.read_text())
    running = _owned_view(router.export())
    plan = ROS.plan(ROS_SITE, phase, running, _intended(inventory, ROS_SITE, phase))
    assert plan.conflicts == []
    # what the router already has is taken over with `set`, never added a second time
    assert _adds(plan.commands, "/interface pppoe-client") == []
    assert not [c for c in _adds(plan.commands, "/ip address") if "10.31.31.1/24" in c]
    assert not [c for c in _adds(plan.commands, "/ip dhcp-server") if "interface=bridge" in c]
    assert _adds(plan.commands, "/ip dhcp-server network") == []
    adopted = "\n".join(plan.adopted)
    assert '/interface pppoe-client set [ find where interface=ether1 and comment="" ]' in adopted
    assert "name=pppoe-legacy" in adopted  # renamed: RouterOS updates every reference
    assert "/ip address set [ find where address=10.31.31.1/24 and comment=defconf ]" in adopted
    # nothing netprov does not own is removed: no remove at all on a first push
    assert not [c for c in plan.commands if parse_command(c).verb == "remove"]
    # central traffic is accepted before the default config's FastTrack rule
    if phase.has_central:
        accepts = [c for c in plan.commands if "netprov:qos-accept" in c]
        assert len(accepts) == 2
        fasttrack = 'place-before=[ find where chain=forward and comment="defconf: fasttrack" ]'
        assert all(c.endswith(fasttrack) for c in accepts)


def test_routeros_plan_converges_and_keeps_every_unowned_object(bridged: Path) -> None:
    """Pushed on the simulated router, the plan leaves nothing to do, one object of each
    kind the office had, and every default-config object still there."""
    inventory = bridged
    router = _ros_router(ROS_DEFCONF.read_text())
    before = parse_export(router.export())
    unowned_before = {_unnamed(c) for c in before if c.verb == "add"}
    driver = ROS
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        intended = _intended(inventory, ROS_SITE, phase)
        plan = driver.plan(ROS_SITE, phase, _owned_view(router.export()), intended)
        for command in plan.commands:
            output, _ = router.run(command.replace("SECRET-pppoe-kec-sukamaju", "pw"), "/")
            assert output == "", (command, output)
        again = driver.plan(ROS_SITE, phase, _owned_view(router.export()), intended)
        assert again.commands == [], again.commands
    after = parse_export(router.export())
    assert sum(c.path == "/interface pppoe-client" for c in after) == 1
    assert sum(c.params.get("address") == "10.31.31.1/24" for c in after) == 1
    assert sum(c.path == "/ip dhcp-server" for c in after) == 1
    # the router's own objects (firewall, bridge, lists, DNS name, its pool) are all there;
    # adopted ones carry netprov's comment now and are not counted
    kept = {_unnamed(c) for c in after if c.verb == "add"}
    lost = {
        item for item in unowned_before - kept if not any(path == item[0] for path in ADOPTED_MENUS)
    }
    assert lost == set()
    filters = [c for c in after if c.path == "/ip firewall filter"]
    order = [c.params.get("comment", "") for c in filters]
    assert order.index("netprov:qos-accept-out") < order.index("defconf: fasttrack")


def _unnamed(command: RosCommand) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An object without its comment (an adopted one carries netprov's) and the interfaces
    it names (netprov renames the PPPoE client; RouterOS follows the rename everywhere)."""
    kept = tuple(
        sorted((k, v) for k, v in command.params.items() if "interface" not in k and k != "comment")
    )
    return command.path, kept


ADOPTED_MENUS = (
    "/interface pppoe-client",
    "/ip address",
    "/ip dhcp-server",
    "/ip dhcp-server network",
    "/interface list member",  # its interface was renamed with the PPPoE client
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                "add bridge=bridge comment=defconf interface=ether3",
                "add bridge=bridge comment=defconf interface=ether3\n"
                "add bridge=bridge comment=defconf interface=ether4",
            ),
            "ether4 is a port of bridge 'bridge'",
        ),
        (
            ("user=kec-sukamaju@indihome.co.id", "user=someone-else@indihome.co.id"),
            "the router has user=someone-else@indihome.co.id",
        ),
        (
            (
                "add address=10.31.31.1/24 comment=defconf interface=bridge",
                "add address=10.31.31.1/24 comment=defconf interface=ether3",
            ),
            "the router has interface=ether3",
        ),
    ],
    ids=["backup-port-in-bridge", "other-pppoe-account", "lan-address-elsewhere"],
)
def test_routeros_plan_refuses_a_router_that_clashes_with_the_inventory(
    bridged: Path, change: tuple[str, str], expected: str
) -> None:
    inventory = bridged
    config = ROS_DEFCONF.read_text()
    assert change[0] in config
    router = _ros_router(config.replace(change[0], change[1]))
    plan = ROS.plan(
        ROS_SITE,
        Phase.LEGACY,
        _owned_view(router.export()),
        _intended(inventory, ROS_SITE, Phase.LEGACY),
    )
    assert any(expected in conflict for conflict in plan.conflicts), plan.conflicts


def _rehearse(
    twin: Twin, inventory: Path, site_id: str, tmp_path: Path
) -> Iterator[tuple[Phase, Outcome]]:
    """The adoption, then legacy -> dual -> central, each a pipeline run of its own (as a
    person runs `netprov adopt`, then `apply`), yielded as they happen."""
    loaded = load_inventory(inventory)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    site = loaded.site(site_id)
    yield (
        Phase.LEGACY,
        make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY, adopt=True),
    )
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        yield phase, make_pipeline(twin, journal, loaded=loaded).apply(site, phase)


@pytest.mark.twin
def test_adopt_goes_ahead_on_a_router_whose_fetch_is_off(
    twin_factory: TwinFactory, bridged: Path, tmp_path: Path
) -> None:
    """An adoption is checked as "the office works as it did", which has the router fetch
    nothing: a RouterOS 7 whose device-mode has fetch off is adopted; a change to a phase,
    whose egress check fetches, is still refused before any push, naming it."""
    faults = SiteFaults.model_validate({"device_mode": {"mode": "advanced", "fetch": False}})
    scenario = Scenario(
        configs={ROS_SITE: str(ROS_DEFCONF)},
        sites={ROS_SITE: faults},
        versions={ROS_SITE: "7.16.2"},
    )
    twin = twin_factory([ROS_SITE], inventory=bridged, scenario=scenario)
    loaded = load_inventory(bridged)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    site = loaded.site(ROS_SITE)
    pipeline = make_pipeline(twin, journal, loaded=loaded)
    shown = pipeline.plan_only(site, Phase.LEGACY, adopting=True)  # what `adopt` asks about
    assert shown.status == "planned", shown.as_dict()
    adopted = pipeline.apply(site, Phase.LEGACY, adopt=True)
    assert adopted.status == "confirmed", adopted.as_dict()
    assert not [c for c in adopted.checks if c.name.startswith("egress")]
    applied = make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY)
    assert applied.status == "refused", applied.as_dict()
    assert "/system device-mode has fetch off" in applied.detail


@pytest.mark.twin
def test_routeros_rehearsed_cutover_from_the_default_config(
    twin_factory: TwinFactory, bridged: Path, tmp_path: Path
) -> None:
    """adopt -> legacy -> dual -> central on the twin: every step confirmed with its checks
    (management session, LAN DNS through the filters, ...), each push simulated by the
    lockout guard first; one PPPoE client and one LAN address at the end."""
    scenario = Scenario(configs={ROS_SITE: str(ROS_DEFCONF)})
    twin = twin_factory([ROS_SITE], inventory=bridged, scenario=scenario)
    steps = _rehearse(twin, bridged, ROS_SITE, tmp_path)
    _, adopted = next(steps)
    assert adopted.status == "confirmed", adopted.as_dict()
    assert adopted.plan is not None
    assert adopted.plan.commands == adopted.plan.adopted
    assert {c.name: c for c in adopted.checks}["new management session"].ok
    for phase, outcome in steps:
        assert outcome.status == "confirmed", (phase, outcome.as_dict())
        names = {c.name: c for c in outcome.checks}
        assert names["management session"].ok
        # the NOC still gets in: a new session, through the router's input chain
        assert names["new management session"].ok, names["new management session"]
        assert names["management restricted"].ok, names["management restricted"]
        assert names["LAN DNS forced to the filtering resolvers"].observed == "in force"
        assert names["DNS resolves google.com"].ok
    export = twin.devices[ROS_SITE].running_config()
    assert export.count("/interface pppoe-client add") == 1
    assert len(re.findall(r"address=10\.31\.31\.1/24 ", export)) == 1
    assert 'comment="defconf: fasttrack"' in export
    assert "comment=defconf name=bridge" in export


IOS_DIALER = FIXTURES / "ios-dialer-nat.cfg"
IOS_SITE = "dprd"
IOS_STATIC = "addressing: {mode: static, address: 203.0.113.10/30, gateway: 203.0.113.9}"
IOS_PPPOE = (
    "addressing: {mode: pppoe, username: dprd@iconnet.example, "
    "password: {env: NETPROV_PPPOE_PASSWORD}}"
)
IOS = driver_for(Platform.CISCO_IOS)


IOS_LAN = "lan: {interface: GigabitEthernet0/0/2, address: 10.31.2.1/24}"


@pytest.fixture
def dialer(edit: Edit, inventory_copy: Path) -> Path:
    """The inventory for the IOS office: its ISP line is PPPoE (the router's Dialer1); the
    router serves no DHCP today and the inventory asks netprov to (lan.dhcp: true)."""
    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", ", dhcp: true}"))
    return inventory_copy


def _ios_running() -> str:
    """The dialer office's config as a plan sees it: its PPP password (type 7) read back as
    the reference it stands for."""
    labels = {"twin-netprovpppoepassword": "SECRET-NETPROV_PPPOE_PASSWORD"}
    return IOS.with_references(IOS_DIALER.read_text(), labels)


@pytest.mark.parametrize("phase", [Phase.LEGACY, Phase.DUAL, Phase.CENTRAL])
def test_ios_plan_never_removes_what_netprov_does_not_own(dialer: Path, phase: Phase) -> None:
    plan = IOS.plan(IOS_SITE, phase, _ios_running(), _intended(dialer, IOS_SITE, phase))
    removals = [c for c in plan.commands if c.startswith(("no ", "default "))]
    # the office's own: its loopback, its route to an in-house network, users, AAA
    assert not [c for c in removals if "Loopback99" in c or "192.168.50.0" in c]
    assert not [c for c in removals if c.startswith(("no username", "no aaa"))]
    assert plan.candidate is not None
    for kept in (
        "interface Loopback99",
        "ip route 192.168.50.0 255.255.255.0 10.31.2.254",
        "username vendor privilege 15 secret 5",
        "aaa authentication login default local",
        "access-list 1 permit 10.31.2.0 0.0.0.255",
    ):
        assert kept in plan.candidate, kept
    # what the inventory describes is taken over: the ISP's dialer and its NAT and default
    # route are netprov's now (one NAT per uplink, one default route per uplink)
    assert "no ip nat inside source list 1 interface Dialer1 overload" in removals
    nat = re.findall(r"^ip nat inside source .* interface Dialer1 overload$", plan.candidate, re.M)
    # the office's rule has translations: IOS removes it only outside configure replace,
    # after asking (Cisco tech note 13779), so it goes once the replace is in
    assert sorted(nat) == [
        "ip nat inside source list 1 interface Dialer1 overload",
        "ip nat inside source route-map NETPROV-NAT-LEGACY interface Dialer1 overload",
    ]
    assert plan.after_push == ["no ip nat inside source list 1 interface Dialer1 overload"]
    assert len(re.findall(r"^interface Dialer1$", plan.candidate, re.M)) == 1
    assert len(re.findall(r"^ip route 0\.0\.0\.0 0\.0\.0\.0 Dialer1", plan.candidate, re.M)) == 1
    # the safe push needs SCP and the archive; the router has neither: prepared first
    assert plan.adopted[0] == "ip scp server enable"
    assert "no ip scp server enable" in plan.adopted_undo


def test_ios_vty_lines_only_gain_netprov_lines(dialer: Path) -> None:
    running = _ios_running().replace(
        "line vty 0 4\n transport input ssh", "line vty 0 4\n login local\n transport input ssh"
    )
    plan = IOS.plan(IOS_SITE, Phase.LEGACY, running, _intended(dialer, IOS_SITE, Phase.LEGACY))
    assert "no login local" not in [c.strip() for c in plan.commands]
    assert plan.candidate is not None
    assert " login local" in plan.candidate


@pytest.mark.twin
def test_ios_rehearsed_cutover_from_a_router_in_service(
    twin_factory: TwinFactory, dialer: Path, tmp_path: Path
) -> None:
    """The router has no SCP server and no archive: netprov prepares them, then
    legacy -> dual -> central, each confirmed with its checks; the office's own lines stay."""
    scenario = Scenario(configs={IOS_SITE: str(IOS_DIALER)})
    twin = twin_factory([IOS_SITE], inventory=dialer, scenario=scenario)
    steps = _rehearse(twin, dialer, IOS_SITE, tmp_path)
    _, adopted = next(steps)
    assert adopted.status == "confirmed", adopted.as_dict()
    assert "ip scp server enable" in twin.devices[IOS_SITE].running_config()
    for phase, outcome in steps:
        assert outcome.status == "confirmed", (phase, outcome.as_dict())
        names = {c.name: c for c in outcome.checks}
        assert names["management session"].ok
        assert names["new management session"].ok, names["new management session"]
        assert names["management restricted"].ok, names["management restricted"]
        assert names["LAN DNS forced to the filtering resolvers"].ok
        assert names["DNS resolves google.com"].ok
    config = twin.devices[IOS_SITE].running_config()
    assert "no ip http server" in config  # on by IOS-XE's factory default until then
    assert "interface Loopback99" in config
    assert "ip route 192.168.50.0 255.255.255.0 10.31.2.254" in config
    assert "username vendor" in config
    assert "ip nat inside source list 1" not in config


def test_ios_plan_refuses_an_address_that_clashes(dialer: Path) -> None:
    """The router's LAN port carries another subnet than the inventory says: a person
    decides which is right; nothing is pushed (apply refuses a plan with conflicts)."""
    running = _ios_running().replace(
        " ip address 10.31.2.1 255.255.255.0", " ip address 192.168.1.1 255.255.255.0"
    )
    plan = IOS.plan(IOS_SITE, Phase.LEGACY, running, _intended(dialer, IOS_SITE, Phase.LEGACY))
    assert plan.conflicts == [
        "GigabitEthernet0/0/2 has 192.168.1.1 255.255.255.0 on the router; "
        "the inventory puts 10.31.2.1 255.255.255.0 there"
    ]
    assert (
        IOS.plan(
            IOS_SITE, Phase.LEGACY, _ios_running(), _intended(dialer, IOS_SITE, Phase.LEGACY)
        ).conflicts
        == []
    )


@pytest.mark.twin
def test_adopt_command_takes_over_then_plan_adds_no_duplicate(
    twin_factory: TwinFactory, bridged: Path, tmp_path: Path, cli: CliRunner
) -> None:
    """`netprov adopt --yes --json` on the default-config router: exit 0, the takeover
    confirmed; the next plan has nothing left to adopt and no second PPPoE client."""
    scenario = Scenario(configs={ROS_SITE: str(ROS_DEFCONF)})
    twin = twin_factory([ROS_SITE], inventory=bridged, scenario=scenario)
    common = twin_cli_args(twin, tmp_path, ROS_SITE, bridged)
    adopted = cli.invoke(app, ["adopt", *common, "--yes", "--json"])
    assert adopted.exit_code == 0, adopted.output
    summary = json.loads(adopted.stdout)
    assert [site["status"] for site in summary["sites"]] == ["confirmed"]
    export = twin.devices[ROS_SITE].running_config()
    assert 'comment="netprov:legacy PT Telkom Indonesia - IndiHome"' in export
    assert export.count("/interface pppoe-client add") == 1
    planned = cli.invoke(app, ["plan", *common, "--phase", "legacy", "--json"])
    assert planned.exit_code == 2, planned.output  # the rest of legacy is still to come
    plan = json.loads(planned.stdout)["sites"][0]["plan"]
    assert plan["conflicts"] == []
    assert plan["adopted"] == []
    assert not [c for c in plan["commands"] if c.startswith("/interface pppoe-client add")]


@pytest.mark.twin
def test_adopt_never_asks_about_a_router_it_refused(
    twin_factory: TwinFactory, bridged: Path, tmp_path: Path, cli: CliRunner, terminal: None
) -> None:
    """Issue 21 (8): the router logs in to its ISP with another account than the inventory
    says: `adopt` names the clash and asks nothing ("Adopt with 2 command(s)?" before)."""
    clashing = tmp_path / "clash.rsc"
    clashing.write_text(
        ROS_DEFCONF.read_text().replace(
            "user=kec-sukamaju@indihome.co.id", "user=someone-else@indihome.co.id"
        )
    )
    twin = twin_factory(
        [ROS_SITE], inventory=bridged, scenario=Scenario(configs={ROS_SITE: str(clashing)})
    )
    common = twin_cli_args(twin, tmp_path, ROS_SITE, bridged)
    result = cli.invoke(app, ["adopt", *common], input="y\n")
    assert result.exit_code == 1, result.output
    assert "someone-else@indihome.co.id" in result.stdout
    assert "Adopt with" not in result.stdout
    assert "nothing to adopt" in result.stdout
    assert "netprov:" not in twin.devices[ROS_SITE].running_config()
