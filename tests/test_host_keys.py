"""SSH host keys are checked (issue 13, item 2): an unknown or changed key stops the
session before the password is sent; `netprov trust` records keys explicitly."""

from __future__ import annotations

import json
from pathlib import Path

import asyncssh
import pytest
from typer.testing import CliRunner

from netprov.cli import app
from netprov.twin.pytest_plugin import TwinFactory
from tests.conftest import SAMPLE

pytestmark = pytest.mark.twin
SITES = "setda,kel-hegarsari"  # both platforms


def backup(cli: CliRunner, hosts: Path, tmp_path: Path) -> dict[str, str]:
    result = cli.invoke(
        app,
        [
            "backup",
            "--inventory",
            str(SAMPLE),
            "--hosts-file",
            str(hosts),
            "--limit",
            SITES,
            "--db",
            f"sqlite:///{tmp_path / 'j.db'}",
            "--backups",
            str(tmp_path / "b"),
            "--json",
        ],
    )
    sites = json.loads(result.stdout)["sites"]
    return {s["site"]: s["status"] if s["status"] == "backed_up" else s["detail"] for s in sites}


def test_unknown_then_trusted_then_changed(
    cli: CliRunner, tmp_path: Path, twin_factory: TwinFactory
) -> None:
    twin = twin_factory(SITES.split(","))
    hosts = tmp_path / "hosts.yaml"
    twin.write_hosts_file(hosts)
    known = hosts.with_name("known_hosts")
    assert backup(cli, hosts, tmp_path) == {"setda": "backed_up", "kel-hegarsari": "backed_up"}

    known.write_text("")  # nothing trusted yet
    refused = backup(cli, hosts, tmp_path)
    assert all("is not in" in detail and "netprov trust" in detail for detail in refused.values())

    trusted = cli.invoke(
        app, ["trust", "--inventory", str(SAMPLE), "--hosts-file", str(hosts), "--limit", SITES]
    )
    assert trusted.exit_code == 0, trusted.output
    assert "added" in trusted.stdout
    assert "SHA256:" in trusted.stdout
    assert len(known.read_text().splitlines()) == 2
    assert backup(cli, hosts, tmp_path) == {"setda": "backed_up", "kel-hegarsari": "backed_up"}

    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh")
    key = impostor.decode().split()[:2]
    known.write_text(
        "".join(f"{line.split()[0]} {key[0]} {key[1]}\n" for line in known.read_text().splitlines())
    )
    changed = backup(cli, hosts, tmp_path)
    assert all(
        "CHANGED" in detail and "password was not sent" in detail for detail in changed.values()
    )


def test_a_session_reads_only_its_routers_lines(tmp_path: Path) -> None:
    """paramiko's known_hosts parse is quadratic (paramiko #2251): each session gets a view
    of only its router's lines (exact and hashed names), refreshed when the file changes."""
    import paramiko

    from netprov.platforms.known_hosts import router_view

    known = tmp_path / "known_hosts"
    hashed = paramiko.HostKeys.hash_host("10.0.0.9")
    lines = [
        "# the team's file",
        "[127.0.0.1]:2201 ssh-ed25519 AAAAone",
        "[127.0.0.1]:22011 ssh-ed25519 AAAAother",
        "10.0.0.8,[127.0.0.1]:2201 ssh-rsa AAAAtwo",
        f"{hashed} ssh-ed25519 AAAAhashed",
    ]
    known.write_text("\n".join(lines) + "\n")
    view = router_view(known, "[127.0.0.1]:2201")
    assert view != known
    assert view.read_text().splitlines() == [lines[1], lines[3]]
    assert router_view(known, "10.0.0.9").read_text().splitlines() == [lines[4]]
    assert router_view(known, "10.0.0.7").read_text() == ""
    assert view.parent.stat().st_mode & 0o077 == 0  # nobody else can add a key

    known.write_text(lines[2] + "\n")  # `netprov trust` or a hand edit
    assert router_view(known, "[127.0.0.1]:2201").read_text() == ""
    missing = tmp_path / "none"
    assert router_view(missing, "10.0.0.9") == missing
