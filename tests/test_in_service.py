"""Issue 21: safe on a router in service. The twin behaves as the real router does first
(each test names the manual or capture), then netprov is held to it.

1. The NOC is never locked out: new sessions meet the router's own filtering (RouterOS input
   chain, IOS vty access-class) in the twin and in the lockout guard; netprov's accept goes
   above the default configuration's drop.
"""

from __future__ import annotations

import dataclasses
import json
import re
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoBaseException
from paramiko.ssh_exception import SSHException
from typer.testing import CliRunner

from netprov.checks.lockout_guard import rehearse
from netprov.checks.site_context import SiteContext
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from netprov.syntax.routeros import parse_command, parse_export
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario
from tests.conftest import Edit, line_of, twin_cli_args

FIXTURES = Path(__file__).parent / "fixtures" / "brownfield"
ROS_DEFCONF = FIXTURES / "routeros-defconf-pppoe.rsc"
ROS_SITE = "kec-sukamaju"
ROS_LAN = "lan: {interface: ether2, address: 10.31.31.1/24}"
ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
NOC = IPv4Address("10.250.10.1")  # the first host of the sample's management network


@pytest.fixture
def bridged(edit: Edit, inventory_copy: Path) -> Path:
    """The inventory as an engineer writes it for the fixture's router: LAN on the bridge."""
    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    return inventory_copy


def _router(config: str, inventory: Path) -> RosDevice:
    """The simulator of the site's router, in the site's world (its lines all up)."""
    loaded = load_inventory(inventory)
    site = loaded.site(ROS_SITE)
    device = ROS.simulator(site, site_world(site, loaded.organisation.central_services))
    assert isinstance(device, RosDevice)
    assert device.load_initial(config) == []
    return device


def _masked(export: str) -> str:
    return export.replace("twin-pppoekecsukamaju", "SECRET-pppoe-kec-sukamaju")


def _unmasked(command: str) -> str:
    return command.replace("SECRET-pppoe-kec-sukamaju", "twin-pppoekecsukamaju")


def _intended(inventory: Path, phase: Phase) -> str:
    return _intended_for(inventory, ROS_SITE, phase)


def _intended_for(inventory: Path, site_id: str, phase: Phase) -> str:
    from netprov.render.config import Renderer

    loaded = load_inventory(inventory)
    site = loaded.site(site_id)
    allocation = loaded.allocations.get(site_id)
    return Renderer(Path("templates")).render(site, loaded.organisation, phase, allocation).text


def _push_as_before_the_fix(router: RosDevice, commands: list[str]) -> None:
    """What netprov pushed before issue 21: its input accept appended at the end of the
    chain (no place-before), never moved."""
    for command in commands:
        if parse_command(command).verb == "move":
            continue
        kept = command.split(" place-before=[ find where chain=input")[0]
        assert router.run(_unmasked(kept), "/")[0] == ""


def _connects(twin_host: str, port: int, username: str, password: str, device_type: str) -> bool:
    try:
        with ConnectHandler(
            device_type=device_type,
            host=twin_host,
            port=port,
            username=username,
            password=password,
            banner_timeout=2,
            conn_timeout=5,
        ) as conn:
            return bool(conn.find_prompt())
    except (NetmikoBaseException, SSHException, OSError, EOFError):
        return False


# --- 1. the NOC's new sessions --------------------------------------------------------------


@pytest.mark.twin
def test_twin_routeros_drops_a_new_noc_session_its_input_chain_drops(
    twin_factory: TwinFactory, bridged: Path, tmp_path: Path
) -> None:
    """The default configuration's "drop all not coming from LAN" (MikroTik manual,
    "Firewall: Filter": top to bottom, first match wins): the NOC arrives over the ISP's
    PPPoE, not from LAN; without the office's accept for it, no new session gets in."""
    closed = tmp_path / "closed.rsc"
    closed.write_text(
        "\n".join(
            line
            for line in ROS_DEFCONF.read_text().splitlines()
            if 'comment="Diskominfo NOC"' not in line
        )
    )
    for config, expected in ((ROS_DEFCONF, True), (closed, False)):
        twin = twin_factory(
            [ROS_SITE], inventory=bridged, scenario=Scenario(configs={ROS_SITE: str(config)})
        )
        device = twin.devices[ROS_SITE]
        verdict = twin.call(device.admission)
        assert verdict.accepted is expected, verdict
        connected = _connects(
            device.host, device.port, device.username, device.password, "mikrotik_routeros"
        )
        assert connected is expected
    assert verdict.reason == 'rule "defconf: drop all not coming from LAN"'


