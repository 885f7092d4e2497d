"""The twin forwards as the real router does and says so as it would (issue 36): a probe's
pinned host route drops out with its line and the probe then follows the default route, as
on a real router; IOS ``show ip cef A`` and RouterOS's ``immediate-gw`` name the neighbour
and interface the packets really leave by, what netprov's "via" checks read."""

from __future__ import annotations

import pytest

from netprov.models import Phase
from netprov.platforms.routeros.output import terse_rows
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.test_twin_clients import netmiko

pytestmark = pytest.mark.twin

IOS_SITE, ROS_SITE = "setda", "kec-sukamaju"
CENTRAL_PROBE = "199.7.83.42"


def _central_down(site: str) -> Scenario:
    faults = SiteFaults.model_validate({"uplinks": {"central": {"state": "down"}}})
    return Scenario(sites={site: faults})


def test_ios_show_ip_cef_names_the_neighbour_and_interface(twin_factory: TwinFactory) -> None:
    twin = twin_factory([IOS_SITE], start_phase=Phase.DUAL)
    with netmiko(twin, IOS_SITE) as conn:
        probe = conn.send_command(f"show ip cef {CENTRAL_PROBE}")
        internet = conn.send_command("show ip cef 1.1.1.1")
        egov = conn.send_command("show ip cef 10.250.1.10")
        own = conn.send_command("show ip cef 10.31.1.1")
        office = conn.send_command("show ip cef 10.31.1.77")
    assert probe.splitlines() == [
        f"{CENTRAL_PROBE}/32",
        "  nexthop 100.72.1.1 GigabitEthernet0/0/1.1101",
    ]
    assert internet.splitlines() == ["0.0.0.0/0", "  nexthop 203.0.113.5 GigabitEthernet0/0/0"]
    assert egov.splitlines()[1] == "  nexthop 100.72.1.1 GigabitEthernet0/0/1.1101"
    assert own.splitlines() == ["10.31.1.1/32", "  receive for GigabitEthernet0/0/2"]
    assert office.splitlines() == ["10.31.1.0/24", "  attached to GigabitEthernet0/0/2"]


def test_ios_probe_follows_the_default_route_when_its_line_is_down(
    twin_factory: TwinFactory,
) -> None:
    """What a real router does: the host route through an unreachable gateway is withdrawn,
    the probe goes out by the office ISP and answers."""
    twin = twin_factory([IOS_SITE], scenario=_central_down(IOS_SITE), start_phase=Phase.DUAL)
    with netmiko(twin, IOS_SITE) as conn:
        cef = conn.send_command(f"show ip cef {CENTRAL_PROBE}")
        ping = conn.send_command(f"ping {CENTRAL_PROBE} source 10.31.1.1")
    assert cef.splitlines() == ["0.0.0.0/0", "  nexthop 203.0.113.5 GigabitEthernet0/0/0"]
    assert "Success rate is 100 percent" in ping


def _routes(
    twin_factory: TwinFactory, scenario: Scenario | None
) -> dict[str, list[dict[str, str]]]:
    twin = twin_factory([ROS_SITE], scenario=scenario, start_phase=Phase.DUAL)
    with netmiko(twin, ROS_SITE) as conn:
        output = conn.send_command("/ip route print terse without-paging")
    rows: dict[str, list[dict[str, str]]] = {}
    for row in terse_rows(output):
        rows.setdefault(row.fields["dst-address"], []).append(
            {**row.fields, "active": "yes" if row.flag("A") else "no"}
        )
    return rows


def test_routeros_immediate_gw_is_the_neighbour_on_the_link(twin_factory: TwinFactory) -> None:
    """RouterOS 7 prints a recursive route's resolved next hop as ``immediate-gw``
    (``<neighbour>%<interface>``: tests/fixtures/real/mikrotik_routeros/ip_route_print_terse),
    not its gateway."""
    rows = _routes(twin_factory, None)
    probe = rows[f"{CENTRAL_PROBE}/32"][0]
    assert (probe["active"], probe["immediate-gw"]) == ("yes", "100.72.31.1%vlan1131-central")
    central_default = next(r for r in rows["0.0.0.0/0"] if r["gateway"] == CENTRAL_PROBE)
    assert central_default["immediate-gw"] == "100.72.31.1%vlan1131-central"


def test_routeros_probe_route_drops_out_with_its_line(twin_factory: TwinFactory) -> None:
    rows = _routes(twin_factory, _central_down(ROS_SITE))
    probe = rows[f"{CENTRAL_PROBE}/32"][0]
    assert (probe["active"], probe["immediate-gw"]) == ("no", "")
    active = [r for r in rows["0.0.0.0/0"] if r["active"] == "yes"]
    assert [r["immediate-gw"] for r in active] == ["pppoe-legacy"]
