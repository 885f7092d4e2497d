"""Where a router command keeps ``<site>.cfg`` (issue 39, item 7): ``--backups``, else
``backups/`` beside the inventory folder (the team's repository), never the folder the
command happens to run in; and ``apply --phase`` says which sites it takes elsewhere than
their desired phase in git, as ``cutover --to`` does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.cli.options import backups_folder
from tests.conftest import SAMPLE, TODAY


def test_the_default_backups_folder_sits_beside_the_inventory(tmp_path: Path) -> None:
    assert backups_folder("inventory", None) == Path("backups")
    assert backups_folder("/srv/city/inventory", None) == Path("/srv/city/backups")
    assert backups_folder("/srv/city/inventory/", None) == Path("/srv/city/backups")
    assert backups_folder("nautobot+https://nautobot.example", None) == Path("backups")
    assert backups_folder("/srv/city/inventory", tmp_path) == tmp_path  # --backups wins


@pytest.mark.twin
def test_plan_elsewhere_writes_beside_the_inventory(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = tmp_path / "city"
    shutil.copytree(SAMPLE, city / "inventory")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli.invoke(
        app,
        [
            *("plan", "--inventory", str(city / "inventory"), "--twin", "--limit", "setda"),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--today", TODAY.isoformat()),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (city / "backups" / "setda.cfg").is_file()
    assert not (elsewhere / "backups").exists()


def test_plan_help_says_where_backups_go(cli: CliRunner) -> None:
    text = " ".join(cli.invoke(app, ["plan", "--help"], env={"COLUMNS": "80"}).output.split())
    assert "beside the inventory" in text


@pytest.mark.twin
def test_apply_says_which_sites_it_takes_elsewhere_than_git(cli: CliRunner, tmp_path: Path) -> None:
    """Both sites desire legacy in git: ``apply --phase dual`` names them, on stderr and
    as ``departs_from_inventory`` in --json (the journal records what was done)."""
    common = [
        *("apply", "--inventory", str(SAMPLE), "--twin", "--limit", "setda,kel-hegarsari"),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
        *("--today", TODAY.isoformat(), "--phase", "dual", "--yes"),
    ]
    shown = cli.invoke(app, common)
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stderr.split())
    assert "--phase dual departs from the inventory for 2 site(s)" in said
    assert "kel-hegarsari, setda" in said
    document = json.loads(cli.invoke(app, [*common, "--json"]).stdout)
    assert document["departs_from_inventory"] == ["kel-hegarsari", "setda"]
