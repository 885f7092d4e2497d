"""Where Cisco IOS and IOS-XE keep secrets, as data, and the masking that hides them. Pure.

Each entry is a command form (a regular expression whose group ``secret`` is the value),
with the section it belongs to where the same words mean something else elsewhere (a
``key 1`` under ``key chain`` is the key's number; under ``radius server`` the next word
is the shared secret). The type digit IOS prints before a value (0 clear, 5/8/9 hashes,
6 AES, 7 the reversible encoding: Cisco IOS Security Command Reference, "service
password-encryption") stays; the value becomes ``SECRET-MASKED``. A value IOS allows
spaces in (a user's password, a line password) runs to the end of its line. A diff's
``+``/``-`` in front of a line, and a command's ``no``, are read past. Masking twice
changes nothing; a line without a secret is left byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netprov.secrets import MASK

_TYPE = r"(?:[0-9] +)?"  # the encryption type IOS prints before a stored secret
_REST = r"(?P<secret>\S.*?)\s*$"  # a secret that may hold spaces: to the end of the line
_WORD = r"(?P<secret>\S+)"


@dataclass(frozen=True)
class IosSecret:
    """A command form holding a secret (``pattern``, after the line's indentation), in
    the section whose header matches ``section`` only (None: anywhere), as ``source`` (the
    Cisco command reference) documents it."""

    pattern: str
    source: str
    section: str | None = None


SECRET_FORMS: tuple[IosSecret, ...] = (
    IosSecret(
        rf"enable (?:algorithm-type \S+ )?(?:secret|password)(?: level \d+)? {_TYPE}{_WORD}",
        "Security: enable secret, enable password",
    ),
    IosSecret(
        rf"username \S+ (?:\S+ )*?(?:secret|password) {_TYPE}{_REST}",
        "Security: username (password, secret 0/5/7/8/9)",
    ),
    IosSecret(rf"password (?!encryption aes){_TYPE}{_REST}", "Security: password (line)"),
    IosSecret(rf"snmp-server community {_WORD}", "SNMP: snmp-server community"),
    IosSecret(
        r"snmp-server host \S+ (?:(?:traps|informs|vrf \S+) )*(?:version (?:1|2c) )?"
        rf"(?!(?:version|informs|traps|vrf) ){_WORD}",
        "SNMP: snmp-server host (its community)",
    ),
    IosSecret(
        r"snmp-server user \S+ \S+ (?:\S+ )*?auth \S+ (?P<secret>\S+)",
        "SNMP: snmp-server user (v3 auth password)",
    ),
    IosSecret(
        r"snmp-server user \S+ \S+ (?:\S+ )*?priv (?:3des |des |aes \d+ )(?P<secret>\S+)",
        "SNMP: snmp-server user (v3 priv password)",
    ),
    IosSecret(
        rf"(?:tacacs|radius)-server (?:host \S+ (?:\S+ )*?)?key {_TYPE}{_WORD}",
        "Security: tacacs-server key, radius-server key, ... host ... key",
    ),
    IosSecret(
        rf"key {_TYPE}{_WORD}",
        "Security: tacacs server, radius server (key); crypto isakmp client configuration "
        "group (its key)",
        r"(?:tacacs server|radius server|crypto isakmp client configuration group) ",
    ),
    IosSecret(
        rf"server-private \S+ (?:\S+ )*?key {_TYPE}{_WORD}",
        "Security: aaa group server, server-private",
    ),
    IosSecret(rf"(?:client \S+ (?:vrf \S+ )?)?server-key {_TYPE}{_WORD}", "Security: aaa server"),
    IosSecret(
        rf"(?:\S+ )*?key-string {_TYPE}{_WORD}",
        "IP Routing: key chain, key-string; HSRP, VRRP: authentication md5 key-string",
    ),
    IosSecret(rf"crypto isakmp key {_TYPE}{_WORD}", "Security: crypto isakmp key"),
    IosSecret(
        rf"pre-shared-key address \S+(?: \S+)? key {_TYPE}{_WORD}",
        "Security: crypto keyring, pre-shared-key",
    ),
    IosSecret(
        rf"pre-shared-key (?!address )(?:(?:local|remote) )?{_TYPE}{_WORD}",
        "Security: crypto ikev2 keyring, pre-shared-key",
    ),
    IosSecret(rf"authentication (?:local|remote) pre-share key {_TYPE}{_WORD}", "IKEv2 profile"),
    IosSecret(rf"ppp chap password {_TYPE}{_WORD}", "Dial: ppp chap password"),
    IosSecret(rf"ppp pap sent-username \S+ password {_TYPE}{_WORD}", "Dial: ppp pap sent-username"),
    IosSecret(rf"wpa-psk (?:ascii|hex) {_TYPE}{_WORD}", "Wireless: dot11 ssid, wpa-psk"),
    IosSecret(
        rf"security wpa psk set-key (?:ascii|hex) {_TYPE}{_REST}",
        "Catalyst 9800 WLAN: security wpa psk set-key",
    ),
    IosSecret(rf"dot1x username \S+ password {_TYPE}{_REST}", "Catalyst 9800 AP profile"),
    IosSecret(
        rf"mgmtuser username \S+ password {_TYPE}(?P<secret>\S.*?) secret ",
        "Catalyst 9800 AP profile: mgmtuser (its password)",
    ),
    IosSecret(
        rf"mgmtuser username \S+ password .* secret {_TYPE}{_REST}",
        "Catalyst 9800 AP profile: mgmtuser (its secret)",
    ),
    IosSecret(rf"ntp authentication-key \d+ md5 {_WORD}", "Basic System Management: ntp"),
    IosSecret(rf"ip ospf authentication-key {_TYPE}{_WORD}", "OSPF: ip ospf authentication-key"),
    IosSecret(
        rf"ip ospf message-digest-key \d+ md5 {_TYPE}{_WORD}",
        "OSPF: ip ospf message-digest-key",
    ),
    IosSecret(
        rf"(?:ipv6 )?ospf authentication ipsec spi \d+ (?:md5|sha1) {_TYPE}{_WORD}", "OSPFv3"
    ),
    IosSecret(rf"authentication mode hmac-sha-256 {_TYPE}{_WORD}", "EIGRP: named mode"),
    IosSecret(rf"neighbor \S+ password {_TYPE}{_REST}", "BGP: neighbor password"),
    IosSecret(rf"mpls ldp neighbor \S+ password {_TYPE}{_WORD}", "MPLS LDP: neighbor password"),
    IosSecret(
        rf"standby (?:\d+ )?authentication (?!md5 )(?:text )?{_WORD}", "HSRP: authentication"
    ),
    IosSecret(rf"vrrp \d+ authentication (?!md5 )(?:text )?{_WORD}", "VRRP: authentication"),
    IosSecret(rf"(?:area|domain)-password {_WORD}", "IS-IS: area-password, domain-password"),
    IosSecret(rf"isis password {_WORD}", "IS-IS: isis password"),
    IosSecret(rf"l2tp tunnel password {_TYPE}{_WORD}", "VPDN: l2tp tunnel password"),
    IosSecret(rf"ip nhrp authentication {_WORD}", "NHRP: ip nhrp authentication"),
    IosSecret(rf"vtp password {_WORD}", "Catalyst switches: vtp password"),
    IosSecret(rf"ip (?:ftp|http client) password {_TYPE}{_WORD}", "ip ftp, ip http client"),
    IosSecret(rf"key config-key password-encrypt {_WORD}", "Security: the type 6 master key"),
)

# a diff's mark, the line's indentation, and the ``no`` a plan takes a line off with (the
# secret is in the line it names: Cisco IOS Configuration Fundamentals, "Using the
# Cisco IOS Command-Line Interface", the no form of a command)
_DIFF = r"^[+\- ]?[ \t]*(?:no +)?"
_COMPILED = tuple(
    (re.compile(_DIFF + form.pattern), re.compile(form.section) if form.section else None)
    for form in SECRET_FORMS
)
_URL_PASSWORD = re.compile(r"://[^/:@\s]+:(?P<secret>[^@/\s]+)@")


def _line(line: str, section: str) -> str:
    """One line with its secrets masked (``section``: the header of the block it is in)."""
    for pattern, where in _COMPILED:
        if where is not None and not where.match(section):
            continue
        match = pattern.match(line)
        if match is not None and not match["secret"].startswith(("SECRET-", '"SECRET-')):
            start, end = match.span("secret")
            line = line[:start] + MASK + line[end:]
    for match in reversed(list(_URL_PASSWORD.finditer(line))):
        if not match["secret"].startswith("SECRET-"):
            start, end = match.span("secret")
            line = line[:start] + MASK + line[end:]
    return line


def mask_ios(text: str) -> str:
    """``text`` (a running config, command lines, a diff of them) with every secret masked.

    Examples:
        >>> mask_ios("key chain OSPF\\n key 1\\n  key-string 7 0822455D0A16")
        'key chain OSPF\\n key 1\\n  key-string 7 SECRET-MASKED'
        >>> mask_ios("radius server NPS\\n address ipv4 10.0.0.5\\n key 7 13061E010803")
        'radius server NPS\\n address ipv4 10.0.0.5\\n key 7 SECRET-MASKED'
        >>> mask_ios("+username admin privilege 15 password 0 my pass")
        '+username admin privilege 15 password 0 SECRET-MASKED'
    """
    out = []
    section = ""
    for line in text.split("\n"):
        bare = line[1:] if line[:1] in "+-" else line
        if bare[:1] not in {" ", "\t"}:
            section = bare
        out.append(_line(line, section))
    return "\n".join(out)
