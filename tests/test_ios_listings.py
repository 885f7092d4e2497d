"""A router's own listing loads into the twin and comes back as IOS printed it (issue 37):
the constructs the corpus of real configs (tests/fixtures/real-configs) showed the twin
refusing or rewriting, one class each. The listings are cut from those real configs."""

from __future__ import annotations

import pytest

from netprov.sim.ios.router import IosDevice
from tests.test_real_configs import _ios_router


def _loaded(body: str) -> IosDevice:
    router = _ios_router()
    assert router.load_initial(f"version 15.4\nhostname R1\n!\n{body}\n!\nend\n") == []
    return router


def _shown(router: IosDevice) -> list[str]:
    return router.running_text().splitlines()


@pytest.mark.parametrize(
    "line",
    [
        # Cisco IOS Security Command Reference: "security authentication failure rate",
        # "security passwords min-length"
        "security authentication failure rate 4 log",
        "security passwords min-length 6",
        # Cisco IOS Quality of Service Solutions Command Reference: "spd headroom"
        "spd headroom 65535",
        # Cisco IOS Broadband Access Aggregation and DSL Command Reference: "bba-group pppoe"
        "bba-group pppoe global",
        # Cisco IOS IP Routing: OSPF Command Reference: "ip ospf name-lookup"
        "ip ospf name-lookup",
        # IOSv listings (Cisco IOS Network Management Command Reference: "mmi")
        "mmi polling-interval 60",
        "no mmi auto-configure",
        # Smart Install turned off (Cisco Smart Install Configuration Guide: "no vstack")
        "no vstack",
        # Cisco IOS Interface and Hardware Component Command Reference
        "no network-clock-participate slot 1",
    ],
)
def test_global_commands_of_real_listings_are_accepted_and_listed(line: str) -> None:
    assert line in _shown(_loaded(line))


def test_a_line_is_listed_with_the_spacing_ios_printed() -> None:
    """IOS aligns ACL entries ("deny   ip") and some fields ("address 1.1.1.1         no-xauth")
    itself; a listing loaded comes back with that spacing. Matching a line ignores it."""
    body = (
        "crypto isakmp key KEY address 1.1.1.1         no-xauth\n"
        "class-map match-all IP_PREC_HIGH\n match ip precedence 6  7\n"
        "ip access-list extended SELF-AND-INSIDE\n permit ip any any\n deny   ip any any\n"
        "access-list 100 deny   41 any any\naccess-list 100 permit ip any any"
    )
    router = _loaded(body)
    shown = _shown(router)
    for line in body.splitlines():
        assert line in shown
    acl = router.running.root.find("ip access-list extended SELF-AND-INSIDE")
    assert acl is not None
    router.running.apply(" deny ip any any", [router.running.root, acl])
    assert [c.text for c in acl.children] == ["permit ip any any", "deny ip any any"]
    router.running.apply("no access-list 100", [router.running.root])
    assert not [line for line in _shown(router) if line.startswith("access-list 100")]


def test_a_line_is_listed_with_the_indentation_ios_printed() -> None:
    """IOS 12.4 indents a DHCP pool's lines by three spaces, a police action by four, a
    certificate's end by a tab; the listing keeps each."""
    blocks = [
        "ip dhcp pool HOME_LAN\n   network 172.16.1.0 255.255.255.0\n   default-router 172.16.1.1",
        "ip ssh pubkey-chain\n  username thomas\n   key-hash ssh-rsa E5D7E26A603DD18923113E45F2",
        "crypto pki certificate chain TP-self-signed-1\n certificate self-signed 01\n"
        "  3082022B 30820194 A0030201 02020101\n  \tquit",
        "policy-map EXTERNAL_CBWFQ\n class IP_PREC_HIGH\n  priority percent 10\n"
        "  police cir percent 10\n    conform-action transmit\n    exceed-action drop",
    ]
    text = "\n".join(_shown(_loaded("\n!\n".join(blocks))))
    for block in blocks:
        assert block in text


def test_defaults_turned_off_in_a_section_are_listed() -> None:
    """IOS lists a default turned off under an interface or line ("no ip redirects", "no
    exec"), and "no ip address" where it printed it, in its place; nothing it did not print."""
    blocks = [
        "interface FastEthernet0\n switchport access vlan 5\n no ip address",
        "interface FastEthernet3\n no ip address",
        "interface FastEthernet0/0\n ip address 172.16.2.1 255.255.255.0\n no ip redirects\n"
        " no ip unreachables\n no ip proxy-arp\n no cdp enable",
        "interface ATM0/0.32 point-to-point\n no ip redirects\n pvc 0/32\n  vbr-nrt 704 704",
        "line con 0\n logging synchronous\n no modem enable",
        "line 2\n no activation-character\n no exec\n transport preferred none",
    ]
    router = _loaded("\n!\n".join(blocks))
    text = "\n".join(_shown(router))
    for block in blocks:
        assert f"{block}\n!" in text
    port = router.running.root.find("interface FastEthernet3")
    assert port is not None
    router.running.apply(" ip address 10.0.0.1 255.255.255.0", [router.running.root, port])
    assert [c.text for c in port.children] == ["ip address 10.0.0.1 255.255.255.0"]
    router.running.apply(" no ip address", [router.running.root, port])
    assert [c.text for c in port.children] == ["no ip address"]


def test_an_interface_filters_both_ways() -> None:
    """One access list per direction (Cisco IOS Security Command Reference, "ip access-group
    ... {in | out}"): the out list does not replace the in list."""
    router = _loaded(
        "interface Dialer1\n ip address negotiated\n ip access-group EXT_IN in\n"
        " ip access-group EXT_OUT out"
    )
    shown = _shown(router)
    assert " ip access-group EXT_IN in" in shown
    assert " ip access-group EXT_OUT out" in shown
    dialer = router.running.root.find("interface Dialer1")
    assert dialer is not None
    router.running.apply(" ip access-group NEW_IN in", [router.running.root, dialer])
    assert [c.text for c in dialer.children if "access-group" in c.text] == [
        "ip access-group NEW_IN in",
        "ip access-group EXT_OUT out",
    ]


def test_an_access_list_entry_is_listed_as_ios_aligns_it() -> None:
    """IOS lists an IPv4 access list's "deny" padded to the width of "permit", however it
    was typed ("deny   ip", as every real listing in the corpus shows); IPv6 lists are not."""
    router = _ios_router()
    root = [router.running.root]
    for line in [
        "ip access-list extended NETPROV-LAN-IN",
        " 10 deny udp any any eq domain",
        " deny ip any 10.0.0.0 0.255.255.255",
        " permit ip any any",
        "access-list 102 deny udp any any eq 17500 log",
        "ipv6 access-list V6",
        " deny ipv6 any any",
    ]:
        root = router.running.apply(line, root)
    shown = _shown(router)
    assert " 10 deny   udp any any eq domain" in shown
    assert " deny   ip any 10.0.0.0 0.255.255.255" in shown
    assert "access-list 102 deny   udp any any eq 17500 log" in shown
    assert " deny ipv6 any any" in shown
