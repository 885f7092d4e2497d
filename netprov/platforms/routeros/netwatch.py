"""What an office's netwatch scripts switch (MikroTik manual, "Netwatch": up-script and
down-script run on a host's state change): the routes and rules they enable or disable by
their comments, as offices write them (``/ip route disable [find comment="isp1"]``). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Toggle:
    """What a netwatch script switches: a menu's items by their comment, on or off."""

    menu: str
    comment: str
    enables: bool


# netwatch scripts switch items by comment: `/ip route disable [find comment="isp1"]`,
# `ip route enable [find comment=To-ISP1]` (the leading slash is optional in a script)
_SWITCH = re.compile(
    r"(?:^|[\s;{])/?(ip route rule|routing rule|ip route|ip firewall mangle|ip firewall nat"
    r"|ip firewall filter)\s+(enable|disable|set)\s+\[\s*find\s+(?:where\s+)?comment\s*[=~]\s*"
    r'"?([^"\]]*?)"?\s*\](.*)$',
    re.M,
)


def switched_by(script: str) -> list[Toggle]:
    """What a netwatch script switches on or off.

    Examples:
        >>> switched_by('/ip route disable [find comment="isp1"]')
        [Toggle(menu='/ip route', comment='isp1', enables=False)]
        >>> switched_by("ip firewall mangle enable [find comment=To-ISP1]")
        [Toggle(menu='/ip firewall mangle', comment='To-ISP1', enables=True)]
    """
    found = []
    for match in _SWITCH.finditer(script):
        menu, verb, comment, rest = match.groups()
        if verb == "set":
            if "disabled=no" in rest:
                verb = "enable"
            elif "disabled=yes" in rest:
                verb = "disable"
            else:
                continue
        found.append(Toggle("/" + menu, comment.strip(), verb == "enable"))
    return found
