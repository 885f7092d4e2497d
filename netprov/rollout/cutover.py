"""Cutover orchestration: canary first, then waves, each site stepped through
``legacy -> dual -> central`` by the safe change pipeline, with a health gate per wave.

Never a big-bang (DOMAIN.md, report 002): a wave whose failure rate exceeds the gate stops
the rollout; failed sites are already back on their backups (the pipeline did that);
sites outside their maintenance window are not touched. A re-run (``--resume``) first
reconciles each site with its router, so nothing is done twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline, phase_fields
from netprov.errors import DeviceError
from netprov.models import MaintenanceWindow, Organisation, Phase, Site, Weekday
from netprov.plan import SitePlan
from netprov.said import ReasonId, Said, error_reason
from netprov.state.journal import Step, phase_recorded

CUTOVER_PHASES = [Phase.LEGACY, Phase.DUAL, Phase.CENTRAL]  # `final` is netprov finalize's job
_DAYS = list(Weekday)


def phase_path(actual: Phase, target: Phase) -> list[Phase]:
    """The phases to apply, one step at a time, to get from ``actual`` to ``target``.

    Examples:
        >>> [p.value for p in phase_path(Phase.LEGACY, Phase.CENTRAL)]
        ['dual', 'central']
        >>> [p.value for p in phase_path(Phase.CENTRAL, Phase.LEGACY)]
        ['dual', 'legacy']
        >>> phase_path(Phase.DUAL, Phase.DUAL)
        []
    """
    order = list(Phase)
    start, end = order.index(actual), order.index(target)
    step = 1 if end >= start else -1
    return [order[i] for i in range(start + step, end + step, step)] if start != end else []


def in_window(window: MaintenanceWindow | None, now: dt.datetime) -> bool:
    """Whether ``now`` (site local time) falls in the window; a window may run past midnight.

    Examples:
        >>> w = MaintenanceWindow(days=[Weekday.MON], start=dt.time(22), end=dt.time(5))
        >>> in_window(w, dt.datetime(2026, 11, 23, 23, 0))  # Monday night
        True
        >>> in_window(w, dt.datetime(2026, 11, 24, 4, 0))  # early Tuesday, same window
        True
        >>> in_window(w, dt.datetime(2026, 11, 24, 12, 0))
        False
    """
    if window is None:
        return True
    days = {_DAYS.index(d) for d in window.days}
    moment = now.time()
    if window.start <= window.end:
        return now.weekday() in days and window.start <= moment <= window.end
    if moment >= window.start:
        return now.weekday() in days
    return moment <= window.end and (now.weekday() - 1) % 7 in days


def plan_waves(sites: list[Site], wave_size: int | None = None) -> list[list[Site]]:
    """Canary (wave 0) first, then the inventory's waves in order, or chunks of ``wave_size``.

    Examples:
        >>> from types import SimpleNamespace as S
        >>> sites = [S(id=f"s{i}", wave=w) for i, w in enumerate([2, 0, 1, 1, 0])]
        >>> [[s.id for s in wave] for wave in plan_waves(sites)]  # type: ignore[arg-type]
        [['s1', 's4'], ['s2', 's3'], ['s0']]
        >>> [[s.id for s in wave] for wave in plan_waves(sites, 2)]  # type: ignore[arg-type]
        [['s1', 's4'], ['s2', 's3'], ['s0']]
    """
    canary = [s for s in sites if s.wave == 0]
    rest = sorted((s for s in sites if s.wave != 0), key=lambda s: (s.wave, s.id))
    if wave_size:
        waves = [rest[i : i + wave_size] for i in range(0, len(rest), wave_size)]
    else:
        numbers = sorted({s.wave for s in rest})
        waves = [[s for s in rest if s.wave == number] for number in numbers]
    return [wave for wave in [canary, *waves] if wave]


def cutover_target(site: Site, to: Phase | None) -> Phase:
    target = to or site.desired_phase
    return Phase.CENTRAL if target is Phase.FINAL else target


def actual_phase(pipeline: Pipeline, site: Site) -> Phase | None:
    """The phase the router is really in: the journal's guess first, checked against the
    running config; None when it matches no phase (changed by hand: needs a person)."""
    session = pipeline.session(site)
    try:
        pipeline.guard(site, session)  # never settle another journal's change
        settled = session.settle()  # never build on a change that would still revert itself
        if not settled:
            running = session.running()
    finally:
        pipeline.release(site, session)
    if settled:
        session = pipeline.session(site, attempts=pipeline.reconnect_attempts)  # it may reboot
        try:
            running = session.running()
        finally:
            pipeline.release(site, session)
    return pipeline.phase_held(site, running)


def reconcile(pipeline: Pipeline, site: Site, actual: Phase | None) -> None:
    """Journal the phase the router was found in when the journal says another (a run
    killed between a router's confirm and the journal's record, a change by hand, a
    journal that never saw the site): from here on the journal's phase is the router's."""
    record = pipeline.journal.phase_record(site.id)
    recorded = record.phase if record is not None else Phase.LEGACY  # never changed: legacy
    if actual is recorded:
        return
    said = recorded.value if recorded is not None else "no phase"
    found = actual.value if actual is not None else "no phase netprov renders"
    pipeline.journal.step(
        pipeline.run_id,
        site.id,
        Step.RECONCILED,
        ok=actual is not None,
        detail=f"router found in {found}; the journal said {said}",
        **phase_fields(actual),
    )


def site_time(site: Site, org: Organisation, now: dt.datetime) -> dt.datetime:
    """``now`` on the site's wall clock (its zone, else the organisation's); a time without
    an offset is the organisation's wall clock, as ``--now`` reads it."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(org.timezone))
    return now.astimezone(ZoneInfo(site.timezone or org.timezone))


