"""The IOS plan engine: hier_config remediation limited to what netprov owns. Pure.

Lines netprov never renders (``username``, ``aaa``, ``crypto``, ...) are neither compared nor
negated; the change is pushed as a full candidate (running + remediation) through
``configure replace``, so the router itself checks the whole config before it takes it.

On a router in service, what the inventory describes is adopted (the same line is left as
it is; the same interface is taken over) and nothing else is removed: an interface is
netprov's when it renders it or its description starts ``netprov:``; a static route when
netprov renders it, it is a default route, or it leaves by one of netprov's uplinks; a
dynamic NAT when it translates to one of netprov's uplinks (a static NAT to an office server
is the office's). ``line`` sections only ever gain netprov's lines (a ``login``/``password``
netprov does not render stays: taking it away could lock people out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from hier_config import (
    HConfig,
    HConfigChild,
    WorkflowRemediation,
    get_hconfig,
    get_hconfig_fast_load,
)
from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverRules

# Top-level IOS lines netprov renders; anything else on the router is left alone.
IOS_OWNED = re.compile(
    r"^(hostname |ip domain name |ip name-server |ip ssh version |ip scp server enable|archive$"
    r"|ntp server |logging (host|source-interface) |snmp-server (community|location|contact"
    r"|trap-source) "
    r"|flow (exporter|monitor) NETPROV|ip access-list (standard|extended) NETPROV-"
    r"|policy-map NETPROV-|interface |ip sla |track \d+ "
    r"|ip route |route-map NETPROV-|ip nat inside source |line vty "
    r"|ip dhcp pool NETPROV-|ipv6 access-list NETPROV-|(no )?ip http (secure-)?server$"
    r"|ntp source )"
)
_NETPROV_DESCRIPTION = re.compile(r"^description netprov:")
# Lines of ``show running-config`` that are display, not configuration.
_IOS_NOISE = re.compile(
    r"^(Building configuration|Current configuration|! Last configuration change"
    r"|! NVRAM config last updated|version |end$)"
)


class _PresubstitutedIosDriver(HConfigDriverCiscoIOS):
    """hier_config's IOS driver, its per-line substitutions left to :func:`_substituted`."""

    @staticmethod
    def _instantiate_rules() -> HConfigDriverRules:
        rules = HConfigDriverCiscoIOS._instantiate_rules()
        return rules.model_copy(update={"per_line_sub": []})


_DRIVER = _PresubstitutedIosDriver()
_LINE_SUBS = HConfigDriverCiscoIOS().rules.per_line_sub
# Every rule is anchored at the start of a line: a line none of them matches there is left
# as it is by all of them, so only the few that match run the rules (in hier_config's
# order). hier_config runs all 16 on every line: an eighth of an IOS plan.
_ANY_LINE_SUB = (
    re.compile("|".join(f"(?:{rule.search})" for rule in _LINE_SUBS))
    if all(rule.search.startswith("^") for rule in _LINE_SUBS)
    else re.compile("")  # an unanchored rule: every line through every rule
)


def _substituted(text: str) -> list[str]:
    """The lines of ``text`` after the IOS driver's per-line substitutions."""
    lines = []
    for line in text.splitlines():
        if _ANY_LINE_SUB.match(line):
            for rule in _LINE_SUBS:
                line = re.sub(rule.search, rule.replace, line)  # noqa: PLW2901
        lines.append(line)
    return lines


def clean_ios(text: str) -> str:
    """Running config as configuration only (no banner lines, no ``end``)."""
    lines = [line for line in text.splitlines() if not _IOS_NOISE.match(line)]
    return "\n".join(line for line in lines if line.strip() not in {"", "!"} or line == "!")


def _physical(line: str) -> bool:
    """``interface GigabitEthernet0/0/1`` is a port; sub-interfaces and Dialers are logical.

    Examples:
        >>> _physical("interface Gi0/0/1"), _physical("interface Gi0/0/1.20")
        (True, False)
    """
    name = line.removeprefix("interface ")
    return (
        line.startswith("interface ")
        and "." not in name
        and not name.startswith(("Dialer", "Loopback", "Tunnel", "Vlan", "BDI", "Port-channel"))
    )


def _ios_intended(text: str) -> str:
    # IOS never displays "no shutdown" (it is the default); keeping it would never converge
    return "\n".join(line for line in text.splitlines() if line.strip() != "no shutdown")


def _uplinks(full: HConfig, wanted: set[str]) -> tuple[set[str], list[IPv4Network]]:
    """netprov's uplink interfaces (``ip nat outside``, netprov's) and their subnets."""
    names: set[str] = set()
    subnets: list[IPv4Network] = []
    for child in full.children:
        lines = {c.text for c in child.children}
        if not child.text.startswith("interface ") or "ip nat outside" not in lines:
            continue
        if child.text not in wanted and not any(_NETPROV_DESCRIPTION.match(t) for t in lines):
            continue
        names.add(child.text.removeprefix("interface "))
        for text in lines:
            address = re.fullmatch(r"ip address (\S+) (\S+)", text)
            if address:
                subnets.append(IPv4Interface(f"{address[1]}/{address[2]}").network)
    return names, subnets


