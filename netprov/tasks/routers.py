"""The one Nornir task of netprov: a registered step (:mod:`netprov.rollout.steps`) on one site.

The work is in the step; the task only picks the site, runs the step and reports what
it found as a Nornir ``Result`` (``failed`` and ``changed`` from an outcome).
"""

from __future__ import annotations

from typing import Any

from nornir.core.task import Result, Task

from netprov.change.outcome import Outcome
from netprov.change.pipeline import Pipeline
from netprov.models import Site
from netprov.rollout.steps import SiteStep, StepArguments


def site_task(
    task: Task, *, pipeline: Pipeline, step: SiteStep[Any], arguments: StepArguments
) -> Result:
    """``step`` on the task's site with ``arguments``."""
    site: Site = task.host.data["site"]
    found = step.run(pipeline, site, arguments)
    if isinstance(found, Outcome):
        return Result(host=task.host, result=found, changed=found.changed, failed=found.failed)
    return Result(host=task.host, result=found)
