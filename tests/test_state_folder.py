"""netprov's state folder (``.netprov/``: the journal, the backup key, the twin's host key)
keeps itself out of the team's git repository, as ``.pytest_cache`` does: ``git add -A``
must never commit the key that opens every sealed backup (issue 39, item 2)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from netprov.state.journal import Journal


def _git(folder: Path, *args: str) -> str:
    command = ["git", "-C", str(folder), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NETPROV_DB", raising=False)
    monkeypatch.delenv("NETPROV_BACKUP_KEY", raising=False)
    monkeypatch.delenv("NETPROV_BACKUP_KEY_FILE", raising=False)
    return tmp_path


def test_the_default_journal_and_key_stay_out_of_git(repository: Path) -> None:
    journal = Journal()  # the default: sqlite:///.netprov/state.db
    journal.sealer.seal("a running config")  # makes .netprov/backup.key
    assert (repository / ".netprov" / "state.db").exists()
    assert (repository / ".netprov" / "backup.key").exists()
    ignore = repository / ".netprov" / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[-1] == "*"
    _git(repository, "add", "-A")
    assert _git(repository, "status", "--porcelain") == ""


def test_an_existing_state_folder_gets_its_ignore_file(repository: Path) -> None:
    """A folder made by an earlier netprov (no ``.gitignore``) is fixed on next use."""
    (repository / ".netprov").mkdir()
    (repository / ".netprov" / "backup.key").write_text("old\n", encoding="utf-8")
    Journal()
    assert (repository / ".netprov" / ".gitignore").exists()
    assert _git(repository, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_twin_key_stays_out_of_git(repository: Path) -> None:
    from netprov.twin.build import DEFAULT_KEY_PATH, load_host_key

    load_host_key(None)
    assert (repository / DEFAULT_KEY_PATH).exists()
    assert _git(repository, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_journal_elsewhere_is_left_alone(repository: Path) -> None:
    """Only netprov's own folder ignores itself: a ``--db`` a team chose is theirs."""
    (repository / "state").mkdir()
    Journal(f"sqlite:///{repository / 'state' / 'j.db'}").sealer.seal("x")
    assert not (repository / "state" / ".gitignore").exists()
