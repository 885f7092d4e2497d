"""What Cisco IOS and IOS XE accept beyond what the twin models: the first words of global
configuration commands. Pure data.

The twin models the commands netprov renders and reads (``netprov.sim.ios.config``); a
router in service holds many more (``vrf definition``, ``license udi``, ``subscriber
templating``, ``spanning-tree``, ``crypto pki``...). The twin keeps such a line and the
indented lines under it verbatim and lists them back in place; it refuses only a first word
IOS has no global command for (``% Invalid input detected``).

Source: the Cisco IOS Master Command List and the IOS XE configuration guides (global
configuration mode, ``Router(config)#?``), and the real listings in
``tests/fixtures/real-configs``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# First words of global configuration commands (``Router(config)#?`` on IOS 12.4-15.x and
# IOS XE 16-17).
GLOBAL_WORDS = _words(
    """
    aaa access-list alias application archive arp async-bootp banner bfd boot
    boot-end-marker boot-start-marker bridge bridge-domain call-home card ccm-manager cdp
    chat-script class-map clock config-register control-plane controller cpp crypto cts
    default default-value device-sensor device-tracking diagnostic dial-peer dialer
    dialer-list dot11 dot1x downward-compatible-config enable energywise environment
    errdisable ethernet event exception fhrp file flow gatekeeper hostname hw-module
    identity interface iox ip ipv6 isdn key kron l2tp-class l2vpn license line lldp
    logging login mac mac-address-table management-interface memory memory-size mgcp
    mls monitor mpls multilink netconf netconf-yang network-clock no ntp object-group
    parameter-map pseudowire-class platform pnp policy-map port-channel power privilege
    process process-max-time qos radius radius-server redundancy restconf rmon
    route-map router sampler scheduler sdm segment-routing service snmp snmp-server
    spanning-tree srr-queue stackwise-virtual subscriber switch system table-map tacacs
    tacacs-server telemetry telephony-service template track transceiver udld upgrade
    username virtual-service vlan voice voice-card vpdn vpdn-group vrf vtp wsma x25 zone
    zone-pair ztp
    security spd bba-group mmi vstack network-clock-participate
    """
)
# The last row, from the real listings in the corpus: ``security passwords min-length`` and
# ``security authentication failure rate`` (Cisco IOS Security Command Reference), ``spd
# headroom`` (Cisco IOS Quality of Service Solutions Command Reference), ``bba-group pppoe``
# (Cisco IOS Broadband Access Aggregation and DSL Command Reference), ``mmi
# polling-interval`` (Cisco IOS Network Management Command Reference, printed by IOSv),
# ``no vstack`` (Cisco Smart Install Configuration Guide), ``no network-clock-participate``
# (Cisco IOS Interface and Hardware Component Command Reference).

# Global words that also start commands inside sections (``ip ospf cost`` under an
# interface, ``logging synchronous`` under a line, ``crypto map`` under an interface): an
# unindented line starting with one of these stays in the section it is typed in.
SECTION_WORDS = _words(
    """
    ip ipv6 no default cdp lldp mpls vrf crypto flow zone qos power service logging login
    bfd dot1x ethernet event key mac memory monitor snmp switch system udld x25 dialer
    isdn ntp spanning-tree arp identity license template track boot
    """
)

# Commands with many instances (``ip route ...``, ``access-list ...``): their ``no`` form
# removes one, and never stands as a setting of its own. Any other ``no X`` that removes
# nothing is a default turned off, and IOS lists it (``no aaa new-model``, ``no ip domain
# lookup``, ``no ipv6 cef``).
INSTANCE_COMMANDS = (
    "ip route ",
    "ip nat ",
    "access-list ",
    "ip access-list ",
    "ipv6 access-list ",
    "ntp server ",
    "logging host ",
    "snmp-server community ",
    "snmp-server host ",
    "username ",
    "interface ",
    "route-map ",
    "policy-map ",
    "class-map ",
    "ip sla ",
    "track ",
    "ip dhcp pool ",
    "ip dhcp excluded-address ",
    "ip name-server ",
    "ip domain name ",
    "flow ",
    "router ",
    "line ",
    "banner ",
    "crypto ",
    "vrf ",
    "hostname ",
)

# Second words of global ``ip`` and ``ipv6`` commands (``Router(config)#ip ?``), where a
# wrong word is the usual typo: ``ip routing-bogus`` is refused, ``ip source-route`` kept.
IP_WORDS = _words(
    """
    access-list accounting accounting-list accounting-threshold admission alias arp
    as-path audit auth-proxy bgp-community bootp cef classless community-list ddns
    default-gateway default-network device dhcp dns domain domain-list domain-lookup
    domain-name explicit-path extcommunity-list finger flow flow-cache flow-export
    flow-top-talkers forward-protocol ftp gratuitous-arps host http icmp igmp inspect ips
    local mfib mroute msdp multicast multicast-routing name-server nat nbar options ospf pim
    policy-list prefix-list radius rcmd reflexive-list route routing rsvp scp sla
    source-route ssh subnet-zero tacacs tcp telnet tftp vrf wccp
    """
)
IPV6_WORDS = _words(
    """
    access-list cef dhcp general-prefix host icmp local mfib mld multicast
    multicast-routing nd neighbor pim prefix-list route router source-route unicast-routing
    """
)


def known_global(text: str) -> bool:
    """Whether IOS has a global command starting like ``text`` (a ``no`` form too).

    Examples:
        >>> known_global("ip source-route"), known_global("no aaa new-model")
        (True, True)
        >>> known_global("ip routing-bogus on"), known_global("frobnicate")
        (False, False)
    """
    words = text.split()
    if words and words[0] == "no":
        words = words[1:]
    if not words or words[0] not in GLOBAL_WORDS:
        return False
    second = {"ip": IP_WORDS, "ipv6": IPV6_WORDS}.get(words[0])
    return second is None or (len(words) > 1 and words[1] in second)