@pytest.mark.twin
def test_twin_ios_refuses_a_session_its_vty_access_class_denies(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """IOS hands an incoming session the first free vty line; that line's access-class
    decides (Cisco IOS Security Configuration Guide, "Controlling Access to a Virtual
    Terminal Line"): the NOC outside the ACL is refused, from the first line on."""
    loaded = load_inventory(Path("inventory"))
    from netprov.render.config import Renderer

    site = loaded.site("setda")
    config = Renderer(Path("templates")).render(site, loaded.organisation, Phase.LEGACY, None).text
    others = tmp_path / "other-noc.cfg"
    others.write_text(
        config.replace(" permit 10.250.10.0 0.0.0.255", " permit 10.99.0.0 0.0.0.255")
    )
    twin = twin_factory(["setda"], scenario=Scenario(configs={"setda": str(others)}))
    device = twin.devices["setda"]
    verdict = twin.call(device.admission)
    assert verdict.action == "reject"
    assert "access-class NETPROV-MGMT" in verdict.reason
    assert not _connects(device.host, device.port, device.username, device.password, "cisco_ios")


def test_routeros_plan_puts_the_noc_accept_above_the_routers_own_drop(bridged: Path) -> None:
    router = _router(ROS_DEFCONF.read_text(), bridged)
    plan = ROS.plan(
        ROS_SITE, Phase.LEGACY, _masked(router.export()), _intended(bridged, Phase.LEGACY)
    )
    (accept,) = [c for c in plan.commands if "comment=netprov:mgmt-in" in c]
    # above netprov's drop of the others' management, which goes above the router's first
    # accept (of established connections: issue 37 item 4, netprov.platforms.
    # routeros_placement); before, above the router's first drop
    established = (
        '[ find where chain=input and comment="defconf: accept established,related,untracked" ]'
    )
    assert accept.endswith(f"place-before={established}")
    for command in plan.commands:
        assert router.run(_unmasked(command), "/")[0] == ""
    chain = [
        c.params.get("comment", "")
        for c in parse_export(router.export())
        if c.path == "/ip firewall filter" and c.params.get("chain") == "input"
    ]
    assert chain.index("netprov:mgmt-in") < chain.index("defconf: drop all not coming from LAN")
    assert router.router().admits(NOC, IPv4Address("10.251.0.31")).accepted


def test_routeros_plan_moves_an_accept_an_earlier_push_left_below_the_drop(
    bridged: Path,
) -> None:
    """A router netprov reached before the fix: its accept sits under the drop. The plan
    moves it up (MikroTik manual, "Console": move ... destination=) and converges."""
    router = _router(ROS_DEFCONF.read_text(), bridged)
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        intended = _intended(bridged, phase)
        plan = ROS.plan(ROS_SITE, phase, _masked(router.export()), intended)
        _push_as_before_the_fix(router, plan.commands)
    # the NOC comes over the central line now: "not coming from LAN"
    verdict = router.router().admits(NOC, IPv4Address("10.251.0.31"))
    assert verdict.reason == 'rule "defconf: drop all not coming from LAN"'
    again = ROS.plan(ROS_SITE, Phase.CENTRAL, _masked(router.export()), intended)
    moves = [c for c in again.commands if parse_command(c).verb == "move"]
    established = (
        '[ find where chain=input and comment="defconf: accept established,related,untracked" ]'
    )
    assert moves == [
        f"/ip firewall filter move [ find where comment=netprov:{rule} ] destination={established}"
        for rule in ("mgmt-in", "mgmt-drop", "dns-closed-udp", "dns-closed-tcp")
    ]
    for command in again.commands:
        assert router.run(_unmasked(command), "/")[0] == ""
    assert router.router().admits(NOC, IPv4Address("10.251.0.31")).accepted
    assert ROS.plan(ROS_SITE, Phase.CENTRAL, _masked(router.export()), intended).commands == []


def test_lockout_guard_refuses_a_plan_that_leaves_a_drop_above_the_accept(bridged: Path) -> None:
    """NP009 and the guard read the input chain: the plan of before the fix (the accept
    appended under the default configuration's drop) is refused, naming that rule."""
    loaded = load_inventory(bridged)
    site = loaded.site(ROS_SITE)
    router = _router(ROS_DEFCONF.read_text(), bridged)
    for phase in (Phase.LEGACY, Phase.DUAL):
        plan = ROS.plan(ROS_SITE, phase, _masked(router.export()), _intended(bridged, phase))
        _push_as_before_the_fix(router, plan.commands)
    running = _masked(router.export())
    plan = ROS.plan(ROS_SITE, Phase.CENTRAL, running, _intended(bridged, Phase.CENTRAL))
    unplaced = dataclasses.replace(
        plan, commands=[c for c in plan.commands if parse_command(c).verb != "move"]
    )
    lockout = rehearse(SiteContext.build(site, loaded.organisation), running, unplaced).lockout
    assert lockout is not None
    assert 'dropped by rule "defconf: drop all not coming from LAN"' in lockout
    assert rehearse(SiteContext.build(site, loaded.organisation), running, plan).lockout is None


@pytest.mark.parametrize("start", ["defconf", "netprov"])
def test_every_uplink_is_wan_and_the_office_is_closed_to_new_connections_from_it(
    inventory_copy: Path, edit: Edit, start: str
) -> None:
    """The default configuration drops new connections from WAN that no dstnat let in;
    its WAN list held only ether1, so the backup line and the central VLAN were open to the
    office LAN. Every uplink joins WAN (the router's own list is taken over, not doubled),
    on the default configuration and on a router netprov built alike."""
    lan = "ether2"
    if start == "defconf":  # the LAN is the default configuration's bridge
        lan = "bridge"
        edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", lan))
    bridged = inventory_copy
    config = ROS_DEFCONF.read_text() if start == "defconf" else _intended(bridged, Phase.LEGACY)
    router = _router(_unmasked(config), bridged)
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL):
        plan = ROS.plan(ROS_SITE, phase, _masked(router.export()), _intended(bridged, phase))
        assert plan.conflicts == []
        for command in plan.commands:
            assert router.run(_unmasked(command), "/")[0] == ""
    export = parse_export(router.export())
    lists = [c for c in export if c.path == "/interface list" and c.params.get("name") == "WAN"]
    assert len(lists) == 1
    members = {
        c.params["interface"]
        for c in export
        if c.path == "/interface list member" and c.params["list"] == "WAN"
    }
    assert {"pppoe-legacy", "vlan1131-central", "ether4"} <= members
    drops = [c for c in export if c.params.get("comment") == "netprov:wan-forward-drop"]
    assert len(drops) == 1
    pc = IPv4Address("10.31.31.50")
    model = router.router()
    for line in ("vlan1131-central", "ether4", "pppoe-legacy"):
        verdict = model.forwards_new(IPv4Address("203.0.113.7"), pc, line)
        assert verdict.action == "drop", (line, verdict)
    assert model.forwards_new(IPv4Address("10.31.31.9"), IPv4Address("8.8.8.8"), lan).accepted


