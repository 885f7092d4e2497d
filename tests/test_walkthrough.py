"""The README's walkthrough, run as a new user would (issue 39, item 1): every ``$`` line
of its console block, in order, in one shell, from an empty folder (a home of its own,
with the clone of netprov where the README says it is) to a rehearsed cutover of four
offices on the twin. Each command exits as the README says (0, or the ``# exit N`` of its
comment), and where the README shows a command's output, that is what it prints at 80
columns."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

BLOCK = re.compile(r"<!-- walkthrough.*?-->\n```console\n(.*?)\n```\n<!-- /walkthrough -->", re.S)


@dataclass
class Step:
    command: str
    exit_code: int = 0
    shown: list[str] = field(default_factory=list)  # the output the README shows


def steps(readme: str) -> list[Step]:
    """The walkthrough's commands (``$ ...``), each with the exit code its comment names
    and the output lines the README shows under it."""
    found = BLOCK.search(readme)
    assert found is not None, "README.md has no walkthrough block"
    parsed: list[Step] = []
    for line in found[1].splitlines():
        if line.startswith("$ "):
            wanted = re.search(r"#.*\bexit (\d+)", line)
            parsed.append(Step(line[2:], int(wanted[1]) if wanted else 0))
        else:
            parsed[-1].shown.append(line.rstrip())
    return parsed


def test_the_walkthrough_is_read_from_the_readme() -> None:
    parsed = steps((REPO / "README.md").read_text(encoding="utf-8"))
    commands = [s.command.split("#")[0].split()[:2] for s in parsed]
    for wanted in ("validate", "render", "plan", "promote", "cutover", "status", "report"):
        assert ["netprov", wanted] in commands, wanted
    assert next(s for s in parsed if s.command.startswith("netprov plan")).exit_code == 2


def _script(parsed: list[Step], record: Path) -> str:
    """One shell runs every step (its cd and exports carry on); each step's stdout,
    stderr and exit code are kept apart."""
    lines = ["set -u"]
    for number, step in enumerate(parsed):
        out, err, code = (record / f"{number}.{kind}" for kind in ("out", "err", "code"))
        lines.append(f"{{ {step.command}\n}} > {out} 2> {err}; echo $? > {code}")
        lines.append(f"[ $(cat {code}) = {step.exit_code} ] || exit 1")
    return "\n".join(lines) + "\n"


@pytest.mark.twin
@pytest.mark.slow
def test_the_readme_walkthrough_runs_from_an_empty_folder(tmp_path: Path) -> None:
    parsed = steps((REPO / "README.md").read_text(encoding="utf-8"))
    home = tmp_path / "home"
    home.mkdir()
    (home / "netprov").symlink_to(REPO)  # the clone, where the README has it
    record = tmp_path / "record"
    record.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NETPROV_", "GIT_")) and key not in {"VIRTUAL_ENV"}
    }
    environment.update(
        HOME=str(home),
        COLUMNS="80",
        NO_COLOR="1",
        TERM="dumb",
        PATH="/usr/local/bin:/usr/bin:/bin",  # netprov only from the README's PATH
        GIT_AUTHOR_NAME="Engineer",
        GIT_AUTHOR_EMAIL="noc@sukaramekota.go.id",
        GIT_COMMITTER_NAME="Engineer",
        GIT_COMMITTER_EMAIL="noc@sukaramekota.go.id",
    )
    done = subprocess.run(
        ["/bin/bash", "-c", _script(parsed, record)],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for number, step in enumerate(parsed):
        code = record / f"{number}.code"
        assert code.exists(), f"never ran: {step.command}"
        stderr = (record / f"{number}.err").read_text(encoding="utf-8")
        assert int(code.read_text()) == step.exit_code, (step.command, stderr)
        if step.shown:
            printed = (record / f"{number}.out").read_text(encoding="utf-8").splitlines()
            assert [line.rstrip() for line in printed] == step.shown, step.command
    assert done.returncode == 0, done.stderr

    city = home / "kota-sukarame"
    assert (city / ".netprov" / "state.db").is_file()
    assert (city / ".netprov" / ".gitignore").is_file()  # the key never reaches git
    assert sorted(p.name for p in (city / "backups").iterdir()) == [
        "kec-sukarame.cfg",
        "kel-sukarame.cfg",
        "pkm-sukarame.cfg",
        "setda.cfg",
    ]
    assert (city / "build" / "report.html").is_file()
    status = subprocess.run(
        ["/usr/bin/env", "git", "status", "--porcelain"],
        cwd=city,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
    runs = subprocess.run(
        [str(REPO / ".venv" / "bin" / "netprov"), "runs", "--json"],
        cwd=city,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    done_runs = [(r["command"], r["status"]) for r in json.loads(runs.stdout)["items"]]
    assert done_runs[:2] == [("verify", "done"), ("cutover", "done")]
