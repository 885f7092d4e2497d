"""One registry of the steps a command runs on each site, for both engines.

A step is a function of (pipeline, site, arguments) with a Pydantic model of its
arguments. Nornir runs every step through one generic task (:mod:`netprov.tasks.routers`);
``--engine celery`` sends the step's name and its arguments' JSON to the site's region
worker, which validates them back into the model (:mod:`netprov.rollout.engine.celery_app`). Plans
a person was shown ride along in process only: they are never sent to a worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from netprov.change.outcome import Outcome, Status
from netprov.change.pipeline import Pipeline
from netprov.change.restore import chosen_backup, restore
from netprov.checks.drift import Drift
from netprov.errors import DeviceError
from netprov.models import Phase, Site
from netprov.plan import SitePlan
from netprov.rollout.cutover import Preview, cutover_site, finalize_site, preview_site


class StepName(StrEnum):
    """What a worker is asked to do with a site (the task's ``command``)."""

    BACKUP = "backup"
    PLAN = "plan"
    APPLY = "apply"
    VERIFY = "verify"
    ROLLBACK = "rollback"
    DRIFT = "drift"
    CUTOVER = "cutover"
    CUTOVER_PREVIEW = "cutover_preview"
    FINALIZE = "finalize"
    DRILL = "drill"


class StepArguments(BaseModel):
    """A step's arguments: JSON on the way to a worker, typed on both sides."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class NoArguments(StepArguments):
    pass


class PhaseArguments(StepArguments):
    phase: Phase | None = None  # None: the site's desired phase


class PlanArguments(PhaseArguments):
    adopt: bool = False  # the plan of an adoption: checked without the egress echo's fetch


class ApplyArguments(PhaseArguments):
    # the plans saved by `plan --out` (in process only: apply takes none on workers)
    saved: dict[str, SitePlan] | None = Field(default=None, exclude=True)
    adopt: bool = False


class RollbackArguments(StepArguments):
    run_id: str | None = None
    before_run: str | None = None


class CutoverArguments(StepArguments):
    to: Phase | None
    now: dt.datetime
    # the plans of the next step a person was shown (in process only: see cutover_site)
    shown: dict[str, SitePlan] | None = Field(default=None, exclude=True)


class FinalizeArguments(StepArguments):
    soak: dt.timedelta


class DrillArguments(StepArguments):
    now: dt.datetime


A = TypeVar("A", bound=StepArguments)


@dataclass(frozen=True)
class SiteStep(Generic[A]):
    """One command's work on one site. ``on_workers``: ``--engine celery`` may run it."""

    name: StepName
    arguments: type[A]
    run: Callable[[Pipeline, Site, A], Outcome | Drift | Preview]
    on_workers: bool = False


def _failed(site: Site, exc: DeviceError) -> Outcome:
    return Outcome(site.id, Status.FAILED, detail=str(exc))


def _backup(pipeline: Pipeline, site: Site, _: NoArguments) -> Outcome:
    try:
        session = pipeline.session(site)
        try:
            backup = pipeline.backup(site, session)
        finally:
            session.close()
    except DeviceError as exc:
        return _failed(site, exc)
    return Outcome(site.id, Status.BACKED_UP, detail=backup.sha256)


def _plan(pipeline: Pipeline, site: Site, arguments: PlanArguments) -> Outcome:
    try:
        phase = arguments.phase or site.desired_phase
        return pipeline.plan_only(site, phase, adopting=arguments.adopt)
    except DeviceError as exc:
        return _failed(site, exc)


def _apply(pipeline: Pipeline, site: Site, arguments: ApplyArguments) -> Outcome:
    """The safe change of one site: to its saved plan's phase, ``phase``, or its desired."""
    plan = (arguments.saved or {}).get(site.id)
    target = plan.phase if plan else (arguments.phase or site.desired_phase)
    return pipeline.apply(site, target, plan, adopt=arguments.adopt)


def _verify(pipeline: Pipeline, site: Site, arguments: PhaseArguments) -> Outcome:
    """The checks of one site for ``phase`` (default: its desired phase); changes nothing."""
    try:
        return pipeline.verify(site, arguments.phase or site.desired_phase)
    except DeviceError as exc:
        return _failed(site, exc)


def _rollback(pipeline: Pipeline, site: Site, arguments: RollbackArguments) -> Outcome:
    """Restore a backup: of ``run_id``, the last before ``before_run``, or the one taken
    before the site's last change."""
    journal = pipeline.journal
    backup = chosen_backup(
        journal, site.id, run_id=arguments.run_id, before_run=arguments.before_run
    )
    if isinstance(backup, str):
        return Outcome(site.id, Status.FAILED, detail=backup)
    return restore(pipeline, site, backup)


def _drift(pipeline: Pipeline, site: Site, _: NoArguments) -> Drift | Outcome:
    """Read-only: the site's drift (nothing is changed)."""
    try:
        return pipeline.drift(site)
    except DeviceError as exc:
        return _failed(site, exc)


def _cutover(pipeline: Pipeline, site: Site, arguments: CutoverArguments) -> Outcome:
    """One site from its actual phase to its target, phase by phase (with ``shown``: its
    next step only, as the plan a person was shown)."""
    return cutover_site(pipeline, site, arguments.to, arguments.now, arguments.shown)


def _cutover_preview(pipeline: Pipeline, site: Site, arguments: CutoverArguments) -> Preview:
    """What a cutover would push to one site first, shown before it is pushed."""
    return preview_site(pipeline, site, arguments.to, arguments.now)


def _finalize(pipeline: Pipeline, site: Site, arguments: FinalizeArguments) -> Outcome:
    """Take a soaked site from central to final."""
    return finalize_site(pipeline, site, arguments.soak)


def _drill(pipeline: Pipeline, site: Site, arguments: DrillArguments) -> Outcome:
    """The failover drill on one site (primary down, backup carries, primary back)."""
    from netprov.rollout.drill import drill_site

    return drill_site(pipeline, site.id, arguments.now)


BACKUP = SiteStep(StepName.BACKUP, NoArguments, _backup)
PLAN = SiteStep(StepName.PLAN, PlanArguments, _plan)
APPLY = SiteStep(StepName.APPLY, ApplyArguments, _apply, on_workers=True)
VERIFY = SiteStep(StepName.VERIFY, PhaseArguments, _verify, on_workers=True)
ROLLBACK = SiteStep(StepName.ROLLBACK, RollbackArguments, _rollback, on_workers=True)
DRIFT = SiteStep(StepName.DRIFT, NoArguments, _drift)
CUTOVER = SiteStep(StepName.CUTOVER, CutoverArguments, _cutover, on_workers=True)
CUTOVER_PREVIEW = SiteStep(StepName.CUTOVER_PREVIEW, CutoverArguments, _cutover_preview)
FINALIZE = SiteStep(StepName.FINALIZE, FinalizeArguments, _finalize)
DRILL = SiteStep(StepName.DRILL, DrillArguments, _drill, on_workers=True)

STEPS: dict[StepName, SiteStep[Any]] = {
    step.name: step
    for step in (
        BACKUP,
        PLAN,
        APPLY,
        VERIFY,
        ROLLBACK,
        DRIFT,
        CUTOVER,
        CUTOVER_PREVIEW,
        FINALIZE,
        DRILL,
    )
}