# --- 2. secrets that converge -------------------------------------------------------------


def test_twin_routeros_export_leaves_secrets_out_unless_asked(bridged: Path) -> None:
    """RouterOS 7 hides passwords in an export unless ``show-sensitive`` (MikroTik manual,
    "Configuration Management"; Oxidized's routeros model asks it for v7 for this reason);
    a plain ``/export`` prints blocks, ``terse`` one full line per item."""
    router = _router(ROS_DEFCONF.read_text(), bridged)
    hidden, _ = router.run("/export terse", "/")
    shown, _ = router.run("/export terse show-sensitive", "/")
    blocks, _ = router.run("/export", "/")
    assert "password=" not in hidden
    assert "password=twin-pppoekecsukamaju" in shown
    assert "\n/interface pppoe-client\nadd " in blocks
    assert "password=" not in blocks
    assert router.run("/export hide-everything", "/")[0].startswith("expected end of command")


@pytest.mark.twin
def test_plan_right_after_apply_is_empty_on_a_routeros_pppoe_site(
    twin_factory: TwinFactory, tmp_path: Path, cli: CliRunner
) -> None:
    """The PPPoE password compares by its value: the plan reads the export with
    show-sensitive and masks it, so an unchanged password is never sent again (a re-set
    may redial the session)."""
    site = "kel-hegarsari"
    twin = twin_factory([site])
    common = twin_cli_args(twin, tmp_path, site)
    applied = cli.invoke(app, ["apply", *common, "--phase", "dual", "--yes", "--json"])
    assert applied.exit_code == 0, applied.output
    planned = cli.invoke(app, ["plan", *common, "--phase", "dual", "--json"])
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["sites"][0]["plan"]["commands"] == []
    backup = (tmp_path / "b" / f"{site}.cfg").read_text()
    assert "password=SECRET-pppoe-kel-hegarsari" in backup  # stored masked
    assert "twin-netprov" not in backup


# --- 3. one PPPoE password per account -----------------------------------------------------