def skipped_outside_window(pipeline: Pipeline, site: Site, now: dt.datetime) -> Outcome | None:
    """A journaled skip when ``now`` is outside the site's maintenance window, else None."""
    local = site_time(site, pipeline.loaded.organisation, now)
    if in_window(site.maintenance_window, local.replace(tzinfo=None)):
        return None
    reason = f"outside its maintenance window (site time {local:%Y-%m-%d %H:%M %Z})"
    at = {"date": f"{local:%Y-%m-%d}", "clock": f"{local:%H:%M}", "zone": f"{local:%Z}"}
    pipeline.journal.step(
        pipeline.run_id, site.id, Step.SKIPPED, detail=reason, data={"site_time": at}
    )
    return Outcome(site.id, Status.SKIPPED, detail=reason)


@dataclass
class Preview:
    """What a cutover would push to one site, read from its router before anything is:
    the phase it is in, the phases it steps through, the first step's plan (what is
    pushed first, exactly), or why nothing is planned (``note``)."""

    site: str
    actual: Phase | None = None
    steps: list[Phase] = field(default_factory=list)
    plan: SitePlan | None = None
    note: str = ""

    @property
    def pushes(self) -> bool:
        """Its first step would be pushed (a change without a clash)."""
        return self.plan is not None and self.plan.changed and not self.plan.conflicts

    def line(self) -> str:
        """One line for a person: from where to where, and what is pushed first."""
        if self.plan is None:
            return f"{self.site}: {self.note}"
        path = f"{self.site}: {self.actual.value if self.actual else '?'} -> {self.steps[-1].value}"
        first = f"{self.steps[0].value} {len(self.plan.commands)} command(s)"
        if self.plan.conflicts:
            first = f"{self.steps[0].value} refused, it clashes: {'; '.join(self.plan.conflicts)}"
        later = ", ".join(p.value for p in self.steps[1:])
        then = f", then {later} (shown and asked for once confirmed)" if later else ""
        return f"{path}: {first}{then}"


