"""The servers tiers share one server per tier (one Nautobot, one Redis): their tests must run
on one pytest-xdist worker, as ``xdist_group`` asks. pytest 9.2 made pytest-xdist 3.8 drop
the groups without a word (pytest-dev/pytest-xdist#1386), and each worker then started its
own Nautobot; this test fails first when an upgrade does that again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("tier")


@pytest.mark.parametrize("n", range(6))
def test_where(n):
    with open(os.environ["WHERE"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    where = tmp_path / "where.log"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "3", "--dist", "loadgroup", "-q"],
        cwd=tmp_path,
        env={"WHERE": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = where.read_text(encoding="utf-8").split()
    assert len(workers) == 6
    assert len(set(workers)) == 1, f"the group ran on {sorted(set(workers))}"