def test_validate_names_one_secret_shared_by_several_pppoe_accounts(
    inventory_copy: Path, edit: Edit, cli: CliRunner
) -> None:
    """Every office's ISP account has its own password; one reference behind several would
    break authentication on all lines but one at the first push. Each site is named, at
    its password's line."""
    for site in ("kec-sukamaju", "kec-cibeureum"):
        edit(
            "sites/kecamatan-kelurahan.yaml",
            f"{{file: secrets/pppoe.yaml, key: {site}}}",
            "{env: NETPROV_PPPOE_PASSWORD}",
        )
    result = cli.invoke(app, ["validate", "--inventory", str(inventory_copy)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "env:NETPROV_PPPOE_PASSWORD" in line]
    assert len(lines) == 2
    path = inventory_copy / "sites" / "kecamatan-kelurahan.yaml"
    first = line_of(path, "{env: NETPROV_PPPOE_PASSWORD}")
    assert (
        f"kecamatan-kelurahan.yaml:{first}: sites[0].legacy_uplink.addressing.password" in lines[0]
    )
    assert "also the password of kec-cibeureum@indihome.co.id" in lines[0]


def test_a_keyed_secret_file_gives_each_site_its_own_password(tmp_path: Path) -> None:
    from netprov.errors import SecretError
    from netprov.models import SecretRef
    from netprov.secrets import EnvironmentSecrets

    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "pppoe.yaml").write_text("kec-sukamaju: s3cret-1\nkel-x: 42\n")
    resolve = EnvironmentSecrets(tmp_path, {})
    assert resolve(SecretRef(file="secrets/pppoe.yaml", key="kec-sukamaju")) == "s3cret-1"
    assert resolve(SecretRef(file="secrets/pppoe.yaml", key="kel-x")) == "42"
    with pytest.raises(SecretError, match="no such key"):
        resolve(SecretRef(file="secrets/pppoe.yaml", key="kel-y"))
    with pytest.raises(ValueError, match="'key' names an entry of a 'file'"):
        SecretRef(env="X", key="a")


IOS_DIALER = FIXTURES / "ios-dialer-nat.cfg"
IOS_LAN = "lan: {interface: GigabitEthernet0/0/2, address: 10.31.2.1/24}"
IOS_STATIC = "addressing: {mode: static, address: 203.0.113.10/30, gateway: 203.0.113.9}"
IOS_PPPOE = (
    "addressing: {mode: pppoe, username: dprd@iconnet.example, "
    "password: {env: NETPROV_PPPOE_PASSWORD}}"
)


def test_twin_ios_shows_passwords_as_type_7_under_password_encryption() -> None:
    """Cisco IOS Security Command Reference, "service password-encryption": passwords are
    shown encrypted (type 7) once configured; a type 7 value decodes to the password."""
    from netprov.sim.ios.config import IosConfig
    from netprov.syntax import ios_type7 as type7

    config = IosConfig()
    assert (
        config.load(IOS_DIALER.read_text().replace("ppp chap password 7 ", "ppp chap password 0 x"))
        == []
    )
    config.load("service password-encryption\ninterface Dialer1\n ppp chap password 0 pp-42\n")
    (line,) = [line for line in config.lines() if "chap password" in line]
    assert line.startswith(" ppp chap password 7 ")
    assert type7.decode(line.split()[-1]) == "pp-42"


@pytest.mark.twin
def test_plan_right_after_apply_is_empty_on_an_ios_pppoe_site(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path, cli: CliRunner
) -> None:
    """The dialer office runs service password-encryption: its PPP password reads as type 7.
    The plan compares it by value (type 7 decoded), so after an apply nothing is left to
    send (before: `no ppp chap password 7 ...` then `ppp chap password 0 ...` every time)."""
    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", ", dhcp: true}"))  # it serves none
    twin = twin_factory(
        ["dprd"], inventory=inventory_copy, scenario=Scenario(configs={"dprd": str(IOS_DIALER)})
    )
    common = twin_cli_args(twin, tmp_path, "dprd", inventory_copy)
    assert cli.invoke(app, ["adopt", *common, "--yes", "--json"]).exit_code == 0
    applied = cli.invoke(app, ["apply", *common, "--phase", "legacy", "--yes", "--json"])
    assert applied.exit_code == 0, applied.output
    assert " ppp chap password 7 " in twin.devices["dprd"].running_config()
    planned = cli.invoke(app, ["plan", *common, "--phase", "legacy", "--json"])
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["sites"][0]["plan"]["commands"] == []


# --- 4. NAT IOS refuses to remove while it is in use ---------------------------------------


