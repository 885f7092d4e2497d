"""``-v`` and ``--session-log DIR`` on every router command (issue 39, item 3 of the
issue): what each session sent and read, per router, as netmiko's own session log, with
every secret masked (the login password, the office's PPPoE password, the SNMP community:
the twin's made-up values must appear nowhere)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from netprov.cli import app
from netprov.inventory.loader import load_inventory
from netprov.secrets import site_secret_refs, twin_secret
from tests.conftest import SAMPLE, TODAY

SITES = ["kec-sukamaju", "setda"]  # RouterOS over PPPoE, and IOS


def _router_commands() -> list[str]:
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    return sorted(
        name
        for name, command in commands.items()
        if any("--twin" in getattr(p, "opts", []) for p in command.params)
    )


def test_every_router_command_takes_both() -> None:
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    names = _router_commands()
    assert {"backup", "plan", "apply", "verify", "drift", "cutover", "rollback"} <= set(names)
    for name in names:
        opts = {o for p in commands[name].params for o in getattr(p, "opts", [])}
        assert {"-v", "--verbose", "--session-log"} <= opts, name


def _secrets() -> set[str]:
    loaded = load_inventory(SAMPLE, today=TODAY)
    found = set()
    for site in (loaded.site(s) for s in SITES):
        found |= {twin_secret(ref) for ref in site_secret_refs(site, loaded.organisation)}
        found.add(twin_secret(site.router.credentials.password))
    return found


@pytest.mark.twin
def test_a_change_is_transcribed_per_router_with_its_secrets_masked(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPROV_TWIN_TIME_SCALE", "30")
    logs = tmp_path / "sessions"
    result = cli.invoke(
        app,
        [
            *("apply", "--inventory", str(SAMPLE), "--twin", "--limit", ",".join(SITES)),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
            *("--today", TODAY.isoformat(), "--phase", "dual", "--yes"),
            *("-v", "--session-log", str(logs)),
        ],
    )
    assert result.exit_code == 0, result.output
    ros = (logs / "kec-sukamaju.log").read_text(encoding="utf-8")
    ios = (logs / "setda.log").read_text(encoding="utf-8")
    assert "/export terse show-sensitive" in ros  # what was sent, as the router echoed it
    assert "/interface pppoe-client" in ros  # and what it answered
    assert "password=SECRET-" in ros  # the PPPoE password, masked
    assert "configure replace" in ios
    assert "snmp-server community SECRET-" in ios
    assert ros.startswith("--- ")  # each session opens with where it went
    for secret in _secrets():
        assert secret not in ros, secret
        assert secret not in ios, secret
        assert secret not in result.stderr, secret
    said = [line for line in result.stderr.splitlines() if line.startswith("kec-sukamaju| ")]
    assert any("/export terse show-sensitive" in line for line in said)
    assert any(line.startswith("setda| ") for line in result.stderr.splitlines())


@pytest.mark.twin
def test_without_either_nothing_is_transcribed(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(
        app,
        [
            *("plan", "--inventory", str(SAMPLE), "--twin", "--limit", "kec-sukamaju"),
            *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
            *("--today", TODAY.isoformat(), "--phase", "dual"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "kec-sukamaju| " not in result.stderr
