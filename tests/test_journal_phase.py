"""Issue 36 (2, 5): the journal's phase is the router's phase. After a rollback, a revert
(a failed check) and a resumed run (killed between a router's confirm and the journal's
record), ``status``, ``drift``, ``report``, ``evidence`` and ``--json`` say the phase the
router is really in; the managers' report shows a rolled-back office as failed, with why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.models import Phase, Platform
from netprov.reports.managers import render_html, report_data
from netprov.state.journal import Journal
from netprov.state.journal_rows import Step
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import SAMPLE, TODAY, twin_cli_args

SITES = ["kel-hegarsari", "setda"]  # mikrotik_routeros, cisco_ios
TUESDAY_2AM = "2026-11-24T02:00"  # inside both offices' maintenance windows


def _json(cli: CliRunner, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code in codes, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _status(cli: CliRunner, inventory: Path, tmp_path: Path, site: str) -> dict[str, Any]:
    document = _json(
        cli,
        *("status", "--inventory", str(inventory), "--today", TODAY.isoformat()),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--limit", site),
    )
    row: dict[str, Any] = document["sites"][0]
    return row


def _drift(cli: CliRunner, common: list[str]) -> dict[str, Any]:
    document = _json(cli, "drift", *common, codes=(0, 2))
    row: dict[str, Any] = document["sites"][0]
    return row


def _desiring_dual(tmp_path: Path, site: str) -> Path:
    """A copy of the sample city in which git wants ``site`` at dual."""
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    for path in (inventory / "sites").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if f"- id: {site}\n" in text:
            path.write_text(
                text.replace(f"- id: {site}\n", f"- id: {site}\n  desired_phase: dual\n"),
                encoding="utf-8",
            )
    return inventory


@pytest.mark.twin
@pytest.mark.parametrize("site", SITES)
def test_after_a_rollback_every_view_says_the_router_is_back_on_legacy(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path, site: str
) -> None:
    """The office was moved to dual (git wants it there), then put back with
    `rollback`: status said `dual`, drift's journal_phase `dual`, the report "waiting"."""
    inventory = _desiring_dual(tmp_path, site)
    twin = twin_factory([site], inventory=inventory)
    common = twin_cli_args(twin, tmp_path, site, inventory)
    applied = _json(cli, "apply", *common, "--yes")  # to its desired phase: dual
    assert [s["status"] for s in applied["sites"]] == ["confirmed"]
    rolled = _json(cli, "rollback", *common, "--yes")
    assert [s["status"] for s in rolled["sites"]] == ["restored"]

    status = _status(cli, inventory, tmp_path, site)
    assert (status["journal_phase"], status["state"], status["last_step"]) == (
        "legacy",
        "pending",
        "rolled_back",
    )
    drift = _drift(cli, common)
    assert (drift["actual_phase"], drift["journal_phase"]) == ("legacy", "legacy")
    assert "router in legacy" in rolled["sites"][0]["detail"]

    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    loaded = load_inventory(inventory, today=TODAY)
    data = report_data(loaded, journal, TODAY)
    assert data.phases[site] is Phase.LEGACY
    assert [(f.site, f.kind) for f in data.failures] == [(site, "rolled_back")]
    assert [(d[0], d[3]) for d in data.differs] == [(site, "put_back")]  # on purpose
    for lang, put_back, waiting in (
        ("en", "Put back on purpose", "waiting for its cutover"),
        ("id", "Sengaja dikembalikan", "menunggu cutover"),
    ):
        text = re.sub(r"<[^>]+>", " ", render_html(loaded, data, lang))
        assert put_back in text, lang
        assert waiting not in text, lang  # an office put back is no office waiting

    pack = tmp_path / "evidence"
    written = cli.invoke(
        app,
        [
            *("evidence", site, "--inventory", str(inventory), "--today", TODAY.isoformat()),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
            *("--out", str(pack)),
        ],
    )
    assert written.exit_code == 0, written.output
    story = (pack / site / "journal.txt").read_text()
    assert "router phase legacy (journal: rolled_back" in story
    assert "100.72." in (pack / site / "before.cfg").read_text()  # the dual it came from
    assert "100.72." not in (pack / site / "after.cfg").read_text()  # what it holds now
    assert "100.72." not in twin.devices[site].running_config()