@pytest.mark.twin
def test_twin_ios_refuses_to_remove_nat_with_translations(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path
) -> None:
    """Cisco tech note 13779: removing a dynamic NAT rule that holds translations is
    refused inside a replace (revert trigger error rolls the whole replace back) and asked
    about in config mode ("Dynamic mapping in use, do you want to delete all entries?")."""
    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", ", dhcp: true}"))  # it serves none
    twin = twin_factory(
        ["dprd"], inventory=inventory_copy, scenario=Scenario(configs={"dprd": str(IOS_DIALER)})
    )
    device = twin.devices["dprd"]
    state = device.state
    assert isinstance(state, IosDevice)
    rule = "ip nat inside source list 1 interface Dialer1 overload"
    assert twin.call(state.nat_in_use) == {rule}
    candidate = device.running_config().replace(rule + "\n", "")
    refused = twin.call(
        lambda: state.replace(candidate, user="x", revert_minutes=5, revert_on_error=True)
    )
    assert "%Dynamic mapping in use, cannot remove" in refused
    assert "successfully restored" in refused
    assert rule in device.running_config()
    with ConnectHandler(
        device_type="cisco_ios",
        host=device.host,
        port=device.port,
        username=device.username,
        password=device.password,
    ) as conn:
        conn.config_mode()
        asked = conn.send_command_timing(f"no {rule}", strip_prompt=False)
        assert "Dynamic mapping in use, do you want to delete all entries? [no]:" in asked
        conn.send_command_timing("yes")
        conn.exit_config_mode()
    assert rule not in device.running_config()


@pytest.mark.twin
def test_ios_office_with_live_nat_is_stepped_to_final(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    """The dialer office's own NAT (taken over at legacy) and netprov's legacy NAT (gone at
    final) both have translations when they are removed: each goes after the replace,
    answering IOS; every step is confirmed, a new management session opened after each."""
    from netprov.state.journal import Journal
    from tests.test_pipeline import make_pipeline

    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", ", dhcp: true}"))  # it serves none
    twin = twin_factory(
        ["dprd"], inventory=inventory_copy, scenario=Scenario(configs={"dprd": str(IOS_DIALER)})
    )
    loaded = load_inventory(inventory_copy)
    site = loaded.site("dprd")
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    adopted = make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY, adopt=True)
    assert adopted.status == "confirmed", adopted.as_dict()
    released = []
    for phase in (Phase.LEGACY, Phase.DUAL, Phase.CENTRAL, Phase.FINAL):
        outcome = make_pipeline(twin, journal, loaded=loaded).apply(site, phase)
        assert outcome.status == "confirmed", (phase, outcome.as_dict())
        assert {c.name: c for c in outcome.checks}["new management session"].ok
        assert outcome.plan is not None
        released += outcome.plan.after_push
    assert released == [
        "no ip nat inside source list 1 interface Dialer1 overload",
        "no ip nat inside source route-map NETPROV-NAT-LEGACY interface Dialer1 overload",
    ]
    config = twin.devices["dprd"].running_config()
    assert "ip nat inside source list 1" not in config
    assert "NETPROV-NAT-LEGACY" not in config


# --- 7. what a router in service does on its own --------------------------------------------

DHCP_SITE = "desa-balokang"  # its office ISP hands out the address by DHCP, on ether1
LEGACY_CLIENT = '"netprov:legacy CV Sukamaju Net - local ISP"'


def _defconf_dhcp(tmp_path: Path) -> Path:
    """The default configuration as it ships: the DHCP client on ether1 (MikroTik manual,
    "Default configurations"), the office's LAN on the bridge."""
    text = ROS_DEFCONF.read_text().replace("10.31.31.", "10.31.44.")
    text = text.replace(
        "/interface pppoe-client\nadd add-default-route=yes disabled=no interface=ether1 "
        "name=pppoe-out1 use-peer-dns=yes \\\n    user=kec-sukamaju@indihome.co.id "
        "password=twin-pppoekecsukamaju\n",
        "",
    )
    text = text.replace("add interface=pppoe-out1 list=WAN\n", "")
    text = text.replace("in-interface=pppoe-out1", "in-interface=ether1")
    text = text.replace(
        "/ip dhcp-server network\n",
        "/ip dhcp-client\nadd comment=defconf interface=ether1\n/ip dhcp-server network\n",
    )
    assert "pppoe" not in text
    path = tmp_path / "defconf-dhcp.rsc"
    path.write_text(text.replace("smj-kec-sukamaju-r1", "smj-desa-balokang-r1"))
    return path


