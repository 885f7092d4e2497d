"""The safe change pipeline for one site: backup, plan, apply with a device-side safety net,
verify, confirm; or revert and prove the router is back on exactly its previous config.

Every step is journaled. Side effects go through :mod:`netprov.platforms.device` sessions.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from netprov.change.dry_run import import_refusal
from netprov.change.outcome import Outcome, Status
from netprov.change.reverting import proven, run_undo
from netprov.change.router_sessions import RouterSessions
from netprov.change.secret_labels import SecretLabels
from netprov.change.site_locks import LockedWork, SiteLocks
from netprov.checks.drift import Drift
from netprov.checks.inservice import with_in_service_policies
from netprov.checks.lockout_guard import lockout_step
from netprov.checks.results import Check, run_checks
from netprov.checks.site_context import SiteContext
from netprov.checks.verify import (
    NEW_SESSION,
    fetching_check,
    new_session_last,
    verify_reachability,
    verify_site,
)
from netprov.errors import DeviceError
from netprov.inventory.loader import LoadedInventory
from netprov.models import Phase, Platform, SecretRef, Site
from netprov.plan import SitePlan
from netprov.platforms import ChangeMarker, Session, Target, driver_for
from netprov.render.config import Renderer, version_conflicts
from netprov.said import ReasonId, Said, error_reason, of_error, say
from netprov.secrets import SecretResolver
from netprov.state.journal import Backup, Journal
from netprov.state.journal_rows import Step

# Round trips of a change besides its config lines: safety net, commit handling, checks.
OVERHEAD_ROUND_TRIPS = 40
MAX_REVERT_MINUTES = 120  # IOS ``revert timer`` accepts 1-120 minutes


def revert_window(minutes: int, commands: int, reply_seconds: float) -> int:
    """The device-side revert window: the configured minutes, stretched for a slow router so
    the push and the checks fit inside it twice over (else it reverts a good change midway).

    Examples:
        >>> revert_window(5, 30, 0.01)   # a router on the LAN: as configured
        5
        >>> revert_window(5, 120, 3.0)   # 3 s per reply: 160 round trips need 16 minutes
        16
    """
    needed = (commands + OVERHEAD_ROUND_TRIPS) * reply_seconds * 2
    return min(MAX_REVERT_MINUTES, max(minutes, math.ceil(needed / 60)))


@dataclass
class Pipeline:
    """Everything a run does to one router at a time: backups, plans, pushes under the
    device-side revert, checks, confirm or roll back, each step journaled. Its pieces have
    modules of their own: each site's context (:class:`SiteContext`), the site locks
    (:class:`SiteLocks`), the sessions (:class:`RouterSessions`) and the run's secret
    labels (:class:`SecretLabels`)."""

    loaded: LoadedInventory
    journal: Journal
    targets: dict[str, Target]
    renderer: Renderer
    secret: SecretResolver
    run_id: str
    revert_minutes: int = 5
    reconnect_attempts: int = 60  # x 2 s: long enough for a router to reboot
    secrets_seen: set[str] = field(default_factory=set)
    # each site's context (netprov.checks.site_context), built at the site's first step
    _contexts: dict[str, SiteContext] = field(default_factory=dict, init=False, repr=False)
    # each site's line its router refused in the last /import dry run (RouterOS 7.16+)
    _import_refused: dict[str, Said] = field(default_factory=dict, init=False, repr=False)
    locks: SiteLocks = field(init=False, repr=False)  # the site locks this run holds
    sessions: RouterSessions = field(init=False, repr=False)  # one held per site at work
    labels: SecretLabels = field(init=False, repr=False)  # the run's secrets and references

    def __post_init__(self) -> None:
        self.locks = SiteLocks(self.journal, self.run_id)
        self.sessions = RouterSessions(self.targets, self.run_id)
        self.labels = SecretLabels(self._resolve, self.loaded.organisation, self.secrets_seen)

    def _resolve(self, ref: SecretRef) -> str:
        """A reference's value, by the resolver this pipeline has now (one may be rotated)."""
        return self.secret(ref)

    # --- pieces --------------------------------------------------------------------

    def context(self, site: Site) -> SiteContext:
        """The site's driver, uplinks and intended configs, resolved once for this run."""
        ctx = self._contexts.get(site.id)
        if ctx is None or ctx.site is not site or ctx.renderer is not self.renderer:
            org, allocation = self.loaded.organisation, self.loaded.allocations.get(site.id)
            ctx = self._contexts[site.id] = SiteContext.build(site, org, allocation, self.renderer)
        return ctx

    def masked(self, platform: Platform, text: str) -> str:
        """Text about to be journaled or shown: the secret values this run resolved and
        anything the platform's secret patterns find are masked."""
        return self.labels.masked(driver_for(platform), text)

    def session(self, site: Site, attempts: int = 1) -> Session:
        """A session with the site's router (:meth:`RouterSessions.open`)."""
        return self.sessions.open(site.id, attempts)

    def release(self, site: Site, session: Session) -> None:
        """Done with ``session`` for now (:meth:`RouterSessions.release`)."""
        self.sessions.release(site.id, session)

    def holding(self, site: Site) -> AbstractContextManager[None]:
        """One session kept for the site across the steps inside."""
        return self.sessions.holding(site.id)

    def review_view(self, site: Site, running: str) -> str:
        """A running config as plans see it: the site's secrets back to their references, so
        a plan (shown, saved, journaled) never holds a value; the push resolves them."""
        return self.context(site).driver.with_references(running, self.labels.references(site))

    def intended(self, site: Site, phase: Phase, running: str | None = None) -> str:
        """The site's intended config with secrets as references (resolved at the push),
        for the software version the inventory names, else the one ``running`` (the
        router's config) names, and for the policy routing the router holds."""
        return self.context(site).intended(phase, running)

    def resolved(self, site: Site, plan: SitePlan) -> SitePlan:
        """``plan`` with the site's secret references resolved: what a push sends."""
        return plan.with_secrets(self.labels.values(site))

    def store_running(self, site: Site, session: Session) -> Backup:
        """The router's running config into the journal (sealed, for restores) and into
        ``backups/<site>.cfg`` with every secret masked (for git)."""
        content = session.running()
        return self.journal.store_backup(
            self.run_id,
            site.id,
            site.router.platform,
            content,
            file_content=self.context(site).driver.for_git(self.review_view(site, content)),
        )

    def guard(self, site: Site, session: Session) -> None:
        """The device-side guard: refuse a router another journal is changing (its marker
        names a run this journal never made); clear a marker an interrupted run of this
        journal left (this run holds the site's lock, so that run is over)."""
        found = session.marker()
        if found is None or found.run == self.run_id:
            return
        if self.journal.run(found.run)[0] is not None:
            session.unmark()
            return
        raise DeviceError(
            f"{site.id}: the router is in the middle of change {found.run} from host "
            f"{found.host} (pid {found.pid}), journaled elsewhere: not touched. If that run is "
            f"gone, remove its marker on the router: {session.marker_removal}"
        )

    def backup(self, site: Site, session: Session) -> Backup:
        """Store the router's running config (journal and backups folder) and save its device-side
        safety net."""
        backup = self.store_running(site, session)
        session.save_safety_net()
        self.journal.step(self.run_id, site.id, Step.BACKED_UP, detail=backup.sha256)
        return backup

    def _keep_after(self, site: Site, session: Session) -> None:
        """Store the confirmed config too: the evidence pack's "after", and git's latest."""
        self.store_running(site, session)

    def planned(self, site: Site, phase: Phase, running: str) -> SitePlan:
        """The plan from the review view of ``running`` (commands carry secret references),
        not journaled."""
        ctx = self.context(site)
        view = self.review_view(site, running)
        plan = ctx.driver.plan(site.id, phase, view, ctx.intended(phase, running))
        city = ctx.org.central_services
        plan = with_in_service_policies(ctx.driver, site, view, plan, city)
        clash = version_conflicts(self.renderer, site, ctx.org, phase, ctx.allocation, running)
        return dataclasses.replace(plan, conflicts=[*plan.conflicts, *clash]) if clash else plan

    def plan(self, site: Site, phase: Phase, running: str) -> SitePlan:
        """Plan from the review view of ``running``, journaled as the site's planned step."""
        plan = self.planned(site, phase, running)
        commands = plan.commands
        self.journal.step(
            self.run_id,
            site.id,
            Step.PLANNED,
            detail=f"{len(commands)} command(s)",
            diff=self.labels.masked(self.context(site).driver, "\n".join(commands)),
        )
        return plan

    def phase_held(self, site: Site, running: str) -> Phase | None:
        """The phase whose config the router holds (the journal's last confirmed phase
        tried first); None when it holds none of them (changed by hand: needs a person)."""
        hint = self.journal.confirmed_phase(site.id)
        candidates = [Phase(hint)] if hint else []
        candidates += [p for p in Phase if p not in candidates]
        view, ctx = self.review_view(site, running), self.context(site)
        city = ctx.org.central_services
        for phase in candidates:  # netprov's objects, and the office's policy routing, as phased
            migrated = not ctx.driver.policy_migration(view, site, phase, city).commands
            if migrated and ctx.driver.converged(view, ctx.intended(phase, running)):
                return phase
        return None

    # --- flows ---------------------------------------------------------------------

    def drift(self, site: Site) -> Drift:
        """Read-only: the router's running config against the site's desired phase, the
        phase it is really in, and the journal's word on it. Nothing is stored or pushed."""
        session = self.session(site)
        try:
            marker = session.marker()
            running = session.running()
        finally:
            self.release(site, session)
        hint = self.journal.confirmed_phase(site.id)
        return Drift(
            site.id,
            site.desired_phase,
            self.phase_held(site, running),
            Phase(hint) if hint else None,
            len(self.planned(site, site.desired_phase, running).commands),
            changing_run=marker.run if marker is not None else None,
        )

    def plan_only(self, site: Site, phase: Phase, *, adopting: bool = False) -> Outcome:
        """Back up and plan the site's change to ``phase`` (``adopting``: to be adopted,
        see :meth:`with_blockers`); nothing is pushed."""
        session = self.session(site)
        try:
            backup = self.backup(site, session)
            plan = self.plan(site, phase, backup.content)
            plan = self.with_blockers(site, plan, session, adopting=adopting)
        finally:
            self.release(site, session)
        if plan.conflicts:
            return self._refuse_conflicts(site, plan)
        if plan.refusals:
            reason = self._refused_before_push(site, plan)
            return self.fail(site, Status.REFUSED, reason, plan=plan)
        return Outcome(site.id, Status.PLANNED, plan)

    def with_blockers(
        self, site: Site, plan: SitePlan, session: Session, *, adopting: bool = False
    ) -> SitePlan:
        """``plan`` with what keeps this router from reverting it by itself, or its checks
        from proving it (RouterOS 7's device-mode without its scheduler, or without fetch
        for the egress check, which an adoption does not run): said in the plan, refused
        before any push."""
        fetch = None if adopting else fetching_check(self.context(site), plan.phase)
        blockers = session.blockers(fetch_for=fetch) if plan.changed else []
        self._import_refused.pop(site.id, None)
        if plan.changed and not blockers and not plan.conflicts:
            # the router's own check of every line, none applied (RouterOS 7.16+ dry run)
            mask = functools.partial(self.labels.masked, self.context(site).driver)
            said = import_refusal(session, self.resolved(site, plan).commands, mask)
            if said is not None:
                self._import_refused[site.id], blockers = said, [str(said)]
        return dataclasses.replace(plan, refusals=blockers) if blockers else plan

    def _refused_before_push(self, site: Site, plan: SitePlan) -> Said:
        """Why ``plan`` is refused before any push: the router's dry run said by id."""
        said = self._import_refused.get(site.id)
        found = said if said is not None and plan.refusals == [str(said)] else None
        return say(ReasonId.REFUSED_BEFORE_PUSH, refusals=found or "; ".join(plan.refusals))

    def _refuse_conflicts(self, site: Site, plan: SitePlan) -> Outcome:
        """A plan that clashes with what the router holds is shown, never pushed."""
        reason = say(ReasonId.CONFLICTS, conflicts="; ".join(plan.conflicts))
        return self.fail(site, Status.REFUSED, reason, plan=plan)

    def apply(
        self, site: Site, phase: Phase, saved: SitePlan | None = None, *, adopt: bool = False
    ) -> Outcome:
        """The safe change of ``site`` to ``phase``. With ``adopt``, only the takeover of
        the objects the router already holds (tag, align) is pushed, and verified as "the
        office works as it did" (the rest of the phase is another apply)."""

        def work(settle: bool) -> Outcome:
            try:
                if settle:
                    self.settle(site)
                return self._apply_locked(site, phase, saved, adopt=adopt)
            except DeviceError as exc:
                return self.fail(site, Status.FAILED, error_reason(exc))

        return self.under_lock(site, work)

    def under_lock(self, site: Site, work: LockedWork) -> Outcome:
        """``work(settle)`` holding the site's lock (:class:`SiteLocks`), or the journaled
        failure of a site another run holds."""
        return self.locks.under_lock(
            site.id, work, functools.partial(self.fail, site, Status.FAILED)
        )

    def settle(self, site: Site) -> None:
        """Revert what an interrupted run left armed on the router (it may reboot)."""
        session = self.session(site)
        try:
            self.guard(site, session)
            settled = session.settle()
        finally:
            self.release(site, session)
        if settled is not None and settled.rebooted:
            self.release(site, self.session(site, attempts=self.reconnect_attempts))

    def fail(self, site: Site, status: Status, reason: Said, **extra: object) -> Outcome:
        """A journaled failure of ``site`` (step ``failed``) as an outcome: ``reason`` in
        English as ``detail``, and by id in the step's data."""
        data = {"outcome": status, "reason": reason.as_dict()}
        self.journal.step(
            self.run_id, site.id, Step.FAILED, ok=False, detail=str(reason), data=data
        )
        return Outcome(site.id, status, detail=str(reason), reason=reason, **extra)  # type: ignore[arg-type]

    def _apply_locked(
        self, site: Site, phase: Phase, saved: SitePlan | None, *, adopt: bool = False
    ) -> Outcome:
        ctx = self.context(site)
        session = self.session(site)
        try:
            self.guard(site, session)
            backup = self.backup(site, session)
            if saved is not None and saved.running_fingerprint != ctx.driver.fingerprint(
                self.review_view(site, backup.content)
            ):
                return self.fail(site, Status.STALE, say(ReasonId.STALE))
            plan = self.plan(site, phase, backup.content)
            if adopt:
                plan = plan.adoption() if not plan.conflicts else plan
            if not plan.changed and not plan.conflicts:
                return Outcome(site.id, Status.UNCHANGED, plan)
            plan = self.with_blockers(site, plan, session, adopting=adopt)
            refusal = self._refusal(site, backup, plan)
            if refusal is not None:
                return refusal
            session.mark(ChangeMarker.here(self.run_id))
            window = revert_window(self.revert_minutes, len(plan.commands), session.reply_seconds)
            try:
                session.apply(self.resolved(site, plan), revert_minutes=window)
            except DeviceError as exc:
                reason = say(ReasonId.PUSH_INTERRUPTED, error=of_error(exc), minutes=str(window))
                return self.fail(site, Status.FAILED, reason, plan=plan)
            self.journal.step(
                self.run_id,
                site.id,
                Step.APPLIED,
                diff=self.labels.masked(ctx.driver, "\n".join(plan.commands)),
            )
            checks, not_run = self._checks(session, site, phase, adopting=adopt)
            ok = all(check.ok for check in checks)
            failed = [c for c in checks if not c.ok]
            if ok:
                fenced = self.locks.fenced(site.id)
                if fenced is not None:  # another holder may be at the router: hands off
                    raise DeviceError(f"not confirmed: {fenced}; the device reverts it by itself")
                session.confirm()
                session.unmark()
                self.journal.step(
                    self.run_id, site.id, Step.CONFIRMED, detail=f"phase={phase.value}", phase=phase
                )
                self._keep_after(site, session)
                return Outcome(site.id, Status.CONFIRMED, plan, checks)
            reverted = run_undo(self, site, session)
        finally:
            self.release(site, session)
        reversal = proven(self, site, backup, reverted).after(failed[-1].name, not_run)
        self.journal.step(
            self.run_id,
            site.id,
            Step.REVERTED,
            ok=reversal.identical is not False,
            detail=reversal.why() + "; " + reversal.said(),
            data=reversal.as_dict(),
        )
        if reversal.identical is not None:
            self.journal.step(
                self.run_id,
                site.id,
                Step.ROLLED_BACK,
                ok=reversal.identical,
                detail="running config identical to backup"
                if reversal.identical
                else "running config DIFFERS from backup",
                **phase_fields(reversal.held),
            )
        return Outcome(
            site.id,
            Status.ROLLED_BACK,
            plan,
            checks,
            detail="; ".join(f"{c.name}: {c.observed}" for c in failed)
            + (f"; reverted at once, {len(not_run)} check(s) not run" if not_run else ""),
            restored_identical=reversal.identical,
            reverted=reversal,
        )

    def _refusal(self, site: Site, backup: Backup, plan: SitePlan) -> Outcome | None:
        """Why ``plan`` must not be pushed at all, as a journaled outcome (or None)."""
        fenced = self.locks.fenced(site.id)
        if fenced is not None:
            reason = say(ReasonId.NOT_PUSHED, why=fenced)
            return self.fail(site, Status.FAILED, reason, plan=plan)
        if plan.conflicts:
            return self._refuse_conflicts(site, plan)
        if plan.refusals:
            reason = self._refused_before_push(site, plan)
            return self.fail(site, Status.REFUSED, reason, plan=plan)
        risk = lockout_step(self.context(site), backup.content, plan)
        if risk is not None:
            return self.fail(site, Status.REFUSED, risk, plan=plan)
        return None

    def after_restore(self, site: Site, backup: Backup) -> tuple[bool, Phase | None]:
        """Whether the router holds exactly ``backup`` now, and the phase whose config it
        holds (None: none of them), from one read of its running config."""
        driver = self.context(site).driver
        session = self.session(site, attempts=self.reconnect_attempts)
        try:
            running = session.running()
        finally:
            self.release(site, session)
        identical = driver.comparable(running) == driver.comparable(backup.content)
        return identical, self.phase_held(site, running)

    def matches_backup(self, site: Site, backup: Backup) -> bool:
        """Whether the router holds exactly ``backup`` (as its platform compares configs)."""
        driver = self.context(site).driver
        session = self.session(site, attempts=self.reconnect_attempts)
        try:
            return driver.comparable(session.running()) == driver.comparable(backup.content)
        finally:
            self.release(site, session)

    def _checks(
        self,
        session: Session,
        site: Site,
        phase: Phase,
        *,
        adopting: bool = False,
        changing: bool = True,
    ) -> tuple[list[Check], list[str]]:
        """Run the verification checks and journal them (one ``verified`` step): the
        checks run and the names of those not run (a change is reverted at its first
        failed check, :func:`run_checks`). An adoption is checked as "the office works as
        it did" only."""
        ctx = self.context(site)
        reconnect = functools.partial(self.sessions.new_session_ms, site.id, session.reply_seconds)
        planned = (
            verify_reachability(session, ctx, phase, adopting=True)
            if adopting
            else verify_site(session, ctx, phase)
        )
        checks, not_run = run_checks(planned, changing=changing)
        new_session = new_session_last(checks, reconnect, changing=changing)
        checks += new_session
        if not new_session:
            not_run.append(NEW_SESSION)
        self.journal.step(
            self.run_id,
            site.id,
            Step.VERIFIED,
            ok=all(c.ok for c in checks),
            detail=json.dumps([c.as_dict() for c in checks]),
            data=[c.as_dict() for c in checks],
        )
        return checks, not_run

    def verify(self, site: Site, phase: Phase) -> Outcome:
        """Run the site's checks for ``phase``; nothing is changed."""
        session = self.session(site)
        try:
            checks, _ = self._checks(session, site, phase, changing=False)
        finally:
            self.release(site, session)
        ok = all(c.ok for c in checks)
        return Outcome(site.id, Status.VERIFIED if ok else Status.FAILED, checks=checks)


def phase_fields(held: Phase | None, **more: str) -> dict[str, Any]:
    """A restore step's record of the phase the router holds now (None: none of them)."""
    return {"phase": held, "data": {"phase": held.value if held else None, **more}}
