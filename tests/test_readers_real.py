"""Every reader of device output, run on output captured from real routers.

The samples are ntc-templates' test fixtures (``tests/fixtures/real``, Apache-2.0): real
IOS / IOS-XE and RouterOS 6 and 7 output with the parse the community agreed on. Where
ntc-templates has a parse, the reader must agree with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.platforms.routeros.output import terse_rows

REAL = Path(__file__).parent / "fixtures" / "real"
IOS = driver_for(Platform.CISCO_IOS)
ROS = driver_for(Platform.MIKROTIK_ROUTEROS)


def samples(platform: str, command: str) -> list[Path]:
    found = sorted((REAL / platform / command).glob("*.raw"))
    assert found, f"no real samples for {platform} {command}"
    return found


def parsed(raw: Path) -> list[dict[str, object]]:
    data = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))
    return list(data["parsed_sample"])


# --- RouterOS 6 and 7 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    samples("mikrotik_routeros", "interface_print_terse_without-paging"),
    ids=lambda p: p.stem,
)
def test_routeros_interfaces_read_like_ntc_templates(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8")
    for record in parsed(raw):
        state = ROS.read_interface(text, str(record["name"]))
        assert state.present
        assert state.running == (record["status"] == "R"), record["name"]
        assert (state.status == "disabled") == (record["status"] == "X")


def test_routeros_interface_names_with_spaces_and_comments() -> None:
    text = (REAL / "mikrotik_routeros/interface_print_terse_without-paging").joinpath(
        "mikrotik_routeros_interface_print_terse_without-paging.raw"
    )
    state = ROS.read_interface(text.read_text(), "ether3 UniFi1")
    assert state.present
    assert not state.running
    assert not ROS.read_interface(text.read_text(), "ether3").present


@pytest.mark.parametrize(
    ("raw_name", "gateway"),
    [
        # RouterOS 6: indexed rows, positional flags "A S"; a BGP route is not active
        ("ip_route_print_terse/mikrotik_routeros_ip_route_print_terseIPv4.raw", "23.90.232.243"),
        (
            "ip_route_print_terse_without-paging/"
            "mikrotik_routeros_ip_route_print_terse_without-paging.raw",
            "192.168.8.1",
        ),
        # IPv6 defaults are not the IPv4 default route
        ("ip_route_print_terse/mikrotik_routeros_ip_route_print_terseIPv6.raw", "none"),
    ],
)
def test_routeros_active_default_route(raw_name: str, gateway: str) -> None:
    text = (REAL / "mikrotik_routeros" / raw_name).read_text(encoding="utf-8")
    assert ROS.read_default_gateway(text) == gateway


def test_routeros_7_unnumbered_dynamic_routes_and_echoed_log_lines() -> None:
    text = (
        (REAL / "mikrotik_routeros/ip_route_print_terse")
        .joinpath("mikrotik_routeros_ip_route_print_terseIPv4.raw")
        .read_text(encoding="utf-8")
    )
    rows = terse_rows(text)
    # the console's log line is not a route; the RouterOS 7 rows have no index
    assert all("echo:" not in str(r.fields) for r in rows)
    ros7 = [r for r in rows if r.index is None]
    assert len(ros7) == 4
    assert {r.fields["gateway"] for r in ros7} == {"bridge-lan", "pppoe-out1"}
    assert ros7[0].fields["local-address"] == "192.168.1.254%bridge-lan"
    # a RouterOS 7 dynamic default through PPPoE is active: flags D A v
    only_ros7 = "\n".join(line for line in text.splitlines() if line.startswith("DA"))
    assert ROS.read_default_gateway(only_ros7) == "pppoe-out1"


@pytest.mark.parametrize(
    ("raw_name", "address", "hop"),
    [
        # RouterOS 6: gateway-status "<gw> reachable via  <interface>"; the routes of a
        # routing-mark (134/8, 172/8, the 10/8 blackhole) serve marked packets only
        ("without-paging", "8.8.8.8", "lte1 (192.168.8.1)"),
        ("without-paging", "134.1.1.1", "lte1 (192.168.8.1)"),
        ("without-paging", "10.1.1.1", "lte1 (192.168.8.1)"),
        ("without-paging", "10.160.1.229", "ether1"),  # connected: "ether1 reachable"
        ("IPv4", "8.8.8.8", "pppoe-out1 (23.90.232.243)"),  # the first active default
        ("IPv4", "185.163.212.158", "dmz-1-vlan"),
        # RouterOS 7 rows (no index, immediate-gw): an interface route on the PPPoE link
        ("IPv4", "217.171.23.66", "pppoe-out1"),
    ],
)
def test_routeros_route_to_an_address(raw_name: str, address: str, hop: str) -> None:
    """The route a ping of ``address`` follows: longest prefix among the main table's
    active routes, with the neighbour and interface RouterOS 6 or 7 names."""
    name = {
        "IPv4": "ip_route_print_terse/mikrotik_routeros_ip_route_print_terseIPv4",
        "without-paging": "ip_route_print_terse_without-paging/"
        "mikrotik_routeros_ip_route_print_terse_without-paging",
    }[raw_name]
    text = (REAL / "mikrotik_routeros" / f"{name}.raw").read_text(encoding="utf-8")
    assert str(ROS.read_route(text, address)) == hop


def test_routeros_route_of_an_ecmp_route_names_a_reachable_gateway() -> None:
    text = (
        REAL
        / "mikrotik_routeros/ip_route_print_terse/mikrotik_routeros_ip_route_print_terseIPv4.raw"
    ).read_text(encoding="utf-8")
    only = "\n".join(line for line in text.splitlines() if line.startswith(" 6 "))
    assert str(ROS.read_route(only, "1.1.1.1")) == "pppoe-out1 (185.138.116.223)"
    assert ROS.read_route("", "1.1.1.1") is None  # no route at all


@pytest.mark.parametrize("raw", samples("mikrotik_routeros", "ping"), ids=lambda p: p.stem)
def test_routeros_ping_reads_like_ntc_templates(raw: Path) -> None:
    result = ROS.read_ping(raw.read_text(encoding="utf-8"))
    summary = parsed(raw)[-1]
    assert result.sent == int(str(summary["sent"]))
    assert result.received == int(str(summary["received"]))


# --- Cisco IOS / IOS-XE ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", samples("cisco_ios", "show_ip_interface_brief"), ids=lambda p: p.stem
)
def test_ios_interfaces(raw: Path) -> None:
    text = raw.read_text(encoding="utf-8")
    for record in parsed(raw):
        state = IOS.read_interface(text, str(record["interface"]))
        assert state.present
        assert state.running == (record["status"] == "up" and record["proto"] == "up")
    assert not IOS.read_interface(text, "Dialer9").present


@pytest.mark.parametrize(
    ("raw_name", "gateway"),
    [
        ("cisco_ios_show_ip_route.raw", "194.0.0.2"),  # O*E2 default in the global table
        ("cisco_ios_show_ip_route1.raw", "none"),
        ("cisco_ios_show_ip_route_wildcard.raw", "none"),  # defaults only inside VRFs
    ],
)
def test_ios_default_route(raw_name: str, gateway: str) -> None:
    text = (REAL / "cisco_ios/show_ip_route" / raw_name).read_text(encoding="utf-8")
    assert IOS.read_default_gateway(text) == gateway


@pytest.mark.parametrize("raw", samples("cisco_ios", "ping"), ids=lambda p: p.stem)
def test_ios_ping(raw: Path) -> None:
    result = IOS.read_ping(raw.read_text(encoding="utf-8"))
    record = parsed(raw)[0]
    assert result.sent == int(str(record["sent_qty"]))
    assert result.received == int(str(record["success_qty"] or 0))
    if result.received:
        assert result.avg_ms == float(str(record["rtt_avg"]))


def test_ios_ping_that_printed_an_error_is_no_reply() -> None:
    assert IOS.read_ping("% Unrecognized host or address, or protocol not running.").sent == 0


@pytest.mark.parametrize("raw", samples("cisco_ios", "ping"), ids=lambda p: p.stem)
def test_ios_lookup_reads_the_address_the_ping_went_to(raw: Path) -> None:
    """IOS resolves a name and prints the address in the same ``Sending ...`` line as any
    ping (real samples; the translation line before it is quoted in the next test)."""
    assert IOS.read_resolved(raw.read_text(encoding="utf-8")) == parsed(raw)[0]["destination"]


def test_ios_lookup_of_a_name_that_does_not_resolve() -> None:
    # as IOS prints it (Cisco IOS IP Addressing: DNS; the form quoted in public lab guides)
    translated = (
        'Translating "r2.example"...domain server (10.10.10.10)\n'
        "Sending 5, 100-byte ICMP Echos to 10.10.10.2, timeout is 2 seconds:\n!!!!!\n"
        "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/4 ms"
    )
    assert IOS.read_resolved(translated) == "10.10.10.2"
    failed = (
        'Translating "nope.example"...domain server (10.10.10.10)\n'
        "% Unrecognized host or address, or protocol not running."
    )
    assert IOS.read_resolved(failed) is None


def test_routeros_lookup() -> None:
    # ``:put [:resolve NAME]`` prints the address, or the error (MikroTik manual, Scripting)
    assert ROS.read_resolved("142.250.4.100\r\n") == "142.250.4.100"
    assert ROS.read_resolved("failure: dns name does not exist") is None


def test_egress_echo_readers() -> None:
    """The echo service's body (the caller's address) as each client prints it: RouterOS
    ``/tool fetch ... output=user`` (MikroTik manual, Fetch) and IOS ``more http://...``."""
    ros = (
        "      status: finished\n  downloaded: 0KiB\n       total: 0KiB\n"
        "    duration: 1s\n        data: 198.18.7.12\n"
    )
    assert ROS.read_fetched(ros) == "198.18.7.12"
    assert ROS.read_fetched("failure: connection timeout") is None
    assert IOS.read_fetched("198.18.1.40\n") == "198.18.1.40"
    assert IOS.read_fetched("%Error opening http://198.51.100.7/ip (Timed out)") is None


