"""One typed step registry for both engines (issue 41): every command's per-site work is
a registered step; Nornir runs them all through one task and a worker gets the step's
name and its arguments' JSON, validated back into the same model."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
from pathlib import Path

import pytest
from pydantic import ValidationError

from netprov.models import Phase
from netprov.rollout import steps
from netprov.tasks import routers
from tests.conftest import REPO

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


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, inside functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_engine_is_chosen_below_the_cli() -> None:
    """Which engine steps the sites (Nornir in this process, or the region workers) is
    rollout's choice (:func:`netprov.rollout.runner.run_step`); the CLI only parses
    ``--engine``/``--broker`` into it. Only ``netprov worker`` runs the Celery engine."""
    engines = ("netprov.rollout.engine", "netprov.tasks.routers")
    found = sorted(
        f"{path.name}: {module}"
        for path in (REPO / "netprov" / "cli").glob("*.py")
        if path.name != "workers.py"  # the worker command starts a worker: its own side
        for module in _imported(path)
        if module.startswith(engines)
    )
    assert found == []


def test_rollout_refuses_a_step_only_this_process_runs_on_the_workers() -> None:
    """The choice below the CLI: a plan shown to a person is not sent to a worker."""
    from netprov.engines import Engine
    from netprov.rollout.runner import NotOnWorkers, Where, run_step

    where = Where(Engine.CELERY, broker="redis://127.0.0.1:1/0")
    with pytest.raises(NotOnWorkers, match="plan does not run on workers"):
        run_step(where, None, None, [], steps.PLAN, steps.PlanArguments(), "plan", console=None)  # type: ignore[arg-type]
