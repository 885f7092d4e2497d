"""Locks a killed run leaves behind (issue 13, item 3): taken over when their process is
gone, released by a person with `netprov unlock`, never stolen from a live run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import netprov.cli_pipeline  # noqa: F401 - registers the commands
from netprov.cli import app
from netprov.journal import Journal, LockRow
from netprov.models import Phase
from netprov.twin.pytest_plugin import TwinFactory
from tests.test_pipeline import make_pipeline


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def hold(journal: Journal, site: str, run: str, pid: int) -> None:
    assert journal.lock(site, run)
    with Session(journal.engine) as session:
        row = session.get(LockRow, site)
        assert row is not None
        row.pid = pid
        session.commit()


@pytest.mark.twin
def test_a_dead_runs_lock_is_taken_over(twin_factory: TwinFactory, tmp_path: Path) -> None:
    twin = twin_factory(["kel-hegarsari"])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    hold(journal, "kel-hegarsari", "killed-run", dead_pid())
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site("kel-hegarsari"), Phase.DUAL)
    assert outcome.status == "confirmed", outcome.detail
    steps = [s.step for s in journal.steps_for("kel-hegarsari")]
    assert steps[0] == "took_over"
    assert journal.lock_holder("kel-hegarsari") is None


def test_a_live_runs_lock_is_never_taken(tmp_path: Path) -> None:
    import os

    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    hold(journal, "setda", "live-run", os.getpid())
    assert journal.take_stale_lock("setda", "other") is None
    assert journal.lock_holder("setda") == "live-run"


def test_unlock_by_a_person(cli: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db)
    assert journal.lock("setda", "stuck-run")
    wrong = cli.invoke(app, ["unlock", "setda", "--run", "other", "--db", db])
    assert wrong.exit_code == 1
    assert "not locked by run other (holder: stuck-run)" in wrong.stderr
    right = cli.invoke(app, ["unlock", "setda", "--run", "stuck-run", "--db", db])
    assert right.exit_code == 0, right.output
    assert journal.lock_holder("setda") is None
