"""A region worker that outlives its Celery process: Celery's worker may exit on a lost
broker connection instead of reconnecting (an "Unrecoverable error" in kombu's Redis
transport, e.g. celery/celery#10205, celery/kombu#582), which would leave a region with no
worker until someone notices. ``netprov worker`` therefore runs Celery in a child process
and starts a new one whenever it ends without being asked to (as systemd's
``Restart=always`` would); SIGTERM and SIGINT are passed on and end both.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

# a pause between restarts, so a broker that stays down is not hammered
RESTART_PAUSE_SECONDS = 2.0


def supervise(argv: list[str], *, pause: float = RESTART_PAUSE_SECONDS) -> int:
    """Run ``argv`` again each time it ends, until this process is asked to stop (SIGTERM,
    SIGINT); then the child's exit code. Celery's worker exits 0 even after it gave up on
    its broker, so an exit code cannot tell a crash from a request."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        child = subprocess.Popen(argv)
        code = child.wait()
        if stopping:
            return code
        print(
            f"netprov worker: its Celery process {child.pid} ended ({code}) unasked: "
            f"starting another in {pause:g} s",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(pause)
        if stopping:
            return code
