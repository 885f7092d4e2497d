"""The twin's RouterOS policy routing (netprov.sim.routeros.marks): which table a packet is
routed by, as the MikroTik manual has it ("Mangle", "PCC", "Policy Routing", "Routing
rule"), on small configs of the shapes offices run."""

from __future__ import annotations

from collections import Counter
from ipaddress import IPv4Address

from netprov.sim.packets import Packet
from netprov.sim.routeros.marks import RosMarks
from netprov.syntax.routeros import parse_export

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