@pytest.mark.parametrize("raw", samples("cisco_ios", "show_ip_dhcp_binding"), ids=lambda p: p.stem)
def test_ios_dhcp_leases(raw: Path) -> None:
    assert IOS.read_leases(raw.read_text(encoding="utf-8")) == len(parsed(raw))


def test_ios_automatic_dhcp_leases_with_a_dated_expiry() -> None:
    # an automatic binding's expiry is a date (Cisco IOS IP Addressing: show ip dhcp binding)
    output = (
        "Bindings from all pools not associated with VRF:\n"
        "IP address          Client-ID/              Lease expiration        Type\n"
        "                    Hardware address/\n                    User name\n"
        "10.0.0.2            0100.1122.3344.55       Mar 01 2002 12:02 AM    Automatic\n"
    )
    assert IOS.read_leases(output) == 1
    assert IOS.read_leases("% DHCP server not running") is None


@pytest.mark.parametrize(
    "raw",
    samples("mikrotik_routeros", "ip_dhcp-server_lease_print_terse_without-paging"),
    ids=lambda p: p.stem,
)
def test_routeros_dhcp_leases(raw: Path) -> None:
    bound = [r for r in parsed(raw) if r.get("status") == "bound"]
    assert ROS.read_leases(raw.read_text(encoding="utf-8")) == len(bound)


def test_routeros_ping_with_more_replies_than_requests() -> None:
    """Issue 22 (7): every host answers a multicast ping: `packet-loss=-300%` (the MikroTik
    manual's own output) read as 0 sent, 0 received."""
    raw = REAL / "mikrotik_routeros" / "ping_duplicates" / "mikrotik_routeros_ping_multicast.raw"
    result = ROS.read_ping(raw.read_text(encoding="utf-8"))
    assert (result.sent, result.received, result.avg_ms) == (1, 4, 1.0)
    assert result.loss_percent == 0.0
