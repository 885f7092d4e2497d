"""A new user's first day (issue 39, reviewed as one): commands run as an engineer runs
them, in a process of their own at COLUMNS=80 with no terminal (a CI log, a pipe), and
every line they print fits 80 columns, says what to do next when something is missing,
and carries nothing stray (a blank line, Python's ``None``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from tests.conftest import SAMPLE, TODAY


def _netprov(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "NETPROV_SECRETS": "skip"}
    return subprocess.run(
        [sys.executable, "-m", "netprov", *args],
        cwd=cwd,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _wide(text: str) -> list[str]:
    return [line for line in text.splitlines() if _width(line) > 80]


def test_render_prints_no_stray_blank_line_without_a_terminal(tmp_path: Path) -> None:
    """The progress bar is for a terminal: in a pipe or a CI log it printed an empty line
    on stderr, which landed above the result."""
    done = _netprov(
        "render", "-i", str(SAMPLE), "--limit", "setda", "--out", str(tmp_path / "out"),
        "--today", TODAY.isoformat(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert not _wide(done.stdout)


def test_an_empty_folder_says_what_to_do_next(tmp_path: Path) -> None:
    """The first command in a new folder: where netprov looked, and how to start."""
    done = _netprov("validate", cwd=tmp_path)
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert str(tmp_path / "inventory") in said
    assert "--inventory" in said
    assert "examples/four-offices" in said
    assert all(" " not in line for line in _wide(done.stderr))  # a long path kept whole


def test_usage_errors_fit_80_columns(tmp_path: Path) -> None:
    """click prints a usage error on one line however long: a misspelt site lists the
    known ones, a misspelt phase the phases; each wraps at the terminal's width."""
    for args, needle in (
        (["plan", "--twin", "--phase", "duel"], "legacy, dual, central, final"),
        (["plan", "--twin", "--limit", "zzzz", "-i", str(SAMPLE)], "desa-balokang"),
    ):
        done = _netprov(*args, cwd=tmp_path)
        assert done.returncode == 2
        assert needle in " ".join(done.stderr.split())
        assert not _wide(done.stderr), done.stderr


def test_one_line_messages_fit_80_columns(tmp_path: Path) -> None:
    """A result or an error of one sentence wraps at the terminal's width."""
    runs = _netprov("runs", cwd=tmp_path)
    assert runs.returncode == 1
    assert "no journal" in runs.stderr
    assert not _wide(runs.stderr), runs.stderr
    check = _netprov(
        "check", "-i", str(SAMPLE), "--today", TODAY.isoformat(), "--no-backups",
        cwd=tmp_path,
    )  # fmt: skip
    assert "check passed" in check.stdout, check.stdout + check.stderr
    summary = check.stdout[check.stdout.index("✓ check passed") :]  # findings: file:line
    assert not _wide(summary), summary


def test_unlock_of_a_site_not_locked_says_so_in_words(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'state.db'}"
    backups = str(tmp_path / "b")
    today = TODAY.isoformat()
    _netprov("plan", "--twin", "-i", str(SAMPLE), "--limit", "setda", "--db", db,
             "--backups", backups, "--today", today, cwd=tmp_path)  # fmt: skip
    done = _netprov("unlock", "setda", "--run", "20261207-004001-5588af", "--db", db, cwd=tmp_path)
    assert done.returncode == 1
    assert "None" not in done.stderr
    assert "is not locked" in done.stderr, done.stderr


def test_a_command_that_stops_with_json_prints_a_document(tmp_path: Path) -> None:
    """A script asked for JSON: a journal not found (runs in a new folder) is a document
    on stdout too, not an empty stdout its JSON reader chokes on (docs/json.md)."""
    done = _netprov("runs", "--json", cwd=tmp_path)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert (document["command"], document["ok"], document["error"]) == ("runs", False, "stopped")
    (problem,) = document["problems"]
    assert problem["severity"] == "error"
    assert "no journal" in problem["message"]
    assert "no journal" in done.stderr


def test_a_run_without_steps_reads_as_a_sentence(tmp_path: Path) -> None:
    """drift journals a run with no step: its header had a double space where the phase
    is missing, and an empty table under it."""
    from netprov.state.journal import Journal, RunStatus

    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db, tmp_path / "b")
    run = journal.start_run("drift")
    journal.finish_run(run, RunStatus.DONE)
    done = _netprov("run", run, "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"run {run}: drift by " in done.stdout
    assert "no steps" in done.stdout
    assert "detail" not in done.stdout  # no table header over nothing


def test_waves_are_given_as_the_help_says_n_comma(tmp_path: Path) -> None:
    """--help says ``--wave N,...`` (as ``--kind KIND,...``): ``--wave 0,1`` was refused
    with pydantic's "Input should be a valid integer"."""
    common = ["render", "-i", str(SAMPLE), "--today", TODAY.isoformat(), "--json"]
    one = _netprov(*common, "--wave", "0", "--out", str(tmp_path / "a"), cwd=tmp_path)
    both = _netprov(*common, "--wave", "0,1", "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert one.returncode == both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["site_count"] > json.loads(one.stdout)["site_count"]
    wrong = _netprov(*common, "--wave", "x", cwd=tmp_path)
    assert wrong.returncode == 2
    said = " ".join(wrong.stderr.split())
    assert "a wave is a number" in said
    assert "valid integer" not in said
