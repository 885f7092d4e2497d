"""Issue 36 (3): nothing is pushed unseen. Without ``--yes``, ``cutover`` shows the
canary's plan and asks before its first push (on a real terminal: a pty), ``rollback``
names each router and the backup it restores before it asks, and a change command with no
terminal to ask on refuses instead of taking a closed stdin for an answer.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.running import Twin
from tests.conftest import SAMPLE, TODAY, twin_cli_args
from tests.test_pipeline import running

TUESDAY_2AM = "2026-11-24T02:00"  # inside both offices' maintenance windows
CANARY, LATER = "kel-hegarsari", "setda"  # wave 0 (RouterOS), wave 1 (IOS)


def on_a_terminal(
    args: list[str], answers: list[tuple[str, str]], cwd: Path, timeout: float = 180
) -> tuple[int, str]:
    """Run ``netprov args`` with a pty (80 columns) as its terminal, answering each prompt
    (text awaited, answer typed) in order; its exit code and everything it printed."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "netprov", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    output, answered_up_to = "", 0
    deadline = time.monotonic() + timeout
    try:
        while True:
            assert time.monotonic() < deadline, output[-3000:]
            ready, _, _ = select.select([main], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            output += chunk.decode(errors="replace")
            if answers and answers[0][0] in output[answered_up_to:]:
                answered_up_to = len(output)
                os.write(main, answers.pop(0)[1].encode())
        code = process.wait(timeout=60)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return code, output.replace("\r\n", "\n")


def _terminal_args(twin: Twin, tmp_path: Path, *extra: str) -> list[str]:
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    return [
        *("cutover", "--inventory", str(SAMPLE), "--hosts-file", str(hosts)),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
        *("--today", TODAY.isoformat(), "--now", TUESDAY_2AM, "--to", "dual"),
        *("--limit", f"{CANARY},{LATER}", *extra),
    ]


@pytest.mark.twin
def test_cutover_on_a_terminal_shows_the_canary_and_a_no_pushes_nothing(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    twin = twin_factory([CANARY, LATER])
    before = {site: running(twin, site) for site in (CANARY, LATER)}
    code, output = on_a_terminal(_terminal_args(twin, tmp_path), [("Push wave 0", "n\n")], tmp_path)
    assert code == 3, output  # cancelled: nothing pushed, no failure (README's exit codes)
    assert "wave 0 (canary): 1 site(s)" in output
    assert re.search(rf"{CANARY}: legacy -> dual: dual \d+ command\(s\)", output), output
    assert "Push wave 0 (dual): " in output
    assert "/interface vlan add" not in output  # the commands in full only with --diff
    assert "cancelled; nothing was changed" in output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.split("wave 0 (canary)")[1])
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    for site in (CANARY, LATER):
        assert running(twin, site) == before[site], site
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    assert journal.runs(1)[0].status == "cancelled"  # was completed_with_failures
    _, steps = journal.run(journal.runs(1)[0].id)
    assert [s.step for s in steps] == ["planned"]  # the canary's plan, journaled as shown
    assert "applied" not in {s.step for s in steps}


@pytest.mark.twin
def test_cutover_json_answered_no_still_prints_its_document(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """With --json the questions go to stderr and stdout keeps one document; a "no"
    printed none, so a script read an empty stdout. It reads why now: ``cancelled``, the
    run it was journaled as, exit 3 (docs/json.md)."""
    twin = twin_factory([CANARY, LATER])
    args = _terminal_args(twin, tmp_path, "--json")
    code, output = on_a_terminal(args, [("Push wave 0", "n\n")], tmp_path)
    assert code == 3, output
    document = json.loads(output[output.index('{\n  "command"') :])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    run = journal.runs(1)[0]
    assert document == {
        "command": "cutover",
        "ok": False,
        "error": "cancelled",
        "run_id": run.id,
    }
    assert run.status == "cancelled"


@pytest.mark.twin
def test_cutover_with_diff_shows_every_command_then_asks_again_before_the_next_wave(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    twin = twin_factory([CANARY, LATER])
    untouched = running(twin, LATER)
    code, output = on_a_terminal(
        _terminal_args(twin, tmp_path, "--diff"),
        [("Push wave 0", "y\n"), ("Continue with the next wave?", "n\n")],
        tmp_path,
    )
    assert code == 1, output  # stopped by the operator after wave 0
    assert "+ /interface vlan add comment=netprov:central-vlan" in output  # every command
    assert f"+++ {CANARY} (dual)" in output  # and the diff
    assert "stopped by the operator after wave 0" in output
    assert "netprov:central-vlan" in twin.devices[CANARY].running_config()
    assert running(twin, LATER) == untouched


@pytest.mark.twin
def test_the_canarys_next_phase_is_shown_and_asked_for_before_it_is_pushed(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    """Issue 36: legacy -> central agreed to once pushed central unseen after dual was
    confirmed. Each step is shown and asked for; a "no" to central leaves the canary at
    dual (journaled so), the rollout stopped."""
    twin = twin_factory([CANARY])
    args = _terminal_args(twin, tmp_path)
    args[args.index("--to") + 1] = "central"
    args[args.index("--limit") + 1] = CANARY
    code, output = on_a_terminal(
        args, [("Push wave 0 (dual)", "y\n"), ("Push wave 0 (central)", "n\n")], tmp_path
    )
    assert code == 1, output  # stopped by the operator, the canary at dual
    said = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    assert re.search(rf"{CANARY}: legacy -> central: dual \d+ command\(s\), then central", said)
    assert "wave 0 (canary), step 2: 1 site(s)" in said, said
    assert re.search(rf"{CANARY}: dual -> central: central \d+ command\(s\)", said), said
    assert "stopped by the operator in wave 0 before step 2" in said
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    assert journal.confirmed_phase(CANARY) == "dual"
    _, steps = journal.run(journal.runs(1)[0].id)
    assert [s.step for s in steps if s.step == "confirmed"] == ["confirmed"]  # dual only


@pytest.mark.twin
def test_the_canary_is_pushed_only_as_shown(twin_factory: TwinFactory, tmp_path: Path) -> None:
    """A router changed between the question and the push gets no push it was not shown."""
    import datetime as dt

    from netprov.models import Phase
    from netprov.rollout.cutover import cutover_site, preview_site
    from tests.test_pipeline import make_pipeline

    twin = twin_factory([CANARY])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, run=journal.start_run("cutover"))
    site = pipeline.loaded.site(CANARY)
    now = dt.datetime(2026, 11, 24, 2)
    shown = preview_site(pipeline, site, Phase.DUAL, now)
    assert shown.pushes
    assert shown.plan is not None
    stale = cutover_site(pipeline, site, Phase.DUAL, now, shown={})
    assert stale.status == "stale", stale.as_dict()  # shown nothing: nothing pushed
    assert "netprov:central-vlan" not in twin.devices[CANARY].running_config()
    done = cutover_site(pipeline, site, Phase.DUAL, now, shown={CANARY: shown.plan})
    assert done.status == "confirmed", done.as_dict()


@pytest.mark.twin
def test_rollback_names_each_router_and_the_backup_before_it_asks(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path, terminal: None
) -> None:
    twin = twin_factory([CANARY])
    common = twin_cli_args(twin, tmp_path, CANARY)
    applied = cli.invoke(app, ["apply", *common, "--phase", "dual", "--yes", "--json"])
    assert applied.exit_code == 0, applied.output
    run = json.loads(applied.stdout)["run_id"]
    held = running(twin, CANARY)
    refused = cli.invoke(app, ["rollback", *common], input="n\n")
    assert refused.exit_code == 3  # cancelled: nothing changed
    said = " ".join(refused.stdout.split())  # the lines wrap at the terminal's width
    assert re.search(
        rf"restores {CANARY} to its backup taken at phase legacy, "
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d UTC \(run {run}\)",
        said,
    ), refused.stdout
    assert f"Restore {CANARY} to this backup?" in refused.stdout
    assert "nothing was changed" in refused.stderr
    assert running(twin, CANARY) == held


CHANGES = [
    ["cutover", "--to", "dual", "--now", TUESDAY_2AM],
    ["apply", "--phase", "dual"],
    ["adopt"],
    ["rollback"],
    ["drill", "--now", TUESDAY_2AM],
    ["finalize", "--soak", "0s"],
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda args: args[0])
def test_without_a_terminal_a_change_refuses_instead_of_guessing(
    cli: CliRunner, tmp_path: Path, change: list[str]
) -> None:
    """CI, a pipe, cron: stdin is no terminal. `cutover` pushed its canary unasked, then
    read the closed stdin as an answer; now one line, exit 2, no router read."""
    db = tmp_path / "j.db"
    result = cli.invoke(
        app,
        [
            *change,
            *("--inventory", str(SAMPLE), "--twin", "--today", TODAY.isoformat()),
            *("--limit", CANARY, "--db", f"sqlite:///{db}", "--backups", str(tmp_path / "b")),
        ],
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "stdin is not a terminal" in lines[0]
    assert "--yes" in lines[0]
    assert not db.exists()  # no run journaled, no router touched
