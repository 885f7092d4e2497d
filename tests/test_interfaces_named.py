"""Issue 37 item 6, invariant (c): every interface a plan's commands name exists on the
router or is created by the plan; otherwise the site is refused before anything is pushed,
naming the interface and the inventory field that names it.

A real router refuses the line that names an interface it lacks (RouterOS: "input does not
match any value of interface"; IOS: "% Invalid input detected" on ``interface`` of a port
it does not have) in the middle of a batch: the office ran half-changed until the revert
timer, and further phases were planned on top. The twin refuses the same lines (its model
checks every interface parameter against the router's interfaces).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.checks.inservice import missing_interface_field
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario
from tests.conftest import TEMPLATES, TODAY, Edit, twin_cli_args

FIXTURES = Path(__file__).parent / "fixtures" / "brownfield"
ROS_SITE = "kec-sukamaju"  # PPPoE office ISP on ether1, backup DHCP on ether4, central ether5
ROS_LAN = "lan: {interface: ether2, address: 10.31.31.1/24}"
# the office labelled its spare port for the classroom network (MikroTik manual, "Ethernet":
# a port keeps its default-name; its name is the office's to choose)
RENAMED = "/interface ethernet\nset [ find default-name=ether5 ] name=ether5-kelas\n"
ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
IOS = driver_for(Platform.CISCO_IOS)


@pytest.fixture
def renamed_port(edit: Edit, inventory_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The inventory (the LAN on the office's bridge) and the office router's config: the
    default configuration with ether5, where the inventory puts the central line, renamed."""
    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    config = tmp_path / "renamed.rsc"
    defconf = (FIXTURES / "routeros-defconf-pppoe.rsc").read_text(encoding="utf-8")
    config.write_text(defconf + RENAMED, encoding="utf-8")
    return inventory_copy, config


def _plan(inventory: Path, site_id: str, running: str, phase: Phase) -> list[str]:
    from netprov.checks.inservice import with_in_service_policies

    loaded = load_inventory(inventory)
    site = loaded.site(site_id)
    driver = driver_for(site.router.platform)
    intended = Renderer(TEMPLATES).render(
        site, loaded.organisation, phase, loaded.allocations.get(site_id)
    )
    plan = driver.plan(site_id, phase, running, intended.text)
    return with_in_service_policies(driver, site, running, plan).conflicts


def test_routeros_names_the_missing_port_and_the_field(renamed_port: tuple[Path, Path]) -> None:
    inventory, config = renamed_port
    conflicts = _plan(inventory, ROS_SITE, config.read_text(encoding="utf-8"), Phase.DUAL)
    (missing,) = [c for c in conflicts if missing_interface_field(c)]
    assert missing.startswith(
        "interface ether5 (central_uplink.interface) is not on the router (the office renamed "
        "it ether5-kelas): it would refuse '/interface vlan add comment=netprov:central-vlan "
        "interface=ether5 "
    )
    assert missing_interface_field(missing) == ("central_uplink", "interface")


def test_what_the_plan_creates_or_the_router_has_is_not_missing() -> None:
    running = (
        "/interface bridge add name=bridge\n"
        "/interface pppoe-client add interface=ether1 name=pppoe-out1\n"
    )
    commands = [
        "/interface vlan add interface=ether5 name=vlan1131-central vlan-id=1131",
        "/ip address add address=100.72.31.2/30 interface=vlan1131-central",
        "/ip firewall filter add chain=input in-interface=!bridge action=drop",
        "/ip route add gateway=pppoe-out1 dst-address=198.41.0.4/32",
        "/ip route add gateway=100.72.31.1 dst-address=199.7.83.42/32",
        "/interface pppoe-client set [ find where interface=ether1 ] name=pppoe-legacy",
        "/ip firewall nat add chain=srcnat out-interface=pppoe-legacy action=masquerade",
    ]
    assert ROS.missing_interfaces(running, commands) == []
    taken = "/interface ethernet set [ find default-name=ether5 ] name=ether5-kelas\n"
    assert ROS.missing_interfaces(running + taken, commands) == [
        ("ether5", commands[0], "ether5-kelas")
    ]
    assert ROS.missing_interfaces(running, [*commands, "/ip address add interface=bridge-lan"]) == [
        ("bridge-lan", "/ip address add interface=bridge-lan", "")
    ]


