"""Real configs from public sources (tests/fixtures/real-configs: RouterOS 6 and 7 exports in
block and terse form, IOS and IOS XE listings) load into the twin's routers as they stand,
every line accepted, and come back out the same: the lines the twin models and the lines it
only keeps, each menu or section with its own lines (issue 27)."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from netmiko.exceptions import ConfigInvalidException
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from netprov.syntax.routeros import parse_export
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TODAY
from tests.test_twin_clients import IOS_SITE, ROS_SITE, netmiko

FIXTURES = Path(__file__).parent / "fixtures" / "real-configs"
ROUTEROS = sorted(FIXTURES.glob("*.rsc"))
IOS = sorted(FIXTURES.glob("*.cfg"))
# menus whose order is behaviour (rules are matched first to last); others are sets
ORDERED = ("/ip firewall", "/ipv6 firewall", "/routing rule", "/queue tree")
IOS_DISPLAY = ("Building configuration", "Current configuration")


def _router(platform: Platform, site_id: str) -> RosDevice | IosDevice:
    loaded = load_inventory(SAMPLE)
    site = loaded.site(site_id)
    world = site_world(site, loaded.organisation.central_services)
    device = driver_for(platform).simulator(site, world)
    assert isinstance(device, RosDevice | IosDevice)
    return device


def _ros_router() -> RosDevice:
    device = _router(Platform.MIKROTIK_ROUTEROS, "kec-sukamaju")
    assert isinstance(device, RosDevice)
    return device


def _ios_router() -> IosDevice:
    device = _router(Platform.CISCO_IOS, "dprd")
    assert isinstance(device, IosDevice)
    return device


def _ros_menus(text: str) -> dict[str, list[tuple[str, str, tuple[tuple[str, str], ...]]]]:
    """Each menu's commands (verb, selector, parameters), in order where order matters."""
    menus: dict[str, list[tuple[str, str, tuple[tuple[str, str], ...]]]] = defaultdict(list)
    for command in parse_export(text):
        params = tuple(sorted(command.params.items()))
        menus[command.path].append((command.verb, command.selector, params))
    return {
        menu: lines if menu.startswith(ORDERED) else sorted(lines) for menu, lines in menus.items()
    }


def _ios_sections(text: str) -> list[list[str]]:
    """Each top-level line with the lines indented under it, in order; sections sorted.
    Comments are not configuration: IOS skips a line starting with "!" and writes its own
    ("! Incomplete", "! Call-home is enabled by Smart-Licensing.", a backup tool's header),
    so they are left out; a banner's text is kept whole, its "!" lines too."""
    sections: list[list[str]] = []
    delimiter = ""  # inside a banner: the delimiter that ends it
    for line in text.splitlines():
        if delimiter:
            sections[-1].append(line.rstrip())
            delimiter = "" if delimiter in line else delimiter
            continue
        banner = re.match(r"^banner \S+ (\^C|\S)", line)
        if banner:
            sections.append([line.rstrip()])
            rest = line[banner.end() :]
            delimiter = "" if banner[1] in rest else banner[1]
            continue
        if not line.strip() or line.strip().startswith("!") or line.startswith(IOS_DISPLAY):
            continue
        if line.startswith(("version ", "end")):
            continue
        if line[0].isspace() and sections:
            sections[-1].append(line.rstrip())
        else:
            sections.append([line.rstrip()])
    return sorted(sections)


@pytest.mark.parametrize("path", ROUTEROS, ids=lambda p: p.name)
def test_routeros_export_loads_and_comes_back_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    router = _ros_router()
    assert router.load_initial(text) == []
    wanted = _ros_menus(text)
    assert _ros_menus(router.export(terse=True)) == wanted
    assert _ros_menus(router.export(terse=False)) == wanted  # block form too
    again = _ros_router()
    assert again.load_initial(router.export(terse=False)) == []
    assert _ros_menus(again.export()) == wanted


