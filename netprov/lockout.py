"""Management lockout guard: simulate a plan step by step before anything is sent.

The platform's offline config model (:mod:`netprov.sim`), with every uplink alive: if any
step leaves no route towards the management networks, the plan is refused, naming that step.
Every step counts, an ``add`` too (a more specific route can take the path away).
"""

from __future__ import annotations

from ipaddress import IPv4Address

from netprov.lint import uplinks_in
from netprov.models import Organisation, Site
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.platforms.base import SimulatedRouter
from netprov.sim.topology import Router
from netprov.sim.world import site_world


def _simulated(site: Site, org: Organisation, running: str) -> SimulatedRouter:
    """The platform's offline config model of the router, holding ``running``."""
    driver = driver_for(site.router.platform)
    simulated = driver.simulator(site, site_world(site, org.central_services))
    driver.load_simulated(simulated, running)
    return simulated


def after_plan(site: Site, org: Organisation, running: str, plan: SitePlan) -> str:
    """The config the router would hold after ``plan``, by the offline config model."""
    simulated = _simulated(site, org, running)
    driver_for(site.router.platform).simulate_plan(simulated, plan)
    return simulated.config_text()


def lockout_step(site: Site, org: Organisation, running: str, plan: SitePlan) -> str | None:
    """Why the plan puts management at risk, naming the first such step: it cuts the way
    back to a management network, or moves it onto a line this plan brings in (not proven
    yet: the session doing the push would hang on it). None when the plan is safe."""
    driver = driver_for(site.router.platform)
    simulated = _simulated(site, org, running)
    targets = [IPv4Address(int(net.network_address) + 1) for net in org.management_networks]
    router = simulated.router()
    before = {t: path for t in targets if (path := router.path(t)) is not None}
    if not before:
        return None  # already unmanaged that way: nothing this plan can cut
    proven = uplinks_in(running, site, org)
    checked: Router | None = None
    for step, after in driver.simulate_plan(simulated, plan):
        if after is checked:
            continue  # the step left routing as it was (the model is shared): as safe as before
        checked = after
        for target, was in before.items():
            path = after.path(target)
            if path is None:
                return f"would cut the management path at: {step}"
            role = path.uplink.role if path.uplink else None
            if (
                role is not None
                and role not in proven
                and (was.uplink is None or was.uplink.role != role)
            ):
                line = f"the {role.value} line, not proven yet (go through dual first)"
                return f"would move the management path to {target} onto {line}, at: {step}"
    return None