@pytest.mark.twin
def test_an_adopted_dhcp_client_pins_its_probe_at_once(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    """Adopting the office's DHCP client sets netprov's script on it; RouterOS runs a
    client's script on a lease status change only ("Execute script on status change",
    MikroTik manual, DHCP client), so the probe's pin route, and with it the tracked
    default route, would wait for the next lease change: the plan renews the lease (the
    script runs, the lease stays) before it takes the client's own default route away."""
    from netprov.state.journal import Journal
    from tests.test_pipeline import make_pipeline

    lan = "lan: {interface: ether2, address: 10.31.44.1/24}"
    edit("sites/desa.yaml", lan, lan.replace("ether2", "bridge"))
    config = _defconf_dhcp(tmp_path)
    twin = twin_factory(
        [DHCP_SITE], inventory=inventory_copy, scenario=Scenario(configs={DHCP_SITE: str(config)})
    )
    loaded = load_inventory(inventory_copy)
    site = loaded.site(DHCP_SITE)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    adopted = make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY, adopt=True)
    assert adopted.status == "confirmed", adopted.as_dict()
    assert adopted.plan is not None
    commands = adopted.plan.commands
    setting = next(c for c in commands if c.startswith("/ip dhcp-client set"))
    renew = f"/ip dhcp-client renew [ find where comment={LEGACY_CLIENT} ]"
    assert commands.index(setting) + 1 == commands.index(renew)
    pin = "comment=netprov-dhcp:probe-legacy dst-address=198.41.0.4/32"
    assert pin in twin.devices[DHCP_SITE].running_config()
    outcome = make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY)
    assert outcome.status == "confirmed", outcome.as_dict()
    names = {c.name: c for c in outcome.checks}
    assert names["default route via legacy"].ok, names["default route via legacy"]


def test_a_plan_renews_a_lease_whose_script_never_ran_before_it_takes_the_route(
    edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    """netprov's client is there, its pin route is not (an adoption of before this fix):
    taking the client's own default route away would leave none (the lockout guard sees
    it); the plan renews the lease first."""
    lan = "lan: {interface: ether2, address: 10.31.44.1/24}"
    edit("sites/desa.yaml", lan, lan.replace("ether2", "bridge"))
    loaded = load_inventory(inventory_copy)
    site = loaded.site(DHCP_SITE)
    router = ROS.simulator(site, site_world(site, loaded.organisation.central_services))
    assert isinstance(router, RosDevice)
    assert router.load_initial(_defconf_dhcp(tmp_path).read_text()) == []
    intended = _intended_for(inventory_copy, DHCP_SITE, Phase.LEGACY)
    plan = ROS.plan(DHCP_SITE, Phase.LEGACY, router.export(), intended)
    for command in plan.adopted:
        if " renew " not in command:  # adopted as before: the script set, never run
            assert router.run(command, "/")[0] == ""
    running = router.export()
    assert "comment=netprov-dhcp:probe-legacy dst-address=" not in running
    plan = ROS.plan(DHCP_SITE, Phase.LEGACY, running, intended)
    renew = plan.commands.index(f"/ip dhcp-client renew [ find where comment={LEGACY_CLIENT} ]")
    taking = next(i for i, c in enumerate(plan.commands) if "add-default-route=no" in c)
    assert renew < taking
    assert rehearse(SiteContext.build(site, loaded.organisation), running, plan).lockout is None
    without = dataclasses.replace(plan, commands=[c for c in plan.commands if " renew " not in c])
    lockout = rehearse(SiteContext.build(site, loaded.organisation), running, without).lockout
    assert lockout is not None
    assert "would cut the management path" in lockout


@pytest.mark.parametrize("said", [None, "true", "false"])
def test_a_dhcp_server_on_an_in_service_lan_is_added_only_when_asked(
    edit: Edit, inventory_copy: Path, said: str | None
) -> None:
    """The dialer office serves no DHCP from its router (a server of its own may): the
    default (lan.dhcp unsaid) refuses the plan naming the choice; `dhcp: true` adds it and
    the plan says so; `dhcp: false` adds none."""
    from netprov.checks.gate import _offline_plan

    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    if said is not None:
        edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", f", dhcp: {said}}}"))
    loaded = load_inventory(inventory_copy)
    site = loaded.site("dprd")
    running = driver_for(Platform.CISCO_IOS).with_references(
        IOS_DIALER.read_text(), {"twin-netprovpppoepassword": "SECRET-NETPROV_PPPOE_PASSWORD"}
    )
    plan = _offline_plan(site, running, _intended_for(inventory_copy, "dprd", Phase.LEGACY))
    adds_pool = any(c.startswith("ip dhcp pool NETPROV-LAN") for c in plan.commands)
    if said is None:
        assert plan.conflicts == [
            "the router serves no DHCP on GigabitEthernet0/0/2 today (the office may run its "
            "own server): say lan.dhcp: true to have netprov add one, or lan.dhcp: false to "
            "leave DHCP as it is"
        ]
    elif said == "true":
        assert plan.conflicts == []
        assert adds_pool
        assert plan.warnings[-1] == (
            "adds a DHCP server on GigabitEthernet0/0/2: the router serves none there today "
            "(lan.dhcp: true)"
        )
    else:
        assert plan.conflicts == []
        assert not [w for w in plan.warnings if "DHCP" in w]
        assert not adds_pool


