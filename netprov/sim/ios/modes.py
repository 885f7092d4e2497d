"""IOS's config modes, as data: the line that opens each section and its mode, the words
each mode accepts, which lines stand alone, and the order ``show running-config`` lists
sections in (IOS-XE 17.9; Cisco IOS Configuration Fundamentals Configuration Guide,
"Using the Cisco IOS Command-Line Interface": command modes).
"""

from __future__ import annotations

import functools
import re

# Commands that open a sub-mode, with the prompt suffix IOS shows there.
SECTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^interface \S+$"), "config-if"),
    (re.compile(r"^ip sla \d+$"), "config-ip-sla"),
    (re.compile(r"^track \d+ .+$"), "config-track"),
    (re.compile(r"^policy-map \S+$"), "config-pmap"),
    (re.compile(r"^class-map( match-(all|any))? \S+$"), "config-cmap"),
    (re.compile(r"^route-map \S+ (permit|deny) \d+$"), "config-route-map"),
    (re.compile(r"^ip access-list standard \S+$"), "config-std-nacl"),
    (re.compile(r"^ip access-list extended \S+$"), "config-ext-nacl"),
    (re.compile(r"^ipv6 access-list \S+$"), "config-ipv6-acl"),
    (re.compile(r"^line (vty|con|aux) .+$"), "config-line"),
    (re.compile(r"^router \S+( \d+)?$"), "config-router"),
    (re.compile(r"^archive$"), "config-archive"),
    (re.compile(r"^flow exporter \S+$"), "config-flow-exporter"),
    (re.compile(r"^flow monitor \S+$"), "config-flow-monitor"),
    (re.compile(r"^ip dhcp pool \S+$"), "config-dhcp"),
]


CLASS_IN_PMAP = (re.compile(r"^class \S+$"), "config-pmap-c")


# Commands valid inside each sub-mode (first words); anything else returns to global.
CHILD_WORDS: dict[str, tuple[str, ...]] = {
    "config-if": (
        "description",
        "ip address",
        "ip nat inside$",
        "ip nat outside$",
        "ip access-group",
        "ipv6 traffic-filter",
        "ip flow",
        "ip dhcp client",
        "ip mtu",
        "ip tcp",
        "ip virtual-reassembly",
        "shutdown",
        "encapsulation",
        "service-policy",
        "pppoe",
        "pppoe-client",
        "mtu",
        "dialer",
        "ppp",
        "bandwidth",
        "speed",
        "duplex",
        "negotiation",
        "no",
    ),
    "config-ip-sla": ("icmp-echo", "frequency", "timeout", "threshold", "tos", "vrf", "no"),
    "config-track": ("delay", "no"),
    "config-pmap": ("class", "description", "no"),
    "config-pmap-c": (
        "shape",
        "bandwidth",
        "police",
        "priority",
        "service-policy",
        "fair-queue",
        "no",
    ),
    "config-pmap-c-police": ("conform-action", "exceed-action", "violate-action", "no"),
    "config-cmap": ("match", "description", "no"),
    "config-route-map": ("match", "set", "description", "no"),
    "config-std-nacl": ("permit", "deny", "remark", "no"),
    "config-ext-nacl": ("permit", "deny", "remark", "no"),
    "config-ipv6-acl": ("permit", "deny", "remark", "sequence", "no"),
    "config-line": (
        "access-class",
        "transport",
        "exec-timeout",
        "login",
        "logging",
        "privilege",
        "password",
        "session-timeout",
        "no",
    ),
    "config-router": (
        "network",
        "neighbor",
        "redistribute",
        "router-id",
        "passive-interface",
        "no",
    ),
    "config-archive": ("path", "write-memory", "maximum", "time-period", "no"),
    "config-flow-exporter": (
        "destination",
        "transport",
        "export-protocol",
        "source",
        "description",
        "template",
        "no",
    ),
    "config-flow-monitor": ("exporter", "record", "cache", "description", "no"),
    "config-dhcp": ("network", "default-router", "dns-server", "lease", "domain-name", "no"),
}