@pytest.mark.twin
@pytest.mark.parametrize("site", SITES)
def test_a_reverted_change_leaves_the_journal_on_the_phase_the_router_is_in(
    cli: CliRunner, twin_factory: TwinFactory, tmp_path: Path, site: str
) -> None:
    """A router found at dual (netprov never confirmed it there: set up before the journal)
    fails its checks at central and is put back: the journal says dual, not legacy."""
    from tests.test_pipeline import make_pipeline

    down = SiteFaults.model_validate({"uplinks": {"central": {"state": "down"}}})
    twin = twin_factory([site], scenario=Scenario(sites={site: down}), start_phase=Phase.DUAL)
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    pipeline = make_pipeline(twin, journal)
    outcome = pipeline.apply(pipeline.loaded.site(site), Phase.CENTRAL)
    assert (outcome.status, outcome.restored_identical) == ("rolled_back", True)
    assert journal.confirmed_phase(site) == "dual"
    status = _status(cli, SAMPLE, tmp_path, site)
    assert (status["journal_phase"], status["state"]) == ("dual", "ahead")
    drift = _drift(cli, twin_cli_args(twin, tmp_path, site))
    assert (drift["actual_phase"], drift["journal_phase"]) == ("dual", "dual")


class Killed(BaseException):
    """The process dies here (SIGKILL): nothing after it runs, no handler catches it."""


@pytest.mark.twin
@pytest.mark.parametrize("site", ["kel-hegarsari", "hotspot-alun-alun-kota", "setda"])
def test_a_run_killed_between_the_confirm_and_its_record_is_resumed_on_the_routers_phase(
    cli: CliRunner,
    twin_factory: TwinFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    site: str,
) -> None:
    """The router confirmed `central` and lost its change marker, then the run died before
    the journal recorded it; `cutover --resume` found the router at central, ended 0, and
    `status` still said `dual`. The reconciliation records the phase it finds."""
    from netprov.rollout.cutover import cutover_site
    from tests.test_pipeline import make_pipeline

    twin = twin_factory([site])
    journal = Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")
    options = {"to": "central", "max_fail": "10%", "wave_size": None, "limit": [site]}
    options |= {"kind": None, "wave": None, "group": None, "sites": [site]}
    run = journal.start_run("cutover", phase=Phase.CENTRAL, params=json.dumps(options))
    pipeline = make_pipeline(twin, journal, run=run)
    record = Journal.step

    def dies_before_recording_central(self: Journal, *args: Any, **kwargs: Any) -> None:
        if args[2] == "confirmed" and kwargs.get("phase") is Phase.CENTRAL:
            raise Killed
        record(self, *args, **kwargs)

    monkeypatch.setattr(Journal, "step", dies_before_recording_central)
    with pytest.raises(Killed):
        cutover_site(
            pipeline, pipeline.loaded.site(site), Phase.CENTRAL, dt.datetime(2026, 11, 24, 2)
        )
    monkeypatch.undo()
    session = pipeline.session(pipeline.loaded.site(site))
    try:
        assert session.marker() is None  # the change marker is gone: the router confirmed
    finally:
        session.close()
    assert journal.confirmed_phase(site) == "dual"  # the journal is behind the router

    common = twin_cli_args(twin, tmp_path, site)
    resumed = _json(cli, "cutover", *common, "--resume", run, "--now", TUESDAY_2AM, "--yes")
    assert resumed["ok"] is True
    assert [s["status"] for s in resumed["sites"]] == ["unchanged"]  # nothing pushed twice
    _, steps = journal.run(resumed["run_id"])
    assert [(s.step, s.phase) for s in steps if s.step == "reconciled"] == [
        ("reconciled", Phase.CENTRAL)
    ]
    assert "applied" not in {s.step for s in steps}
    status = _status(cli, SAMPLE, tmp_path, site)
    assert status["journal_phase"] == "central"
    drift = _drift(cli, common)
    assert (drift["actual_phase"], drift["journal_phase"]) == ("central", "central")
    data = report_data(load_inventory(SAMPLE, today=TODAY), journal, TODAY)
    assert data.phases[site] is Phase.CENTRAL


