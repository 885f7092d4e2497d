"""The failover drill (issue 11): the backup line is tried, not assumed (seed 001)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.platforms import driver_for
from netprov.rollout.drill import drill_site
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE
from tests.test_pipeline import make_pipeline

pytestmark = pytest.mark.twin

DRILLED = ["setda", "kec-sukamaju"]  # cisco_ios, mikrotik_routeros; both with a backup line
TUESDAY_2AM = dt.datetime(2026, 11, 24, 2, 0)  # inside both sites' windows (WIB)


def _clock() -> object:
    ticks = iter(range(0, 10_000, 5))  # every probe "takes" 5 s: no real sleeping
    return lambda: float(next(ticks))


@pytest.mark.parametrize("site_id", DRILLED)
def test_a_working_backup_line_carries_the_office_and_the_router_is_unchanged(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    twin = twin_factory([site_id])
    driver = driver_for(twin.devices[site_id].platform)
    before = driver.comparable(twin.devices[site_id].running_config())
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, run=journal.start_run("drill"))
    outcome = drill_site(pipeline, site_id, TUESDAY_2AM, pause=0, clock=_clock())  # type: ignore[arg-type]
    assert outcome.status == "drilled", outcome.as_dict()
    names = [c.name for c in outcome.checks]
    assert names[0].startswith("traffic on backup")
    assert names[1].startswith("traffic on legacy")
    assert driver.comparable(twin.devices[site_id].running_config()) == before
    story = [s.step for s in journal.steps_for(site_id)]
    assert story == ["backed_up", "applied", "reverted", "drilled"]
    assert journal.lock_holder(site_id) is None


@pytest.mark.parametrize("site_id", DRILLED)
def test_a_dead_backup_line_is_found_and_the_primary_restored(
    twin_factory: TwinFactory, tmp_path: Path, site_id: str
) -> None:
    scenario = Scenario(sites={site_id: SiteFaults(backup_dead=True)})
    twin = twin_factory([site_id], scenario=scenario)
    driver = driver_for(twin.devices[site_id].platform)
    before = driver.comparable(twin.devices[site_id].running_config())
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, run=journal.start_run("drill"))
    outcome = drill_site(pipeline, site_id, TUESDAY_2AM, pause=0, clock=_clock())  # type: ignore[arg-type]
    assert outcome.status == "failed"
    failed = [c for c in outcome.checks if not c.ok]
    assert [c.name.split(" (")[0] for c in failed] == ["traffic on backup"]
    assert failed[0].observed.startswith("not within 60 s")
    assert outcome.restored_identical
    assert driver.comparable(twin.devices[site_id].running_config()) == before
    # the office is back on its primary line
    assert outcome.checks[1].ok


def test_a_site_outside_its_window_is_not_drilled(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    twin = twin_factory(["setda"])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal, run=journal.start_run("drill"))
    noon = dt.datetime(2026, 11, 24, 12, 0)
    outcome = drill_site(pipeline, "setda", noon, pause=0)
    assert outcome.status == "skipped"
    assert [s.step for s in journal.steps_for("setda")] == ["skipped"]


def test_the_drill_command_and_the_report(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from netprov.cli import app

    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")
    db = f"sqlite:///{tmp_path / 'j.db'}"
    common = ["--inventory", str(SAMPLE), "--db", db, "--today", "2026-11-22"]
    result = cli.invoke(
        app,
        [
            "drill",
            *common,
            "--twin",
            "--limit",
            "setda",
            "--backups",
            str(tmp_path / "b"),
            "--now",
            "2026-11-24T02:00",
            "--yes",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["command"] == "drill"
    assert [(s["site"], s["status"]) for s in document["sites"]] == [("setda", "drilled")]
    report = tmp_path / "report.html"
    done = cli.invoke(app, ["report", *common, "--lang", "en", "--out", str(report)])
    assert done.exit_code == 0, done.output
    html = report.read_text(encoding="utf-8")
    drills = html[html.index('<table id="drills">') :]
    assert "<td>setda</td><td>the backup line carried the office: traffic on backup" in drills
