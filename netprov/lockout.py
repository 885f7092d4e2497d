"""Management lockout guard: simulate a plan step by step before anything is sent.

Uses the twin's config models (pure) with every uplink alive: if any step leaves no route
towards the management networks, the plan is refused, naming that step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from ipaddress import IPv4Address

from netprov.models import Organisation, Platform, Site
from netprov.plan import SitePlan, clean_ios
from netprov.twin.ios import IosDevice
from netprov.twin.routeros import RosDevice
from netprov.twin.scenario import SiteFaults


def _never(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    """Timers never fire in a simulation."""
    return lambda: None


def lockout_step(site: Site, org: Organisation, running: str, plan: SitePlan) -> str | None:
    """The first step that would cut management, or None when the plan is safe."""
    from netprov.twin.fleet import _ports, _world

    world = _world(site, SiteFaults(), 0, org.central_services)
    target = IPv4Address(int(org.management_networks[0].network_address) + 1)
    now = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    if site.router.platform is Platform.CISCO_IOS:
        device = IosDevice(
            ports=_ports(site), world=world, schedule=_never, now=now, serial="guard"
        )
        device.load_initial(clean_ios(running))
        if device.router().path(target) is None:
            return None  # already unmanaged that way: nothing this plan can cut
        device.load_initial(plan.candidate or "")
        return None if device.router().path(target) else "configure replace (the candidate config)"
    ros = RosDevice(ports=_ports(site), world=world, schedule=_never, now=now)
    ros.load_initial(running)
    if ros.router().path(target) is None:
        return None
    for command in plan.commands:
        ros.run(command, "/")
        # an "add" never takes a path away; anything else (remove, set, disable) may
        if " add " not in command and ros.router().path(target) is None:
            return command
    return None
