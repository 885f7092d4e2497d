"""Issue 37 item 5, invariant (d): every secret-bearing property the vendors document is
masked, in every real config of the corpus (tests/fixtures/real-configs, whatever it holds),
and masking changes nothing else.

The secrets are found here by a reading of each config of the test's own: RouterOS through
the project's command parser (each command's properties, each script line's properties),
IOS word by word. Masking is the drivers' (``mask_secrets``, what backups in git, plans,
the journal and reports go through). Each config is checked for:

- no secret survives: read again after masking, every secret property holds a mask;
- every line without a secret is byte-identical, and a line with one differs only there;
- masking twice is masking once;
- no property that looks like a secret is missing from the platform's table (a new
  config with an unknown one fails here, naming it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from netprov.models import Platform
from netprov.platforms import driver_for
from netprov.platforms.routeros.secrets import SECRET_PROPERTIES
from netprov.secrets import MASK
from netprov.syntax.routeros import parse_command, terse_lines, tokens_of

CORPUS = Path(__file__).parent / "fixtures" / "real-configs"
ROUTEROS = sorted(CORPUS.glob("*.rsc"))
IOS = sorted(CORPUS.glob("*.cfg"))
ROS = driver_for(Platform.MIKROTIK_ROUTEROS)
CISCO = driver_for(Platform.CISCO_IOS)

# --- RouterOS: the reading ------------------------------------------------------------------

ANYWHERE = {p.name for p in SECRET_PROPERTIES if not p.menus}
IN_MENU = {(menu, p.name) for p in SECRET_PROPERTIES for menu in p.menus}
# property names that look like a secret's and are not one (MikroTik manual)
NOT_SECRET = {
    "group-key-update",  # wireless: how often the group key is renewed
    "supplicant-identity",  # wireless: the EAP identity, a name
    "passthrough",  # mangle: go on to the next rule
    "public-key",  # WireGuard: the peer's public key
    "key-size",  # certificates
    "key-usage",  # certificates
    "key-id",  # NTP keys: the key's number
    "host-key-size",  # /ip ssh
    "host-key-type",  # /ip ssh
    "passive",  # IPsec peer: waits for the other side
    "always-allow-password-login",  # /ip ssh: a switch
    "private-key-file",  # /certificate import: a file's name
    "public-key-file",  # /user ssh-keys import: a file's name
}
# a property named as a secret is: ...-password, ...-secret(s), ...-key, ...-psk, ...
LOOKS_SECRET = re.compile(r"(?:^|-)(?:password|secrets?|key|psk|passphrase|community|pin)$")


def _value_names_no_secret(value: str) -> bool:
    return (
        value in {"", MASK}
        or value.startswith(("SECRET-", "$", "[", "("))
        or set(value) <= {"*"}
        or "SECRET-MASKED" in value.split(",")
    )


_ESCAPES = {"r": "\r", "n": "\n", "t": "\t"}


def _unescaped(value: str) -> str:
    """A quoted value as RouterOS reads it (MikroTik manual, "Scripting": escape sequences)."""
    if not (len(value) >= 2 and value[0] == value[-1] == '"'):
        return value
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), value[1:-1])


def _properties(line: str, depth: int) -> Iterator[tuple[str, str, bool]]:
    """(property, value, in a script) of one command line, and of the script lines its
    quoted values hold (a script's own strings too: a comment may quote a command)."""
    for token in tokens_of(line):
        key, sep, raw = token.partition("=")
        value = _unescaped(raw) if sep else ""
        if sep and re.fullmatch(r"[a-z][a-z0-9-]*", key):
            yield key, value, depth > 0
        text = value if sep else _unescaped(token)
        if text != token and ("=" in text) and depth < 4:
            for inner in re.split(r"[\r\n;{}]", text):
                yield from _properties(inner.strip(), depth + 1)


def _ros_properties(text: str) -> Iterator[tuple[int, str, str, str, bool]]:
    """(line, menu, property, value, in a script) of every property of an export."""
    for number, line in terse_lines(text):
        try:
            path = parse_command(line).path
        except ValueError:
            continue
        for key, value, in_script in _properties(line, 0):
            yield number, path, key, value, in_script


def _ros_secret(menu: str, key: str, in_script: bool) -> bool:
    return key in ANYWHERE or (not in_script and (menu, key) in IN_MENU)


def ros_secrets(text: str) -> list[tuple[int, str, str]]:
    """(line, property, value) of every secret the config holds in the clear."""
    return [
        (number, key, value)
        for number, menu, key, value, in_script in _ros_properties(text)
        if _ros_secret(menu, key, in_script) and not _value_names_no_secret(value)
    ]


def _groups(text: str) -> list[list[str]]:
    """The physical lines of each command (``\\``-continued lines together)."""
    groups: list[list[str]] = []
    going_on = False
    for line in text.split("\n"):
        if going_on:
            groups[-1].append(line)
        else:
            groups.append([line])
        going_on = line.endswith("\\")
    return groups


# --- IOS: the reading -----------------------------------------------------------------------

TYPE_DIGIT = re.compile(r"^[0-9]$")
# sections whose ``key`` line holds a shared secret
KEY_SECTIONS = ("tacacs server ", "radius server ", "crypto isakmp client configuration group ")


def _after(words: list[str], at: int, *, rest: bool = False) -> str | None:
    """The value after ``words[at]``: an encryption type digit skipped when a value follows."""
    nxt = at + 1
    if nxt < len(words) - 1 and TYPE_DIGIT.match(words[nxt]):
        nxt += 1
    if nxt >= len(words):
        return None
    return " ".join(words[nxt:]) if rest else words[nxt]


def _ios_values(words: list[str], section: str) -> list[str]:  # noqa: PLR0912
    """The secrets one IOS line holds, read word by word."""
    first = words[0]
    found: list[str | None] = []
    if first == "enable":
        at = next((i for i, w in enumerate(words) if w in {"secret", "password"}), None)
        if at is not None and words[at + 1 : at + 2] == ["level"]:
            del words[at + 1 : at + 3]
        found.append(_after(words, at) if at is not None else None)
    elif first == "username":
        at = next((i for i, w in enumerate(words) if w in {"secret", "password"}), None)
        found.append(_after(words, at, rest=True) if at is not None else None)
    elif first == "password" and words[1:2] != ["encryption"]:
        found.append(_after(words, 0, rest=True))
    elif words[:2] == ["snmp-server", "community"]:
        found.append(words[2])
    elif words[:2] == ["snmp-server", "host"]:
        rest = words[3:]
        while rest and rest[0] in {"traps", "informs", "vrf"}:
            rest = rest[2:] if rest[0] == "vrf" else rest[1:]
        if rest[:2] in (["version", "1"], ["version", "2c"]):
            rest = rest[2:]
        if rest and rest[0] != "version":
            found.append(rest[0])
    elif first in {"tacacs-server", "radius-server", "server-private"} and "key" in words:
        found.append(_after(words, words.index("key")))
    elif first == "key" and section.startswith(KEY_SECTIONS):
        found.append(_after(words, 0))
    elif "server-key" in words:
        found.append(_after(words, words.index("server-key")))
    elif "key-string" in words:
        found.append(_after(words, words.index("key-string")))
    elif words[:3] == ["crypto", "isakmp", "key"]:
        found.append(_after(words, 2))
    elif first == "pre-shared-key":
        if "key" in words:
            found.append(_after(words, words.index("key")))
        else:
            found.append(_after(words, 1 if words[1:2] in (["local"], ["remote"]) else 0))
    elif words[:3] == ["ppp", "chap", "password"]:
        found.append(_after(words, 2))
    elif words[:3] == ["ppp", "pap", "sent-username"] and "password" in words:
        found.append(_after(words, words.index("password")))
    elif first == "wpa-psk":
        found.append(_after(words, 1))
    elif words[:4] == ["security", "wpa", "psk", "set-key"]:
        found.append(_after(words, 4, rest=True))
    elif first == "dot1x" and "password" in words:
        found.append(_after(words, words.index("password"), rest=True))
    elif first == "mgmtuser":
        split = words.index("secret")
        found += [_after(words[:split], 3, rest=True), _after(words, split, rest=True)]
    elif words[:2] == ["ntp", "authentication-key"] or words[:3] == [
        "ip",
        "ospf",
        "message-digest-key",
    ]:
        found.append(_after(words, words.index("md5")))
    elif words[:3] == ["ip", "ospf", "authentication-key"]:
        found.append(_after(words, 2))
    elif first == "neighbor" and words[2:3] == ["password"]:
        found.append(_after(words, 2, rest=True))
    elif first in {"standby", "vrrp"} and "authentication" in words:
        at = words.index("authentication")
        if words[at + 1 : at + 2] != ["md5"]:
            found.append(_after(words, at + 1 if words[at + 1 : at + 2] == ["text"] else at))
    elif words[:2] == ["snmp-server", "user"]:
        for word in ("auth", "priv"):
            if word in words:
                at = words.index(word) + 1  # the protocol (aes takes its key size too)
                found.append(words[at + 2] if words[at] == "aes" else words[at + 1])
    elif words[:3] in (
        ["authentication", "local", "pre-share"],
        ["authentication", "remote", "pre-share"],
    ):
        found.append(_after(words, 3))
    elif "ospf" in words[:2] and "ipsec" in words:
        found.append(_after(words, words.index("spi") + 2))
    elif words[:3] == ["authentication", "mode", "hmac-sha-256"]:
        found.append(_after(words, 2))
    elif words[:3] == ["mpls", "ldp", "neighbor"] or words[:3] == ["l2tp", "tunnel", "password"]:
        found.append(_after(words, words.index("password")))
    elif first in {"area-password", "domain-password"}:
        found.append(words[1])
    elif words[:2] in (["isis", "password"], ["vtp", "password"]):
        found.append(words[2])
    elif words[:3] == ["ip", "nhrp", "authentication"]:
        found.append(words[3])
    elif words[:3] == ["ip", "ftp", "password"] or words[:4] == [
        "ip",
        "http",
        "client",
        "password",
    ]:
        found.append(_after(words, words.index("password")))
    elif words[:3] == ["key", "config-key", "password-encrypt"]:
        found.append(words[3])
    for word in words:  # a URL's password: scheme://user:password@host
        if "://" in word and "@" in word:
            credentials = word.split("://", 1)[1].split("@", 1)[0]
            if ":" in credentials:
                found.append(credentials.split(":", 1)[1])
    return [value for value in found if value]


# IOS lines with a secret-looking word that hold no secret (IOS command references)
IOS_NOT_SECRET = re.compile(
    r"^(?:no )?(?:service password-|key chain |key \d+$|crypto key |crypto pki |hidekeys"
    r"|ip bgp-community "
    r"|ip ssh |authentication key-management|ip authentication |ip ospf authentication "
    r"message-digest|security passwords |aaa |login |username \S+ nopassword|ppp chap hostname"
    r"|snmp-server (?:enable|trap|location|contact|ifindex)|rsakeypair |password encryption)"
)
# a secret-like word with a value after it (an encryption type digit aside)
IOS_LOOKS_SECRET = re.compile(
    r"\b(?:password|secret|key|key-string|community|psk|pre-shared-key|server-key)"
    r"\s+(?:[0-9]\s+)?\S+"
)


def ios_lines(text: str) -> Iterator[tuple[int, str, list[str], str]]:
    """(line number, line, words, section header) of each config line."""
    section = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if line[:1] not in {" ", "\t"}:
            section = line
        words = line.split()
        if words and not line.lstrip().startswith("!"):
            yield number, line, words, section


def ios_secrets(text: str) -> list[tuple[int, str]]:
    """(line, value) of every secret the config holds in the clear."""
    return [
        (number, value)
        for number, _, words, section in ios_lines(text)
        for value in _ios_values(list(words), section)
        if not value.startswith("SECRET-")
    ]


def _masked_line(line: str, values: list[str]) -> str:
    """``line`` with each of its secret ``values`` (in the order they come) masked."""
    end = len(line)
    for value in reversed(values):
        at = line.rfind(value, 0, end)
        line = line[:at] + MASK + line[at + len(value) :]
        end = at
    return line


# --- the invariant, on every config ---------------------------------------------------------


@pytest.mark.parametrize("path", ROUTEROS, ids=lambda p: p.name)
def test_routeros_configs_keep_no_secret_and_nothing_else_changes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    masked = ROS.mask_secrets(text)
    assert ros_secrets(masked) == []
    assert ROS.mask_secrets(masked) == masked
    with_secret = {number for number, _, _ in ros_secrets(text)}
    before, after = _groups(text), _groups(masked)
    assert len(before) == len(after)
    first_line = 1
    for old, new in zip(before, after, strict=True):
        if first_line not in with_secret:
            assert old == new, f"{path.name}:{first_line} changed without a secret"
        first_line += len(old)
    # a secret's value is left only where the config holds it as something else too (a user
    # named as his password)
    original, kept = dict(terse_lines(text)), dict(terse_lines(masked))
    for number, _, value in ros_secrets(text):
        was = {h for h in _holders(original[number], value) if not _ros_secret(*h)}
        assert _holders(kept[number], value) <= was, f"{path.name}:{number}"


def _holders(line: str, value: str) -> set[tuple[str, str, bool]]:
    """(menu, property, in a script) of each property of ``line`` that holds ``value``."""
    path = parse_command(line).path
    return {(path, key, inner) for key, held, inner in _properties(line, 0) if held == value}


@pytest.mark.parametrize("path", ROUTEROS, ids=lambda p: p.name)
def test_routeros_configs_have_no_secret_the_table_misses(path: Path) -> None:
    listed = ANYWHERE | {key for _, key in IN_MENU} | NOT_SECRET
    unknown = sorted(
        {
            f"{menu} {key}"
            for _, menu, key, _, _ in _ros_properties(path.read_text(encoding="utf-8"))
            if LOOKS_SECRET.search(key) and key not in listed
        }
    )
    assert unknown == [], "add each to routeros_secrets.SECRET_PROPERTIES or NOT_SECRET"


@pytest.mark.parametrize("path", IOS, ids=lambda p: p.name)
def test_ios_configs_keep_no_secret_and_nothing_else_changes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    masked = CISCO.mask_secrets(text)
    assert ios_secrets(masked) == []
    assert CISCO.mask_secrets(masked) == masked
    secrets: dict[int, list[str]] = {}
    for number, value in ios_secrets(text):
        secrets.setdefault(number, []).append(value)
    old_lines, new_lines = text.split("\n"), masked.split("\n")
    assert len(old_lines) == len(new_lines)
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=True), start=1):
        expected = _masked_line(old, secrets.get(number, []))
        assert new == expected, f"{path.name}:{number}"


