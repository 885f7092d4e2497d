"""RouterOS versions: which one a router runs, and what differs between them in the lines
netprov writes and the twin accepts. One table of differences, each with the MikroTik manual
page (or the real output) that says so; the planner's templates and the twin both read it.

RouterOS 6 is not 7 (MikroTik manual, "Moving from ROSv6 to v7"): many offices still run
6.49. An export names its version in its first line (``# 2024-01-10 12:00:00 by RouterOS
7.13``; ``# oct/27/2017 14:55:31 by RouterOS 6.40.4``), ``/system resource print`` in its
``version:`` line.

Examples:
    >>> v6 = RosVersion.parse("6.49.8")
    >>> str(v6), v6.major, v6 < RosVersion.parse("7.4")
    ('6.49.8', 6, True)
    >>> export_version("# jul/21/2023 09:42:42 by RouterOS 6.48.6\\n/ip dns\\n")
    RosVersion(major=6, minor=48, patch=6)
    >>> ntp_servers_menu(v6), netwatch_types(RosVersion.parse("7.4"))
    (False, True)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from netprov.syntax.routeros import parse_command, terse_lines


@dataclass(frozen=True, order=True)
class RosVersion:
    """A RouterOS version (``6.49.8``, ``7.16``): compared as numbers."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> RosVersion | None:
        """``6.49.8``, ``7.16``, ``7.16.2 (stable)``; None for anything else."""
        match = re.match(r"\s*(\d+)\.(\d+)(?:\.(\d+))?", text)
        if match is None:
            return None
        return cls(int(match[1]), int(match[2]), int(match[3] or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}" + (f".{self.patch}" if self.patch else "")

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether this version is ``major.minor`` or later (for the templates)."""
        return (self.major, self.minor) >= (major, minor)


# What a router is taken to run when nothing says (the twin's RouterOS, and what netprov
# renders for a router of unknown version: the RouterOS 7 it was written for)
DEFAULT = RosVersion(7, 16, 2)

# the oldest RouterOS netprov writes for: the MAC server and MAC WinBox take an interface
# list (allowed-interface-list) and neighbour discovery one (discover-interface-list)
# since 6.41; before that they were tables of interfaces (the 6.40.4 default configuration
# in tests/fixtures/real-configs prints "/tool mac-server add interface=...")
OLDEST = RosVersion(6, 41)

_HEADER = re.compile(r"^#.*\bby RouterOS (\d+\.\d+(?:\.\d+)?)", re.M)


def export_version(text: str) -> RosVersion | None:
    """The version an export's first line names (None: no such line)."""
    match = _HEADER.search(text[:4096])
    return RosVersion.parse(match[1]) if match else None


def version_of(text: str | None) -> RosVersion:
    """The version an inventory or a config names, else :data:`DEFAULT`."""
    return (RosVersion.parse(text) if text else None) or DEFAULT


# --- what differs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RosSoftware:
    """What the templates see as ``version``: the RouterOS version a router runs and
    whether it has IPv6 (:func:`ipv6_package`)."""

    version: RosVersion
    ipv6: bool = True

    @property
    def major(self) -> int:
        """The major version (6, 7)."""
        return self.version.major

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether the router runs ``major.minor`` or later."""
        return self.version.at_least(major, minor)


_IPV6_LINE = re.compile(r"^/ipv6\b", re.M)


def ipv6_package(version: RosVersion, config: str | None) -> bool:
    """Whether the router has the ``/ipv6`` menus. RouterOS 7 has IPv6 in its main
    package; RouterOS 6 has it in the ``ipv6`` package ("Package requirement: ipv6",
    MikroTik manual v6, "IPv6 Overview"), which routers run disabled ("check that IPv6 is
    enabled: System > Packages; if not, enable it and reboot"): not one of the RouterOS 6
    exports in tests/fixtures/real-configs holds an /ipv6 line, where RouterOS 7's default
    configuration holds an IPv6 firewall. A RouterOS 6 router without an /ipv6 line in its
    config neither has the menus for sure nor routes IPv6 for its LAN (no address, no
    route): it is taken to have none."""
    return version.major >= 7 or (config is not None and _IPV6_LINE.search(config) is not None)


def software(os_version: str | None, config: str | None) -> RosSoftware:
    """The router's software as the templates see it: ``os_version`` (else RouterOS 7),
    IPv6 as ``config`` (its backup or running config, if known) shows it."""
    version = version_of(os_version)
    return RosSoftware(version, ipv6_package(version, config) if config is not None else True)


def ntp_servers_menu(version: RosVersion) -> bool:
    """``/system ntp client servers`` (RouterOS 7); RouterOS 6's SNTP client has two
    addresses, ``primary-ntp`` and ``secondary-ntp``, on ``/system ntp client`` itself
    (MikroTik manual, "NTP": RouterOS version 6 SNTP client properties)."""
    return version.major >= 7


def netwatch_types(version: RosVersion) -> bool:
    """Netwatch ``type=`` (icmp, tcp-conn, http-get...): "Since 7.4, Netwatch functionality
    has been expanded, prior versions only support simple ICMP probes" (MikroTik manual,
    "Netwatch")."""
    return version.at_least(7, 4)


def routing_tables(version: RosVersion) -> bool:
    """RouterOS 7 routes by tables added in ``/routing table`` before anything names them
    (``routing-table=``); RouterOS 6 marks routes with ``routing-mark=``, any name, and
    its rules are ``/ip route rule`` (MikroTik manual, "Moving from ROSv6 to v7")."""
    return version.major >= 7


def show_sensitive(version: RosVersion) -> bool:
    """RouterOS 7 leaves secrets out of an export unless asked ``show-sensitive``; RouterOS
    6 shows them unless asked ``hide-sensitive`` (MikroTik manual, "Configuration
    Management": export)."""
    return version.major >= 7


# Menus whose ``add`` makes a disabled item unless ``disabled=no`` is given, so that an
# export prints ``disabled=no`` on the enabled ones: RouterOS 6's DHCP client and server
# ("disabled (yes | no; Default: yes)", MikroTik manual v6, "DHCP"; the 6.40 default
# configuration in tests/fixtures/real-configs: "add ... disabled=no interface=ether1").
# RouterOS 7 adds both enabled (its default configuration prints no disabled=).
_ADDED_DISABLED_V6 = frozenset({"/ip dhcp-client", "/ip dhcp-server"})


def added_disabled(version: RosVersion, menu: str) -> bool:
    """Whether ``add`` in ``menu`` makes a disabled item unless told ``disabled=no``."""
    return version.major < 7 and menu in _ADDED_DISABLED_V6


def added_item(version: RosVersion, menu: str, given: Mapping[str, str]) -> dict[str, str]:
    """What ``add`` in ``menu`` makes of its parameters (disabled unless told otherwise
    where this version adds so: :func:`added_disabled`)."""
    item = dict(given)
    if added_disabled(version, menu):
        item.setdefault("disabled", "yes")
    return item


def export_stamp(version: RosVersion, when: dt.datetime) -> str:
    """How an export's first line dates it: ``2024-01-10 12:00:00`` since 7.10, before that
    ``jan/10/2024 12:00:00`` (tests/fixtures/real-configs: 6.40.4, 6.47.9 and 7.4 exports
    against 7.21's)."""
    if version.at_least(7, 10):
        return when.strftime("%Y-%m-%d %H:%M:%S")
    return when.strftime("%b/%d/%Y %H:%M:%S").lower()


# Menus one major version has and the other has not: (first major that has it, last).
_MENUS: Mapping[str, tuple[int, int]] = {
    "/system ntp client servers": (7, 99),  # "NTP" (above)
    "/routing table": (7, 99),  # "Moving from ROSv6 to v7": routing tables
    "/routing rule": (7, 99),  # ... policy routing rules, /ip route rule in 6
    "/ip vrf": (7, 99),  # ... VRF, /ip route vrf in 6
    "/ip route rule": (6, 6),
    "/ip route vrf": (6, 6),
    "/system device-mode": (7, 99),  # "Device-mode": RouterOS 7's (not modelled on 6.49.8+)
}

# Properties of a menu one version range has and another has not, as a typed line meets
# them ("expected end of command"): name -> (since, until or None)
_PROPERTIES: Mapping[str, Mapping[str, tuple[RosVersion, RosVersion | None]]] = {
    # "Netwatch": type since 7.4
    "/tool netwatch": {"type": (RosVersion(7, 4), None)},
    # routes carry routing-mark in 6 and routing-table in 7: RouterOS 7.20 answers
    # "add ... routing-mark=X" with "expected end of command" (jeff-nasseri/mikrotik-mcp
    # issue 146, reproduced on 7.21.4 in its pull request 155); suppress-hw-offload is 7's
    "/ip route": {
        "routing-table": (RosVersion(7, 0), None),
        "suppress-hw-offload": (RosVersion(7, 0), None),
        "routing-mark": (RosVersion(0, 0), RosVersion(6, 99)),
    },
    # the interface lists of 6.41 (OLDEST, above)
    "/tool mac-server": {"allowed-interface-list": (OLDEST, None)},
    "/tool mac-server mac-winbox": {"allowed-interface-list": (OLDEST, None)},
    "/ip neighbor discovery-settings": {"discover-interface-list": (OLDEST, None)},
}


def menu_absent(version: RosVersion, menu: str) -> str | None:
    """The first word of ``menu`` this version has no menu for (None: it has the menu)."""
    for gated, (since, until) in _MENUS.items():
        if (menu == gated or menu.startswith(gated + " ")) and not since <= version.major <= until:
            return gated.split()[-1]
    return None


def properties_absent(version: RosVersion, menu: str, keys: list[str]) -> list[str]:
    """The properties among ``keys`` that ``menu`` of this version does not have."""
    gates = _PROPERTIES.get(menu, {})
    absent = []
    for key in keys:
        if key in gates:
            since, until = gates[key]
            if version < since or (until is not None and version > until):
                absent.append(key)
    return absent


# ``/import ... dry-run``: the file's lines checked, nothing applied. RouterOS 7.16 and
# later (MikroTik manual, "Configuration Management": import; third-party notes say
# "RouterOS 7.16+" and that dry-run works only with verbose=yes -- the 7.16 changelog
# itself was not found in the sources searched). An older RouterOS does not know the word.
IMPORT_DRY_RUN = RosVersion(7, 16)


def import_dry_run(version: RosVersion | None) -> bool:
    """Whether a router of ``version`` checks a file with ``/import ... dry-run``.

    Examples:
        >>> import_dry_run(RosVersion(7, 16, 2)), import_dry_run(RosVersion(6, 49, 8))
        (True, False)
    """
    return version is not None and version >= IMPORT_DRY_RUN


def refusal(
    version: RosVersion,
    line: str,
    menu: str,
    verb: str | None,
    args: tuple[str, ...],
    *,
    loading: bool = False,
    ipv6: bool = True,
) -> str | None:
    """What a router of ``version`` answers to ``line`` (at ``menu``, running ``verb``) that
    only another version takes, in RouterOS's words, with the column of the word it stopped
    at: "bad command name routerboard (line 236 column 42)" for a menu it lacks
    (beeyev/Mikrotik-RouterOS-automatic-backup-and-update issue 53), "expected end of
    command (line 1 column 64)" for a property (mikrotik-mcp issue 146); None when this
    version takes it. A config being loaded is what the router printed: its properties
    are its own. ``ipv6``: whether the router runs the ipv6 package (:func:`ipv6_package`)."""
    word = menu_absent(version, menu)
    if not ipv6 and (menu == "/ipv6" or menu.startswith("/ipv6 ")):
        word = "ipv6"  # the ipv6 package is not running (:func:`ipv6_package`)
    if word is not None:
        return f"bad command name {word} (line 1 column {_column(line, word)})"
    if menu == "/" and verb == "import" and not import_dry_run(version):
        dry = next((a for a in args if a.partition("=")[0] == "dry-run"), None)
        if dry is not None:  # a word this version's /import does not take
            return f"expected end of command (line 1 column {_column(line, dry)})"
    if loading or verb not in {"add", "set"}:
        return None
    keys = [arg.partition("=")[0] for arg in args if "=" in arg and not arg.startswith("[")]
    absent = properties_absent(version, menu, keys)
    if absent:
        return f"expected end of command (line 1 column {_column(line, absent[0] + '=')})"
    return None


def _column(line: str, word: str) -> int:
    """Where ``word`` starts in ``line`` (1-based), as RouterOS counts its columns."""
    match = re.search(rf"(?<![\w-]){re.escape(word)}", line)
    return match.start() + 1 if match else 1


def explicit_defaults(export: str, version: RosVersion | None) -> str:
    """An export with what its version leaves unsaid said: RouterOS 6 prints no
    ``disabled=`` on a DHCP client or server it holds disabled (:func:`added_disabled`), so
    such a line gets ``disabled=yes``, and a plan reads it as the router runs it. Other
    versions' exports (and one of unknown version) come back as they are.

    Examples:
        >>> v6 = RosVersion(6, 49, 8)
        >>> explicit_defaults("/ip dhcp-client\\nadd interface=ether4\\n", v6)
        '/ip dhcp-client add interface=ether4 disabled=yes\\n'
        >>> explicit_defaults("/ip dhcp-client add interface=ether4\\n", RosVersion(7, 16))
        '/ip dhcp-client add interface=ether4\\n'
    """
    if version is None or version.major >= 7:
        return export
    lines = []
    for _, line in terse_lines(export):
        command = parse_command(line)
        unsaid = (
            command.verb == "add"
            and added_disabled(version, command.path)
            and "disabled" not in command.params
        )
        lines.append(f"{line} disabled=yes" if unsaid else line)
    return "".join(f"{line}\n" for line in lines)


def too_old(version: RosVersion | None) -> list[str]:
    """Why netprov cannot write for a router of ``version`` (empty: it can)."""
    if version is None or version >= OLDEST:
        return []
    return [
        f"the router runs RouterOS {version}: netprov writes for RouterOS {OLDEST} and "
        "later (the MAC server and neighbour discovery take interface lists since 6.41); "
        "upgrade it first"
    ]