_DEFAULT_ROUTE = "ip route 0.0.0.0 0.0.0.0 "


def _owned(
    child: HConfigChild, wanted: set[str], uplinks: tuple[set[str], list[IPv4Network]]
) -> bool:
    """Whether netprov owns a top-level line of the running config (see the module)."""
    text = child.text
    if text in wanted:  # what netprov renders (an outside static NAT of its own, say)
        return True
    if not IOS_OWNED.match(text):
        return False
    names, subnets = uplinks
    if text.startswith("interface "):
        lines = {c.text for c in child.children}
        unused_port = _physical(text) and lines <= {"no ip address", "shutdown"}
        return not unused_port and any(_NETPROV_DESCRIPTION.match(t) for t in lines)
    if text.startswith("ip route "):
        hop = text.split()[4] if len(text.split()) > 4 else ""
        via_uplink = hop in names or (
            _is_address(hop) and any(IPv4Address(hop) in net for net in subnets)
        )
        return text.startswith(_DEFAULT_ROUTE) or via_uplink
    if text.startswith("ip nat inside source "):
        nat = re.match(r"ip nat inside source (?:list|route-map) \S+ interface (\S+)", text)
        return nat is not None and nat[1] in names
    return True


def _is_address(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def _primary_address(section: HConfigChild) -> str | None:
    return next(
        (
            c.text.removeprefix("ip address ")
            for c in section.children
            if re.fullmatch(r"ip address \d\S* \d\S*", c.text)
        ),
        None,
    )


def _conflicts(full: HConfig, target: HConfig) -> list[str]:
    """What the router holds that clashes with the inventory: an interface netprov renders
    carries another address on the router (and is not netprov's yet), or the address
    netprov puts on one interface sits on another. A person decides; nothing is pushed."""
    theirs = {
        child.text: address
        for child in full.children
        if child.text.startswith("interface ")
        and not any(_NETPROV_DESCRIPTION.match(c.text) for c in child.children)
        and (address := _primary_address(child)) is not None
    }
    found = []
    for child in target.children:
        wanted = _primary_address(child) if child.text.startswith("interface ") else None
        if wanted is None:
            continue
        have = theirs.get(child.text)
        if have is not None and have != wanted:
            found.append(
                f"{child.text.removeprefix('interface ')} has {have} on the router; "
                f"the inventory puts {wanted} there"
            )
        found += [
            f"{wanted.split()[0]} is on {other.removeprefix('interface ')} on the router; the "
            f"inventory puts it on {child.text.removeprefix('interface ')}"
            for other, address in theirs.items()
            if other != child.text and address.split()[0] == wanted.split()[0]
        ]
    return found


@dataclass(frozen=True)
class IosPlan:
    """An IOS change: the lines shown, their undo, and the candidate the router takes."""

    commands: list[str]  # the remediation, as shown
    undo: list[str]
    candidate: str  # the full config ``configure replace`` takes
    conflicts: list[str]
    # NAT rules to remove after the replace (kept in the candidate): IOS refuses to remove
    # a dynamic NAT rule that has translations inside a replace, and asks first in config
    # mode (Cisco tech note 13779, "Dynamic mapping in use")
    releases: list[str] = field(default_factory=list)


_NAT_RULE = "ip nat inside source "


def plan_ios(running: str, intended: str) -> IosPlan:
    """The remediation, undo, candidate, conflicts and late NAT removals for an IOS router."""
    full = get_hconfig_fast_load(_DRIVER, _substituted(clean_ios(running)))
    target = get_hconfig_fast_load(_DRIVER, _substituted(_ios_intended(intended)))
    wanted = {child.text for child in target.children}
    owned = get_hconfig(_DRIVER, "")
    uplinks = _uplinks(full, wanted)
    for child in full.children:
        if not _owned(child, wanted, uplinks):
            continue
        if child.text.startswith("line "):  # merge only: keep the router's own lines
            mine = target.get_child(equals=child.text)
            kept = {c.text for c in mine.children} if mine is not None else set()
            section = owned.add_child(child.text)
            for line in child.children:
                if line.text in kept:
                    section.add_deep_copy_of(line)
            continue
        owned.add_deep_copy_of(child)
    workflow = WorkflowRemediation(owned, target)
    remediation: HConfig = workflow.remediation_config
    # a physical port cannot be deleted, only returned to its defaults
    commands = [
        f"default {line[3:]}" if line.startswith("no interface ") and _physical(line[3:]) else line
        for line in remediation.dump_simple()
    ]
    undo = list(workflow.rollback_config.dump_simple())
    releases = [
        child.text for child in remediation.children if child.text.startswith("no " + _NAT_RULE)
    ]
    for text in releases:  # in the candidate until released after the replace
        remediation.children.delete(text)
    future = full.future(remediation)
    for child in target.children:
        # a setting on by default that netprov turns off (the web UI) is written out as
        # "no ...": a candidate without it would leave IOS's default, on
        if child.text.startswith("no ") and future.get_child(equals=child.text) is None:
            future.add_child(child.text)
    candidate = "\n".join(future.dump_simple()) + "\nend\n"
    return IosPlan(commands, undo, candidate, _conflicts(full, target), releases)
