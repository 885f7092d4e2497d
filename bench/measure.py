"""Run a command and measure it alone: wall time, CPU and the peak memory of its processes.

The command runs under a small wrapper process whose only children are the command and its
workers, so ``RUSAGE_CHILDREN`` there is theirs alone: in the bench itself it would also
count every earlier child (Linux reports the largest peak of all the children ever waited
for, and keeps a process's peak across exec).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = """
import json, resource, subprocess, sys
code = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"))
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mib": usage.ru_maxrss / 1024}))
"""


@dataclass(frozen=True)
class Measured:
    code: int
    stdout: str
    stderr: str
    wall_s: float
    cpu_s: float  # the command and every process it waited for
    peak_rss_mib: float  # the largest of those processes


def run_measured(command: list[str], cwd: Path, stdout_file: Path) -> Measured:
    """Run ``command`` (its standard output into ``stdout_file``) and measure it."""
    started = time.perf_counter()
    wrapper = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(stdout_file), *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    wall = time.perf_counter() - started
    figures = json.loads(wrapper.stdout.strip().splitlines()[-1])
    return Measured(
        figures["code"],
        stdout_file.read_text(encoding="utf-8"),
        wrapper.stderr,
        wall,
        figures["cpu_s"],
        figures["peak_rss_mib"],
    )
