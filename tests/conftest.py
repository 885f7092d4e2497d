"""Shared fixtures: a private copy of the sample city that a test may break as it likes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "inventory"
TEMPLATES = REPO / "templates"
# Contract checks depend on the date; tests pin it.
TODAY = dt.date(2026, 11, 22)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The servers tiers (a group each: one worker, one server, minutes) are handed out
    first, then the corpus's rehearsals (up to a minute each), so they run beside the rest
    of the suite rather than after it."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("xdist_group") is None,
            item.get_closest_marker("corpus") is None,
        )
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update", action="store_true", help="rewrite golden files")


@pytest.fixture(autouse=True)
def _no_secret_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs as a pull request's CI job does: no secret store (the twin makes its
    secrets up), so `validate` and `check` leave the references unresolved, as that job is
    told to (docs/ci/). A test of the resolution sets NETPROV_SECRETS itself."""
    monkeypatch.setenv("NETPROV_SECRETS", "skip")


@pytest.fixture(autouse=True)
def _twin_timers_scaled(monkeypatch: pytest.MonkeyPatch) -> None:
    """A twin started by the CLI (``--twin``, in-process or a subprocess) runs its timers 30
    times faster, as ``twin_factory``'s do: a ping's packets (a RouterOS 200 ms interval, an
    IOS 2 s timeout per lost echo), the revert deadline (5 minutes: 10 s) and a reboot (30
    s: 1 s). A test of another scale, or of the variable itself, sets its own."""
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")


BACKUPS = REPO / "backups"  # the sample city's stored backups, in git


def _backups_now() -> dict[str, tuple[int, bytes]]:
    """Each file's time and content: a file written again with the same text counts too."""
    return {
        p.name: (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(BACKUPS.iterdir())
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _repository_backups_untouched() -> Iterator[None]:
    """No test writes the repository's ``backups/`` (issue 39: a suite run rewrote
    ``backups/setda.cfg``): a test that does fails, naming the files, and they are put back."""
    before = _backups_now()
    yield
    after = _backups_now()
    if after != before:
        for name in after.keys() - before.keys():
            (BACKUPS / name).unlink()
        for name, (_, content) in before.items():
            (BACKUPS / name).write_bytes(content)
        changed = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
        pytest.fail(f"the test wrote the repository's backups/: {', '.join(changed)}")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update"))


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    target = tmp_path / "inventory"
    shutil.copytree(SAMPLE, target)
    return target


Edit = Callable[[str, str, str], Path]


@pytest.fixture
def edit(inventory_copy: Path) -> Edit:
    """Replace the first occurrence of ``old`` by ``new`` in one inventory file."""

    def apply(relative: str, old: str, new: str) -> Path:
        path = inventory_copy / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return apply


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} (#{occurrence}) not in {path}")


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at a terminal answers the CLI's questions through ``CliRunner(input=...)``
    (whose stdin is no terminal: without this a change refuses to ask; a pty test proves
    the real terminal, tests/test_asks_first.py)."""
    monkeypatch.setattr("netprov.cli.router_run.stdin_is_terminal", lambda: True)


def twin_cli_args(twin: Any, tmp_path: Path, site: str, inventory: Path = SAMPLE) -> list[str]:
    """The options a CLI test gives a router command against a running twin: its hosts
    file, a journal and backups of the test's own, one site, the pinned date."""
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    return [
        *("--inventory", str(inventory), "--hosts-file", str(hosts)),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
        *("--limit", site, "--today", TODAY.isoformat()),
    ]
