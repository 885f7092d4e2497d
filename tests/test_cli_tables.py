"""Every table the CLI prints, at 80 columns (issue 39, item 3): the longest site id of
the sample city, the longest statuses and states, long details; a site id, a run id, a
status, a state, a phase never cut (no ``…``) nor wrapped, no line past 80 columns. The
text of each is pinned in tests/fixtures/cli/tables/ (``NETPROV_REPIN=1`` rewrites it),
and the commands that need no router are run as an engineer would, at COLUMNS=80."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from netprov.cli import app, tables
from netprov.models import Phase
from netprov.state.journal import Journal, RunStatus
from netprov.state.journal_rows import Step
from tests.conftest import SAMPLE, TODAY

PINS = Path(__file__).parent / "fixtures" / "cli" / "tables"
REPIN = os.environ.get("NETPROV_REPIN") == "1"
LONGEST = "hotspot-taman-kota-lapang-bakti"  # the sample city's longest site id (31)
UTC_MORNING = dt.datetime(2026, 12, 7, 0, 40, 1, tzinfo=dt.UTC)
DETAIL = (
    "dual: ping internet probe 199.7.83.42 from LAN via central: 5/5 replies, but leaves "
    "by ether1 (172.30.0.1); path MTU via central: 1500-byte DF ping to 199.7.83.42"
)


@pytest.fixture(autouse=True)
def _utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """runs and run show times on this machine's clock: the pins are taken on UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _rendered(draw: Callable[[Console], None], width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    draw(console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _pinned(name: str, text: str) -> str:
    path = PINS / f"{name}.txt"
    if REPIN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def _fits(text: str, whole: list[str]) -> None:
    lines = text.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    assert "…" not in text
    for word in whole:  # on one line, not wrapped
        assert any(word in line for line in lines), word


RUNS = [
    SimpleNamespace(
        id="20261207-004001-5588af",
        started_at=UTC_MORNING,
        command=command,
        phase=phase,
        status=status,
        user="engineer",
        change_id="CR-2026-118",
    )
    for command, phase, status in (
        ("rollback", None, RunStatus.COMPLETED_WITH_FAILURES.value),
        ("cutover", "central", RunStatus.INTERRUPTED.value),
        ("finalize", "final", RunStatus.DONE.value),
    )
]
STATUS = [
    {
        "site": LONGEST,
        "wave": 12,
        "desired_phase": "central",
        "journal_phase": None,
        "state": state,
        "last_step": step,
        "last_ok": ok,
    }
    for state, step, ok in (
        ("drifted", "rolled_back", False),
        ("in_sync", "reconciled", True),
        ("pending", None, None),
    )
]
DRIFT: list[dict[str, Any]] = [
    {
        "site": LONGEST,
        "status": "pending",
        "desired_phase": "central",
        "actual_phase": "legacy",
        "journal_phase": "legacy",
        "detail": "router in legacy, inventory says central: `netprov cutover` converges it "
        "(13 command(s) next)",
    },
    {"site": "kel-karangpanimbal", "status": "failed", "detail": DETAIL},
    {
        "site": "setda",
        "status": "changing",
        "desired_phase": "dual",
        "actual_phase": None,
        "journal_phase": "legacy",
        "detail": "change 20261207-004001-5588af is under way on the router (or was interrupted)",
    },
    {
        "site": "dinsos",
        "status": "in_sync",
        "desired_phase": "dual",
        "actual_phase": "dual",
        "journal_phase": "dual",
        "detail": "holds dual, as the inventory says",
    },
]
TABLES: dict[str, tuple[Callable[[Console], None], list[str]]] = {
    # a status table at 80 columns leaves no room for wrapped headers: the words are short
    "outcome": (
        lambda c: tables.outcome_table(
            c,
            [
                (LONGEST, "rolled_back", DETAIL),
                ("kel-karangpanimbal", "confirmed", "legacy -> central"),
                (
                    "pkm-cibeureum",
                    "skipped",
                    "outside its maintenance window (site time 2026-11-24 02:00 WIB)",
                ),
            ],
            "wave 0: 33% failed",
        ),
        [LONGEST, "rolled_back", "kel-karangpanimbal", "confirmed"],
    ),
    "drift": (
        lambda c: tables.drift_table(c, DRIFT, "drift (run 20261207-004001-5588af)"),
        [LONGEST, "kel-karangpanimbal", "pending", "changing", "in_sync", "failed"],
    ),
    "status": (lambda c: tables.status_table(c, STATUS), [LONGEST, "rolled_back", "drifted"]),
    "runs": (
        lambda c: tables.runs_table(c, RUNS),
        ["20261207-004001-5588af", "completed_with_failures", "interrupted", "rollback"],
    ),
    "steps": (
        lambda c: tables.steps_table(
            c,
            [
                (UTC_MORNING, LONGEST, "rolled_back", True, "identical"),
                (UTC_MORNING, "kel-karangpanimbal", "verified", False, DETAIL),
            ],
        ),
        [LONGEST, "rolled_back", "kel-karangpanimbal", "verified"],
    ),
    "allocation": (
        lambda c: tables.allocation_table(
            c,
            "PT Langit Tujuh Net (langit7): 1000 Mbps, oversubscription x2",
            [(LONGEST, "kecamatan", 1_726_000, 999_960, 3_452_000), ("setda", "opd", 60, 1, 120)],
        ),
        [LONGEST, "kecamatan", "999.96"],
    ),
    "trust": (
        lambda c: tables.trust_table(
            c,
            [
                {
                    "site": LONGEST,
                    "status": "changed",
                    "detail": "ssh-ed25519 SHA256:n4A3cV9qkKX8e0Zp1v2XJ7mB6wYt3Rk5sL0uQ9dF2gH",
                }
            ],
        ),
        [LONGEST, "changed"],
    ),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_fits_80_columns_and_is_pinned(name: str) -> None:
    draw, whole = TABLES[name]
    text = _rendered(draw)
    _fits(text, whole)
    assert text == _pinned(name, text)


def test_runs_show_who_and_why_when_the_terminal_is_wide() -> None:
    assert "CR-2026-118" in _rendered(lambda c: tables.runs_table(c, RUNS), width=120)


ENV = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}


