"""A starting config the twin's router refuses (a scenario ``configs:`` entry) is reported
as one line per refused line, naming the file, the line and the refused text, every site at
once, exit 1: never a traceback, and no run is journaled (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

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


def test_from_backups_names_each_site_without_a_backup(cli: CliRunner, tmp_path: Path) -> None:
    backups = tmp_path / "fleet"
    backups.mkdir()
    (backups / f"{ROS_SITE}.cfg").write_text("/ip dns\nset servers=1.1.1.1\n/frobnicate\n")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    common = ["--inventory", str(SAMPLE), "--db", db, "--today", TODAY.isoformat()]
    result = cli.invoke(
        app,
        [
            *("plan", "--twin", "--from-backups", str(backups), *common),
            *("--limit", f"{ROS_SITE},{IOS_SITE}", "--backups", str(tmp_path / "b")),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.startswith("error")]
    assert lines[0].startswith(f"error {backups / ROS_SITE}.cfg:3: {ROS_SITE}: the router refuses")
    assert lines[1] == (
        f"error {backups / IOS_SITE}.cfg: {IOS_SITE}: cannot read: no backup of this site "
        "(netprov backup writes it)"
    )
    alone = cli.invoke(app, ["plan", "--from-backups", str(backups), *common])
    assert alone.exit_code == 2  # a twin option without --twin: a usage error
    assert "--twin" in alone.output


def test_scenario_configs_are_relative_to_the_scenario_file(cli: CliRunner, tmp_path: Path) -> None:
    """Issue 36: ``configs: {site: file}`` names a file beside the scenario (as a scenario
    is kept with its configs), not one in the folder netprov happens to run in."""
    folder = tmp_path / "rehearsal"
    (folder / "configs").mkdir(parents=True)
    ros = folder / "configs" / "kec-sukamaju.rsc"
    ros.write_text("/ip dns\nset servers=1.1.1.1\n/frobnicate\n")
    scenario = folder / "scenario.yaml"
    scenario.write_text(f"configs:\n  {ROS_SITE}: configs/kec-sukamaju.rsc\n")
    result = cli.invoke(
        app,
        [
            *("plan", "--inventory", str(SAMPLE), "--twin", "--scenario", str(scenario)),
            *("--limit", ROS_SITE, "--db", f"sqlite:///{tmp_path / 'j.db'}"),
            *("--today", TODAY.isoformat(), "--backups", str(tmp_path / "b")),
        ],
    )
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error")]
    # the file was found and read: the router refuses its third line
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error {ros}:3: {ROS_SITE}: the router refuses: /frobnicate")
