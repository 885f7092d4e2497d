"""The IOS plan engine: hier_config remediation limited to what netprov owns. Pure.

Lines netprov never renders (``username``, ``crypto``, ...) are neither compared nor negated;
the change is pushed as a full candidate (running + remediation) through ``configure
replace``, so the router itself checks the whole config before it takes it.
"""

from __future__ import annotations

import re

from hier_config import HConfig, WorkflowRemediation, get_hconfig, get_hconfig_fast_load
from hier_config import Platform as HierPlatform

# Top-level IOS lines netprov renders; anything else on the router is left alone.
IOS_OWNED = re.compile(
    r"^(hostname |ip domain name |ip name-server |ip ssh version |ip scp server enable|archive$"
    r"|ntp server |logging host |snmp-server (community|location|contact) "
    r"|flow (exporter|monitor) NETPROV|ip access-list (standard|extended) NETPROV-"
    r"|policy-map NETPROV-|interface |ip sla |track \d+ "
    r"|ip route |route-map NETPROV-|ip nat inside source |line vty "
    r"|ip dhcp pool NETPROV-|ipv6 access-list NETPROV-)"
)
# Lines of ``show running-config`` that are display, not configuration.
_IOS_NOISE = re.compile(
    r"^(Building configuration|Current configuration|! Last configuration change"
    r"|! NVRAM config last updated|version |end$)"
)


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
