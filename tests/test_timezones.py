"""Maintenance windows are read on the site's wall clock, whatever the host's time zone
(issue 12, item 2: a cutover at 19:46 WIB, inside a 19:00-06:00 window, skipped every site
on a host running UTC)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.rollout.cutover import in_window, site_time
from tests.conftest import SAMPLE, TODAY, Edit

UTC_1246 = dt.datetime(2026, 11, 24, 12, 46, tzinfo=dt.UTC)  # Tuesday 19:46 WIB


def test_site_time_is_the_organisations_zone_unless_the_site_has_its_own() -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    site = loaded.site("desa-cujang")
    assert loaded.organisation.timezone == "Asia/Jakarta"
    local = site_time(site, loaded.organisation, UTC_1246)
    assert (local.hour, local.minute, local.tzname()) == (19, 46, "WIB")
    assert in_window(site.maintenance_window, local.replace(tzinfo=None))
    papua = site.model_copy(update={"timezone": "Asia/Jayapura"})  # WIT, UTC+9
    assert site_time(papua, loaded.organisation, UTC_1246).hour == 21


def test_an_unknown_time_zone_is_an_inventory_error_with_its_line(edit: Edit) -> None:
    from netprov.errors import InventoryError

    path = edit("organisation.yaml", "timezone: Asia/Jakarta", "timezone: Asia/Jakrta")
    with pytest.raises(InventoryError) as caught:
        load_inventory(path.parent, today=TODAY)
    (problem,) = caught.value.problems
    assert problem.field == "timezone"
    assert "unknown time zone 'Asia/Jakrta'" in problem.message


def cutover(cli: CliRunner, tmp_path: Path, now: str, *extra: str) -> tuple[int, str, str]:
    result = cli.invoke(
        app,
        [
            "cutover",
            "--inventory",
            str(SAMPLE),
            "--today",
            "2026-11-22",
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--limit",
            "desa-cujang",
            "--to",
            "dual",
            "--now",
            now,
            "--yes",
            *extra,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.twin
def test_a_utc_time_inside_the_wib_window_cuts_over(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")
    code, stdout, _ = cutover(cli, tmp_path, "2026-11-24T12:46:00+00:00", "--twin", "--json")
    assert code == 0, stdout
    document = json.loads(stdout)
    assert document["skipped"] == []
    assert document["now"] == "2026-11-24T12:46:00+00:00"
    assert [s["status"] for s in document["waves"][0]["sites"]] == ["confirmed"]


@pytest.mark.twin
def test_every_site_outside_its_window_is_not_done(cli: CliRunner, tmp_path: Path) -> None:
    code, stdout, stderr = cutover(cli, tmp_path, "2026-11-24T12:00", "--twin")  # noon WIB
    assert code == 1
    assert "no site was inside its maintenance window at 2026-11-24 12:00 WIB" in stderr
    assert "done" not in stdout


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00", "24/11/2026 19:00"])
def test_a_bad_now_is_a_usage_error_not_a_traceback(
    cli: CliRunner, tmp_path: Path, bad: str
) -> None:
    code, stdout, stderr = cutover(cli, tmp_path, bad)
    assert code == 2
    assert "--now" in stderr
    assert "Traceback" not in stdout + stderr