def _command_output(cli: CliRunner, name: str, args: list[str]) -> str:
    result = cli.invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_status_allocate_and_run_at_80_columns(cli: CliRunner, tmp_path: Path) -> None:
    """The commands themselves, on the sample city and a journal of one cutover."""
    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db, tmp_path / "b")
    run = journal.start_run("cutover", phase=Phase.CENTRAL, change_id="CR-1")
    journal.step(run, LONGEST, Step.CONFIRMED, detail="legacy -> central", phase=Phase.CENTRAL)
    checks = [
        {
            "name": "ping central gateway 100.72.44.1",
            "expected": "<= 20% loss",
            "observed": "0/5 replies",
            "ok": False,
        }
    ]
    journal.step(
        run, "kel-karangpanimbal", Step.VERIFIED, ok=False, detail=json.dumps(checks), data=checks
    )
    journal.step(run, "kel-karangpanimbal", Step.ROLLED_BACK, detail="identical")
    journal.finish_run(run, RunStatus.COMPLETED_WITH_FAILURES)
    today = ["--today", TODAY.isoformat()]
    outputs = {
        "status": _command_output(
            cli,
            "status",
            ["status", "--inventory", str(SAMPLE), "--db", db, "--wave", "4", "--wave", "2"],
        ),
        "allocate": _command_output(
            cli, "allocate", ["allocate", "--inventory", str(SAMPLE), *today]
        ),
        "runs": _command_output(cli, "runs", ["runs", "--db", db]),
        "run": _command_output(cli, "run", ["run", run, "--db", db]),
    }
    for name, text in outputs.items():
        whole = {
            "status": [LONGEST, "kel-karangpanimbal", "in_sync", "ahead"],
            "allocate": ["desa-cibeureum-girang", "kel-karangpanimbal", LONGEST],
            "runs": [run, "completed_with_failures"],
            "run": [LONGEST, "kel-karangpanimbal", "rolled_back"],
        }[name]
        _fits(text, whole)
