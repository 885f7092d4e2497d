"""Management lockout guard: simulate a plan step by step before anything is sent.

The platform's offline config model (:mod:`netprov.sim`), with every uplink alive: if any
step leaves no route towards the management networks, the plan is refused, naming that step.
Every step counts, an ``add`` too (a more specific route can take the path away).
"""

from __future__ import annotations

from ipaddress import IPv4Address

from netprov.models import Organisation, Site
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.sim.world import site_world


def after_plan(site: Site, org: Organisation, running: str, plan: SitePlan) -> str:
    """The config the router would hold after ``plan``, by the offline config model."""
    driver = driver_for(site.router.platform)
    simulated = driver.simulator(site, site_world(site, org.central_services))
    driver.load_simulated(simulated, running)
    driver.simulate_plan(simulated, plan)
    return simulated.config_text()


def lockout_step(site: Site, org: Organisation, running: str, plan: SitePlan) -> str | None:
    """The first step that would cut management, or None when the plan is safe."""
    driver = driver_for(site.router.platform)
    simulated = driver.simulator(site, site_world(site, org.central_services))
    driver.load_simulated(simulated, running)
    targets = [IPv4Address(int(net.network_address) + 1) for net in org.management_networks]
    router = simulated.router()
    reachable = [t for t in targets if router.path(t) is not None]
    if not reachable:
        return None  # already unmanaged that way: nothing this plan can cut
    for step, after in driver.simulate_plan(simulated, plan):
        if any(after.path(t) is None for t in reachable):
            return step
    return None
