"""Issue 23: the inventory in git is the desired state. Promote writes the phase, check plans
exactly that step, cutover without ``--to`` converges to it, and afterwards backup + check
plan nothing; a router moved past git is drift, never a green plan back."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.checks.gate import run_check
from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE, TEMPLATES, TODAY

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin


def test_promote_check_cutover_converge(
    cli: CliRunner, tmp_path: Path, twin_factory: TwinFactory
) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(SAMPLE, root)
    for path in (root / "sites").glob("*.yaml"):  # any hour will do for this rehearsal
        path.write_text(re.sub(r"  maintenance_window:\n(    .*\n)+", "", path.read_text()))
    wave0 = sorted(s.id for s in load_inventory(root).sites if s.wave == 0)[:3]
    twin = twin_factory(wave0, inventory=root)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    backups = tmp_path / "backups"
    common = [
        *("--inventory", str(root), "--hosts-file", str(hosts), "--today", TODAY.isoformat()),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(backups)),
    ]
    selected = ["--limit", ",".join(wave0)]

    def backup_and_check() -> dict[str, tuple[list[str] | None, list[str]]]:
        result = cli.invoke(app, ["backup", *common, *selected])
        assert result.exit_code == 0, result.output
        report = run_check(root, templates=TEMPLATES, backups=backups, today=TODAY)
        return {
            r.site.id: (r.commands, [f.rule for f in r.findings if f.rule == "NP014"])
            for r in report.sites
            if r.site.id in wave0
        }

    def drift() -> dict[str, tuple[str, str | None, str | None]]:
        """Online and read-only: each router's state, its phase, the journal's phase."""
        before = {p.name: p.read_text() for p in backups.glob("*.cfg")}
        result = cli.invoke(app, ["drift", *common, *selected, "--json"])
        assert result.exit_code in (0, 2), result.output
        assert {p.name: p.read_text() for p in backups.glob("*.cfg")} == before  # stores nothing
        sites = json.loads(result.stdout)["sites"]
        found = {s["site"]: (s["state"], s["actual_phase"], s["journal_phase"]) for s in sites}
        assert result.exit_code == (0 if all(v[0] == "in_sync" for v in found.values()) else 2)
        return found

    assert all(commands == [] for commands, _ in backup_and_check().values())  # legacy, as git says
    assert drift() == dict.fromkeys(wave0, ("in_sync", "legacy", None))

    promoted = cli.invoke(app, ["promote", "--inventory", str(root), *selected, "--to", "dual"])
    assert promoted.exit_code == 0, promoted.output
    planned = backup_and_check()
    assert all(commands and np014 == [] for commands, np014 in planned.values())  # the dual step
    assert drift() == dict.fromkeys(wave0, ("pending", "legacy", None))  # promoted, not yet done
    markdown = cli.invoke(
        app,
        [
            *("check", "--inventory", str(root), "--backups", str(backups)),
            *("--today", TODAY.isoformat(), "--format", "markdown"),
        ],
    )
    assert markdown.exit_code == 0, markdown.output  # what the pull request's comment shows
    assert all(
        f"{site} → dual ({len(planned[site][0] or [])} commands)" in markdown.stdout
        for site in wave0
    )
    assert markdown.stdout.count("<details>") == len(wave0)  # only the promoted sites

    cutover = cli.invoke(app, ["cutover", *common, *selected, "--yes", "--json"])  # no --to
    assert cutover.exit_code == 0, cutover.output
    document = json.loads(cutover.stdout)
    assert document["departs_from_inventory"] == []
    assert {s["site"]: s["status"] for s in document["sites"]} == dict.fromkeys(wave0, "confirmed")
    assert backup_and_check() == dict.fromkeys(wave0, ([], []))  # converged: nothing, no drift
    assert drift() == dict.fromkeys(wave0, ("in_sync", "dual", "dual"))

    def status() -> dict[str, tuple[str, str, str]]:
        """Offline, from the journal: desired (git), confirmed (journal), whether they agree."""
        args = ["status", "--inventory", str(root), "--db", f"sqlite:///{tmp_path / 'j.db'}"]
        result = cli.invoke(app, [*args, *selected, "--json"])
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["sites"]
        return {r["site"]: (r["desired_phase"], r["journal_phase"], r["state"]) for r in rows}

    assert status() == dict.fromkeys(wave0, ("dual", "dual", "in_sync"))

    ahead = wave0[0]  # moved past git by an explicit override
    override = cli.invoke(app, ["cutover", *common, "--limit", ahead, "--to", "central", "--yes"])
    assert override.exit_code == 0, override.output
    assert "departs from the inventory for 1 site(s)" in override.output
    commands, np014 = backup_and_check()[ahead]
    assert commands  # the plan back to dual ...
    assert np014 == ["NP014"]  # ... is reported as drift, offline
    online = drift()
    assert online[ahead] == ("ahead", "central", "central")  # and online
    assert status()[ahead] == ("dual", "central", "ahead")  # and in status
    assert all(online[s] == ("in_sync", "dual", "dual") for s in wave0 if s != ahead)