def _hand_written(tmp_path: Path) -> Journal:
    return Journal(f"sqlite:///{tmp_path / 'j.db'}", tmp_path / "b")


def test_the_newest_phase_record_wins_and_old_restores_say_nothing(tmp_path: Path) -> None:
    """A confirm, a restore and a reconciliation each record the phase; a restore journaled
    before restores recorded it (no ``data``) says nothing about the phase."""
    journal = _hand_written(tmp_path)
    run = journal.start_run("cutover")
    journal.step(run, "setda", Step.CONFIRMED, detail="phase=dual", phase=Phase.DUAL)
    journal.step(run, "setda", Step.ROLLED_BACK, detail="identical")  # an older journal's
    assert journal.confirmed_phase("setda") == "dual"
    back = journal.start_run("rollback")
    journal.step(back, "setda", Step.ROLLED_BACK, phase=Phase.LEGACY, data={"phase": "legacy"})
    record = journal.phase_record("setda")
    assert record is not None
    assert (record.phase, record.step, record.run_id) == (Phase.LEGACY, "rolled_back", back)
    found = journal.start_run("cutover")
    journal.step(found, "setda", Step.RECONCILED, ok=False, data={"phase": None})
    record = journal.phase_record("setda")
    assert record is not None
    assert (record.known, journal.confirmed_phase("setda")) == (False, None)
    assert journal.phase_record("dinsos") is None


def test_status_and_the_report_say_when_a_router_matches_no_phase(
    cli: CliRunner, tmp_path: Path
) -> None:
    journal = _hand_written(tmp_path)
    run = journal.start_run("cutover")
    journal.step(run, "setda", Step.CONFIRMED, detail="phase=dual", phase=Phase.DUAL)
    journal.step(run, "setda", Step.RECONCILED, ok=False, data={"phase": None})
    status = _status(cli, SAMPLE, tmp_path, "setda")
    assert (status["journal_phase"], status["state"]) == (None, "drifted")
    loaded = load_inventory(SAMPLE, today=TODAY)
    data = report_data(loaded, journal, TODAY)
    assert data.phases["setda"] is None
    assert ("setda", Phase.LEGACY, None, "unknown") in data.differs
    page = render_html(loaded, data, "en")
    assert 'data-phase="unknown"' in page  # counted, in a column of its own


def test_finalize_never_takes_a_rolled_back_office_for_a_soaked_one(tmp_path: Path) -> None:
    """On central for weeks, then put back to legacy: the soak is not over, it is void."""
    from netprov.rollout.cutover import soaked

    journal = _hand_written(tmp_path)
    run = journal.start_run("cutover")
    journal.step(run, "setda", Step.CONFIRMED, detail="phase=central", phase=Phase.CENTRAL)
    pipeline: Any = SimpleNamespace(journal=journal)
    site: Any = SimpleNamespace(id="setda")
    assert soaked(pipeline, site, dt.timedelta(0)) is None
    back = journal.start_run("rollback")
    journal.step(back, "setda", Step.ROLLED_BACK, phase=Phase.LEGACY, data={"phase": "legacy"})
    reason = soaked(pipeline, site, dt.timedelta(0))
    assert reason == f"not on the central provider (rolled_back in run {back}: legacy)"


