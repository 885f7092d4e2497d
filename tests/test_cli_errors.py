"""Bad input is one clear line and a non-zero exit, never a traceback, and never a journal
or folder made by mistake (issue 12, items 4 and 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.models import Platform
from netprov.state.journal_rows import Step
from tests.conftest import SAMPLE


def run(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("foo://bar", "unknown database kind 'foo'"),
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://netprov:s3cret@127.0.0.1:1/netprov", "cannot open the journal"),
    ],
)
def test_a_bad_db_url_is_one_line(cli: CliRunner, url: str, says: str) -> None:
    code, output = run(cli, "runs", "--db", url)
    assert code == 1
    assert says in output
    assert "s3cret" not in output  # the URL is shown without its password
    assert "Traceback" not in output


def test_read_only_commands_never_create_a_journal(cli: CliRunner, tmp_path: Path) -> None:
    typo = tmp_path / "jurnal" / "state.db"
    for command in (["status", "--inventory", str(SAMPLE)], ["runs"], ["run", "x"]):
        code, output = run(cli, *command, "--db", f"sqlite:///{typo}")
        assert code == 1, command
        assert f"no journal at {typo}" in " ".join(output.split())  # wrapped at 80
    assert not typo.parent.exists()


def test_a_db_whose_folder_is_missing_stops_before_any_router(
    cli: CliRunner, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "j.db"
    code, output = run(
        cli,
        "backup",
        "--inventory",
        str(SAMPLE),
        "--db",
        f"sqlite:///{missing}",
        "--limit",
        "setda",
    )
    assert code == 1
    assert f"folder {missing.parent} does not exist" in " ".join(output.split())
    assert not missing.parent.exists()


def test_a_missing_scenario_names_the_file(cli: CliRunner, tmp_path: Path) -> None:
    code, output = run(
        cli,
        "plan",
        "--inventory",
        str(SAMPLE),
        "--twin",
        "--scenario",
        str(tmp_path / "missing.yaml"),
        "--db",
        f"sqlite:///{tmp_path / 'j.db'}",
        "--phase",
        "dual",
    )
    assert code == 1
    assert f"{tmp_path / 'missing.yaml'}: cannot read" in output


def test_rich_markup_in_an_error_is_printed_as_text(cli: CliRunner, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("sites:\n  '[/..]': {slow_ms: 1}\n")
    code, output = run(cli, "twin", "up", "--inventory", str(SAMPLE), "--scenario", str(scenario))
    assert code == 1
    assert "unknown site '[/..]'" in output


def test_version(cli: CliRunner) -> None:
    code, output = run(cli, "--version")
    assert code == 0
    assert output.startswith("netprov 0.")


@pytest.mark.parametrize(
    "args",
    [
        ["render", "--kind", "desaa"],  # a typo rendered 0 configs with exit 0
        ["render", "--limit", "nosuch"],
        ["render", "--wave", "9"],
        ["status", "--group", "nosuch"],
        ["evidence", "nosuch"],
        ["plan", "--phase", "all", "--twin"],  # one phase, not all
        ["cutover", "--phase", "centrl", "--twin"],
    ],
)
def test_usage_errors_exit_2_and_say_which_option(
    cli: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    code, output = (
        run(cli, *args, "--inventory", str(SAMPLE), "--db", f"sqlite:///{tmp_path / 'j.db'}")
        if args[0] != "render"
        else run(cli, *args, "--inventory", str(SAMPLE), "--out", str(tmp_path))
    )
    assert code == 2, output
    assert "Traceback" not in output
    assert not list(tmp_path.glob("**/*.cfg"))


def test_check_takes_json_and_out_like_the_other_commands(cli: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "check.json"
    code, _ = run(
        cli, "check", "--inventory", str(SAMPLE), "--no-backups", "--json", "--out", str(report)
    )
    assert code == 0
    assert '"command": "check"' in report.read_text()


def test_an_unreachable_router_is_one_line_per_site(cli: CliRunner, tmp_path: Path) -> None:
    """Issue 12 (4): Nornir printed netmiko's traceback for an unreachable router."""
    import socket

    with socket.socket() as probe:  # bound, never listening: refused,
        # and no other test's twin can take the port while this one runs
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        hosts = tmp_path / "hosts.yaml"
        hosts.write_text(
            "".join(
                f"{site}:\n  hostname: 127.0.0.1\n  port: {port}\n  username: u\n  password: p\n"
                f"  platform: {platform}\n  data: {{twin: true}}\n"
                for site, platform in (
                    ("setda", "cisco_ios"),
                    ("kel-hegarsari", "mikrotik_routeros"),
                )
            )
        )
        code, output = run(
            cli,
            "backup",
            "--inventory",
            str(SAMPLE),
            "--hosts-file",
            str(hosts),
            "--limit",
            "setda,kel-hegarsari",
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--json",
        )
    assert code == 1
    assert "Traceback" not in output
    document = json.loads(output[output.index("{") :])
    details = {s["site"]: s["detail"] for s in document["sites"]}
    assert details["setda"].startswith(f"setda: cannot connect to 127.0.0.1:{port}: ")
    assert details["kel-hegarsari"].startswith(
        f"kel-hegarsari: cannot connect to 127.0.0.1:{port}:"
    )
    assert all("\n" not in detail for detail in details.values())


def test_the_journal_is_private_and_takes_many_writers(tmp_path: Path) -> None:
    """Issue 13 (1, 5): the journal (raw running configs) was world-readable, and 50
    workers lost sites to "database is locked"."""
    import stat
    from concurrent.futures import ThreadPoolExecutor

    from netprov.state.journal import Journal

    path = tmp_path / "j.db"
    journal = Journal(f"sqlite:///{path}", tmp_path / "b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    run = journal.start_run("apply")

    def work(index: int) -> None:
        site = f"site-{index}"
        journal.store_backup(run, site, Platform.CISCO_IOS, f"hostname r{index}\n" * 200)
        for step in (Step.BACKED_UP, Step.PLANNED, Step.APPLIED, Step.VERIFIED, Step.CONFIRMED):
            journal.step(run, site, step, detail="x" * 500)

    with ThreadPoolExecutor(max_workers=100) as pool:
        list(pool.map(work, range(100)))
    _, steps = journal.run(run)
    assert len(steps) == 500
    assert len({s.site for s in steps}) == 100


@pytest.mark.parametrize("value", ["", "fast", "0.5", "0", "-3", "nan", "inf", "5000"])
def test_a_bad_twin_time_scale_names_the_variable_and_its_range(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Empty was a traceback (float('')); below 1 silently slowed the twin's timers."""
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", value)
    code, output = run(
        cli,
        "backup",
        "--inventory",
        str(SAMPLE),
        "--twin",
        "--db",
        f"sqlite:///{tmp_path / 'j.db'}",
        "--backups",
        str(tmp_path / "b"),
        "--limit",
        "setda",
    )
    assert code == 2, output
    assert "NETPROV_TWIN_TIME_SCALE" in output
    assert "from 1 to 1000" in output
    assert "Traceback" not in output
    assert not (tmp_path / "b").exists()  # refused before any router was read
