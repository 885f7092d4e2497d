"""The twin's RouterOS policy routing (netprov.sim.routeros.marks): which table a packet is
routed by, as the MikroTik manual has it ("Mangle", "PCC", "Policy Routing", "Routing
rule"), on small configs of the shapes offices run."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from ipaddress import IPv4Address, IPv4Network

import pytest

from netprov.phases import Role
from netprov.sim.packets import Packet
from netprov.sim.routeros.marks import RosMarks
from netprov.sim.routeros.router import RosDevice
from netprov.sim.topology import UplinkSim, World
from netprov.syntax.routeros import parse_export
from netprov.syntax.routeros_versions import RosVersion

PC = IPv4Address("192.168.10.20")
INTERNET = IPv4Address("142.250.4.100")
CITY = IPv4Address("10.250.1.10")


def _marks(config: str, rules: str = "") -> RosMarks:
    mangle = [dict(c.params) for c in parse_export(config)]
    routing = [dict(c.params) for c in parse_export(rules)] if rules else []
    return RosMarks(
        rules=mangle,
        routing_rules=routing,
        address_lists={"LAN": ("192.168.10.0/24",)},
        list_members={"LANS": frozenset({"LAN"})},
        local=frozenset({IPv4Address("192.168.10.1")}),
        connections={},
    )


def _from_pc(destination: IPv4Address = INTERNET, port: int = 0) -> Packet:
    return Packet(PC, destination, "LAN", protocol="tcp", port=443, src_port=port)


PCC = """\
/ip firewall mangle add action=mark-connection chain=prerouting dst-address-type=!local \
in-interface=LAN new-connection-mark=c1 per-connection-classifier=both-addresses-and-ports:2/0
/ip firewall mangle add action=mark-connection chain=prerouting dst-address-type=!local \
in-interface=LAN new-connection-mark=c2 per-connection-classifier=both-addresses-and-ports:2/1
/ip firewall mangle add action=mark-routing chain=prerouting connection-mark=c1 \
in-interface=LAN new-routing-mark=to1
/ip firewall mangle add action=mark-routing chain=prerouting connection-mark=c2 \
in-interface=LAN new-routing-mark=to2
"""


def test_pcc_splits_connections_over_the_streams_and_keeps_each_in_its_own() -> None:
    marks = _marks(PCC)
    tables = Counter(marks.tables(_from_pc(port=port))[0][0] for port in range(1000, 1400))
    assert set(tables) == {"to1", "to2"}
    assert min(tables.values()) > 150  # an even split, not all on one line
    first = marks.tables(_from_pc(port=5555))[0]
    assert all(marks.tables(_from_pc(port=5555))[0] == first for _ in range(5))


def test_the_router_never_marks_what_is_for_itself() -> None:
    local = Packet(PC, IPv4Address("192.168.10.1"), "LAN", protocol="tcp", port=53)
    assert _marks(PCC).tables(local)[0] == ["main"]


def test_a_connection_keeps_its_mark_when_the_classification_goes() -> None:
    """A connection marked once keeps its mark (connection tracking); the routing mark
    follows it from the connection-mark rule."""
    marks = _marks(PCC)
    table = marks.tables(_from_pc(port=7))[0]
    without = PCC.split("\n")[2:]  # the PCC rules disabled (gone)
    later = _marks("\n".join(without))
    later.connections.update(marks.connections)
    assert later.tables(_from_pc(port=7))[0] == table
    assert later.tables(_from_pc(port=8))[0] == ["main"]


def test_accept_ends_the_chain_and_passthrough_no_ends_it_after_the_mark() -> None:
    bypass = "/ip firewall mangle add action=accept chain=prerouting dst-address=10.250.0.0/20\n"
    assert _marks(bypass + PCC).tables(_from_pc(CITY))[0] == ["main"]
    stop = (
        "/ip firewall mangle add action=mark-routing chain=prerouting in-interface=LAN "
        "new-routing-mark=first passthrough=no\n"
        "/ip firewall mangle add action=mark-routing chain=prerouting in-interface=LAN "
        "new-routing-mark=second\n"
    )
    assert _marks(stop).tables(_from_pc())[0] == ["first", "main"]


def test_jump_and_return_go_through_another_chain() -> None:
    config = (
        "/ip firewall mangle add action=jump chain=prerouting in-interface-list=LANS "
        "jump-target=lb\n"
        "/ip firewall mangle add action=return chain=lb dst-address-list=LAN\n"
        "/ip firewall mangle add action=mark-routing chain=lb new-routing-mark=to1\n"
    )
    marks = _marks(config)
    assert marks.tables(_from_pc())[0] == ["to1", "main"]
    inside = Packet(PC, IPv4Address("192.168.10.30"), "LAN", protocol="tcp", port=80)
    assert marks.tables(inside)[0] == ["main"]


def test_routing_rules_come_first() -> None:
    """A routing rule decides before the marks: ``lookup`` falls back to main,
    ``lookup-only-in-table`` does not, ``drop`` looks nothing up."""
    marks = _marks(
        PCC, "/routing rule add action=lookup-only-in-table src-address=192.168.10.20 table=t9"
    )
    assert marks.tables(_from_pc())[0] == ["t9"]
    marks = _marks(PCC, "/ip route rule add dst-address=10.250.0.0/20 table=main")
    assert marks.tables(_from_pc(CITY))[0] == ["main"]
    assert (
        _marks(PCC, "/routing rule add action=drop src-address=192.168.10.0/24").tables(_from_pc())[
            0
        ]
        == []
    )


def test_answers_go_back_by_the_line_the_connection_came_in_on() -> None:
    """The template's reply path: a connection arriving on a line is marked in prerouting
    (or input), and the router's answers to it are routed by that line's table."""
    config = (
        "/ip firewall mangle add action=mark-connection chain=prerouting in-interface=ISP1 "
        "new-connection-mark=c1\n"
        "/ip firewall mangle add action=mark-routing chain=output connection-mark=c1 "
        "new-routing-mark=to1\n"
    )
    noc = Packet(IPv4Address("10.250.10.1"), IPv4Address("192.168.1.40"), "ISP1", port=22)
    assert _marks(config).answers(noc) == ["to1", "main"]
    other = Packet(IPv4Address("10.250.10.1"), IPv4Address("192.168.2.40"), "ISP2", port=22)
    assert _marks(config).answers(other) == ["main"]


# A router's own traffic: the office line on ether1, the central line on ether5.
_OWN = """\
/interface ethernet set [ find default-name=ether1 ] name=ether1
/ip address add address=192.0.2.2/30 interface=ether1
/ip address add address=100.72.31.2/30 interface=ether5
/ip route add gateway=192.0.2.1
/ip route add dst-address=10.250.0.0/20 gateway=100.72.31.1
/ip route add gateway=192.0.2.1 {table}
"""
_MARK = {
    6: ("routing-mark=isp1", "new-routing-mark=isp1"),
    7: ("routing-table=isp1", "new-routing-mark=isp1"),
}


@pytest.mark.parametrize("major", [6, 7])
def test_the_routers_own_pings_pass_the_output_chain_and_follow_its_routing_mark(
    major: int,
) -> None:
    """A router's own packets (its /ping, netprov's probes with ``src-address``, DNS,
    fetch) pass the output chain of mangle, and a ``mark-routing`` there routes them by
    the marked table (MikroTik manual, "Packet Flow in RouterOS": locally generated
    packets go through output, then the routing adjustment; "Mangle": mark-routing in
    output). An output rule matching the city's services sends netprov's probe to them by
    the office line, where they are not reached; without the rule, by central."""
    table, mark = _MARK[major]
    fib = "/routing table add fib name=isp1\n" if major == 7 else ""
    config = _OWN.format(table=table) + fib
    output = (
        f"/ip firewall mangle add action=mark-routing chain=output dst-address=10.250.0.0/20 "
        f"{mark} passthrough=no comment=office-dns-via-isp1\n"
    )
    ping = "/ping address=10.250.1.10 src-address=100.72.31.2 count=2"
    plain, marked = (_own_router(major, config + extra) for extra in ("", output))
    assert "received=2" in plain.run(ping, "/")[0]
    assert "received=0" in marked.run(ping, "/")[0]
    # a mark the output chain does not give to this address changes nothing
    other = output.replace("10.250.0.0/20", "8.8.8.8")
    assert "received=2" in _own_router(major, config + other).run(ping, "/")[0]


def _own_router(major: int, config: str) -> RosDevice:
    world = World(
        [
            UplinkSim(Role.LEGACY, "ether1", None, IPv4Address("192.0.2.1")),
            UplinkSim(Role.CENTRAL, "ether5", None, IPv4Address("100.72.31.1")),
        ],
        central_services=[IPv4Network("10.250.0.0/20")],
    )
    device = RosDevice(
        ports=[f"ether{n}" for n in range(1, 6)],
        world=world,
        schedule=lambda s, c: lambda: None,
        now=lambda: dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        version=RosVersion(6, 49) if major == 6 else RosVersion(7, 16),
    )
    assert device.load_initial(config) == []
    return device
