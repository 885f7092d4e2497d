"""A region worker steps a site only on the inventory its coordinator planned the run on
(issue 24): a worker whose checkout differs refuses the site before it opens the journal or
touches a router, naming both digests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.inventory.loader import inventory_digest
from netprov.state.journal_rows import RunStatus
from tests.conftest import SAMPLE, TODAY

pytest.importorskip("celery", reason="the fleet extra is not installed")


def test_a_worker_on_another_checkout_refuses_the_site(tmp_path: Path) -> None:
    from netprov.rollout.engine.celery_app import site_step
    from netprov.rollout.engine.dispatch import references

    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    db = tmp_path / "never.db"
    request = {
        **references(str(inventory), f"sqlite:///{db}", tmp_path / "b", None, TODAY.isoformat()),
        **{"run_id": "r1", "site": "setda", "command": "cutover"},
        "arguments": {"to": "dual", "now": "2026-11-24T02:00:00"},
    }
    assert request["inventory_digest"] == inventory_digest(inventory)
    site_file = inventory / "sites" / "opd.yaml"
    site_file.write_text(site_file.read_text(encoding="utf-8") + "\n# pulled since\n")

    outcome = site_step(request)  # this worker's checkout moved on after the run was planned

    assert outcome["status"] == "failed"
    assert "is not the coordinator's" in outcome["detail"]
    assert inventory_digest(inventory)[:12] in outcome["detail"]
    assert request["inventory_digest"][:12] in outcome["detail"]
    assert not db.exists()  # refused before the journal was opened, let alone a router


def test_the_digest_follows_the_files_load_inventory_reads(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(SAMPLE, inventory)
    before = inventory_digest(inventory)
    (inventory / "notes.txt").write_text("not part of the inventory")
    assert inventory_digest(inventory) == before
    renamed = inventory / "sites" / "zz.yaml"
    shutil.copy(next((inventory / "sites").glob("*.yaml")), renamed)
    assert inventory_digest(inventory) != before


def test_a_task_that_outlived_its_run_pushes_nothing(tmp_path: Path) -> None:
    """A broker that kept a task through an outage hands it out after the run stopped (and
    was resumed under another id): the worker drops it before reaching any router."""
    from celery.exceptions import Ignore

    from netprov.rollout.engine.celery_app import site_step
    from netprov.rollout.engine.dispatch import references
    from netprov.state.journal import Journal

    db = f"sqlite:///{tmp_path / 'j.db'}"
    journal = Journal(db, tmp_path / "b")
    run = journal.start_run("cutover")
    journal.finish_run(run, RunStatus.INTERRUPTED)
    request = {
        **references(str(SAMPLE), db, tmp_path / "b", None, TODAY.isoformat()),
        **{"run_id": run, "site": "setda", "command": "cutover"},
        "arguments": {"to": "dual", "now": "2026-11-24T02:00:00"},
    }
    with pytest.raises(Ignore):
        site_step(request)
    assert journal.run(run)[1] == []  # not a step, not a lock
    assert journal.lock_holder("setda") is None


def test_a_worker_rate_limit_is_checked_before_it_starts(cli: CliRunner) -> None:
    from netprov.cli import app

    bad = cli.invoke(
        app,
        ["worker", "--queue", "pusat", "--broker", "redis://127.0.0.1:1/0", "--rate-limit", "fast"],
    )
    assert bad.exit_code == 2
    assert "e.g. 30/m" in bad.output