# --- 5. hardening that holds -----------------------------------------------------------------


@pytest.mark.twin
@pytest.mark.parametrize("platform", ["ios", "routeros"])
def test_verify_names_what_leaves_an_in_service_router_open(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path, platform: str
) -> None:
    """Before netprov's change, the dialer office serves IOS-XE's web UI (on by factory
    default) and the default configuration answers MAC-Telnet/MAC-WinBox on its LAN
    (MikroTik manual, "Securing your router"): verify says so; netprov's own phase closes
    both."""
    from netprov.state.journal import Journal
    from tests.test_pipeline import make_pipeline

    if platform == "ios":
        edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
        edit("sites/opd.yaml", IOS_LAN, IOS_LAN.replace("}", ", dhcp: true}"))
        site_id, config, expected = "dprd", IOS_DIALER, "the web UI (ip http server)"
    else:
        edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
        site_id, config, expected = ROS_SITE, ROS_DEFCONF, "/tool mac-server on every interface"
    twin = twin_factory(
        [site_id], inventory=inventory_copy, scenario=Scenario(configs={site_id: str(config)})
    )
    loaded = load_inventory(inventory_copy)
    site = loaded.site(site_id)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    before = make_pipeline(twin, journal, loaded=loaded).verify(site, Phase.LEGACY)
    check = {c.name: c for c in before.checks}["management restricted"]
    assert not check.ok
    assert expected in check.observed
    pipeline = make_pipeline(twin, journal, loaded=loaded)
    assert pipeline.apply(site, Phase.LEGACY, adopt=True).status == "confirmed"
    outcome = make_pipeline(twin, journal, loaded=loaded).apply(site, Phase.LEGACY)
    assert outcome.status == "confirmed", outcome.as_dict()
    assert {c.name: c for c in outcome.checks}["management restricted"].ok


def test_a_hotspot_is_isolated_shared_per_user_and_serves_dhcp_on_every_subnet(
    edit: Edit, inventory_copy: Path
) -> None:
    """A public hotspot's anonymous users reach its listed services but not the rest of the
    city's networks nor the management networks; the central queue is shared per user
    (PCQ); its second subnet gets addresses too. The twin's RouterOS takes every line."""
    loaded = load_inventory(inventory_copy)
    site = loaded.site("hotspot-alun-alun-kota")
    text = _intended_for(inventory_copy, site.id, Phase.CENTRAL)
    router = ROS.simulator(site, site_world(site, loaded.organisation.central_services))
    assert router.load_initial(text) == []
    commands = parse_export(text)
    networks = {c.params["address"] for c in commands if c.path == "/ip dhcp-server network"}
    assert networks == {"10.31.75.0/24", "10.32.150.0/23"}
    (pool,) = [c for c in commands if c.path == "/ip pool"]
    assert pool.params["ranges"] == "10.31.75.11-10.31.75.254,10.32.150.11-10.32.151.254"
    forward = [
        c.params.get("comment")
        for c in commands
        if c.path == "/ip firewall filter" and c.params.get("chain") == "forward"
    ]
    assert forward.index("netprov:hotspot-service-1") < forward.index("netprov:hotspot-isolation")
    (queue,) = [c for c in commands if c.params.get("comment") == "netprov:qos-central"]
    assert queue.params["queue"] == "pcq-upload-default/pcq-download-default"
    assert ROS.hotspot_gaps(text, ["10.250.0.0/20", "10.250.10.0/24"]) == []
    assert ROS.hotspot_gaps(text.replace("queue=pcq", "x=pcq"), ["10.250.0.0/20"]) == [
        "the central queue is not shared per user (PCQ)"
    ]


def test_an_ios_lan_with_a_second_subnet_gets_a_pool_for_each(
    edit: Edit, inventory_copy: Path
) -> None:
    lan = "lan: {interface: GigabitEthernet0/0/2, address: 10.31.1.1/24}"
    edit("sites/opd.yaml", lan, lan.replace("}", ", extra_subnets: [10.33.1.1/24]}"))
    text = _intended_for(inventory_copy, "setda", Phase.LEGACY)
    assert "ip dhcp pool NETPROV-LAN\n network 10.31.1.0 255.255.255.0\n" in text
    assert (
        "ip dhcp pool NETPROV-LAN-2\n network 10.33.1.0 255.255.255.0\n default-router 10.33.1.1"
        in text
    )


# --- 6. office traffic ------------------------------------------------------------------------


