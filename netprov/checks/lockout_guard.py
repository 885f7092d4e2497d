"""Management lockout guard: simulate a plan step by step before anything is sent.

The platform's offline config model (:mod:`netprov.sim`), with every uplink alive: if any
step leaves no route towards the management networks, the plan is refused, naming that step.
Every step counts, an ``add`` too (a more specific route can take the path away).

One run of the model serves all that is asked of a plan offline (:func:`rehearse`): the
guard, the lines the platform's parser would refuse, and the config after the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address

from netprov.checks.site_context import SiteContext
from netprov.phases import Role
from netprov.plan import SitePlan
from netprov.platforms.base import SimulatedRouter, SimulatedStep
from netprov.said import Params, PhraseId, ReasonId, Said, value
from netprov.said import role as role_said
from netprov.sim.topology import PathResult
from netprov.sim.world import noc_hosts, site_world


def _simulated(ctx: SiteContext, running: str) -> SimulatedRouter:
    """The platform's offline config model of the router, holding ``running``."""
    simulated = ctx.driver.simulator(ctx.site, site_world(ctx.site, ctx.org.central_services))
    ctx.driver.load_simulated(simulated, running)
    return simulated


@dataclass
class Rehearsal:
    """A plan run on the offline model of the router that holds ``running``."""

    risk: Said | None  # why the plan puts management at risk (its first such step)
    rejected: list[str]  # the plan's lines the platform's parser refuses, with why
    simulated: SimulatedRouter  # the model after the whole plan

    @property
    def lockout(self) -> str | None:
        """The risk in English (None: none)."""
        return str(self.risk) if self.risk is not None else None


def rehearse(ctx: SiteContext, running: str, plan: SitePlan) -> Rehearsal:
    """Run ``plan`` on the model of the router holding ``running``, every step."""
    simulated = _simulated(ctx, running)
    targets = noc_hosts(ctx.org.management_networks)
    router = simulated.router()
    # a target with no path now: already unmanaged that way, nothing this plan can cut
    before = {t: path for t in targets if (path := router.path(t)) is not None}
    proven = ctx.uplinks_in(running) if before else set()
    address = ctx.site.router.mgmt_address
    admitted = {t for t in before if router.admits(t, address).accepted}
    lockout: Said | None = None
    rejected: list[str] = []
    checked = router
    for step in ctx.driver.simulate_plan(simulated, plan):
        rejected += step.rejected
        if lockout is not None or step.router is checked:
            continue  # routing as the step before left it (the model is shared): as safe
        checked = step.router
        lockout = _risk(step, before, proven) or _shut_out(step, admitted, address)
    if lockout is None and checked is not router:
        # what the plan promises: the NOC's new sessions get in once it is pushed (where
        # the router has a way back to the NOC at all)
        reachable = {t for t in targets if checked.path(t) is not None}
        lockout = _shut_out(SimulatedStep(END_OF_PLAN, checked), reachable, address)
    return Rehearsal(lockout, rejected, simulated)


END_OF_PLAN = str(Said(PhraseId.END_OF_PLAN))  # the step after the last one


def _step(step: SimulatedStep) -> Said:
    """A step of the plan, as sent (or the end of the plan)."""
    return Said(PhraseId.END_OF_PLAN) if step.step == END_OF_PLAN else value(step.step)


def _deciding(reason: str) -> Said:
    """What refuses a new session, as the model names it (a rule, or a setting)."""
    if reason.startswith("rule "):
        return Said(PhraseId.RULE, {"rule": reason.removeprefix("rule ")})
    return value(reason)


def _shut_out(step: SimulatedStep, targets: set[IPv4Address], address: IPv4Address) -> Said | None:
    """Why new management sessions from one of ``targets`` no longer get in after
    ``step`` (the router's filtering of new connections: RouterOS's input chain, IOS's vty
    access), naming what refuses them. The session doing the push survives that; the
    next one, and the NOC, do not."""
    for target in sorted(targets):
        verdict = step.router.admits(target, address)
        if not verdict.accepted:
            done = PhraseId.REFUSED if verdict.action == "reject" else PhraseId.DROPPED
            words: Params = {"target": str(target), "done": Said(done), "step": _step(step)}
            return Said(ReasonId.LOCKOUT_NEW_SESSIONS, {**words, "rule": _deciding(verdict.reason)})
    return None


def _risk(
    step: SimulatedStep, before: dict[IPv4Address, PathResult], proven: set[Role]
) -> Said | None:
    """Why ``step`` cuts the way back to a management network, or moves it onto a line the
    plan brings in (not proven yet: the session doing the push would hang on it)."""
    for target, was in before.items():
        path = step.router.path(target)
        if path is None:
            return Said(ReasonId.LOCKOUT_CUT, {"step": _step(step)})
        role = path.uplink.role if path.uplink else None
        if (
            role is not None
            and role not in proven
            and (was.uplink is None or was.uplink.role != role)
        ):
            words: Params = {
                "target": str(target),
                "role": role_said(role.value),
                "step": _step(step),
            }
            return Said(ReasonId.LOCKOUT_UNPROVEN_LINE, words)
    return None


def lockout_step(ctx: SiteContext, running: str, plan: SitePlan) -> Said | None:
    """Why the plan puts management at risk, naming the first such step; None when safe."""
    return rehearse(ctx, running, plan).risk