@pytest.mark.parametrize("path", IOS, ids=lambda p: p.name)
def test_ios_configs_have_no_secret_the_table_misses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    read = {number for number, _ in ios_secrets(text)}
    unread = [
        f"{number}: {line.strip()}"
        for number, line, words, section in ios_lines(text)
        if IOS_LOOKS_SECRET.search(line)
        and number not in read
        and not IOS_NOT_SECRET.match(line.strip())
        and not (words[0] == "key" and section.startswith("key chain"))
    ]
    assert unread == [], "a form of ios_secrets.SECRET_FORMS, or IOS_NOT_SECRET"


def test_the_corpus_is_found() -> None:
    assert len(ROUTEROS) >= 4
    assert len(IOS) >= 2


def test_the_reading_and_the_masking_agree_on_every_form(tmp_path: Path) -> None:
    """The checks above, on a config holding one line of every form the tables name (each
    property in block form, the script, the office's VPN lines; each IOS form): the test's
    own reading finds every secret the masking hides, and nothing else."""
    from tests.test_masking import IOS_EXAMPLES, OFFICE_LINES, SCRIPT

    blocks = [
        f"{p.menus[0] if p.menus else '/interface l2tp-client'}\n"
        f"add comment=keep {p.name}=S3cr3t-value disabled=no"
        for p in SECRET_PROPERTIES
    ]
    ros = tmp_path / "every-form.rsc"
    ros.write_text("\n".join(blocks) + "\n" + SCRIPT + OFFICE_LINES, encoding="utf-8")
    ios = tmp_path / "every-form.cfg"
    ios.write_text("".join(f"{s}\n{line}\n" if s else f"{line}\n" for s, line in IOS_EXAMPLES))
    test_routeros_configs_keep_no_secret_and_nothing_else_changes(ros)
    test_routeros_configs_have_no_secret_the_table_misses(ros)
    test_ios_configs_keep_no_secret_and_nothing_else_changes(ios)
    test_ios_configs_have_no_secret_the_table_misses(ios)
    assert len(ros_secrets(ros.read_text(encoding="utf-8"))) >= len(SECRET_PROPERTIES)
    assert len(ios_secrets(ios.read_text(encoding="utf-8"))) >= len(IOS_EXAMPLES)
