"""Locks a killed run leaves behind (issue 13, item 3): taken over when their process is
gone, released by a person with `netprov unlock`, never stolen from a live run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from netprov.cli import app
from netprov.models import Phase
from netprov.sim.routeros.router import RosDevice
from netprov.state.journal import Claim, Journal, LockRow
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
    assert journal.claim("setda", "other") == Claim(None, held_by="live-run")
    assert journal.claim("setda", "live-run") == Claim(None, held_by="live-run")  # twice
    assert journal.lock_holder("setda") == "live-run"


def test_unlock_by_a_person(cli: CliRunner, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db)
    assert journal.lock("setda", "stuck-run")
    wrong = cli.invoke(app, ["unlock", "setda", "--run", "other", "--db", db])
    assert wrong.exit_code == 1
    assert "is locked by run stuck-run, not other" in " ".join(wrong.stderr.split())
    right = cli.invoke(app, ["unlock", "setda", "--run", "stuck-run", "--db", db])
    assert right.exit_code == 0, right.output
    assert journal.lock_holder("setda") is None


@pytest.mark.twin
def test_an_interrupted_apply_run_is_resumed(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """Issue 13: resume works for any run kind. An apply run confirmed one site, then died
    with a change armed on the second router; ``apply --resume`` settles that router,
    finishes it, and leaves the first alone."""
    import json

    from netprov.platforms import ChangeMarker

    twin = twin_factory(["setda", "kel-hegarsari"], start_phase=Phase.DUAL)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db, tmp_path / "b")
    killed = journal.start_run(
        "apply", phase=Phase.CENTRAL, params=json.dumps({"sites": ["setda", "kel-hegarsari"]})
    )
    pipeline = make_pipeline(twin, journal, run=killed)
    assert pipeline.apply(pipeline.loaded.site("setda"), Phase.CENTRAL).status == "confirmed"
    site = pipeline.loaded.site("kel-hegarsari")
    hold(journal, site.id, killed, dead_pid())
    session = pipeline.session(site)  # the change it was making when it died
    try:
        backup = pipeline.backup(site, session)
        plan = pipeline.plan(site, Phase.CENTRAL, backup.content)
        session.mark(ChangeMarker.here(killed))
        session.apply(pipeline.resolved(site, plan), revert_minutes=60)
    finally:
        session.close()

    result = cli.invoke(
        app,
        [
            "apply",
            "--resume",
            killed,
            "--hosts-file",
            str(hosts),
            "--db",
            db,
            "--backups",
            str(tmp_path / "b"),
            "--yes",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(s["site"], s["status"]) for s in document["sites"]] == [("kel-hegarsari", "confirmed")]
    row, _ = journal.run(killed)
    assert row is not None
    assert row.status == "interrupted"
    story = [s.step for s in journal.run(document["run_id"])[1]]
    assert story[:3] == ["took_over", "backed_up", "planned"]
    assert "confirmed" in story
    assert journal.lock_holder("kel-hegarsari") is None
    ros = twin.devices["kel-hegarsari"].state
    assert isinstance(ros, RosDevice)
    assert not [j for j in ros.tables["/system scheduler"] if j.get("name") == "netprov-revert"]
    assert "netprov-change" not in twin.devices["kel-hegarsari"].running_config()


def test_one_holder_per_site_even_within_one_run(tmp_path: Path) -> None:
    """A broker may hand one run's site step out twice: the journal, not the broker, decides
    who may push. The second holder of the same run is refused while the first lives, may
    not release the first's lock, and takes it over once the first's process is gone."""
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    first = journal.claim("setda", "run-1")
    assert first.token is not None
    assert first.took_from is None
    assert journal.claim("setda", "run-1") == Claim(None, held_by="run-1")
    journal.unlock("setda", "run-1", "not-the-holders-token")
    assert journal.lock_holder("setda") == "run-1"

    with Session(journal.engine) as session:  # the first holder is SIGKILLed
        row = session.get(LockRow, "setda")
        assert row is not None
        row.pid = dead_pid()
        session.commit()
    second = journal.claim("setda", "run-1")
    assert second.token not in (None, first.token)
    assert second.took_from == "run-1"
    journal.unlock("setda", "run-1", first.token)  # the dead holder's late cleanup: no effect
    assert journal.lock_holder("setda") == "run-1"
    journal.unlock("setda", "run-1", second.token)
    assert journal.lock_holder("setda") is None


def test_a_resumed_runs_inherited_lock_is_claimed_once(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    hold(journal, "setda", "interrupted", dead_pid())
    assert journal.take_over("interrupted", "resumed") == ["setda"]
    inherited = journal.claim("setda", "resumed")
    assert inherited.token is not None
    assert inherited.took_from == "resumed"
    assert journal.claim("setda", "resumed") == Claim(None, held_by="resumed")


def test_a_holder_beats_and_knows_when_its_lock_is_gone(tmp_path: Path) -> None:
    """Across hosts a lock is judged by its heartbeat alone: the holder beats while it holds
    it, learns when another holder took it over, and stops trusting a heartbeat that no
    longer reaches the journal (the fence)."""
    from netprov.state.lock_heartbeat import FENCE, LockKeeper

    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    now = [1000.0]
    keeper = LockKeeper(journal, interval=3600, clock=lambda: now[0])
    token = journal.claim("setda", "run-1").token
    assert token is not None
    keeper.hold(token)
    assert keeper.safe(token) is None
    with Session(journal.engine) as session:  # silent for a day, as far as the row says
        row = session.get(LockRow, "setda")
        assert row is not None
        row.heartbeat_at = row.heartbeat_at.replace(year=2020) if row.heartbeat_at else None
        session.commit()
    keeper.beat()
    with Session(journal.engine) as session:
        row = session.get(LockRow, "setda")
        assert row is not None
        assert row.heartbeat_at is not None
        assert row.heartbeat_at.year > 2020  # the beat landed

    now[0] += FENCE.total_seconds() + 1  # no beat landed since (the journal out of reach)
    assert "has not reached the journal" in (keeper.safe(token) or "")
    keeper.beat()
    assert keeper.safe(token) is None

    with Session(journal.engine) as session:  # another host took the site over
        row = session.get(LockRow, "setda")
        assert row is not None
        row.holder = "another-holders-token"
        session.commit()
    keeper.beat()
    assert keeper.safe(token) == "its lock was taken over by another holder"


@pytest.mark.twin
def test_a_holder_whose_lock_was_taken_over_does_not_confirm(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    twin = twin_factory(["kel-hegarsari"])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    checks = pipeline._checks

    def taken_over_meanwhile(*args: object, **kwargs: object) -> object:
        with Session(journal.engine) as session:  # another host's worker, while we verify
            row = session.get(LockRow, "kel-hegarsari")
            assert row is not None
            row.holder = "another-holders-token"
            session.commit()
        from netprov.state.lock_heartbeat import keeper_for

        keeper_for(journal).beat()
        return checks(*args, **kwargs)  # type: ignore[arg-type]

    pipeline._checks = taken_over_meanwhile  # type: ignore[method-assign, assignment]
    outcome = pipeline.apply(pipeline.loaded.site("kel-hegarsari"), Phase.DUAL)
    assert outcome.status == "failed"
    assert "not confirmed: its lock was taken over" in outcome.detail
    story = [str(s.step) for s in journal.steps_for("kel-hegarsari")]
    assert "applied" in story
    assert "confirmed" not in story
    assert journal.lock_holder("kel-hegarsari") is not None  # the other holder's, kept
