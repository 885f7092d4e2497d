"""Where RouterOS keeps secrets, as data, and the masking that hides them. Pure.

A secret-bearing property is masked wherever it is written ``name=value``: on a command line
of an export (block or terse, ``\\``-continued lines joined), of a plan, of a diff, and inside
a quoted value that holds a script (``/system script`` ``source``, a scheduler's
``on-event``, a DHCP client's ``script``, netwatch's ``up-script``, a comment). The rule:

- only the value's characters are replaced (``SECRET-MASKED``); on a command line the value
  goes whole, quotes and all; inside a script its escaped quotes (``\\"``) stay, so the
  script reads as it was written, byte for byte, but for the secret;
- a value that names no secret is kept: empty, a reference (``SECRET-...``), ``*``s, a
  variable (``$pass``) or a command's result (``[...]``, ``(...)``);
- a property whose name is a secret only in its menu (``name`` of ``/snmp community``, the
  community string) is masked on that menu's command lines, never inside scripts;
- URLs keep their user and lose their password (``ftp://user:SECRET-MASKED@host/``).

Masking twice changes nothing; a line without a secret is left byte-identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from netprov.secrets import MASK
from netprov.syntax.routeros import VERBS


@dataclass(frozen=True)
class SecretProperty:
    """A property whose value is a secret: in ``menus`` only (an empty tuple: anywhere),
    where the MikroTik manual (``source``: its page) documents it."""

    name: str
    source: str
    menus: tuple[str, ...] = ()


# MikroTik manual (help.mikrotik.com, RouterOS), page by page; the terraform-routeros
# provider marks the same properties sensitive (routeros/resource_*.go).
SECRET_PROPERTIES: tuple[SecretProperty, ...] = (
    SecretProperty(
        "password",
        "User (/user); PPP AAA (/ppp secret); PPPoE, L2TP, PPTP, SSTP, OpenVPN clients "
        "(/interface *-client); Hotspot (/ip hotspot user); E-mail (/tool e-mail); Fetch; "
        "IPsec identity (xauth); VRRP (v6); W60G; Dot1X client; Container config; SMB and "
        "SOCKS users; LTE APN; User Manager user",
    ),
    SecretProperty(
        "secret",
        "RADIUS (/radius); IPsec (/ip ipsec identity, v6 /ip ipsec peer)",
    ),
    SecretProperty(
        "ipsec-secret",
        "L2TP (/interface l2tp-server server, l2tp-client); EoIP, GRE, IPIP, 6to4 tunnels",
    ),
    SecretProperty("wpa-pre-shared-key", "Wireless (/interface wireless security-profiles)"),
    SecretProperty("wpa2-pre-shared-key", "Wireless (/interface wireless security-profiles)"),
    SecretProperty("private-pre-shared-key", "Wireless (/interface wireless access-list)"),
    SecretProperty("private-key", "WireGuard (/interface wireguard); Wireless access-list"),
    SecretProperty("preshared-key", "WireGuard (/interface wireguard peers)"),
    SecretProperty("static-key-0", "Wireless security-profiles (WEP)"),
    SecretProperty("static-key-1", "Wireless security-profiles (WEP)"),
    SecretProperty("static-key-2", "Wireless security-profiles (WEP)"),
    SecretProperty("static-key-3", "Wireless security-profiles (WEP)"),
    SecretProperty("static-sta-private-key", "Wireless security-profiles (WEP)"),
    SecretProperty("management-protection-key", "Wireless security-profiles (802.11w)"),
    SecretProperty("mschapv2-password", "Wireless security-profiles (EAP)"),
    SecretProperty("nv2-preshared-key", "Wireless (/interface wireless: NV2 security)"),
    SecretProperty("nv2-sync-secret", "Wireless (/interface wireless: NV2)"),
    SecretProperty("passphrase", "CAPsMAN (/caps-man security); WiFi (/interface wifi security)"),
    SecretProperty("private-passphrase", "CAPsMAN (/caps-man access-list: per client)"),
    SecretProperty("wireless-psk", "User Manager v6 (/tool user-manager user)"),
    SecretProperty("wireless-enc-key", "User Manager v6 (/tool user-manager user)"),
    SecretProperty("eap-password", "WiFi (/interface wifi security)"),
    SecretProperty("authentication-key", "OSPF, RIP (v6 /routing ospf|rip interface)"),
    SecretProperty("auth-key", "OSPF (v7 /routing ospf interface-template); IPsec manual-sa"),
    SecretProperty("enc-key", "IPsec (/ip ipsec manual-sa)"),
    SecretProperty("tcp-md5-key", "BGP (v7 /routing bgp connection, v6 /routing bgp peer)"),
    SecretProperty("authentication-password", "SNMP (/snmp community, v3)"),
    SecretProperty("encryption-password", "SNMP (/snmp community, v3)"),
    SecretProperty("trap-community", "SNMP (/snmp: the community traps are sent with)"),
    SecretProperty("mac-auth-password", "Hotspot (/ip hotspot profile)"),
    SecretProperty("shared-secret", "User Manager (/user-manager router)"),
    SecretProperty("challenge-password", "Certificates (/certificate: SCEP)"),
    SecretProperty("export-passphrase", "Certificates (/certificate export-certificate)"),
    SecretProperty(
        "name", "SNMP (/snmp community: its name is the community)", ("/snmp community",)
    ),
    SecretProperty("key", "NTP (v7 /system ntp key)", ("/system ntp key",)),
    SecretProperty(
        "secrets", "RoMON (/tool romon, /tool romon port)", ("/tool romon", "/tool romon port")
    ),
    SecretProperty("pin", "LTE (/interface lte: the SIM's PIN)", ("/interface lte",)),
)

_ANYWHERE = frozenset(p.name for p in SECRET_PROPERTIES if not p.menus)
_IN_MENU = {(menu, p.name) for p in SECRET_PROPERTIES for menu in p.menus}

# ``\`` at the end of a line: /export wraps long lines, going on four spaces in
_CONTINUATION = re.compile(r"\\\r?\n[ \t]*")
_QUOTED = r'"(?:\\.|[^"\\])*"'
# a command line's ``name=``: after a space or a bracket (never inside a word: the ``secret``
# of ``ipsec-secret`` is another property); its value, a list of them (RoMON's
# ``secrets="",s3cret``), or a quoted string
_TOP = re.compile(
    rf"(?:(?<=[\s\[])|^)(?P<key>[a-z][a-z0-9-]*)="
    rf'(?P<value>(?:{_QUOTED}|[^\s\]";,]+)(?:,(?:{_QUOTED}|[^\s\]";,]+))*)'
)
# the same inside a quoted value (script text, escaped once or more): a value quoted by an
# escaped quote to the same quote, or a word up to the script's next delimiter
_INNER = re.compile(
    r'(?:(?<=[\s\[;{("])|^)(?P<key>[a-z][a-z0-9-]*)='
    r'(?:(?P<q>\\+")(?P<quoted>.*?)(?P=q)|(?P<word>[^\s"\\;\]})]+))'
)
_STRING = re.compile(_QUOTED)
_URL_PASSWORD = re.compile(r"://[^/:@\s\"\\]+:(?P<secret>[^@/\s\"\\]+)@")


def _named(value: str) -> bool:
    """Whether ``value`` names no secret itself (a reference, a variable, a result).

    Examples:
        >>> [_named(v) for v in ('""', "SECRET-X", "$pass", "\\\\$pass", "[/x get]", "s3")]
        [True, True, True, True, True, False]
    """
    bare = value.strip('"').lstrip("\\")  # an export writes a script's ``$`` as ``\$``
    return not bare or bare.startswith(("SECRET-", "$", "[", "(")) or set(bare) <= {"*"}


def _menu(line: str, block: str) -> tuple[str, str]:
    """(the menu of ``line``, the block's menu after it): a block export names its menu on a
    line of its own, a terse line or a command starts with it. A diff's ``+``/``-``/`` ``
    in front is read past.

    Examples:
        >>> _menu("/snmp community", "")
        ('/snmp community', '/snmp community')
        >>> _menu("add name=x", "/snmp community")
        ('/snmp community', '/snmp community')
        >>> _menu("+/snmp community add name=x", "/ip address")
        ('/snmp community', '/ip address')
    """
    stripped = line.lstrip("+- \t")
    if not stripped.startswith("/"):
        return block, block
    words: list[str] = []
    for word in stripped.split():
        if "=" in word or word.startswith("[") or word.lstrip("/") in VERBS:
            return "/" + " ".join(words).lstrip("/"), block
        words.append(word.lstrip("/"))
    menu = "/" + " ".join(words)
    return menu, menu


def _spans(line: str, menu: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each secret value in one joined command line."""
    strings = [match.span() for match in _STRING.finditer(line)]

    def inside(at: int) -> bool:
        return any(start < at < end for start, end in strings)

    for match in _TOP.finditer(line):
        key, value = match["key"], match["value"]
        if inside(match.start()):
            continue  # a word of a quoted value: read below, as script text
        if (key in _ANYWHERE or (menu, key) in _IN_MENU) and not _named(value):
            yield match.span("value")
    for start, end in strings:
        for match in _INNER.finditer(line, start + 1, end - 1):
            group = "quoted" if match["q"] else "word"
            if match["key"] in _ANYWHERE and not _named(match[group]):
                yield match.span(group)
    for match in _URL_PASSWORD.finditer(line):
        if not _named(match["secret"]):
            yield match.span("secret")


def mask_routeros(text: str) -> str:
    """``text`` (an export, command lines, a diff of them) with every secret value masked.

    Examples:
        >>> mask_routeros("/interface l2tp-client add ipsec-secret=psk1 name=l2tp-out1")
        '/interface l2tp-client add ipsec-secret=SECRET-MASKED name=l2tp-out1'
        >>> mask_routeros('/system script add source=":local p [/x]; /y set password=\\\\"s3\\\\""')
        '/system script add source=":local p [/x]; /y set password=\\\\"SECRET-MASKED\\\\""'
        >>> mask_routeros("/snmp community\\nadd addresses=10.0.0.0/8 name=c0mm")
        '/snmp community\\nadd addresses=10.0.0.0/8 name=SECRET-MASKED'
    """
    # join continued lines, remembering where each joined character came from
    joined: list[str] = []
    origin: list[int] = []
    at = 0
    for match in _CONTINUATION.finditer(text):
        joined.append(text[at : match.start()])
        origin.extend(range(at, match.start()))
        at = match.end()
    joined.append(text[at:])
    origin.extend(range(at, len(text)))
    flat = "".join(joined)
    spans: list[tuple[int, int]] = []
    block = ""
    offset = 0
    for line in flat.split("\n"):
        menu, block = _menu(line, block)
        spans += [(offset + start, offset + end) for start, end in _spans(line, menu)]
        offset += len(line) + 1
    outer: list[tuple[int, int]] = []  # a span inside another (a URL in a password) goes
    for start, end in sorted(spans):
        if not outer or start >= outer[-1][1]:
            outer.append((start, end))
    masked = text
    for start, end in reversed(outer):
        masked = masked[: origin[start]] + MASK + masked[origin[end - 1] + 1 :]
    return masked
