"""The IOS plan engine: hier_config remediation limited to what netprov owns. Pure.

What netprov owns, by name and identity, is :mod:`netprov.platforms.ios.scope`'s to say;
everything else (the office's NAT rules, routes, access lists, NTP and logging servers,
users, ``crypto`` ...) is neither compared nor negated. What the office holds that stands in
a phase's way is :mod:`netprov.platforms.ios.office`'s, named in the plan's conflicts. The
change is pushed as a full candidate (running + remediation) through ``configure
replace``, so the router itself checks the whole config before it takes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hier_config import (
    HConfig,
    WorkflowRemediation,
    get_hconfig,
    get_hconfig_fast_load,
)
from hier_config.models import IdempotentCommandsRule, MatchRule
from hier_config.platforms.cisco_ios.driver import HConfigDriverCiscoIOS
from hier_config.platforms.driver_base import HConfigDriverRules

from netprov.platforms.ios.office import conflicts
from netprov.platforms.ios.scope import Scope

# Lines of ``show running-config`` that are display, not configuration.
_IOS_NOISE = re.compile(
    r"^(Building configuration|Current configuration|! Last configuration change"
    r"|! NVRAM config last updated|version |end$)"
)


# Settings that take one value, where "no <old>" first would do harm or mislead: "no
# hostname" names the router "Router" for a moment; a new value simply replaces the old
_ONE_VALUE = ("hostname ", "ip domain name ")


class _PresubstitutedIosDriver(HConfigDriverCiscoIOS):
    """hier_config's IOS driver, its per-line substitutions left to :func:`_substituted`,
    with the one-value settings netprov renders."""

    @staticmethod
    def _instantiate_rules() -> HConfigDriverRules:
        rules = HConfigDriverCiscoIOS._instantiate_rules()
        one_value = [
            IdempotentCommandsRule(match_rules=(MatchRule(startswith=word),)) for word in _ONE_VALUE
        ]
        # a terminal line holds one transport input and one inbound access class: netprov's
        # replaces the office's (Cisco IOS Terminal Services Command Reference, "transport
        # input", "access-class"), the office's other line settings stay
        one_value += [
            IdempotentCommandsRule(match_rules=(MatchRule(startswith="line "), kind))
            for kind in (
                MatchRule(startswith="transport input "),
                MatchRule(re_search=r"^access-class \S+ in$"),
            )
        ]
        return rules.model_copy(
            update={
                "per_line_sub": [],
                "idempotent_commands": [*rules.idempotent_commands, *one_value],
            }
        )


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
    # the office's objects the plan takes over (replaces or takes away), as the router shows
    # them: what the inventory describes, said in the plan
    taken_over: list[str] = field(default_factory=list)


_NAT_RULE = "ip nat inside source "


def plan_ios(running: str, intended: str) -> IosPlan:
    """The remediation, undo, candidate, conflicts and late NAT removals for an IOS router."""
    full = get_hconfig_fast_load(_DRIVER, _substituted(clean_ios(running)))
    target = get_hconfig_fast_load(_DRIVER, _substituted(_ios_intended(intended)))
    scope = Scope.of(full, target)
    owned = get_hconfig(_DRIVER, "")
    taken_over = []
    for child in full.children:
        if not scope.owns(child, full):
            continue
        if scope.taken_over(child, full):
            taken_over.append(child.text)
        if child.text.startswith("line "):  # merge only: keep the router's own lines
            mine = target.get_child(equals=child.text)
            kept = {c.text for c in mine.children} if mine is not None else set()
            section = owned.add_child(child.text)
            for line in child.children:
                if line.text in kept:
                    section.add_deep_copy_of(line)
            continue
        section = owned.add_child(child.text)
        for line in scope.kept_children(child):
            section.add_deep_copy_of(line)
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
    candidate = "\n".join(_as_written(running, full, future)) + "\nend\n"
    found = conflicts(full, target, scope)
    return IosPlan(commands, undo, candidate, found, releases, taken_over)


_BANNER = re.compile(r"^banner \S+ (\S{2}|\S)")


def _blocks(running: str) -> dict[str, list[str]]:
    """The running config's top-level sections as the router wrote them (its indentation,
    spacing, blank lines of a banner), by the line hier_config reads for their first."""
    blocks: dict[str, list[str]] = {}
    lines = [line for line in running.splitlines() if not _IOS_NOISE.match(line)]
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.startswith((" ", "!")):
            continue
        block = [line]
        banner = _BANNER.match(line)
        if banner is not None and line.count(banner[1]) < 2:  # a banner over several lines
            while index < len(lines):
                block.append(lines[index])
                index += 1
                if banner[1] in block[-1]:
                    break
        while index < len(lines) and lines[index].startswith(" "):
            block.append(lines[index])
            index += 1
        blocks.setdefault(_substituted(line)[0], block)
    return blocks


def _as_written(running: str, full: HConfig, future: HConfig) -> list[str]:
    """The candidate's lines: a section of the router's the plan leaves as it is, as the
    router wrote it (hier_config reads a line as its words, drops the blank lines of a
    banner and some of IOS's markers: ``exit-address-family``; a candidate written back
    from its reading would rewrite the office's text: ``configure replace`` makes the
    router hold what the candidate says); the rest as hier_config writes it."""
    written = _blocks(running)
    out: list[str] = []
    skip: list[str] = []  # the lines of a banner written out with its first
    for child in future.children:
        if skip and child.text == skip[0]:
            skip.pop(0)
            continue
        skip = []
        block = written.get(child.text)
        held = full.get_child(equals=child.text)
        if block is not None and held is not None and list(held.lines()) == list(child.lines()):
            out += block
            if _BANNER.match(block[0]):
                skip = [" ".join(line.split()) for line in block[1:] if line.strip()]
            continue
        out += [_ios_indent(line) for line in child.lines()]
    return out


def _ios_indent(line: str) -> str:
    """A line hier_config writes (two spaces a level) as IOS lists it (one a level).

    Examples:
        >>> _ios_indent("    ip address 10.0.0.1 255.255.255.0"), _ios_indent("hostname r1")
        ('  ip address 10.0.0.1 255.255.255.0', 'hostname r1')
    """
    text = line.lstrip(" ")
    return " " * ((len(line) - len(text)) // 2) + text


def as_rendered(running: str) -> str:
    """``running`` as the candidate of a plan renders it (a section as the router wrote it:
    :func:`_as_written`), so the two compare line by line where nothing changed."""
    full = get_hconfig_fast_load(_DRIVER, _substituted(clean_ios(running)))
    return "\n".join(_as_written(running, full, full))
