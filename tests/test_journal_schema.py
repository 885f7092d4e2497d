"""The journal's schema is built and upgraded by Alembic migrations (issue 13): a journal
from an older release opens with its history intact, and the migrations build exactly the
tables the code uses."""

from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from netprov.state.journal import SCHEMA_HEAD, Base, Journal, LockRow
from netprov.state.journal_rows import Step
from netprov.state.journal_store import alembic_config as _alembic_config


def _first_release_journal(path: Path) -> None:
    """A journal as the first release left it: revision 0001's tables, no version table."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.exec_driver_sql("DROP TABLE alembic_version")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO runs VALUES ('r0', 'apply', 'dual', 'ops', NULL, NULL, "
            "'2026-01-01 00:00:00', NULL, 'done', '')"
        )
        db.execute(
            "INSERT INTO backups (sha256, site, run_id, platform, taken_at, content) "
            "VALUES ('abc', 'setda', 'r0', 'cisco_ios', '2026-01-01 00:00:00', 'hostname x')"
        )
        db.execute("INSERT INTO locks VALUES ('dinsos', 'r0', '2026-01-01 00:00:00')")
    engine.dispose()


def test_the_head_constant_is_the_newest_migration() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        script = ScriptDirectory.from_config(_alembic_config(connection))
    assert script.get_current_head() == SCHEMA_HEAD


def test_migrations_build_exactly_the_tables_the_code_uses(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'new.db'}")
    with journal.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == SCHEMA_HEAD
        assert compare_metadata(context, Base.metadata) == []


def test_a_first_release_journal_opens_with_its_history(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _first_release_journal(path)
    journal = Journal(f"sqlite:///{path}", backups_dir=tmp_path / "backups")
    run, _ = journal.run("r0")
    assert run is not None
    assert run.status == "done"
    backup = journal.backup("setda")
    assert backup is not None
    assert backup.content == "hostname x"
    assert journal.lock_holder("dinsos") == "r0"
    assert journal.lock("setda", "r1")  # the new lock columns work
    with journal.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == SCHEMA_HEAD


def test_a_step_is_the_lock_heartbeat(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", backups_dir=tmp_path / "b")
    run = journal.start_run("apply")
    assert journal.lock("setda", run)
    from sqlalchemy.orm import Session

    with Session(journal.engine) as session:
        row = session.get(LockRow, "setda")
        assert row is not None
        row.heartbeat_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        session.commit()
    journal.step(run, "setda", Step.BACKED_UP)
    with Session(journal.engine) as session:
        row = session.get(LockRow, "setda")
        assert row is not None
        assert row.heartbeat_at is not None
        assert row.heartbeat_at.replace(tzinfo=dt.UTC) > dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_a_lock_from_another_host_is_stale_only_after_a_long_silence(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", backups_dir=tmp_path / "b")
    old = journal.start_run("apply")
    assert journal.lock("setda", old)
    from sqlalchemy.orm import Session

    with Session(journal.engine) as session:
        row = session.get(LockRow, "setda")
        assert row is not None
        row.host = "noc-laptop-" + socket.gethostname()
        session.commit()
    new = journal.start_run("apply")
    assert journal.claim("setda", new).held_by == old  # heartbeat fresh: a live run
    assert journal.claim("setda", new, silent_for=dt.timedelta(0)).took_from == old
    assert journal.lock_holder("setda") == new


def test_a_journal_that_created_the_file_sees_other_processes_writes(tmp_path: Path) -> None:
    """Migrations are serialised without touching the database file's descriptors (closing
    one would drop SQLite's locks in this process and freeze its view of the journal)."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(url, tmp_path / "b")
    writer = f"from netprov.state.journal import Journal; Journal({url!r}).start_run('apply')"
    for expected in (1, 2):
        subprocess.run([sys.executable, "-c", writer], check=True, timeout=60)
        assert len(journal.runs(5)) == expected


def test_a_read_only_command_on_a_journal_held_elsewhere_says_who_within_seconds(
    tmp_path: Path,
) -> None:
    """Issue 22 (4): another process holds the SQLite journal exclusively (a long write,
    VACUUM); `netprov status` waited the whole 60 s busy timeout before saying anything. A
    read-only command waits a few seconds, names the holder in one line, exits 1."""
    import subprocess
    import sys
    import time

    from netprov.state.journal import Journal
    from netprov.state.journal_store import READER_WAIT_SECONDS

    db = tmp_path / "j.db"
    journal = Journal(f"sqlite:///{db}", tmp_path / "b")
    journal.start_run("apply")
    journal.engine.dispose()  # no connection of this process left open on it
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            # exclusive locking mode: even WAL readers are kept out (sqlite.org/pragma.html)
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('PRAGMA locking_mode=EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE'); "
            "c.execute('DELETE FROM locks'); print('held', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "netprov", "runs", "--db", f"sqlite:///{db}"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "COLUMNS": "200"},
        )
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1, done.stderr
    assert elapsed < READER_WAIT_SECONDS + 20  # the wait, plus starting Python
    said = " ".join(done.stderr.split())  # one message, wrapped at the terminal's width
    assert said.count("error:") == 1
    assert f"is locked by pid {holder.pid} (" in said
    assert "Traceback" not in done.stderr


def test_an_older_journals_steps_are_typed_from_what_it_wrote(tmp_path: Path) -> None:
    """Issue 25: a step's phase and findings are columns now; a journal from before (0003)
    is filled in from the ``detail`` text that release wrote, so history reads the same."""
    path = tmp_path / "0003.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0003")
    checks = '[{"name": "ping central gateway", "ok": false, "observed": "0/5"}]'
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO runs VALUES ('r0', 'cutover', 'central', 'ops', NULL, NULL, "
            "'2026-01-01 00:00:00', NULL, 'done', '')"
        )
        rows = [
            ("setda", "confirmed", 1, "phase=central"),
            ("dinsos", "verified", 0, checks),
            ("dinsos", "failed", 0, "would cut the management path at: the end of the plan"),
            ("dinsos", "failed", 0, "ping failed"),
        ]
        for site, step, ok, detail in rows:
            db.execute(
                "INSERT INTO steps (run_id, site, step, ok, detail, diff, at) "
                "VALUES ('r0', ?, ?, ?, ?, '', '2026-01-01 00:00:01')",
                (site, step, ok, detail),
            )
    engine.dispose()
    journal = Journal(f"sqlite:///{path}", backups_dir=tmp_path / "backups")
    assert journal.confirmed_phase("setda") == "central"
    steps = journal.steps_for("dinsos")
    assert [(s.step, s.phase, s.data) for s in steps] == [
        ("verified", None, [{"name": "ping central gateway", "ok": False, "observed": "0/5"}]),
        ("failed", None, {"outcome": "refused"}),
        ("failed", None, None),
    ]
    run, _ = journal.run("r0")
    assert run is not None
    assert (run.phase, run.status) == ("central", "done")
