"""Structured checks that a site works after a change: name, expected, observed, verdict.

Output parsing is pure (tested on text); :func:`verify_site` runs the commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from netprov.models import Organisation, Phase, Platform, Site
from netprov.phases import Role, uplink_views


@dataclass(frozen=True)
class Check:
    name: str
    expected: str
    observed: str
    ok: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def ping_replies(platform: Platform, output: str) -> tuple[int, int]:
    """(received, sent) from a ping's output.

    Examples:
        >>> ping_replies(Platform.CISCO_IOS, "Success rate is 60 percent (3/5), round-trip")
        (3, 5)
        >>> ping_replies(Platform.MIKROTIK_ROUTEROS, "sent=3 received=0 packet-loss=100%")
        (0, 3)
    """
    if platform is Platform.CISCO_IOS:
        match = re.search(r"Success rate is \d+ percent \((\d+)/(\d+)\)", output)
        return (int(match[1]), int(match[2])) if match else (0, 0)
    match = re.search(r"sent=(\d+) received=(\d+)", output)
    return (int(match[2]), int(match[1])) if match else (0, 0)


def ios_interface_status(output: str, interface: str) -> str:
    for line in output.splitlines():
        words = line.split()
        if words and words[0] == interface:
            return " ".join(words[4:-1]) if len(words) >= 6 else "unknown"
    return "absent"


def ios_default_gateway(output: str) -> str:
    match = re.search(r"Gateway of last resort is (\S+)", output)
    return match[1] if match else "none"


def ros_interface_running(output: str, interface: str) -> bool:
    return any(
        re.match(rf"^\s*\d+\s+R\S*\s+{re.escape(interface)}\s*$", line)
        for line in output.splitlines()
    )


def ros_active_default(output: str) -> str:
    for line in output.splitlines():
        match = re.match(r"^\s*\d+\s+(\S*A\S*)\s+(.*)$", line)
        if match and "dst-address=0.0.0.0/0" in match[2]:
            gateway = re.search(r"(?<![\w-])gateway=(\S+)", match[2])
            return gateway[1] if gateway else "?"
    return "none"


class _Runner:
    def __init__(self, send: Callable[[str], str], platform: Platform) -> None:
        self.send = send
        self.platform = platform

    def ping(self, address: str) -> tuple[int, int]:
        command = (
            f"ping {address} repeat 3"
            if self.platform is Platform.CISCO_IOS
            else f"/ping {address} count=3"
        )
        return ping_replies(self.platform, self.send(command))


def verify_site(
    send: Callable[[str], str], site: Site, org: Organisation, phase: Phase
) -> list[Check]:
    """Run every check through ``send`` (a session's command function)."""
    platform = site.router.platform
    runner = _Runner(send, platform)
    ios = platform is Platform.CISCO_IOS
    views = uplink_views(site, org, phase)
    primary = views[0]
    checks = [Check("management reachability", "session", "session", True)]

    if ios:
        status = ios_interface_status(runner.send("show ip interface brief"), primary.l3)
        checks.append(Check(f"uplink {primary.l3} up", "up", status, status == "up"))
        gateway = ios_default_gateway(runner.send("show ip route"))
    else:
        up = ros_interface_running(runner.send("/interface print"), primary.l3)
        checks.append(Check(f"uplink {primary.l3} up", "running", "running" if up else "down", up))
        gateway = ros_active_default(runner.send("/ip route print where dst-address=0.0.0.0/0"))

    if primary.static is not None:
        gw = str(primary.static.gateway)
        received, sent = runner.ping(gw)
        checks.append(
            Check(
                f"ping {primary.role.value} gateway {gw}",
                "replies",
                f"{received}/{sent}",
                received > 0,
            )
        )
        expected_default = gw if ios else str(primary.probe)
        checks.append(
            Check(
                "default route via " + primary.role.value,
                expected_default,
                gateway,
                gateway == expected_default,
            )
        )
    else:
        checks.append(
            Check("default route via " + primary.role.value, "present", gateway, gateway != "none")
        )

    for label, address in [
        ("internet probe", primary.probe),
        *[("filtering resolver", r) for r in org.dns.filtering_resolvers],
    ]:
        received, sent = runner.ping(str(address))
        checks.append(
            Check(f"ping {label} {address}", "replies", f"{received}/{sent}", received > 0)
        )
    for service in site.services:
        received, sent = runner.ping(str(service.address))
        checks.append(
            Check(
                f"service {service.name} ({service.address})",
                "replies",
                f"{received}/{sent}",
                received > 0,
            )
        )
    if site.backup_uplink is not None:
        backup = next(v for v in views if v.role is Role.BACKUP)
        config = runner.send("show running-config" if ios else "/export terse")
        marker = f"track {backup.track}" if ios else "netprov:backup"
        checks.append(
            Check(
                "failover route for backup line",
                marker,
                "present" if marker in config else "missing",
                marker in config,
            )
        )
    return checks
