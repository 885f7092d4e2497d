"""A starting config the twin's router refuses (a scenario ``configs:`` entry) is reported
as one line per refused line, naming the file, the line and the refused text, every site at
once, exit 1: never a traceback, and no run is journaled (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import netprov.cli_pipeline  # noqa: F401 - registers the router commands
from netprov.cli import app
from tests.conftest import SAMPLE, TODAY

ROS_SITE, IOS_SITE = "kec-sukamaju", "dprd"


def test_refused_starting_configs_are_named_line_by_line(cli: CliRunner, tmp_path: Path) -> None:
    ros = tmp_path / "kec-sukamaju.rsc"
    ros.write_text("/ip dns\nset servers=1.1.1.1\n/frobnicate\nadd colour=red\n")
    missing = tmp_path / "dprd.cfg"  # never written
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"configs:\n  {ROS_SITE}: {ros}\n  {IOS_SITE}: {missing}\n")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    result = cli.invoke(
        app,
        [
            *("plan", "--inventory", str(SAMPLE), "--twin", "--scenario", str(scenario)),
            *("--limit", f"{ROS_SITE},{IOS_SITE}", "--db", db, "--today", TODAY.isoformat()),
            *("--backups", str(tmp_path / "b")),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(lines) == 3, result.output  # both refused lines of one site, the other's file
    assert lines[0].startswith(f"error {ros}:3: {ROS_SITE}: the router refuses: /frobnicate")
    assert lines[1].startswith(f"error {ros}:4: {ROS_SITE}: the router refuses: add colour=red")
    assert lines[2].startswith(f"error {missing}: {IOS_SITE}: cannot read")
    assert "the twin cannot start: 3 error(s)" in result.output
    runs = cli.invoke(app, ["runs", "--db", db, "--json"])
    assert json.loads(runs.stdout)["items"] == []  # nothing started, nothing journaled
