"""One typed step registry for both engines (issue 41): every command's per-site work is
a registered step; Nornir runs them all through one task and a worker gets the step's
name and its arguments' JSON, validated back into the same model."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from pydantic import ValidationError

from netprov.models import Phase
from netprov.rollout import steps
from netprov.tasks import routers

EXAMPLES: dict[steps.StepName, steps.StepArguments] = {
    steps.StepName.BACKUP: steps.NoArguments(),
    steps.StepName.PLAN: steps.PlanArguments(phase=Phase.DUAL, adopt=True),
    steps.StepName.APPLY: steps.ApplyArguments(phase=Phase.CENTRAL, adopt=True),
    steps.StepName.VERIFY: steps.PhaseArguments(),
    steps.StepName.ROLLBACK: steps.RollbackArguments(before_run="20261124-020000-abcdef"),
    steps.StepName.DRIFT: steps.NoArguments(),
    steps.StepName.CUTOVER: steps.CutoverArguments(
        to=Phase.DUAL, now=dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)
    ),
    steps.StepName.CUTOVER_PREVIEW: steps.CutoverArguments(
        to=None, now=dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)
    ),
    steps.StepName.FINALIZE: steps.FinalizeArguments(soak=dt.timedelta(days=14)),
    steps.StepName.DRILL: steps.DrillArguments(now=dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)),
}


def test_every_step_name_has_one_registered_step() -> None:
    assert set(steps.STEPS) == set(steps.StepName) == set(EXAMPLES)
    assert all(name is step.name for name, step in steps.STEPS.items())


@pytest.mark.parametrize("name", sorted(steps.StepName))
def test_a_steps_arguments_come_back_from_json_as_they_left(name: steps.StepName) -> None:
    step = steps.STEPS[name]
    sent = EXAMPLES[name]
    assert isinstance(sent, step.arguments)
    assert step.arguments.model_validate(sent.model_dump(mode="json")) == sent


def test_plans_a_person_was_shown_never_travel_to_a_worker() -> None:
    shown = steps.CutoverArguments(to=None, now=dt.datetime(2026, 11, 24), shown={})
    assert "shown" not in shown.model_dump(mode="json")
    assert "saved" not in steps.ApplyArguments(saved={}).model_dump(mode="json")


def test_a_misspelt_argument_is_refused_not_dropped() -> None:
    with pytest.raises(ValidationError):
        steps.RollbackArguments.model_validate({"run": "x"})


def test_nornir_runs_every_step_through_one_task() -> None:
    tasks = [name for name, _ in inspect.getmembers(routers, inspect.isfunction)]
    assert [t for t in tasks if t.endswith("_task")] == ["site_task"]
