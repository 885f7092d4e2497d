"""``netprov twin up`` as a user runs it: a process, a hosts file, any Nornir user can aim at it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from nornir import InitNornir

from tests.conftest import REPO

pytestmark = pytest.mark.twin  # real SSH sessions with the device twin


def test_twin_up_serves_a_hosts_file_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.yaml"
    scenario = tmp_path / "scenario.yaml"
    # its only line is dead: its sessions come over a console server (out of band)
    scenario.write_text(
        "sites:\n  desa-balokang:\n    uplinks: {legacy: {state: down}}\n"
        "    management: out-of-band\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "netprov",
            "twin",
            "up",
            "--inventory",
            str(REPO / "inventory"),
            "--hosts-file",
            str(hosts),
            "--scenario",
            str(scenario),
            "--kind",
            "desa,opd",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while not hosts.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert hosts.exists(), process.stderr.read() if process.stderr else ""
        nr = InitNornir(
            inventory={"plugin": "SimpleInventory", "options": {"host_file": str(hosts)}},
            logging={"enabled": False},
        )
        assert len(nr.inventory.hosts) == 46  # 30 OPD + 16 desa
        for name in ("setda", "desa-balokang"):
            host = nr.inventory.hosts[name]
            assert host.hostname == "127.0.0.1"
            with ConnectHandler(
                device_type=host.platform,
                host=host.hostname,
                port=host.port,
                username=host.username,
                password=host.password,
            ) as conn:
                if host.platform == "cisco_ios":
                    assert "smj-setda-r1" in conn.send_command(
                        "show running-config | include hostname"
                    )
                else:
                    assert "packet-loss=100%" in conn.send_command("/ping 8.8.8.8 count=2")
        assert (hosts.stat().st_mode & 0o777) == 0o600
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "twin up: 46 routers" in stdout
    assert "twin stopped" in stdout
    assert "Traceback" not in stderr
    assert not hosts.exists()