def test_routeros_telemetry_keeps_the_management_address_through_nat(bridged: Path) -> None:
    """The default configuration masquerades everything leaving by WAN, the router's own
    syslog and NetFlow included; netprov's srcnat accept for the management address goes
    above it (MikroTik manual, "Firewall: NAT": first match decides)."""
    router = _router(ROS_DEFCONF.read_text(), bridged)
    plan = ROS.plan(
        ROS_SITE, Phase.LEGACY, _masked(router.export()), _intended(bridged, Phase.LEGACY)
    )
    (keep,) = [c for c in plan.commands if "netprov:nat-keep-mgmt" in c]
    assert keep.endswith(
        'place-before=[ find where chain=srcnat and comment="defconf: masquerade" ]'
    )
    _push_as_before_the_fix(
        router, [c.split(" place-before=[ find where chain=srcnat")[0] for c in plan.commands]
    )
    assert ROS.telemetry_translated(router.export(), "10.251.0.31") == "defconf: masquerade"
    again = ROS.plan(
        ROS_SITE, Phase.LEGACY, _masked(router.export()), _intended(bridged, Phase.LEGACY)
    )
    for command in again.commands:
        assert router.run(_unmasked(command), "/")[0] == ""
    assert ROS.telemetry_translated(router.export(), "10.251.0.31") is None


def test_ios_pppoe_clamps_mss_names_its_ntp_source_and_tracks_city_routes_by_their_gateway(
    edit: Edit, inventory_copy: Path
) -> None:
    """PPPoE: `ip tcp adjust-mss 1452` (Cisco: 1492 - 40); NTP leaves from the loopback
    like syslog and SNMP; the city's services follow the central gateway (its own SLA), not
    the internet probe, as RouterOS's check-gateway on the gateway does."""
    edit("sites/opd.yaml", IOS_STATIC, IOS_PPPOE)
    text = _intended_for(inventory_copy, "dprd", Phase.CENTRAL)
    dialer = text[text.index("interface Dialer1") :].split("!")[0]
    assert " ip tcp adjust-mss 1452" in dialer
    assert "ntp source Loopback0" in text
    loaded = load_inventory(inventory_copy)
    site = loaded.site("dprd")
    gateway = site.central_uplink.addressing.gateway
    assert re.search(rf"^ip sla 21\n icmp-echo {gateway} ", text, re.M)
    assert re.search(rf"^ip route 10\.250\.0\.0 255\.255\.240\.0 {gateway} track 21$", text, re.M)
    ios = driver_for(Platform.CISCO_IOS)
    simulated = ios.simulator(site, site_world(site, loaded.organisation.central_services))
    assert simulated.load_initial(text) == []


def test_validate_warns_of_a_probe_office_pcs_use_as_their_resolver(
    edit: Edit, inventory_copy: Path, cli: CliRunner
) -> None:
    """A probe's host route pins all traffic to it onto one line: 8.8.8.8 as a probe takes
    every office PC that asks Google's resolver (or its DoH) along, and loses it with that
    line."""
    edit("organisation.yaml", "  legacy: 198.41.0.4", "  legacy: 8.8.8.8")
    result = cli.invoke(app, ["validate", "--inventory", str(inventory_copy)])
    assert result.exit_code == 0, result.output  # a warning
    line = line_of(inventory_copy / "organisation.yaml", "  legacy: 8.8.8.8")
    assert f"organisation.yaml:{line}: probes.legacy: 8.8.8.8 is a resolver office PCs use" in (
        result.output
    )


def test_ios_answers_a_hard_coded_public_resolver_from_the_filter() -> None:
    """A PC with 8.8.8.8 written in lost DNS on IOS (the ACL denied it; RouterOS redirects
    every query): its queries now pass the ACL and are mapped onto the filter by outside
    static NAT. A resolver let through without that mapping would be answered unfiltered:
    NP001 says so."""
    ios = driver_for(Platform.CISCO_IOS)
    loaded = load_inventory(Path("inventory"))
    text = _intended_for(Path("inventory"), "setda", Phase.LEGACY)
    resolvers = [str(r) for r in loaded.organisation.dns.filtering_resolvers]
    assert " permit udp any host 8.8.8.8 eq domain" in text
    assert "ip nat outside source static udp 192.0.2.53 53 8.8.8.8 53 extendable" in text
    lan = loaded.site("setda").lan.interface
    assert ios.dns_forced(text, resolvers, lan)
    unmapped = text.replace(
        "ip nat outside source static udp 192.0.2.53 53 8.8.8.8 53 extendable\n", ""
    )
    assert not ios.dns_forced(unmapped, resolvers, lan)
    site = loaded.site("setda")
    simulated = ios.simulator(site, site_world(site, loaded.organisation.central_services))
    assert simulated.load_initial(text) == []