def preview_site(pipeline: Pipeline, site: Site, to: Phase | None, now: dt.datetime) -> Preview:
    """Read-only but for the journaled plan: what :func:`cutover_site` would push first."""
    local = site_time(site, pipeline.loaded.organisation, now)
    if not in_window(site.maintenance_window, local.replace(tzinfo=None)):
        return Preview(site.id, note=f"skipped, outside its window ({local:%Y-%m-%d %H:%M %Z})")
    try:
        session = pipeline.session(site)
        try:
            marker = session.marker()
            running = session.running()
        finally:
            pipeline.release(site, session)
    except DeviceError as exc:
        return Preview(site.id, note=f"not read ({exc}): nothing is pushed to it")
    if marker is not None:
        return Preview(site.id, note=f"change {marker.run} is armed on it: nothing is pushed to it")
    actual = pipeline.phase_held(site, running)
    if actual is None:
        return Preview(site.id, note="running config matches no phase: reconcile by hand")
    steps = phase_path(actual, cutover_target(site, to))
    if not steps:
        return Preview(site.id, actual, note=f"already {actual.value}: nothing to push")
    return Preview(site.id, actual, steps, pipeline.plan(site, steps[0], running))


def cutover_site(
    pipeline: Pipeline,
    site: Site,
    to: Phase | None,
    now: dt.datetime,
    shown: dict[str, SitePlan] | None = None,
) -> Outcome:
    """Step ``site`` from the phase its router is in to its target. With ``shown`` (the
    plans of the next step a person was shown and agreed to), that one step is pushed,
    only as shown: a router that changed since, or a site shown nothing, is refused; the
    step after is shown and asked for again (nothing is pushed unseen)."""
    skipped = skipped_outside_window(pipeline, site, now)
    if skipped is not None:
        return skipped

    def work(settle: bool) -> Outcome:
        """The lock held from reconciliation to the last confirm, across the phases: a
        second holder (a task delivered twice) never sees the site between two phases."""
        try:
            if settle:
                pipeline.settle(site)
        except DeviceError as exc:
            return pipeline.fail(site, Status.FAILED, error_reason(exc))
        with pipeline.holding(site):  # one SSH session from reconciliation to the last confirm
            return _step_site(pipeline, site, to, shown)

    return pipeline.under_lock(site, work)


def _step_site(
    pipeline: Pipeline, site: Site, to: Phase | None, shown: dict[str, SitePlan] | None
) -> Outcome:
    try:
        actual = actual_phase(pipeline, site)
    except DeviceError as exc:
        return Outcome(site.id, Status.FAILED, detail=str(exc))
    reconcile(pipeline, site, actual)
    if actual is None:
        pipeline.journal.step(
            pipeline.run_id,
            site.id,
            Step.FAILED,
            ok=False,
            detail=str(Said(ReasonId.NO_PHASE)),
            data={"reason": Said(ReasonId.NO_PHASE).as_dict()},
        )
        return Outcome(
            site.id, Status.FAILED, detail="running config matches no phase: reconcile by hand"
        )
    target = cutover_target(site, to)
    steps = phase_path(actual, target)
    if not steps:
        return Outcome(site.id, Status.UNCHANGED, detail=f"already {target.value}")
    if shown is not None:
        steps = steps[:1]  # the one step shown; the next one is shown and asked for again
    for index, phase in enumerate(steps):
        saved = (shown or {}).get(site.id) if index == 0 else None
        if shown is not None and index == 0 and (saved is None or saved.phase is not phase):
            reason = Said(ReasonId.NOT_SHOWN, {"phase": phase.value})
            return pipeline.fail(site, Status.STALE, reason)
        outcome = pipeline.apply(site, phase, saved)
        if outcome.failed:
            outcome.detail = f"{phase.value}: {outcome.detail}"
            return outcome
    return Outcome(site.id, Status.CONFIRMED, detail=f"{actual.value} -> {steps[-1].value}")


@dataclass
class WaveResult:
    number: int
    outcomes: list[Outcome]

    @property
    def attempted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not Status.SKIPPED]

    @property
    def failure_rate(self) -> float:
        attempted = self.attempted
        return sum(o.failed for o in attempted) / len(attempted) if attempted else 0.0