def test_ios_names_a_port_the_router_lacks() -> None:
    running = (
        "interface GigabitEthernet0/0/0\n ip address dhcp\n!\n"
        "interface GigabitEthernet0/0/1\n no ip address\n!\n"
    )
    commands = [
        "interface GigabitEthernet0/0/1.1131",
        "  encapsulation dot1Q 1131",
        "interface Loopback0",
        "  ip address 10.251.0.2 255.255.255.255",
        "interface GigabitEthernet0/0/2",
        "  ip address 10.31.2.1 255.255.255.0",
        "ip nat inside source route-map NETPROV-NAT-LEGACY interface GigabitEthernet0/0/0 overload",
        "ip nat inside source route-map NETPROV-NAT-BACKUP interface GigabitEthernet0/0/3 overload",
        "ntp source Loopback0",
        "ip route 0.0.0.0 0.0.0.0 GigabitEthernet0/0/1.1131 100.72.1.1 5",
    ]
    assert IOS.missing_interfaces(running, commands) == [
        ("GigabitEthernet0/0/2", "interface GigabitEthernet0/0/2", ""),
        ("GigabitEthernet0/0/3", commands[7], ""),
    ]
    dot1q = ["interface GigabitEthernet0/0/9.1131", " encapsulation dot1Q 1131"]
    assert IOS.missing_interfaces(running, dot1q) == [("GigabitEthernet0/0/9", dot1q[0], "")]


@pytest.mark.twin
def test_a_renamed_office_port_is_refused_before_any_push(
    twin_factory: TwinFactory, renamed_port: tuple[Path, Path], tmp_path: Path
) -> None:
    """Before: the VLAN on ether5 was refused by the router in the middle of the push (the
    plan's earlier lines applied), the office half-changed until the device's revert."""
    inventory, config = renamed_port
    twin = twin_factory(
        [ROS_SITE], inventory=inventory, scenario=Scenario(configs={ROS_SITE: str(config)})
    )
    device = twin.devices[ROS_SITE]
    before = ROS.comparable(device.running_config())  # the export's time line left out
    common = twin_cli_args(twin, tmp_path, ROS_SITE, inventory)
    applied = CliRunner().invoke(app, ["apply", *common, "--phase", "dual", "--yes", "--json"])
    assert applied.exit_code == 1, applied.output
    (outcome,) = json.loads(applied.stdout)["sites"]
    assert outcome["status"] == "refused"
    assert "interface ether5 (central_uplink.interface) is not on the router" in outcome["detail"]
    assert ROS.comparable(device.running_config()) == before
    assert not device.notes  # no reboot, no restore: nothing was pushed

    # offline, from the backup that run kept: the same finding, at the inventory's field
    sites = inventory / "sites" / "kecamatan-kelurahan.yaml"
    text = sites.read_text(encoding="utf-8")  # kec-sukamaju's wave is the file's first
    sites.write_text(text.replace("  wave: 2\n", "  wave: 2\n  desired_phase: dual\n", 1))
    checked = CliRunner().invoke(
        app,
        [
            *("check", "--inventory", str(inventory), "--backups", str(tmp_path / "b")),
            *("--today", TODAY.isoformat(), "--json"),
        ],
    )
    (site,) = [s for s in json.loads(checked.stdout)["sites"] if s["site"] == ROS_SITE]
    findings = [f for f in site["findings"] if "interface ether5" in f["message"]]
    assert [(f["rule"], f["field"]) for f in findings] == [
        ("NP012", "sites[0].central_uplink.interface")
    ]
    assert findings[0]["line"] == 27  # central_uplink: interface: ether5