@pytest.mark.parametrize("path", IOS, ids=lambda p: p.name)
def test_ios_listing_loads_and_comes_back_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    router = _ios_router()
    assert router.load_initial(text) == []
    assert _ios_sections(router.running_text()) == _ios_sections(text)
    again = _ios_router()
    assert again.load_initial(router.running_text()) == []
    assert _ios_sections(again.running_text()) == _ios_sections(text)


@pytest.mark.slow
@pytest.mark.parametrize("path", IOS, ids=lambda p: p.name)
def test_check_gives_a_result_on_a_backup_of_each_real_ios_config(
    path: Path, inventory_copy: Path, tmp_path: Path, cli: CliRunner
) -> None:
    """`netprov check` with a real router's listing as an IOS site's backup: a report for
    the site (its plan, or what stands in its way), never a traceback (issue 37)."""
    backups = tmp_path / "backups"
    backups.mkdir()
    shutil.copy(path, backups / f"{IOS_SITE}.cfg")
    result = cli.invoke(
        app,
        [
            *("check", "--inventory", str(inventory_copy), "--backups", str(backups)),
            *("--today", TODAY.isoformat(), "--json"),
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    site = next(s for s in json.loads(result.stdout)["sites"] if s["site"] == IOS_SITE)
    assert site["planned_commands"] or site["findings"], site


@pytest.mark.twin
def test_clients_use_unmodelled_menus_and_properties(twin_factory: TwinFactory) -> None:
    """What users send that netprov never does: a routing table, a PCC mangle rule, an IOS
    global the twin only keeps. Accepted, listed back, and still refused when misspelt."""
    twin = twin_factory([ROS_SITE, IOS_SITE])
    with netmiko(twin, ROS_SITE) as conn:
        conn.send_config_set(
            [
                "/routing table add disabled=no fib name=to_isp1",
                "/ip firewall mangle add action=mark-connection chain=prerouting "
                "connection-mark=no-mark in-interface=ether2 new-connection-mark=isp1 "
                "per-connection-classifier=both-addresses:2/0",
            ]
        )
        assert "bad command name frobnicate" in conn.send_command("/routing frobnicate")
        # RouterOS 7: a table exists before a route names it
        refused = "/ip route add dst-address=8.8.8.8/32 gateway=ether1 routing-table=nosuch"
        assert "input does not match any value of routing-table" in conn.send_command(refused)
        conn.send_config_set([refused.replace("nosuch", "to_isp1")])
        assert "expected end of command" in conn.send_command(
            "/ip firewall mangle add chain=prerouting action=accept colour=red"
        )
        tables = conn.send_command("/routing table print")
        export = conn.send_command("/export terse")
    assert "name=to_isp1" in tables
    assert "/routing table add disabled=no fib name=to_isp1" in export
    assert "per-connection-classifier=both-addresses:2/0" in export
    assert "routing-table=to_isp1" in export
    assert "nosuch" not in export
    with netmiko(twin, IOS_SITE) as conn:
        conn.send_config_set(["spanning-tree extend system-id", "no ip domain lookup"])
        with pytest.raises(ConfigInvalidException):
            conn.send_config_set(["spanning-trees extend"], error_pattern=r"% Invalid")
        conn.exit_config_mode()
        running = conn.send_command("show running-config")
    assert "\nspanning-tree extend system-id\n" in running


def test_ios_banner_text_is_kept_as_it_came() -> None:
    """A banner's text runs to its delimiter, over lines IOS would otherwise parse as
    commands ("!", "end" too); listings print the delimiter as ^C."""
    router = _ios_router()
    listing = (
        "version 17.9\nhostname R1\nbanner motd ^C\n!! Authorised users only !!\nend of notice\n"
        "^C\nbanner login #Diskominfo#\n!\nline vty 0 4\n login\n!\nend\n"
    )
    assert router.load_initial(listing) == []
    shown = router.running_text()
    assert "banner motd ^C\n!! Authorised users only !!\nend of notice\n^C\n" in shown
    assert "\nbanner login #Diskominfo#\n" in shown
    assert _ios_sections(shown) == _ios_sections(listing)
