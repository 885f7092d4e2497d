"""``netprov backup --commit`` keeps the routers' configs in git as Oxidized does: one commit
per run naming the routers whose config changed, only the backups folder committed, and no
commit when only a listing's timestamp moved."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import TODAY
from tests.test_twin_clients import netmiko

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin

SITES = ["kec-sukamaju", "dprd"]  # RouterOS and IOS


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)  # noqa: S607
    return done.stdout


def test_backup_commit_commits_only_changed_routers(
    cli: CliRunner, tmp_path: Path, twin_factory: TwinFactory
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    git(repo, "config", "user.name", "netprov test")
    git(repo, "config", "user.email", "test@example.invalid")
    (repo / "notes.txt").write_text("someone's work in progress\n")
    git(repo, "add", "notes.txt")  # staged by a person: never swept into netprov's commit
    twin = twin_factory(SITES)
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    args = [
        *("backup", "--hosts-file", str(hosts), "--limit", ",".join(SITES)),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(repo / "backups")),
        *("--today", TODAY.isoformat(), "--commit", "--json"),
    ]

    def backup_commit() -> dict[str, object]:
        result = cli.invoke(app, args)
        assert result.exit_code == 0, result.output
        document: dict[str, object] = json.loads(result.stdout)
        return document

    first = backup_commit()
    assert first["committed"] == [f"backups/{s}.cfg" for s in sorted(SITES)]
    assert git(repo, "log", "-1", "--format=%B").split("\n") == [
        f"netprov backup: 2 router config(s) changed (run {first['run_id']})",
        "",
        *sorted(SITES),
        "",
        "",
    ]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == first["committed"]
    assert git(repo, "diff", "--cached", "--name-only") == "notes.txt\n"  # still only staged
    kept = (repo / "backups" / "kec-sukamaju.cfg").read_text()
    assert kept.startswith("# by RouterOS 7.16.2\n")  # its version, not its time stamp
    assert "/ip address" in kept

    time.sleep(1.5)  # the twin's clock moves on: RouterOS export stamps a new time
    assert backup_commit()["commit"] is None  # nothing changed on any router
    assert len(git(repo, "log", "--format=%H").split()) == 1

    with netmiko(twin, "kec-sukamaju") as session:
        session.send_config_set(["/ip address add address=192.168.77.1/24 interface=ether3"])
    third = backup_commit()
    assert third["committed"] == ["backups/kec-sukamaju.cfg"]
    assert "192.168.77.1/24" in git(repo, "show", "HEAD", "--", "backups/kec-sukamaju.cfg")
