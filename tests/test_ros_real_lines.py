"""Lines real RouterOS routers hold that the twin refused, lost or garbled (issue 37 item 8),
each checked on the twin's router first, as the MikroTik manual describes the real one,
then over every real config in tests/fixtures/real-configs."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from netprov.models import Phase
from netprov.sim.routeros.router import RosDevice
from netprov.syntax.filters import ros_value
from netprov.syntax.routeros import logical_lines, parse_command, unquote
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.routeros_show import RosShow
from netprov.twin.scenario import Scenario
from tests.test_real_configs import ROUTEROS, _ros_router
from tests.test_twin_clients import ROS_SITE, netmiko, rendered, ros_state


def test_static_arp_entries_are_kept_in_either_export_form() -> None:
    """MikroTik manual, "ARP": ``/ip arp add address= interface= mac-address=`` makes a
    static entry (an export prints it; one without a MAC is printed too, tests/fixtures:
    routeros-6.48.6-rb750g-rtrw-hotspot-arp.rsc)."""
    router = _ros_router()
    config = (
        "/ip arp\n"
        'add address=192.168.88.254 comment="static: desktop" interface=ether2 \\\n'
        "    mac-address=00:E0:4C:62:04:C2\n"
        "add address=192.168.66.14 interface=ether2\n"
        "/ip arp add address=10.254.11.1 interface=ether1 mac-address=CC:06:77:31:77:58\n"
    )
    assert router.load_initial(config) == []
    export = router.export(terse=True)
    assert (
        '/ip arp add address=192.168.88.254 comment="static: desktop" interface=ether2 '
        "mac-address=00:E0:4C:62:04:C2\n"
    ) in export
    assert "/ip arp add address=192.168.66.14 interface=ether2\n" in export
    assert "/ip arp add address=10.254.11.1 interface=ether1 mac-address=CC:06:77:31:77:58\n" in (
        export
    )
    output, _ = router.run("/ip arp remove [ find address=192.168.66.14 ]", "/")
    assert output == ""
    assert "192.168.66.14" not in router.export()


# Every escape the manual lists ("Scripting": constant escape sequences), as exports print
# them: \" \\ \n \r \t \$ \? \_ (a space) and \XX (a byte, capital hex digits)
ESCAPED = r'":log info \"a\\b\"\r\n:put \$x\?\t\_end \E2\9C\85"'


def test_script_strings_are_read_as_routeros_escapes_them() -> None:
    assert unquote(ESCAPED) == ':log info "a\\b"\r\n:put $x?\t end \u2705'
    # printed back as /export prints it (\_ only where a wrapped line would start with a space)
    assert ros_value(unquote(ESCAPED)) == ESCAPED.replace("\\_", " ")


def test_a_script_source_is_kept_as_written() -> None:
    """A script's ``\\r\\n`` line ends are the script's text: stored as CR LF, printed back
    escaped (tests/fixtures: routeros-6.48.4-rb1100x4-school-hotspot.rsc)."""
    router = _ros_router()
    config = (
        "/system script\n"
        'add dont-require-permissions=no name=cek owner=admin policy=read,write source=":\\\n'
        '    local ftphost \\"vpn.example.id\\"\\r\\\n'
        "    \\n:if ([/ping address=10.123.223.1 count=3 ] = 0) do={\\r\\\n"
        "    \\n\\t/interface set MNET-VPN-SSTP disabled=no\\r\\\n"
        '    \\n}"\n'
    )
    assert router.load_initial(config) == []
    (script,) = router.tables["/system script"]
    assert script["source"] == (
        ':local ftphost "vpn.example.id"\r\n'
        ":if ([/ping address=10.123.223.1 count=3 ] = 0) do={\r\n"
        "\t/interface set MNET-VPN-SSTP disabled=no\r\n}"
    )
    assert "\\r\\n:if ([/ping address=10.123.223.1 count=3 ] = 0) do={\\r\\n\\t/interface" in (
        router.export()
    )


def test_a_route_without_dst_address_is_the_default_route() -> None:
    """RouterOS 6 exports leave out ``dst-address=0.0.0.0/0``, the property's default (the
    manual's "IP Routing": a default route is 0.0.0.0/0); a route with a routing mark (v6)
    or in another table (v7) is not in the main table the router forwards by."""
    router = _ros_router()
    config = (
        "/ip address\nadd address=192.168.45.2/24 interface=ether1 network=192.168.45.0\n"
        "add address=10.10.10.2/24 interface=ether4 network=10.10.10.0\n"
        "/ip route\n"
        "add distance=1 gateway=10.10.10.1 routing-mark=isp2\n"
        "add check-gateway=ping distance=1 gateway=192.168.45.1\n"
        "add distance=3 gateway=10.10.10.1\n"
    )
    assert router.load_initial(config) == []
    routes = router.router().static
    assert [(str(r.prefix), str(r.gateway), r.distance) for r in routes] == [
        ("0.0.0.0/0", "192.168.45.1", 1),
        ("0.0.0.0/0", "10.10.10.1", 3),
    ]


def test_a_route_without_dst_address_is_found_by_its_default() -> None:
    """``find where dst-address=0.0.0.0/0`` finds the default route a v6 export wrote
    without it: the route holds the property's default (MikroTik manual, "IP Routing";
    "Scripting": find compares the item's values). Before, the twin found nothing and a
    ``set`` on it changed nothing, without a word."""
    router = _ros_router()
    config = "/ip route\nadd distance=1 gateway=10.10.10.1\n"
    assert router.load_initial(config) == []
    where = '[ find where dst-address=0.0.0.0/0 and gateway=10.10.10.1 and comment="" ]'
    assert router.run(f"/ip route set {where} comment=office", "/")[0] == ""
    assert "/ip route add comment=office distance=1 gateway=10.10.10.1" in router.export()


def test_items_whose_interface_is_gone_are_kept() -> None:
    """A DHCP client or list member whose interface is gone is printed without one
    (tests/fixtures: routeros-6.49.2-hapac2-village-pppoe-wireless.rsc,
    routeros-6.49.2-rb750r2-pcc-office.rsc); it names nothing."""
    router = _ros_router()
    config = (
        "/interface list\nadd name=ISP\n/interface list member\nadd list=ISP\n"
        "/ip dhcp-client\nadd comment=10.113.149.21/18\n"
        "/ip firewall nat\nadd action=masquerade chain=srcnat out-interface-list=ISP\n"
    )
    assert router.load_initial(config) == []
    model = router.router()
    assert all(link.dynamic != "dhcp" for link in model.links.values())
    assert model.translated == set()
    assert "/ip dhcp-client add comment=10.113.149.21/18\n" in router.export()
    assert "/interface list member add list=ISP\n" in router.export()


def test_negated_and_printed_discovery_lists_are_kept() -> None:
    """``discover-interface-list`` names an interface list, ``!`` negates it (MikroTik
    manual, "Neighbor discovery"; "Interface Lists"); a value an export prints is one the
    router holds apart from its factory default, even where the twin's default is the same
    (tests/fixtures: a 6.48 router prints ``!dynamic``, 6.49 ones ``all``)."""
    negated = _ros_router()
    assert (
        negated.load_initial(
            "/ip neighbor discovery-settings\nset discover-interface-list=!dynamic\n"
        )
        == []
    )
    assert "set discover-interface-list=!dynamic" in negated.export()
    printed = _ros_router()
    assert (
        printed.load_initial("/ip neighbor discovery-settings\nset discover-interface-list=all\n")
        == []
    )
    assert "/ip neighbor discovery-settings set discover-interface-list=all\n" in printed.export()
    assert (
        "input does not match"
        in negated.run("/ip neighbor discovery-settings set discover-interface-list=!nosuch", "/")[
            0
        ]
    )


def test_the_default_logging_rules_and_actions_can_be_changed() -> None:
    """Every router has four logging rules (info, error, warning to memory, critical to
    echo) and four actions (memory, disk, echo, remote) that an export changes by number
    (MikroTik manual, "Log"; tests/fixtures: ``/system logging set 0 action=disk``); a
    number no item has is refused."""
    router = _ros_router()
    config = (
        "/system logging action\nset 0 memory-lines=100\nset 3 remote=0.0.0.0\n"
        "/system logging\nset 0 action=disk\nset 3 action=disk\n"
        "add action=disk prefix=-> topics=hotspot,info,debug\n"
    )
    assert router.load_initial(config) == []
    export = router.export(terse=False)
    assert "/system logging action\nset 0 memory-lines=100\nset 3 remote=0.0.0.0\n" in export
    assert "/system logging\nset 0 action=disk\nset 3 action=disk\nadd action=disk " in export
    assert "no such item" in router.run("/system logging set 9 action=disk", "/")[0]


def test_routeros6_menus_and_internal_ids_of_a_starting_config_are_kept() -> None:
    """RouterOS 6's ``/tool user-manager`` (manual, "User Manager", v6), and a property
    naming an item by its internal id (``*1``: "Scripting", data types: an id is ``*`` and
    hex), which an export prints where the item has no name of its own (tests/fixtures:
    routeros-7.12-l009-defconf-pppoe-wifiwave2.rsc, routeros-6.49.2-hapac2-...)."""
    router = _ros_router()
    config = (
        "/interface bridge\nadd name=bridge\n"
        "/tool user-manager customer\nset admin access=own-routers,own-users\n"
        "/interface bridge port\nadd bridge=bridge interface=*1\n"
        "/queue simple\nadd disabled=yes dst=*F00363 max-limit=1M/1M name=Ratno "
        "target=*F00363,*F00363\n"
    )
    assert router.load_initial(config) == []
    export = router.export()
    assert "/tool user-manager customer set admin access=own-routers,own-users\n" in export
    assert "/interface bridge port add bridge=bridge interface=*1\n" in export
    assert "dst=*F00363" in export
    assert (
        "input does not match any value of interface"
        in router.run("/interface bridge port add bridge=bridge interface=*99", "/")[0]
    )


def test_a_scheduler_of_the_starting_config_waits_for_the_routers_clock() -> None:
    """Loading a config arms no timer (the twin binds its device timers when it starts:
    arming one before raised); the job starts once the clock runs (MikroTik manual,
    "Scheduler": a job with an ``interval`` runs every interval)."""
    fired: list[float] = []
    router = _ros_router()

    def unbound(seconds: float, callback: object) -> object:
        raise RuntimeError("twin device timers are bound when the twin starts")

    router.schedule = unbound  # type: ignore[assignment]
    config = (
        '/system scheduler\nadd interval=12h name=backup on-event="/ip dns static add '
        'address=10.9.9.9 name=tick.lan" policy=read,write start-date=jan/01/2020 '
        "start-time=00:00:00\n"
    )
    assert router.load_initial(config) == []

    def bound(seconds: float, callback: object) -> object:
        fired.append(seconds)
        return lambda: None

    router.schedule = bound  # type: ignore[assignment]
    assert fired == [12 * 3600]


@pytest.mark.twin
def test_the_twin_starts_from_a_config_with_scheduler_jobs(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """A starting config with ``/system scheduler add ... interval=`` starts a twin (it
    raised), and the job runs on the router's (scaled) clock; its static ARP entry is
    listed first, without the D flag (MikroTik manual, "ARP")."""
    config = tmp_path / "start.rsc"
    job = (
        '/system scheduler add interval=30s name=tick on-event="/ip dns static add '
        'address=10.9.9.9 name=tick.lan" policy=read,write start-time=startup\n'
        "/ip arp add address=10.9.9.254 interface=ether2 mac-address=00:E0:4C:62:04:C2\n"
    )
    config.write_text(rendered(ROS_SITE, Phase.LEGACY) + job, encoding="utf-8")
    twin = twin_factory([ROS_SITE], scenario=Scenario(configs={ROS_SITE: str(config)}))
    state: RosDevice = ros_state(twin)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "tick.lan" not in state.export():
        time.sleep(0.2)
    assert "name=tick.lan" in state.export()
    with netmiko(twin, ROS_SITE) as conn:
        assert "name=tick" in conn.send_command("/system scheduler print")
        arp = conn.send_command("/ip arp print terse")
    assert arp.splitlines()[0].split()[:4] == [
        "0",
        "C",
        "address=10.9.9.254",
        "mac-address=00:E0:4C:62:04:C2",
    ]


def _escapes(text: str) -> int:
    return sum(len(re.findall(r"\\r\\n", line)) for _, line in logical_lines(text))


@pytest.mark.parametrize("path", ROUTEROS, ids=lambda p: p.name)
def test_strings_of_a_real_export_are_kept_as_written(path: Path) -> None:
    """Every quoted value of a real export reads back as the router holds it: each script's
    ``\\r\\n`` is printed back, and every value printed reads back the same."""
    text = path.read_text(encoding="utf-8")
    router = _ros_router()
    assert router.load_initial(text) == []
    assert _escapes(router.export(terse=False)) == _escapes(text)
    for _, line in logical_lines(router.export()):
        if line.startswith("/") and "=" in line:
            for value in parse_command(line).params.values():
                assert unquote(ros_value(value)) == value


def test_leases_of_a_pool_given_as_a_prefix() -> None:
    """A pool's ``ranges`` may be a prefix (``192.168.250.0/29``: MikroTik manual, "IP
    pools"; tests/fixtures: routeros-6.49.6-hap-lite-defconf-l2tp.rsc); the twin's lease
    listing of a DHCP server on such a pool raised ValueError."""
    router = _ros_router()
    router.show = RosShow(router)
    config = (
        "/interface bridge\nadd name=bridge\n"
        "/ip pool\nadd name=lan ranges=192.168.250.0/24\n"
        "/ip dhcp-server\nadd address-pool=lan disabled=no interface=bridge name=dhcp1\n"
    )
    assert router.load_initial(config) == []
    leases, _ = router.run("/ip dhcp-server lease print terse without-paging", "/")
    assert "address=192.168.250.89 " in leases
