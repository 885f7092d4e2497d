"""``make interop``: Ansible's cisco.ios and community.routeros modules, unmodified, against a
``netprov twin up`` of two sample sites (one IOS, one RouterOS), all on loopback.

Ansible lives in its own virtual environment (``.venv-interop``, made by the Makefile):
Ansible 12.3 is the last release for Python 3.11. Exit code: ansible-playbook's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SITES = "setda,kel-hegarsari"  # cisco_ios, mikrotik_routeros
WORK = ROOT / "build" / "interop"


def inventory(hosts: dict[str, dict[str, object]]) -> dict[str, object]:
    """An Ansible YAML inventory from the twin's Nornir hosts file, grouped by platform."""
    groups: dict[str, dict[str, object]] = {}
    for name, host in hosts.items():
        group = groups.setdefault(f"platform_{host['platform']}", {"hosts": {}})
        group["hosts"][name] = {  # type: ignore[index]
            "ansible_host": host["hostname"],
            "ansible_port": host["port"],
            "ansible_user": host["username"],
            "ansible_password": host["password"],
            "ansible_network_cli_ssh_type": "paramiko",
        }
    return {"all": {"children": groups}}


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    hosts_file = WORK / "hosts.yaml"
    hosts_file.unlink(missing_ok=True)
    netprov = Path(sys.executable).parent / "netprov"
    twin = subprocess.Popen(
        [
            str(netprov),
            "twin",
            "up",
            "--inventory",
            str(ROOT / "inventory"),
            "--limit",
            SITES,
            "--hosts-file",
            str(hosts_file),
            "--time-scale",
            "30",
        ],
        cwd=WORK,
    )
    try:
        deadline = time.monotonic() + 60
        while not hosts_file.exists():
            if twin.poll() is not None or time.monotonic() > deadline:
                print("the twin did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
        (WORK / "inventory.yml").write_text(yaml.safe_dump(inventory(hosts)), encoding="utf-8")
        ansible = ROOT / ".venv-interop" / "bin" / "ansible-playbook"
        env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "interop" / "ansible.cfg")}
        return subprocess.run(
            [
                str(ansible),
                "-i",
                str(WORK / "inventory.yml"),
                str(ROOT / "interop" / "playbook.yml"),
            ],
            env=env,
            check=False,
            timeout=600,
        ).returncode
    finally:
        twin.send_signal(signal.SIGTERM)
        twin.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
