"""The twin's RouterOS runs the version its config names (issue 37, items 1, 2 and 7): a
router loaded from a RouterOS 6 export accepts what RouterOS 6 accepts and refuses RouterOS 7
syntax in RouterOS's own words, prints its version, and adds a DHCP client disabled unless
told ``disabled=no``, as RouterOS 6 does (netprov.syntax.routeros_versions cites the manual for
each)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.platforms import driver_for
from netprov.render.config import Renderer
from netprov.secrets import twin_secret
from netprov.sim.routeros.router import RosDevice
from netprov.sim.world import site_world
from netprov.syntax.routeros_versions import RosVersion, export_version
from netprov.twin.routeros import RosCli
from netprov.twin.routeros_show import RosShow
from tests.conftest import SAMPLE, TEMPLATES

REAL = Path(__file__).parent / "fixtures" / "real-configs"
V6_EXPORT = REAL / "routeros-6.47-rb750gr3-pcc.rsc"  # "# oct/21/2021 ... by RouterOS 6.47.9"
V7_EXPORT = REAL / "routeros-7.4-rb941-pppoe-l2tp.rsc"
NOW = dt.datetime(2026, 11, 23, 9, 5, 7, tzinfo=dt.UTC)


def _router(config: str | None = None, *, version: str | None = None) -> RosDevice:
    loaded = load_inventory(SAMPLE)
    site = loaded.site("kec-sukamaju")
    world = site_world(site, loaded.organisation.central_services)
    device = driver_for(Platform.MIKROTIK_ROUTEROS).simulator(
        site, world, now=lambda: NOW, os_version=version
    )
    assert isinstance(device, RosDevice)
    device.show = RosShow(device)
    if config is not None:
        assert device.load_initial(config) == []
    return device


def _v6() -> RosDevice:
    return _router(V6_EXPORT.read_text(encoding="utf-8"))


def _run(device: RosDevice, line: str) -> str:
    return device.run(line, "/")[0]


def test_the_version_comes_from_the_export_header() -> None:
    assert export_version(V6_EXPORT.read_text()) == RosVersion(6, 47, 9)
    assert _v6().version == RosVersion(6, 47, 9)
    assert _router(V7_EXPORT.read_text()).version == RosVersion(7, 4)
    assert _router().version.major == 7  # nothing says: RouterOS 7
    assert _router(version="6.49.8").version == RosVersion(6, 49, 8)  # the inventory's


@pytest.mark.parametrize(
    ("line", "refusal"),
    [
        # MikroTik manual "NTP": RouterOS 6's SNTP client has primary-ntp/secondary-ntp
        (
            "/system ntp client servers add address=10.250.0.123",
            "bad command name servers (line 1 column 20)",
        ),
        # "Netwatch": types since 7.4
        (
            "/tool netwatch add host=198.41.0.4 interval=10s type=icmp",
            "expected end of command (line 1 column 49)",
        ),
        # "Moving from ROSv6 to v7": routing tables, /routing rule
        ("/routing table add disabled=no fib name=to_isp1", "bad command name table"),
        ("/routing rule add action=lookup table=to_isp1", "bad command name rule"),
        (
            "/ip route add dst-address=0.0.0.0/0 gateway=10.0.0.1 routing-table=to_isp1",
            "expected end of command",
        ),
    ],
)
def test_a_v6_router_refuses_v7_syntax_in_its_own_words(line: str, refusal: str) -> None:
    router = _v6()
    before = router.export()
    assert _run(router, line).startswith(refusal)
    assert router.export() == before  # nothing changed


def test_a_v6_router_accepts_the_v6_forms() -> None:
    router = _v6()
    for line in (
        "/system ntp client set enabled=yes primary-ntp=10.250.0.123 secondary-ntp=10.250.0.124",
        "/tool netwatch add comment=netprov:watch-legacy host=198.41.0.4 interval=10s",
        "/ip route add dst-address=0.0.0.0/0 gateway=192.168.1.1 routing-mark=to_isp9",
        "/ip firewall mangle add action=mark-routing chain=prerouting new-routing-mark=to_isp9",
        "/ip route rule add action=lookup table=to_isp9 src-address=192.168.10.0/24",
    ):
        assert _run(router, line) == "", line
    export = router.export()
    assert "primary-ntp=10.250.0.123" in export
    assert "routing-mark=to_isp9" in export
    assert "/ip route rule add action=lookup" in export


def test_a_v7_router_refuses_v6_forms() -> None:
    router = _router()
    assert _run(router, "/ip route rule add action=lookup table=main").startswith(
        "bad command name rule"
    )
    refused = "/ip route add dst-address=0.0.0.0/0 gateway=10.0.0.1 routing-mark=to_isp1"
    assert _run(router, refused).startswith("expected end of command")
    assert _run(router, "/tool netwatch add host=198.41.0.4 type=icmp") == ""
    older = _router(version="7.3")  # netwatch types came with 7.4
    assert _run(older, "/tool netwatch add host=198.41.0.4 type=icmp").startswith(
        "expected end of command"
    )


def test_a_v6_dhcp_client_is_added_disabled_unless_told_otherwise() -> None:
    router = _v6()
    assert _run(router, "/ip dhcp-client add interface=ISP3 comment=office") == ""
    assert _run(router, "/ip dhcp-client add interface=ISP2 disabled=no comment=backup") == ""
    clients = {c["comment"]: c for c in router.tables["/ip dhcp-client"]}
    assert clients["office"]["disabled"] == "yes"
    assert clients["backup"]["disabled"] == "no"
    export = router.export()
    # a v6 export prints disabled=no on the enabled client, nothing on the disabled one
    assert "/ip dhcp-client add comment=office interface=ISP3\n" in export
    assert "/ip dhcp-client add comment=backup disabled=no interface=ISP2\n" in export
    again = _router(export)  # and reads back the same
    assert {c["comment"]: c["disabled"] for c in again.tables["/ip dhcp-client"]} == {
        "office": "yes",
        "backup": "no",
    }
    v7 = _router()
    assert _run(v7, "/ip dhcp-client add interface=ether4 comment=office") == ""
    assert v7.tables["/ip dhcp-client"][0].get("disabled", "no") == "no"


def test_a_v6_router_prints_its_version() -> None:
    router = _v6()
    export = router.export()
    assert export.startswith("# nov/23/2026 09:05:07 by RouterOS 6.47.9\n")
    assert "version: 6.47.9" in _run(router, "/system resource print")
    assert "current-firmware: 6.47.9" in _run(router, "/system routerboard print")
    assert "RouterOS 6.47.9" in RosCli(router, "admin").banner()
    v7 = _router()
    assert v7.export().startswith("# 2026-11-23 09:05:07 by RouterOS 7.16.2\n")


def test_a_v6_export_shows_secrets_unless_asked_to_hide_them() -> None:
    router = _v6()
    assert (
        _run(router, "/interface pppoe-client add interface=ISP3 name=p user=u password=pw") == ""
    )
    assert "password=pw" in _run(router, "/export terse")
    assert "password=pw" not in _run(router, "/export terse hide-sensitive")
    assert _run(router, "/export terse show-sensitive").startswith("expected end of command")
    v7 = _router()
    assert _run(v7, "/export terse hide-sensitive").startswith("expected end of command")


def test_a_v6_route_listing_is_in_v6_form() -> None:
    """RouterOS 6 numbers every route and shows its gateway's state (gateway-status), no
    routing table (tests/fixtures/real: ip route print terse, ip route print detail)."""
    router = _v6()
    listing = _run(router, "/ip route print terse")
    rows = [line for line in listing.splitlines() if line.strip()]
    assert rows
    assert all(re.match(r"^\s*\d+ ", row) for row in rows), rows
    assert "routing-table=" not in listing
    assert "gateway-status=" in listing


def test_a_v6_router_has_ipv6_menus_only_with_the_ipv6_package() -> None:
    """RouterOS 6 keeps IPv6 in the ipv6 package, which routers run disabled (no /ipv6 line
    in any RouterOS 6 export in tests/fixtures/real-configs): without an /ipv6 line in its
    config the twin's v6 router has no /ipv6 menu
    (netprov.syntax.routeros_versions.ipv6_package)."""
    line = "/ipv6 firewall filter add action=drop chain=forward dst-port=53 protocol=udp"
    assert _run(_v6(), line) == "bad command name ipv6 (line 1 column 2)"
    with_ipv6 = V6_EXPORT.read_text() + "/ipv6 firewall address-list add address=fd00::/8 list=x\n"
    assert _run(_router(with_ipv6), line) == ""
    assert _run(_router(), line) == ""  # RouterOS 7: IPv6 is in the main package


def test_netprov_reads_the_same_route_from_a_v6_and_a_v7_listing() -> None:
    """One office's routes as RouterOS 6 prints them (gateway-status) and as 7 does
    (immediate-gw): the driver's reader finds the same neighbour and interface in both."""
    loaded = load_inventory(SAMPLE)
    site = loaded.site("kec-sukamaju")
    org, allocation = loaded.organisation, loaded.allocations.get(site.id)
    renderer = Renderer(TEMPLATES)
    driver = driver_for(Platform.MIKROTIK_ROUTEROS)
    hops = {}
    for version in ("6.49.8", "7.16.2"):
        config = renderer.render(
            site, org, Phase.CENTRAL, allocation, twin_secret, os_version=version, running=""
        ).text
        router = _router(version=version)
        assert router.load_initial(config) == []
        listing = _run(router, "/ip route print terse without-paging")
        hops[version] = [
            str(driver.read_route(listing, address))
            for address in ("8.8.8.8", "10.250.1.10", "199.7.83.42", "10.31.31.5")
        ]
    assert hops["6.49.8"] == hops["7.16.2"]
    assert "None" not in hops["7.16.2"], hops