def test_the_report_counts_an_office_off_central_from_the_day_it_was_put_back(
    tmp_path: Path,
) -> None:
    journal = _hand_written(tmp_path)
    for day, (command, step, phase) in enumerate(
        [("cutover", Step.CONFIRMED, Phase.CENTRAL), ("rollback", Step.ROLLED_BACK, Phase.LEGACY)],
        start=1,
    ):
        run = journal.start_run(command)
        journal.step(run, "setda", step, phase=phase, data={"phase": phase.value})
        with journal.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE steps SET at = ? WHERE run_id = ?",
                (dt.datetime(2026, 12, day, 3, tzinfo=dt.UTC).isoformat(" "), run),
            )
    data = report_data(load_inventory(SAMPLE, today=TODAY), journal, TODAY)
    assert data.over_time == [(dt.date(2026, 12, 1), 1), (dt.date(2026, 12, 2), 0)]
    assert data.on_central == 0


def test_the_status_table_fits_80_columns_and_cuts_no_site_id_or_step(
    cli: CliRunner, tmp_path: Path
) -> None:
    """`make demo`'s status printed `desa-bal…` and `rolled_ba…` at 80 columns."""
    journal = _hand_written(tmp_path)
    run = journal.start_run("rollback")
    site = "hotspot-alun-alun-kota"  # the longest site id of the sample city
    journal.step(run, site, Step.ROLLED_BACK, phase=Phase.LEGACY, data={"phase": "legacy"})
    result = cli.invoke(
        app,
        [
            *("status", "--inventory", str(SAMPLE), "--today", TODAY.isoformat()),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--wave", "0"),
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
    row = next(line for line in result.stdout.splitlines() if site in line)
    assert re.search(r"legacy\s.*rolled_back", row), result.stdout
    assert "…" not in result.stdout


@pytest.mark.parametrize("step", [Step.ROLLED_BACK, Step.REVERTED])
def test_status_shows_a_reverted_site_without_a_success_tick(
    cli: CliRunner, tmp_path: Path, step: Step
) -> None:
    """Issue 36: `status` showed `✓ rolled_back`, a tick for an office whose change was
    taken back; its row says where the router is (the restored phase) and marks the
    step as a reversal."""
    journal = _hand_written(tmp_path)
    run = journal.start_run("rollback")
    site = "kec-sukamaju"
    journal.step(run, site, step, phase=Phase.LEGACY, data={"phase": "legacy"})
    result = cli.invoke(
        app,
        [
            *("status", "--inventory", str(SAMPLE), "--today", TODAY.isoformat()),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--limit", site),
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if site in line)
    assert "✓" not in row, row
    assert re.search(rf"legacy\s.*↩ {step.value}", row), row


def test_status_shows_a_skipped_site_without_a_success_tick(cli: CliRunner, tmp_path: Path) -> None:
    """A site the rollout skipped (outside its window) had nothing done: `status` showed
    `✓ skipped` beside `pending`, a tick for an office still waiting; it is marked as
    nothing done, neither a success nor a failure."""
    journal = _hand_written(tmp_path)
    run = journal.start_run("cutover")
    site = "kec-sukamaju"
    journal.step(run, site, Step.SKIPPED, detail="outside its window")
    result = cli.invoke(
        app,
        [
            *("status", "--inventory", str(SAMPLE), "--today", TODAY.isoformat()),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--limit", site),
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if site in line)
    assert "✓" not in row, row
    assert "✗" not in row, row
    assert re.search(r"· skipped", row), row


def test_a_backup_is_at_the_phase_the_journal_had_when_it_was_taken(tmp_path: Path) -> None:
    """Issue 36: rollback names the phase a backup restores: the phase journaled last
    before the backup was taken (legacy when nothing was ever changed)."""
    from netprov.change.restore import backup_phase

    journal = _hand_written(tmp_path)
    first = journal.start_run("apply")
    legacy = journal.store_backup(first, "setda", Platform.CISCO_IOS, "! legacy\n")
    journal.step(first, "setda", Step.CONFIRMED, detail="phase=dual", phase=Phase.DUAL)
    second = journal.start_run("apply")
    dual = journal.store_backup(second, "setda", Platform.CISCO_IOS, "! dual\n")
    journal.step(second, "setda", Step.CONFIRMED, detail="phase=central", phase=Phase.CENTRAL)
    assert backup_phase(journal, legacy) == "legacy"
    assert backup_phase(journal, dual) == "dual"
