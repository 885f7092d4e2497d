"""Plans: the exact commands that take a router from its running config to the intended one,
and the commands that would undo them. Pure functions: text in, text out.

IOS uses hier_config's remediation, limited to what netprov owns (lines it never renders,
such as ``username`` or ``crypto``, are neither compared nor negated); the change is pushed
as a full candidate (running + remediation) through ``configure replace``. RouterOS compares
only objects tagged ``netprov:<key>`` and the settings netprov sets; commands are ordered
add-before-remove.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from hier_config import HConfig, WorkflowRemediation, get_hconfig, get_hconfig_fast_load
from hier_config import Platform as HierPlatform

from netprov.filters import ros_line, ros_value
from netprov.models import Phase, Platform
from netprov.rossyntax import SETTINGS, RosCommand, parse_export

# Top-level IOS lines netprov renders; anything else on the router is left alone.
IOS_OWNED = re.compile(
    r"^(hostname |ip domain name |ip name-server |ip ssh version |ip scp server enable|archive$"
    r"|ntp server |logging host |snmp-server (community|location|contact) "
    r"|flow (exporter|monitor) NETPROV|ip access-list (standard|extended) NETPROV-"
    r"|policy-map NETPROV-|interface |ip sla |track \d+ "
    r"|ip route |route-map NETPROV-|ip nat inside source |line vty )"
)
# Lines of ``show running-config`` that are display, not configuration.
_IOS_NOISE = re.compile(
    r"^(Building configuration|Current configuration|! Last configuration change"
    r"|! NVRAM config last updated|version |end$)"
)


def fingerprint(text: str) -> str:
    """Identity of a running config, to detect that a router changed since a plan."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SitePlan:
    site_id: str
    platform: Platform
    phase: Phase
    running_fingerprint: str
    commands: list[str]
    undo: list[str]
    candidate: str | None = None  # IOS: the full config to ``configure replace`` with
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.commands)

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site_id,
            "platform": self.platform.value,
            "phase": self.phase.value,
            "running_fingerprint": self.running_fingerprint,
            "commands": self.commands,
            "undo": self.undo,
            "candidate": self.candidate,
            "changed": self.changed,
        }


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


def plan_ios(running: str, intended: str) -> tuple[list[str], list[str], str]:
    """(commands, undo commands, candidate config) for an IOS router."""
    full = get_hconfig_fast_load(HierPlatform.CISCO_IOS, clean_ios(running))
    target = get_hconfig_fast_load(HierPlatform.CISCO_IOS, _ios_intended(intended))
    wanted = {child.text for child in target.children}
    owned = get_hconfig(HierPlatform.CISCO_IOS, "")
    for child in full.children:
        unused_port = (
            _physical(child.text)
            and child.text not in wanted
            and {c.text for c in child.children} <= {"no ip address", "shutdown"}
        )
        if IOS_OWNED.match(child.text) and not unused_port:
            owned.add_deep_copy_of(child)
    workflow = WorkflowRemediation(owned, target)
    remediation: HConfig = workflow.remediation_config
    # a physical port cannot be deleted, only returned to its defaults
    commands = [
        f"default {line[3:]}" if line.startswith("no interface ") and _physical(line[3:]) else line
        for line in remediation.dump_simple()
    ]
    undo = list(workflow.rollback_config.dump_simple())
    future = full.future(remediation)
    candidate = "\n".join(future.dump_simple()) + "\nend\n"
    return commands, undo, candidate


def _find(comment: str) -> str:
    return f"[ find where comment={ros_value(comment)} ]"


def _key(command: RosCommand) -> tuple[str, str] | None:
    if command.verb == "add":
        managed = command.managed_key
        return (command.path, managed) if managed else None
    if command.verb == "set":
        return (command.path, "set " + command.selector)
    return None


def plan_routeros(running_export: str, intended: str) -> tuple[list[str], list[str]]:
    """(commands, undo commands) for a RouterOS router."""
    running = {key: cmd for cmd in parse_export(running_export) if (key := _key(cmd))}
    wanted = [(key, cmd) for cmd in parse_export(intended) if (key := _key(cmd))]
    adds: list[str] = []
    removes: list[str] = []
    undo_adds: list[str] = []
    undo_removes: list[str] = []
    for key, cmd in wanted:
        current = running.get(key)
        selector = (cmd.selector,) if cmd.selector else ()
        if cmd.verb == "set":
            have = {**SETTINGS.get(cmd.path, {}), **(current.params if current else {})}
            changed = {k: v for k, v in cmd.params.items() if have.get(k) != v}
            if changed:
                adds.append(ros_line(cmd.path, "set", *selector, **changed))
                undo_adds.append(
                    ros_line(cmd.path, "set", *selector, **{k: have.get(k, "") for k in changed})
                )
            continue
        comment = cmd.params["comment"]
        if current is None:
            adds.append(ros_line(cmd.path, "add", **cmd.params))
            undo_removes.append(f"{cmd.path} remove {_find(comment)}")
        elif current.params != cmd.params:
            gone = [k for k in current.params if k not in cmd.params]
            if gone:  # a parameter must disappear: replace the object
                removes.append(f"{cmd.path} remove {_find(current.params['comment'])}")
                adds.append(ros_line(cmd.path, "add", **cmd.params))
                undo_removes.append(f"{cmd.path} remove {_find(comment)}")
                undo_adds.append(ros_line(cmd.path, "add", **current.params))
            else:
                changed = {k: v for k, v in cmd.params.items() if current.params.get(k) != v}
                adds.append(
                    f"{cmd.path} set {_find(current.params['comment'])} "
                    + ros_line("", "", **changed).strip()
                )
                undo_adds.append(
                    f"{cmd.path} set {_find(comment)} "
                    + ros_line("", "", **{k: current.params.get(k, "") for k in changed}).strip()
                )
    wanted_keys = {key for key, _ in wanted}
    for key, cmd in reversed(list(running.items())):
        if cmd.verb == "add" and key not in wanted_keys:
            removes.append(f"{cmd.path} remove {_find(cmd.params['comment'])}")
            undo_adds.insert(0, ros_line(cmd.path, "add", **cmd.params))
    # add before remove; the undo removes what was added (newest first), then re-adds
    return adds + removes, list(reversed(undo_removes)) + undo_adds
