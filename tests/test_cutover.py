"""Cutover on the twin: canary first, health gate, maintenance windows, resume."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import netprov.cli_pipeline  # noqa: F401 - registers the commands
from netprov.cli import app
from netprov.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE

CANARY = [
    "diskominfo",
    "dinsos",
    "kel-hegarsari",
    "desa-balokang",
    "pkm-cibeureum",
    "hotspot-alun-alun-kota",
]
TUESDAY_2AM = (
    "2026-11-24T02:00"  # inside office, village and hotspot windows; not the puskesmas' (Sunday)
)


@pytest.fixture
def fast_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")


def invoke(cli: CliRunner, tmp_path: Path, *args: str) -> dict[str, object]:
    result = cli.invoke(
        app,
        [
            "cutover",
            "--inventory",
            str(SAMPLE),
            "--today",
            "2026-11-22",
            "--twin",
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--now",
            TUESDAY_2AM,
            "--yes",
            "--json",
            *args,
        ],
    )
    document: dict[str, object] = json.loads(result.stdout)
    document["exit_code"] = result.exit_code
    return document


def test_canary_failure_trips_the_gate_and_later_waves_stay_untouched(
    cli: CliRunner, tmp_path: Path, fast_twin: None
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("sites:\n  desa-balokang:\n    uplinks: {central: {state: down}}\n")
    sites = [*CANARY, "setda", "dprd"]  # setda, dprd: wave 1
    document = invoke(
        cli,
        tmp_path,
        "--scenario",
        str(scenario),
        "--to",
        "central",
        "--max-fail",
        "10%",
        "--limit",
        ",".join(sites),
    )
    assert document["exit_code"] == 1
    assert "gate 10%" in str(document["stopped"])
    untouched = document["untouched"]
    assert isinstance(untouched, list)
    assert sorted(untouched) == ["dprd", "setda"]
    waves = document["waves"]
    assert isinstance(waves, list)
    assert len(waves) == 1
    statuses = {s["site"]: s["status"] for s in waves[0]["sites"]}
    assert statuses == {
        "diskominfo": "confirmed",
        "dinsos": "confirmed",
        "kel-hegarsari": "confirmed",
        "hotspot-alun-alun-kota": "confirmed",
        "desa-balokang": "rolled_back",
        "pkm-cibeureum": "skipped",
    }
    broken = next(s for s in waves[0]["sites"] if s["site"] == "desa-balokang")
    assert broken["restored_identical"] is True
    assert broken["detail"].startswith("dual:")  # failed on the first step: back on legacy
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    assert journal.steps_for("setda") == []  # never touched
    assert journal.confirmed_phase("diskominfo") == "central"


def test_resume_carries_the_runs_options(cli: CliRunner, tmp_path: Path, fast_twin: None) -> None:
    first = invoke(cli, tmp_path, "--to", "dual", "--limit", "kel-hegarsari,setda")
    assert first["exit_code"] == 0, first
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}")
    # --resume takes the interrupted run's options from the journal (a private twin starts
    # afresh, so reconciliation on the same routers is tested below, in-process)
    second = invoke(cli, tmp_path, "--resume", str(first["run"]))
    assert second["exit_code"] == 0
    _, steps = journal.run(str(second["run"]))
    resumed_params = json.loads(journal.runs(1)[0].params)
    assert resumed_params["resumed_from"] == first["run"]
    assert resumed_params["to"] == "dual"
    assert {s.site for s in steps} <= {"kel-hegarsari", "setda"}


def test_interrupted_cutover_resumed_converges_and_does_nothing_twice(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    from netprov.cutover import cutover_site, plan_waves, run_cutover
    from netprov.models import Phase
    from netprov.twin.scenario import Scenario, SiteFaults
    from tests.test_pipeline import make_pipeline

    sites = ["kel-hegarsari", "setda", "desa-balokang"]
    # the session to desa-balokang drops in the middle of its first push
    scenario = Scenario(sites={"desa-balokang": SiteFaults(drop_after_config_lines=4)})
    twin = twin_factory(sites, scenario=scenario)
    journal = Journal(f"sqlite:///{tmp_path / 'state.db'}", tmp_path / "backups")

    def cutover() -> tuple[str, list[str]]:
        pipeline = make_pipeline(twin, journal)
        chosen = [pipeline.loaded.site(s) for s in sites]
        run_cutover(
            pipeline,
            plan_waves(chosen),
            run_wave=lambda wave: [
                cutover_site(pipeline, s, Phase.CENTRAL, dt.datetime(2026, 11, 24, 2)) for s in wave
            ],
            max_fail=1.0,
            proceed=lambda n, r: True,
        )
        _, steps = journal.run(pipeline.run_id)
        return pipeline.run_id, [f"{s.site}:{s.step}" for s in steps if s.step == "applied"]

    _, first = cutover()
    assert "desa-balokang:applied" not in first  # interrupted mid-push
    deadline = time.monotonic() + 15
    while (
        twin.devices["desa-balokang"].rebooting
        or "vlan1144" in twin.devices["desa-balokang"].running_config()
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)  # the device's own revert puts it back on legacy
    twin.devices["desa-balokang"].faults = SiteFaults()  # the link engineer fixed the session issue
    _, second = cutover()
    assert sorted(second) == [
        "desa-balokang:applied",
        "desa-balokang:applied",
    ]  # dual, then central
    _, third = cutover()
    assert third == []  # converged: a further resume does nothing
    for site in sites:
        assert journal.confirmed_phase(site) == "central"
