"""A RouterOS office whose output chain of mangle routes the router's own traffic by a
marked table (MikroTik manual, "Packet Flow in RouterOS": locally generated packets pass
output, then the routing adjustment; "Mangle": ``mark-routing``): netprov's probes and
checks to the city's services would leave by an office line and every via-central check
fail, a rollback. Named before any push (NP015), on synthetic RouterOS 6 and 7 offices."""

from __future__ import annotations

from ipaddress import IPv4Interface, IPv4Network

import pytest

from netprov.models import Phase
from netprov.platforms.routeros.migration import migrate
from netprov.platforms.routeros.policy import Line, Office

CITY = [IPv4Network("10.250.0.0/20")]
OFFICE = Office(
    ("ether2",),
    (IPv4Network("192.168.10.0/24"),),
    (Line("ether1", address=IPv4Interface("192.0.2.2/30")),),
)
_HEAD = {
    6: "# jan/02/1970 by RouterOS 6.49.6\n",
    7: "# 2024-01-02 by RouterOS 7.16\n/routing table add fib name=isp1\n",
}
_TABLE = {6: "routing-mark=isp1", 7: "routing-table=isp1"}
_BASE = """\
/ip address add address=192.168.10.1/24 interface=ether2
/ip address add address=192.0.2.2/30 interface=ether1
/ip firewall address-list add address=10.250.0.0/16 list=kantor-pusat
/ip route add gateway=192.0.2.1
/ip route add gateway=192.0.2.1 {table}
"""


def _office(major: int, mangle: str) -> str:
    return _HEAD[major] + _BASE.format(table=_TABLE[major]) + mangle


CATCHING = (
    "/ip firewall mangle add action=mark-routing chain=output comment=dinas-via-isp1 "
    "dst-address-list=kantor-pusat new-routing-mark=isp1 passthrough=no\n"
)


@pytest.mark.parametrize("major", [6, 7])
def test_an_output_mark_for_the_city_is_named_from_dual(major: int) -> None:
    """The office sends the router's own traffic to its head office (a list covering the
    city's networks) by line 1's table: from dual, netprov's checks to the city's services
    would leave by the office line. Named with its chain, place and comment and what to
    change by hand; legacy (no central line yet) is not refused."""
    config = _office(major, CATCHING)
    assert migrate(config, OFFICE, Phase.LEGACY, CITY).refusals == []
    for phase in (Phase.DUAL, Phase.CENTRAL):
        (refusal,) = migrate(config, OFFICE, phase, CITY).refusals
        assert refusal.startswith("mangle output mark-routing isp1 (dst-address-list=kantor-pusat")
        assert "comment=dinas-via-isp1" in refusal
        assert "rule #0 of /ip firewall mangle" in refusal
        assert "chain=output action=accept dst-address=10.250.0.0/20" in refusal


@pytest.mark.parametrize("major", [6, 7])
def test_output_marks_that_leave_the_city_be_are_not_named(major: int) -> None:
    """What keeps the router's own traffic for the city off the marked table is not in the
    way: the reply path (a connection mark given to connections that came in on a line),
    a mark for other destinations, an accept for the city above the mark, a mark for what
    leaves by an office line anyway, a disabled rule."""
    fine = [
        "/ip firewall mangle add action=mark-connection chain=prerouting in-interface=ether1 "
        "new-connection-mark=isp1_conn\n"
        "/ip firewall mangle add action=mark-routing chain=output connection-mark=isp1_conn "
        "new-routing-mark=isp1\n",
        CATCHING.replace("dst-address-list=kantor-pusat", "dst-address=8.8.8.8"),
        "/ip firewall mangle add action=accept chain=output dst-address=10.250.0.0/20\n" + CATCHING,
        CATCHING.replace("chain=output", "chain=output out-interface=ether1"),
        CATCHING.replace("chain=output", "chain=output disabled=yes"),
    ]
    for mangle in fine:
        assert migrate(_office(major, mangle), OFFICE, Phase.DUAL, CITY).refusals == [], mangle


@pytest.mark.parametrize("major", [6, 7])
def test_an_output_mark_for_everything_is_named(major: int) -> None:
    """No destination at all: every probe and check of netprov's follows line 1's table."""
    config = _office(major, CATCHING.replace("dst-address-list=kantor-pusat ", ""))
    (refusal,) = migrate(config, OFFICE, Phase.DUAL, CITY).refusals
    assert "netprov's own checks" in refusal


def test_a_marked_table_fed_by_ospf_is_named() -> None:
    """A table with no static route that the router's OSPF fills (``routing-mark`` of an
    OSPF instance, RouterOS 6): its default route is learned, netprov cannot shift it, so
    the mark counts as sending the city's traffic there whatever the export shows."""
    config = _office(6, CATCHING).replace("/ip route add gateway=192.0.2.1 routing-mark=isp1\n", "")
    assert migrate(config, OFFICE, Phase.DUAL, CITY).refusals == []  # falls back to main
    ospf = config + (
        "/routing ospf instance set [ find default=yes ] redistribute-default=never "
        "routing-table=isp1\n"
    )
    (refusal,) = migrate(ospf, OFFICE, Phase.DUAL, CITY).refusals
    assert "whose routes the router learns (OSPF/BGP)" in refusal


def test_a_connection_mark_given_only_to_what_leaves_by_an_office_line_is_not_named() -> None:
    """The corpus's RouterOS 7 PCC office (routeros-7.x-pcc-hotspot-cake.rsc): the output
    chain marks connections leaving by each office line (``out-interface=``) and routes
    them by that line's table; the router's own traffic for the city leaves by central and
    gets no such mark. Not in the way; the same mark given to every destination is."""
    given = (
        "/ip firewall mangle add action=mark-connection chain=output "
        "dst-address-list=!kantor-pusat new-connection-mark=c1 out-interface=ether1\n"
        "/ip firewall mangle add action=mark-routing chain=output connection-mark=c1 "
        "new-routing-mark=isp1 passthrough=no\n"
    )
    assert migrate(_office(7, given), OFFICE, Phase.DUAL, CITY).refusals == []
    everywhere = given.replace(" out-interface=ether1", "").replace("!kantor-pusat", "kantor-pusat")
    (refusal,) = migrate(_office(7, everywhere), OFFICE, Phase.DUAL, CITY).refusals
    assert refusal.startswith("mangle output mark-routing isp1 (connection-mark=c1)")
