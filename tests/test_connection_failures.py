"""Issue 37 item 9: a router netprov cannot reach is one line naming the likely cause, and
no command prints a third party's traceback or warning.

The cases are what a real router does at its SSH port: SSH off (RouterOS ``/ip service set
ssh disabled=yes``, IOS without ``transport input ssh``) closes the port, so the kernel
answers the connection with a reset (refused); a firewall that drops, or a router too busy
to start its SSH server, leaves the client waiting for the server's identification line
(RFC 4253 section 4.2: the server sends it first) until its banner timeout; a wrong password
is refused by the router's SSH server. Each runs on loopback: a bound port that does not
listen, a listening socket that never speaks, and the twin's ``auth_fail`` fault.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from netprov.errors import DeviceError
from netprov.models import Platform
from netprov.platforms import Target, driver_for
from netprov.twin.pytest_plugin import TwinFactory
from netprov.twin.scenario import Scenario, SiteFaults
from tests.conftest import REPO, SAMPLE, TODAY, twin_cli_args

PLATFORMS = [Platform.MIKROTIK_ROUTEROS, Platform.CISCO_IOS]
SITES = {Platform.MIKROTIK_ROUTEROS: "kel-hegarsari", Platform.CISCO_IOS: "setda"}


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections to it are refused (as to a
    router whose SSH service is off), and no other test can take it meanwhile."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that takes the connection and never sends an SSH banner."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def _target(platform: Platform, port: int, tmp_path: Path) -> Target:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.touch()
    return Target(SITES[platform], "127.0.0.1", port, "netprov", "x", platform, known_hosts)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_refused_connection_names_ssh_off_or_a_firewall(
    platform: Platform, closed_port: int, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    target = _target(platform, closed_port, tmp_path)
    with pytest.raises(DeviceError) as caught:
        driver_for(platform).open(target, change_id="t", timeout=5)
    message = str(caught.value)
    assert message == (
        f"{target.site_id}: cannot connect to 127.0.0.1:{closed_port}: connection refused "
        "(SSH is off on the router, or a firewall rejects the port)"
    )
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_banner_names_a_filtered_port_or_an_overloaded_router(
    platform: Platform, silent_port: int, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """paramiko's transport thread logged the banner error with its traceback on stderr,
    beside netprov's line (paramiko's logger had no handler: Python's last resort printed
    it)."""
    target = _target(platform, silent_port, tmp_path)
    with pytest.raises(DeviceError) as caught:
        driver_for(platform).open(target, change_id="t", timeout=2)
    assert str(caught.value) == (
        f"{target.site_id}: cannot connect to 127.0.0.1:{silent_port}: no SSH banner in 2 s "
        "(a firewall filters the port, or the router is overloaded)"
    )
    assert capfd.readouterr().err == ""


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """netprov as an engineer runs it: its own process, so what a library prints at import
    or from a thread is on its stderr."""
    environ = {**os.environ, "NETPROV_ROUTER_PASSWORD": "x", **(env or {})}
    environ.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "netprov", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ,
        timeout=300,
        check=False,
    )


def test_a_refused_router_is_one_line_and_exit_1_with_nothing_on_stderr(
    closed_port: int, tmp_path: Path
) -> None:
    hosts = tmp_path / "hosts.yaml"
    entry = {"hostname": "127.0.0.1", "port": closed_port, "username": "u", "password": "p"}
    hosts.write_text(
        yaml.safe_dump(
            {
                "setda": {**entry, "platform": "cisco_ios"},
                "kel-hegarsari": {**entry, "platform": "mikrotik_routeros"},
            }
        )
    )
    done = _cli(
        *("backup", "--inventory", str(SAMPLE), "--hosts-file", str(hosts)),
        *("--limit", "setda,kel-hegarsari", "--db", f"sqlite:///{tmp_path / 'j.db'}"),
        *("--backups", str(tmp_path / "b"), "--json"),
    )
    assert done.returncode == 1
    assert done.stderr == ""
    details = {s["site"]: s["detail"] for s in json.loads(done.stdout)["sites"]}
    for site, detail in details.items():
        assert detail.startswith(f"{site}: cannot connect to 127.0.0.1:{closed_port}: ")
        assert "connection refused (SSH is off on the router" in detail


@pytest.mark.twin
def test_a_wrong_password_says_authentication_failed(
    twin_factory: TwinFactory, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from netprov.cli import app

    site = SITES[Platform.MIKROTIK_ROUTEROS]
    twin = twin_factory([site], scenario=Scenario(sites={site: SiteFaults(auth_fail=True)}))
    result = CliRunner().invoke(
        app, ["backup", *twin_cli_args(twin, tmp_path, site), "--json"], env={}
    )
    assert result.exit_code == 1
    (outcome,) = json.loads(result.stdout)["sites"]
    device = twin.devices[site]
    assert outcome["detail"] == (
        f"{site}: cannot connect to {device.host}:{device.port}: authentication failed "
        "(the router refused this user name and password)"
    )


@pytest.mark.twin
def test_a_twin_command_prints_no_warning(tmp_path: Path) -> None:
    """cryptography 51 deprecates DSA, and asyncssh (the twin's SSH server) names its DSA
    classes when imported: ten ``CryptographyDeprecationWarning`` lines on stderr before
    every twin command, which broke ``--json 2>&1`` readers."""
    done = _cli(
        *("plan", "--twin", "--inventory", str(SAMPLE), "--limit", "desa-balokang"),
        *("--db", f"sqlite:///{tmp_path / 'j.db'}", "--backups", str(tmp_path / "b")),
        *("--today", TODAY.isoformat(), "--json"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["command"] == "plan"
