"""Nornir tasks of the safe change pipeline: thin wrappers, one site each.

The work is in :class:`netprov.pipeline.Pipeline`; a task only picks the site, calls it and
reports the outcome as a Nornir ``Result`` (``failed`` and ``changed`` set from it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from nornir.core.task import Result, Task

from netprov.cutover import cutover_site, finalize_site, preview_site
from netprov.device import DeviceError
from netprov.models import Phase, Site
from netprov.outcome import Outcome, Status
from netprov.pipeline import Pipeline
from netprov.plan import SitePlan
from netprov.restore import chosen_backup, restore


def _site(task: Task) -> Site:
    site: Site = task.host.data["site"]
    return site


def _result(task: Task, outcome: Outcome) -> Result:
    return Result(host=task.host, result=outcome, changed=outcome.changed, failed=outcome.failed)


def backup_task(task: Task, *, pipeline: Pipeline) -> Result:
    site = _site(task)
    try:
        session = pipeline.session(site)
        try:
            backup = pipeline.backup(site, session)
        finally:
            session.close()
    except DeviceError as exc:
        return _result(task, Outcome(site.id, Status.FAILED, detail=str(exc)))
    return Result(host=task.host, result=Outcome(site.id, Status.BACKED_UP, detail=backup.sha256))


def plan_task(task: Task, *, pipeline: Pipeline, phase: Phase | None = None) -> Result:
    site = _site(task)
    try:
        outcome = pipeline.plan_only(site, phase or site.desired_phase)
    except DeviceError as exc:
        return _result(task, Outcome(site.id, Status.FAILED, detail=str(exc)))
    return Result(
        host=task.host, result=outcome, changed=bool(outcome.plan and outcome.plan.changed)
    )


def apply_task(
    task: Task,
    *,
    pipeline: Pipeline,
    phase: Phase | None = None,
    saved: dict[str, SitePlan] | None = None,
    adopt: bool = False,
) -> Result:
    site = _site(task)
    return _result(task, apply_step(pipeline, site, phase=phase, saved=saved, adopt=adopt))


def apply_step(
    pipeline: Pipeline,
    site: Site,
    *,
    phase: Phase | None = None,
    saved: dict[str, SitePlan] | None = None,
    adopt: bool = False,
) -> Outcome:
    """The safe change of one site: to its saved plan's phase, ``phase``, or its desired."""
    plan = (saved or {}).get(site.id)
    target = plan.phase if plan else (phase or site.desired_phase)
    return pipeline.apply(site, target, plan, adopt=adopt)


def verify_task(task: Task, *, pipeline: Pipeline, phase: Phase | None = None) -> Result:
    return _result(task, verify_step(pipeline, _site(task), phase=phase))


def verify_step(pipeline: Pipeline, site: Site, *, phase: Phase | None = None) -> Outcome:
    """The checks of one site for ``phase`` (default: its desired phase); changes nothing."""
    try:
        return pipeline.verify(site, phase or site.desired_phase)
    except DeviceError as exc:
        return Outcome(site.id, Status.FAILED, detail=str(exc))


def rollback_task(
    task: Task, *, pipeline: Pipeline, run_id: str | None = None, before_run: str | None = None
) -> Result:
    return _result(task, rollback_step(pipeline, _site(task), run_id=run_id, before_run=before_run))


def rollback_step(
    pipeline: Pipeline, site: Site, *, run_id: str | None = None, before_run: str | None = None
) -> Outcome:
    """Restore a backup: of ``run_id``, the last before ``before_run``, or the one taken
    before the site's last change."""
    backup = chosen_backup(pipeline.journal, site.id, run_id=run_id, before_run=before_run)
    if isinstance(backup, str):
        return Outcome(site.id, Status.FAILED, detail=backup)
    return restore(pipeline, site, backup)


def cutover_task(
    task: Task,
    *,
    pipeline: Pipeline,
    to: Phase | None,
    now: dt.datetime,
    shown: dict[str, SitePlan] | None = None,
) -> Result:
    """Step one site from its actual phase to its target, phase by phase (with ``shown``:
    its first step only as the plan a person was shown)."""
    return _result(task, cutover_site(pipeline, _site(task), to, now, shown))


def cutover_preview_task(
    task: Task, *, pipeline: Pipeline, to: Phase | None, now: dt.datetime
) -> Result:
    """What a cutover would push to one site first, shown before it is pushed."""
    return Result(host=task.host, result=preview_site(pipeline, _site(task), to, now))


def finalize_task(task: Task, *, pipeline: Pipeline, soak: dt.timedelta) -> Result:
    """Take a soaked site from central to final."""
    return _result(task, finalize_site(pipeline, _site(task), soak))


def drill_task(task: Task, *, pipeline: Pipeline, now: dt.datetime) -> Result:
    """The failover drill on one site (primary down, backup carries, primary back)."""
    return _result(task, drill_step(pipeline, _site(task), now=now))


def drill_step(pipeline: Pipeline, site: Site, *, now: dt.datetime) -> Outcome:
    """The failover drill on one site, inside its maintenance window."""
    from netprov.drill import drill_site

    return drill_site(pipeline, site.id, now)


def cutover_step(pipeline: Pipeline, site: Site, *, to: Phase | None, now: dt.datetime) -> Outcome:
    """One site from its actual phase to its target, phase by phase."""
    return cutover_site(pipeline, site, to, now)


# what a region worker runs for each command that can run on workers (--engine celery):
# the Nornir task the command runs in process -> the name its site step goes by
WORKER_STEPS: dict[Callable[..., Result], str] = {
    cutover_task: "cutover",
    apply_task: "apply",
    verify_task: "verify",
    rollback_task: "rollback",
    drill_task: "drill",
}
# and the step each name stands for, on the worker
STEP_FUNCTIONS: dict[str, Callable[..., Outcome]] = {
    "cutover": cutover_step,
    "apply": apply_step,
    "verify": verify_step,
    "rollback": rollback_step,
    "drill": drill_step,
}


def drift_task(task: Task, *, pipeline: Pipeline) -> Result:
    """Read-only: the site's drift (the Nornir result carries it; nothing is changed)."""
    site = _site(task)
    try:
        found = pipeline.drift(site)
    except DeviceError as exc:
        return _result(task, Outcome(site.id, Status.FAILED, detail=str(exc)))
    return Result(host=task.host, result=found)
