"""One JSON vocabulary across commands (issue 39, item 5): the same names for the same
things (``run_id``; ``desired_phase``/``journal_phase``; per-site rows in ``sites``), ISO
8601 times with their offset, nested objects rather than JSON inside strings, and a usage
error as a JSON document on stdout when ``--json`` was asked for (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.models import Phase
from netprov.state.journal import Journal
from netprov.state.journal_rows import RunStatus, Step
from tests.conftest import SAMPLE, TODAY

CHECKS = [
    {"name": "ping central gateway 100.72.44.1", "expected": "<= 20% loss", "ok": False},
    {"name": "management session", "expected": "answers", "observed": "12 ms", "ok": True},
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(url, tmp_path / "b")
    run = journal.start_run("apply", phase=Phase.DUAL, change_id="CR-1")
    journal.step(run, "setda", Step.VERIFIED, ok=False, detail=json.dumps(CHECKS), data=CHECKS)
    journal.step(run, "setda", Step.CONFIRMED, detail="legacy -> dual", phase=Phase.DUAL)
    journal.finish_run(run, RunStatus.DONE)
    return url


def _document(cli: CliRunner, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _aware(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert "T" in text, text
    assert moment.utcoffset() is not None, text
    return moment


def test_runs_name_the_run_run_id_with_times_and_their_offset(cli: CliRunner, db: str) -> None:
    (item,) = _document(cli, "runs", "--db", db)["items"]
    assert "id" not in item
    assert item["run_id"].count("-") == 2
    assert _aware(item["started_at"]) <= _aware(item["finished_at"])


def test_a_runs_steps_hold_objects_not_json_in_strings(cli: CliRunner, db: str) -> None:
    run_id = _document(cli, "runs", "--db", db)["items"][0]["run_id"]
    document = _document(cli, "run", run_id, "--db", db)
    assert document["run_id"] == run_id
    assert document["run"]["command"] == "apply"  # the run, named as in `runs`
    assert document["run"]["run_id"] == run_id
    verified, confirmed = document["items"]
    assert verified["detail"] == "2 check(s), 1 failed"
    assert verified["data"] == CHECKS  # an object, not a string to decode again
    assert confirmed["phase"] == "dual"
    _aware(verified["at"])


def test_status_names_phases_as_drift_does(cli: CliRunner, db: str) -> None:
    document = _document(
        cli, "status", "--inventory", str(SAMPLE), "--db", db, "--limit", "setda,dinsos"
    )
    rows = {row["site"]: row for row in document["sites"]}
    assert rows["setda"]["desired_phase"] == "legacy"
    assert rows["setda"]["journal_phase"] == "dual"
    assert rows["setda"]["state"] == "ahead"
    assert {"desired", "phase", "at"}.isdisjoint(rows["setda"])
    _aware(rows["setda"]["last_at"])
    assert rows["setda"]["last_run_id"] == document["sites"][0]["last_run_id"]
    assert rows["dinsos"]["last_at"] is None


def test_allocate_puts_each_site_in_sites(cli: CliRunner) -> None:
    document = _document(cli, "allocate", "--inventory", str(SAMPLE), "--today", str(TODAY))
    sites = {row["site"]: row for row in document["sites"]}
    assert len(sites) == 82
    assert sites["setda"]["ceiling_kbps"] >= sites["setda"]["guaranteed_kbps"]
    providers = {row["provider"]: row for row in document["providers"]}
    assert providers["langit7"]["sites"] == sum(
        row["provider"] == "langit7" for row in document["sites"]
    )
    assert "items" not in document


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["plan", "--phase", "bogus"], "--phase"),
        (["status", "--bogus"], "--bogus"),
        (["runs", "--last", "0"], "--last"),
    ],
)
def test_a_usage_error_with_json_is_a_json_document(
    cli: CliRunner, args: list[str], option: str
) -> None:
    document = _document(cli, *args, code=2)
    assert document["command"] == args[0]
    assert document["ok"] is False
    assert document["error"] == "usage"
    (problem,) = document["problems"]
    assert problem["severity"] == "error"
    assert option in problem["field"] + problem["message"]


def test_a_usage_error_without_json_prints_nothing_on_stdout(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "--phase", "bogus"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "bogus" in result.stderr