# Single-valued commands: a new line with the same key replaces the old one.
SINGLE: list[tuple[re.Pattern[str], int]] = [
    (
        re.compile(
            r"^(hostname|description|mtu|frequency|delay|path|exporter|record|destination"
            r"|export-protocol|encapsulation) "
        ),
        1,
    ),
    (re.compile(r"^ip address \S+ \S+$"), 2),
    (re.compile(r"^ip (domain name|ssh version|nat (inside|outside)$)"), 2),
    (
        re.compile(
            r"^(snmp-server (location|contact)|service-policy (input|output)"
            r"|transport (input|udp)|shape average|icmp-echo|dialer pool"
            r"|pppoe-client dial-pool-number) "
        ),
        2,
    ),
    # "ppp chap hostname" and "ppp chap password" are two settings (Cisco IOS Dial
    # Technologies Command Reference): one must not replace the other
    (re.compile(r"^ppp chap (hostname|password) "), 3),
    (re.compile(r"^ip dhcp client default-router distance "), 4),
    # an IPv4 DHCP pool's router list and lease are one setting each: "default-router
    # address [address2 ... address8]" entered again is the new list (Cisco IOS IP
    # Addressing Services Command Reference, "default-router", "lease"); not dns-server or
    # domain-name, which an IPv6 DHCP pool lists line by line
    (re.compile(r"^(default-router|lease) "), 1),
    (re.compile(r"^ip sla schedule \d+ "), 4),
    (re.compile(r"^ip route \S+ \S+ \S+"), 5),
]


# Settings keyed by words past their first: an interface (or line) takes one access list
# per direction (Cisco IOS Security Command Reference, "ip access-group", "access-class":
# {in | out}); the key is the groups matched.
KEYED: list[re.Pattern[str]] = [re.compile(r"^(ip access-group|access-class) \S+ (in|out)\b")]


# Top-level order of ``show running-config`` (first matching prefix wins; rest keep order).
ORDER = [
    "version",
    "service",
    "hostname",
    "boot",
    "logging buffered",
    "enable",
    "aaa",
    "clock",
    "ip domain",
    "ip name-server",
    "ip dhcp",
    "login",
    "ipv6",
    "multilink",
    "archive",
    "username",
    "license",
    "redundancy",
    "track",
    "ip ssh",
    "ip scp",
    "flow exporter",
    "flow monitor",
    "class-map",
    "policy-map",
    "interface",
    "router",
    "ip forward-protocol",
    "ip http",
    "ip nat",
    "ip route",
    "ip access-list",
    "ip sla",
    "logging",
    "access-list",
    "route-map",
    "snmp-server",
    "control-plane",
    "line",
    "ntp",
    "file prompt",
]


@functools.lru_cache(maxsize=8192)  # a config's lines are mostly the same on every router
def section_mode(text: str, parent_mode: str) -> str | None:
    if parent_mode == "config-pmap" and CLASS_IN_PMAP[0].match(text):
        return CLASS_IN_PMAP[1]
    if parent_mode == "config-pmap-c" and text.startswith("police "):
        return "config-pmap-c-police"  # its actions follow, one per line
    if parent_mode:
        return None
    return next((mode for pattern, mode in SECTIONS if pattern.match(text)), None)


@functools.lru_cache(maxsize=8192)
def allowed_in(mode: str, text: str) -> bool:
    words = CHILD_WORDS.get(mode, ())
    if mode == "config-pmap-c" and text.startswith("class "):
        return False
    if mode in {"config-std-nacl", "config-ext-nacl"} and re.match(r"^\d+ (permit|deny)", text):
        return True
    return any(
        text == w[:-1] if w.endswith("$") else (text == w or text.startswith(w + " "))
        for w in words
    )


@functools.lru_cache(maxsize=8192)  # the same top-level lines, sorted on every print
def order_key(text: str) -> tuple[int, tuple[object, ...]]:
    text = text.removeprefix("no ")  # "no ip http server" sits where "ip http server" would
    for index, prefix in enumerate(ORDER):
        if text == prefix or text.startswith(prefix + " "):
            if prefix == "interface":
                return index, natural(text)
            return index, ()
    return len(ORDER), ()


def natural(text: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))