@dataclass
class CutoverResult:
    waves: list[WaveResult] = field(default_factory=list)
    stopped: str | None = None  # why the rollout stopped early
    untouched: list[str] = field(default_factory=list)  # sites of waves never started

    @property
    def skipped(self) -> list[Outcome]:
        return [o for w in self.waves for o in w.outcomes if o.status is Status.SKIPPED]

    @property
    def nothing_attempted(self) -> bool:
        """Every selected site was outside its window: nothing moved, which is no success."""
        return bool(self.skipped) and not any(w.attempted for w in self.waves)

    @property
    def ok(self) -> bool:
        return (
            self.stopped is None
            and not self.nothing_attempted
            and not any(o.failed for w in self.waves for o in w.outcomes)
        )


def run_cutover(
    pipeline: Pipeline,
    waves: list[list[Site]],
    *,
    run_wave: Callable[[list[Site]], list[Outcome]],
    max_fail: float,
    proceed: Callable[[int, WaveResult], bool],
) -> CutoverResult:
    """Run the waves in order; stop when a wave's failure rate exceeds ``max_fail`` or
    ``proceed`` (the confirmation between waves) says no."""
    result = CutoverResult()
    for number, wave in enumerate(waves):
        wave_result = WaveResult(number, run_wave(wave))
        result.waves.append(wave_result)
        remaining = [s.id for later in waves[number + 1 :] for s in later]
        if wave_result.failure_rate > max_fail:
            result.stopped = (
                f"wave {number} failed {wave_result.failure_rate:.0%} of its sites "
                f"(gate {max_fail:.0%}): rollout stopped"
            )
            result.untouched = remaining
            break
        if remaining and not proceed(number, wave_result):
            result.stopped = f"stopped by the operator after wave {number}"
            result.untouched = remaining
            break
    return result


def parse_duration(text: str) -> dt.timedelta:
    """Examples:
    >>> parse_duration("14d"), parse_duration("12h"), parse_duration("0s")
    (datetime.timedelta(days=14), datetime.timedelta(seconds=43200), datetime.timedelta(0))
    """
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds", "w": "weeks"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"{text!r} is not a duration like 14d, 12h, 30m")
    return dt.timedelta(**{units[text[-1]]: int(text[:-1])})


def soaked(pipeline: Pipeline, site: Site, soak: dt.timedelta) -> str | None:
    """Why ``site`` may not be finalised yet (None: it has run clean on central long enough)."""
    steps = pipeline.journal.steps_for(site.id)
    since = next((s for s in reversed(steps) if phase_recorded(s) is not None), None)
    if since is None or since.phase is not Phase.CENTRAL:
        if since is None or since.step is Step.CONFIRMED:
            return "not confirmed on the central provider"
        now_in = since.phase.value if since.phase is not None else "no phase netprov renders"
        return f"not on the central provider ({since.step.value} in run {since.run_id}: {now_in})"
    started = since.at if since.at.tzinfo else since.at.replace(tzinfo=dt.UTC)
    if dt.datetime.now(dt.UTC) - started < soak:
        return f"on central since {started:%Y-%m-%d %H:%M}, soak not over"
    later_failures = [s for s in steps if s.id > since.id and not s.ok]
    if later_failures:
        return f"a check failed since ({later_failures[-1].step}: {later_failures[-1].detail[:80]})"
    return None


def finalize_site(pipeline: Pipeline, site: Site, soak: dt.timedelta) -> Outcome:
    """central -> final (the office ISP line removed), after the soak and a fresh verify."""
    reason = soaked(pipeline, site, soak)
    if reason is not None:
        return Outcome(site.id, Status.SKIPPED, detail=reason)
    try:
        check = pipeline.verify(site, Phase.CENTRAL)
    except DeviceError as exc:
        return Outcome(site.id, Status.FAILED, detail=str(exc))
    if check.failed:
        return Outcome(
            site.id, Status.FAILED, checks=check.checks, detail="fresh verify failed: not finalised"
        )
    outcome = pipeline.apply(site, Phase.FINAL)
    if outcome.status is Status.CONFIRMED:
        outcome.detail = "legacy line removed: ready to decommission the office ISP contract"
    return outcome
