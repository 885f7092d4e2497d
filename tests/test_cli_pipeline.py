"""The router commands as CI and engineers run them, against a private twin (--twin)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.state.journal import Journal
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

COMMON = ["--inventory", str(SAMPLE), "--today", "2026-11-22"]


def test_plan_exit_codes_and_saved_plan(cli: CliRunner, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "backups")]
    unchanged = cli.invoke(
        app,
        [
            "plan",
            *COMMON,
            *db,
            "--twin",
            "--limit",
            "setda,kel-hegarsari",
            "--phase",
            "legacy",
            "--json",
        ],
    )
    assert unchanged.exit_code == 0, unchanged.output
    pending = cli.invoke(
        app,
        [
            "plan",
            *COMMON,
            *db,
            "--twin",
            "--limit",
            "desa-balokang",
            "--phase",
            "central",
            "--out",
            str(tmp_path / "plan.json"),
        ],
    )
    assert pending.exit_code == 2, pending.output
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["plans"][0]["site"] == "desa-balokang"
    assert any("netprov:default-central" in c for c in saved["plans"][0]["commands"])


def test_apply_with_a_broken_central_link_rolls_back_and_exits_1(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")  # the router's reboot takes 1 s
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("sites:\n  desa-balokang:\n    uplinks: {central: {state: down}}\n")
    db = ["--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "backups")]
    result = cli.invoke(
        app,
        [
            "apply",
            *COMMON,
            *db,
            "--twin",
            "--scenario",
            str(scenario),
            "--phase",
            "dual",
            "--limit",
            "desa-balokang,desa-cujang",
            "--yes",
            "--json",
            "--change-id",
            "CR-42",
        ],
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    statuses = {site["site"]: site["status"] for site in document["sites"]}
    assert statuses == {"desa-balokang": "rolled_back", "desa-cujang": "confirmed"}
    broken = next(s for s in document["sites"] if s["site"] == "desa-balokang")
    assert broken["restored_identical"] is True
    journal = db[:2]  # runs and run only read the journal
    runs = json.loads(cli.invoke(app, ["runs", *journal, "--json"]).stdout)["items"]
    assert runs[0]["change_id"] == "CR-42"
    assert runs[0]["run_id"] == document["run_id"]
    story = json.loads(cli.invoke(app, ["run", document["run_id"], *journal, "--json"]).stdout)[
        "items"
    ]
    assert [s["step"] for s in story if s["site"] == "desa-balokang"] == [
        "backed_up",
        "planned",
        "applied",
        "verified",
        "reverted",
        "rolled_back",
    ]


def test_apply_asks_and_aborts_without_yes(cli: CliRunner, tmp_path: Path, terminal: None) -> None:
    result = cli.invoke(
        app,
        [
            "apply",
            *COMMON,
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--twin",
            "--limit",
            "setda",
            "--phase",
            "dual",
        ],
        input="n\n",
    )
    assert result.exit_code == 3  # cancelled: nothing pushed, not a failure
    assert "nothing was changed" in result.stderr


def test_a_successful_rollback_exits_0_and_is_journaled_done(
    cli: CliRunner, tmp_path: Path, twin_factory: TwinFactory
) -> None:
    """Issue 12 (1): restoring a backup on purpose is a success, not a failure."""
    twin = twin_factory(["desa-cujang"])
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    common = [*COMMON, "--hosts-file", str(hosts), "--db", db, "--backups", str(tmp_path / "b")]
    common += ["--limit", "desa-cujang"]
    applied = cli.invoke(app, ["apply", *common, "--phase", "dual", "--yes", "--json"])
    assert applied.exit_code == 0, applied.output
    rolled = cli.invoke(app, ["rollback", *common, "--yes", "--json"])
    assert rolled.exit_code == 0, rolled.output
    document = json.loads(rolled.stdout)
    assert document["ok"] is True
    assert [s["status"] for s in document["sites"]] == ["restored"]
    run = Journal(db).runs(1)[0]
    assert (run.command, run.status) == ("rollback", "done")


def test_plan_shows_whole_commands_and_a_diff_and_apply_asks_with_the_plan(
    cli: CliRunner,
    tmp_path: Path,
    twin_factory: TwinFactory,
    monkeypatch: pytest.MonkeyPatch,
    terminal: None,
) -> None:
    """Issue 12 (7): commands were cut at the terminal width; runs cut ids; apply asked
    "Roll out?" showing nothing."""
    monkeypatch.setenv("COLUMNS", "60")
    twin = twin_factory(["desa-balokang"])
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    common = [*COMMON, "--hosts-file", str(hosts), "--db", db, "--backups", str(tmp_path / "b")]
    common += ["--limit", "desa-balokang"]
    planned = cli.invoke(app, ["plan", *common, "--phase", "dual", "--diff"])
    assert planned.exit_code == 2, planned.output
    vlan = "/interface vlan add comment=netprov:central-vlan interface=ether5"
    assert f"+ {vlan} name=vlan1144-central vlan-id=1144" in planned.stdout
    assert "+++ desa-balokang (dual)" in planned.stdout
    assert (
        "+/ip route add check-gateway=ping comment=netprov:default-central distance=5"
        in planned.stdout
    )  # the central line comes in as the second route
    runs = cli.invoke(app, ["runs", "--db", db])
    run_id = Journal(db).runs(1)[0].id
    assert run_id in runs.stdout
    refused = cli.invoke(app, ["apply", *common, "--phase", "dual"], input="n\n")
    assert refused.exit_code == 3  # cancelled
    assert "Apply 13 command(s) to 1 router(s)?" in refused.stdout
    assert f"+ {vlan}" in refused.stdout
    assert "nothing was changed" in refused.stderr
    assert "netprov:central-vlan" not in twin.devices["desa-balokang"].running_config()
    accepted = cli.invoke(app, ["apply", *common, "--phase", "dual"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "netprov:central-vlan" in twin.devices["desa-balokang"].running_config()
