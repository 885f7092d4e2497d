"""The journal on PostgreSQL (issue 13): teams share one journal. A real server is started on
loopback by the suite; in CI (CI=true) a missing PostgreSQL is a failure, not a skip."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from alembic.runtime.migration import MigrationContext

from netprov.errors import JournalError
from netprov.models import Phase, Platform
from netprov.state.journal import SCHEMA_HEAD, Journal
from netprov.state.journal_rows import RunStatus, Step
from tests.postgres_server import server_or_skip

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with server_or_skip("the PostgreSQL journal tests") as url:
        yield url


def test_a_postgresql_journal_keeps_runs_steps_backups_and_locks(
    postgres: str, tmp_path: object
) -> None:
    from pathlib import Path

    journal = Journal(postgres, backups_dir=Path(str(tmp_path)) / "backups")
    with journal.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == SCHEMA_HEAD
    run = journal.start_run("apply", phase=Phase.DUAL)
    assert journal.lock("setda", run)
    assert not journal.lock("setda", "another-run")  # one holder, enforced by the server
    journal.store_backup(run, "setda", Platform.CISCO_IOS, "hostname setda\n")
    journal.step(run, "setda", Step.BACKED_UP, detail="sha")
    journal.unlock("setda", run)
    journal.finish_run(run, RunStatus.DONE)
    again = Journal(postgres, backups_dir=Path(str(tmp_path)) / "backups", create=False)
    row, steps = again.run(run)
    assert row is not None
    assert row.status == "done"
    assert [s.step for s in steps] == ["backed_up"]
    backup = again.backup("setda", run_id=run)
    assert backup is not None
    assert backup.content == "hostname setda\n"


def test_many_workers_lose_no_step_on_postgresql(postgres: str, tmp_path: object) -> None:
    from pathlib import Path

    journal = Journal(postgres, backups_dir=Path(str(tmp_path)) / "b")
    run = journal.start_run("apply")

    def worker(n: int) -> None:
        site = f"site-{n}"
        assert journal.lock(site, run)
        for step in (Step.BACKED_UP, Step.PLANNED, Step.APPLIED, Step.VERIFIED, Step.CONFIRMED):
            journal.step(run, site, step)
        journal.unlock(site, run)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _, steps = journal.run(run)
    assert len(steps) == 40 * 5


def test_an_unreachable_postgresql_is_one_clear_line() -> None:
    with pytest.raises(JournalError, match=r"cannot open the journal postgresql\+psycopg://"):
        Journal("postgresql://netprov@127.0.0.1:1/netprov")
