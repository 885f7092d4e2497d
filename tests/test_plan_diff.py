"""Issue 37 item 10: ``plan --diff`` shows exactly what the commands change.

It compared the lines netprov owns before and after: office lines no command touches
(``/disk settings``, ``/system note``, the office's own DNS settings) showed as removed, an
object adopted with ``set`` showed as a new ``add``, and on IOS every line of a section the
plan touched showed as changed (hier_config indents by two, IOS by one). Now each side is
the whole config as the router holds it: RouterOS through the config model running the
commands, IOS the candidate ``configure replace`` takes against the running config in the
same rendering.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.plan import unified_diff
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario
from tests.conftest import SAMPLE, TEMPLATES, Edit, twin_cli_args

FIXTURES = Path(__file__).parent / "fixtures" / "brownfield"
ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
IOS = driver_for(Platform.CISCO_IOS)
ROS_SITE = "kec-sukamaju"
ROS_LAN = "lan: {interface: ether2, address: 10.31.31.1/24}"
# what an office sets beside the default configuration (MikroTik manual: "Disks", "Note",
# "DNS": cache-size), none of it netprov's
OFFICE = (
    "/disk settings\nset auto-media-interface=bridge auto-media-sharing=yes\n"
    '/system note\nset note="Kantor Kecamatan: jangan diubah" show-at-login=yes\n'
)


def _office_config(tmp_path: Path) -> Path:
    defconf = (FIXTURES / "routeros-defconf-pppoe.rsc").read_text(encoding="utf-8")
    defconf = defconf.replace(
        "set allow-remote-requests=yes servers=8.8.8.8,1.1.1.1",
        "set allow-remote-requests=yes cache-size=4096KiB servers=8.8.8.8,1.1.1.1",
    )
    path = tmp_path / "office.rsc"
    path.write_text(defconf + OFFICE, encoding="utf-8")
    return path


def _diff(inventory: Path, site_id: str, running: str, phase: Phase) -> str:
    loaded = load_inventory(inventory)
    site = loaded.site(site_id)
    intended = Renderer(TEMPLATES).render(
        site, loaded.organisation, phase, loaded.allocations.get(site_id)
    )
    return unified_diff(
        driver_for(site.router.platform).plan(site_id, phase, running, intended.text)
    )


def _changed(diff: str, mark: str) -> list[str]:
    return [
        line[1:]
        for line in diff.splitlines()
        if line[:1] == mark and line[:3] not in {"---", "+++"}
    ]


def test_routeros_diff_shows_only_what_the_commands_change(
    edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    running = _office_config(tmp_path).read_text(encoding="utf-8")
    diff = _diff(inventory_copy, ROS_SITE, running, Phase.LEGACY)
    removed, added = _changed(diff, "-"), _changed(diff, "+")
    # lines no command touches are not in the diff as changed
    assert not [line for line in removed + added if line.startswith(("/disk", "/system note"))]
    # a setting netprov changes keeps the office's other values (cache-size)
    assert (
        removed.count(
            "/ip dns set allow-remote-requests=yes cache-size=4096KiB servers=8.8.8.8,1.1.1.1"
        )
        == 1
    )
    assert (
        added.count(
            "/ip dns set allow-remote-requests=yes cache-size=4096KiB servers=192.0.2.53,192.0.2.54"
        )
        == 1
    )
    # the LAN address is adopted (its comment set): one line changed, no second address
    assert [line for line in removed if "address=10.31.31.1/24" in line] == [
        "/ip address add address=10.31.31.1/24 comment=defconf interface=bridge network=10.31.31.0"
    ]
    assert [line for line in added if "address=10.31.31.1/24" in line] == [
        '/ip address add address=10.31.31.1/24 comment="netprov:lan-1 Kantor Kecamatan Sukamaju" '
        "interface=bridge network=10.31.31.0"
    ]
    # the PPPoE client's rename shows where the router follows it: the office's NOC rule
    assert any('comment="Diskominfo NOC" in-interface=pppoe-legacy' in line for line in added)


def test_ios_diff_shows_only_what_the_candidate_changes() -> None:
    running = (FIXTURES / "ios-dialer-nat.cfg").read_text(encoding="utf-8")
    diff = _diff(SAMPLE, "dprd", running, Phase.LEGACY)
    removed, added = _changed(diff, "-"), _changed(diff, "+")
    untouched = [
        "interface Loopback99",
        "description VPN endpoint",
        "interface GigabitEthernet0/0/1",
    ]
    assert not [line for line in removed + added for word in untouched if word in line]
    assert not [line for line in removed if line.startswith("!")]
    # the LAN port is taken over in place: its header stays, its description changes
    assert "interface GigabitEthernet0/0/2" not in removed + added
    assert " description LAN DPRD" in removed  # as IOS lists it: one space a level
    assert " description netprov:lan Kantor Sekretariat DPRD" in added
    assert " username admin privilege 15 secret 5 SECRET-MASKED" in diff.splitlines()


@pytest.mark.twin
def test_the_diff_is_what_the_router_holds_after_the_push(
    twin_factory: TwinFactory, edit: Edit, inventory_copy: Path, tmp_path: Path
) -> None:
    """``plan --diff`` on the twin, then ``apply``: every line the diff removes is gone from
    the router, every line it adds or keeps is there."""
    edit("sites/kecamatan-kelurahan.yaml", ROS_LAN, ROS_LAN.replace("ether2", "bridge"))
    config = _office_config(tmp_path)
    twin = twin_factory(
        [ROS_SITE], inventory=inventory_copy, scenario=Scenario(configs={ROS_SITE: str(config)})
    )
    common = twin_cli_args(twin, tmp_path, ROS_SITE, inventory_copy)
    cli = CliRunner()
    planned = cli.invoke(app, ["plan", *common, "--phase", "legacy", "--diff"])
    assert planned.exit_code == 2, planned.output
    diff = planned.stdout[planned.stdout.index("--- kec-sukamaju (running)") :]
    applied = cli.invoke(app, ["apply", *common, "--phase", "legacy", "--yes", "--json"])
    assert json.loads(applied.stdout)["sites"][0]["status"] == "confirmed", applied.output
    # the router's config as git keeps it: the twin's made-up secrets back to references
    stored = twin.devices[ROS_SITE].stored_config()
    held = set(ROS.mask_secrets(ROS.comparable(stored)).splitlines())
    lines = [
        line for line in diff.splitlines() if line[:1] in "+- " and line[:3] not in {"---", "+++"}
    ]
    kept = [line[1:] for line in lines if line[0] in "+ "]
    gone = [line[1:] for line in lines if line[0] == "-"]
    assert [line for line in kept if line not in held] == []
    assert [line for line in gone if line in held] == []
