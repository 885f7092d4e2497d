"""What a RouterOS router knows beyond what the twin models: its menu tree and the properties
of the menus the twin does model. Pure data.

The twin models a few dozen menus (``netprov.sim.routeros.router``); a router in service holds
hundreds of lines in others (``/routing table``, ``/disk settings``, ``/caps-man ...``) and
properties the twin never acts on (``per-connection-classifier``, ``loop-protect``). A real
router accepts them, so the twin keeps them verbatim; it refuses only a menu or a property
RouterOS itself does not have ("bad command name", "expected end of command").

Sources: the MikroTik RouterOS manual (help.mikrotik.com, RouterOS 7 menu pages, one per
menu named below), and the real exports in ``tests/fixtures/real-configs``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# First words of RouterOS 6 and 7 console menus (manual, "Command Line Interface": the
# root menu). A line under any other first word is "bad command name".
ROOT_MENUS = _words(
    """
    app caps-man certificate console container disk driver dude file interface iot ip ipv6 lcd
    log lora metarouter mpls partitions port ppp queue radius routing snmp special-login store
    system tool user user-manager zerotier
    """
)

# The second words of the root menus the twin knows well enough to refuse a wrong one
# (manual pages "IP Addressing", "Interfaces", "System", "Tools", "Routing", "IPv6",
# "Queues", "PPP", "User"; RouterOS 6's "User Manager" is ``/tool user-manager``, 7's
# ``/user-manager``). Deeper levels (``/interface wireless security-profiles``) are
# kept verbatim under any name.
SUBMENUS: dict[str, frozenset[str]] = {
    "ip": _words(
        """
        accounting address arp cloud dhcp-client dhcp-relay dhcp-server dns firewall hotspot
        ipsec kid-control media nat-pmp neighbor packing pool proxy route service settings smb
        socks socksify ssh tftp traffic-flow upnp vrf
        """
    ),
    "interface": _words(
        """
        6to4 bonding bridge detect-internet dot1x eoip eoipv6 ethernet gre gre6 ipip ipipv6
        isdn-client isdn-server l2tp-client l2tp-ether l2tp-server list lte macsec macvlan mesh
        ovpn-client ovpn-server ppp-client ppp-server pppoe-client pppoe-server pptp-client
        pptp-server sstp-client sstp-server traffic-eng veth vlan vpls vrrp vxlan w60g wifi
        wifiwave2 wireguard wireless
        """
    ),
    "system": _words(
        """
        backup clock console device-mode gps hardware health history identity leds license
        logging note ntp package reboot reset-configuration resource routerboard scheduler
        script shutdown upgrade ups watchdog
        """
    ),
    "tool": _words(
        """
        bandwidth-server bandwidth-test calea e-mail fetch flood-ping graphing ip-scan mac-scan
        mac-server netwatch ping profile romon sms sniffer speed-test torch traceroute
        traffic-generator traffic-monitor user-manager wol
        """
    ),
    "routing": _words(
        """
        bfd bgp filter gmp id igmp-proxy isis mme nexthop ospf ospf-v3 pim pimsm prefix-lists
        rip ripng route rpki rule settings stats table
        """
    ),
    "ipv6": _words(
        """
        address dhcp-client dhcp-relay dhcp-server firewall nd neighbor pool route settings
        """
    ),
    "queue": _words("interface simple tree type"),
    "ppp": _words("aaa active l2tp-secret profile secret"),
    "user": _words("aaa active group settings ssh-keys"),
}


def known_menu(words: tuple[str, ...]) -> bool:
    """Whether RouterOS has the menu ``/w1 w2 ...`` (deeper levels than the catalogue
    knows are taken on trust).

    Examples:
        >>> known_menu(("routing", "table")), known_menu(("interface", "wireless", "x"))
        (True, True)
        >>> known_menu(("frobnicate",)), known_menu(("ip", "frobnicate"))
        (False, False)
    """
    if not words or words[0] not in ROOT_MENUS:
        return False
    second = SUBMENUS.get(words[0])
    return len(words) == 1 or second is None or words[1] in second


# Properties of the menus the twin models that it keeps without acting on them (each menu's
# manual page; RouterOS 6 names that 7 still accepts are included, such as ``routing-mark``).
# A property that is neither modelled nor listed here is "expected end of command" when
# typed; a starting config (what the router itself printed) keeps any property.
EXTRA_PROPERTIES: dict[str, frozenset[str]] = {
    "/interface bridge": _words(
        """
        add-dhcp-option82 ageing-time arp arp-timeout dhcp-snooping fast-forward frame-types
        igmp-snooping ingress-filtering mac-address mtu multicast-router mvrp port-cost-mode
        priority pvid
        """
    ),
    "/interface bridge port": _words(
        """
        auto-isolate bpdu-guard edge frame-types horizon ingress-filtering internal-path-cost
        learn multicast-router path-cost point-to-point priority pvid trusted
        """
    ),
    "/interface ethernet": _words(
        """
        advertise arp arp-timeout auto-negotiation bandwidth fec-mode full-duplex l2mtu
        loop-protect loop-protect-disable-time loop-protect-send-interval mac-address
        master-port orig-mac-address poe-out poe-priority rx-flow-control sfp-rate-select
        sfp-shutdown-temperature speed tx-flow-control
        """
    ),
    "/interface vlan": _words(
        """
        arp arp-timeout loop-protect mac-address use-service-tag
        """
    ),
    "/interface pppoe-client": _words(
        """
        ac-name allow dial-on-demand keepalive-timeout max-mru max-mtu mrru profile service-name
        """
    ),
    "/interface list": _words(""),
    "/interface list member": _words(""),
    "/ip address": _words(""),
    "/ip pool": _words("next-pool"),
    "/ip dhcp-server": _words(
        """
        add-arp always-broadcast authoritative bootp-lease-time bootp-support client-mac-limit
        conflict-detection delay-threshold dhcp-option-set insert-queue-before lease-script
        parent-queue relay src-address use-framed-as-classless use-radius
        """
    ),
    "/ip dhcp-server network": _words(
        """
        boot-file-name caps-manager dhcp-option dhcp-option-set domain netmask next-server
        ntp-server wins-server
        """
    ),
    "/ip dhcp-client": _words("default-route-tables dhcp-options"),
    "/ip route": _words(
        """
        blackhole pref-src routing-mark suppress-hw-offload type vrf-interface
        """
    ),
    "/ip firewall filter": _words(
        """
        address-list address-list-timeout connection-bytes connection-limit connection-mark
        connection-rate connection-type content dscp dst-address-type dst-limit fragment hotspot
        icmp-options in-bridge-port in-bridge-port-list ingress-priority ipv4-options
        layer7-protocol limit log log-prefix nth out-bridge-port packet-mark packet-size
        per-connection-classifier port priority psd random routing-mark routing-table
        src-address-type src-mac-address src-port tcp-flags tcp-mss time tls-host ttl
        """
    ),
    "/ip firewall mangle": _words(
        """
        address-list address-list-timeout connection-bytes connection-limit connection-mark
        connection-nat-state connection-rate connection-state connection-type content dscp
        dst-address dst-address-list dst-address-type dst-limit dst-port fragment hotspot
        icmp-options in-bridge-port in-interface in-interface-list ingress-priority ipsec-policy
        ipv4-options jump-target layer7-protocol limit log log-prefix new-connection-mark
        new-dscp new-mss new-priority new-routing-mark new-ttl nth out-bridge-port out-interface
        out-interface-list packet-mark packet-size per-connection-classifier port priority
        protocol psd random route-dst routing-mark sniff-id sniff-target sniff-target-port
        src-address src-address-list src-address-type src-mac-address src-port tcp-flags tcp-mss
        time tls-host ttl
        """
    ),
    "/ip firewall nat": _words(
        """
        address-list connection-mark connection-state dst-address dst-address-list
        dst-address-type jump-target log log-prefix packet-mark port random routing-mark
        src-address-list src-address-type src-port to-ports
        """
    ),
    "/ip firewall address-list": _words("timeout"),
    "/queue simple": _words(
        """
        bucket-size burst-limit burst-threshold burst-time packet-marks priority time
        total-limit-at total-max-limit total-queue
        """
    ),
    "/queue tree": _words(
        """
        bucket-size burst-limit burst-threshold burst-time priority queue
        """
    ),
    "/system scheduler": _words("policy start-date"),
    "/ip service": _words("certificate max-sessions tls-version vrf"),
}

# Settings menus' properties the twin keeps without acting on them (manual pages "DNS",
# "Clock", "NTP client", "SNMP", "Traffic Flow", "MAC server").
EXTRA_SETTINGS: dict[str, frozenset[str]] = {
    "/ip dns": _words(
        """
        address-list-extra-time cache-max-ttl cache-size doh-max-concurrent-queries
        doh-max-server-connections doh-timeout max-concurrent-queries
        max-concurrent-tcp-sessions max-udp-packet-size query-server-timeout query-total-timeout
        use-doh-server verify-doh-cert vrf
        """
    ),
    "/system clock": _words("date gmt-offset time time-zone-autodetect"),
    "/system ntp client": _words(
        """
        mode primary-ntp secondary-ntp server-dns-names vrf
        """
    ),
    "/snmp": _words(
        """
        engine-id src-address trap-community trap-generators trap-target trap-version vrf
        """
    ),
    "/system identity": _words(""),
}
