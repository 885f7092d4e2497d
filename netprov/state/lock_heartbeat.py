"""The heartbeat of the site locks a process holds, and the fence that goes with it.

A lock held from another host is judged by its heartbeat alone (``journal.STALE_AFTER``
of silence and it may be taken over). So a holder beats while it holds a lock, whether or
not its step journals anything (a slow push, a long verification), and a holder that has
not managed to beat for :data:`FENCE` (half of ``STALE_AFTER``: the journal is out of
reach, or its lock was taken over) stops: it neither pushes nor confirms, and leaves the
router to its device-side revert. Two holders of one site therefore never both change it,
across hosts, whatever the broker or the network does.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from netprov.state.journal import STALE_AFTER, Journal

# how often a holder refreshes its locks' heartbeat
INTERVAL_SECONDS = 30.0
# a holder whose last heartbeat is older than this may not push or confirm
FENCE = STALE_AFTER / 2


_KEEPERS: weakref.WeakKeyDictionary[Journal, LockKeeper] = weakref.WeakKeyDictionary()
_KEEPERS_LOCK = threading.Lock()


def keeper_for(journal: Journal) -> LockKeeper:
    """The one keeper of ``journal`` in this process (one heartbeat thread per journal,
    however many pipelines, e.g. a worker's tasks, share it)."""
    with _KEEPERS_LOCK:
        keeper = _KEEPERS.get(journal)
        if keeper is None:
            keeper = _KEEPERS[journal] = LockKeeper(journal)
        return keeper


class LockKeeper:
    """Beats for the locks this process holds in one journal (one thread, started with the
    first lock) and says whether a holding is still safe to act on."""

    def __init__(
        self,
        journal: Journal,
        *,
        interval: float = INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.journal = journal
        self.interval = interval
        self.clock = clock
        self._beaten: dict[str, float] = {}  # token -> when its heartbeat last landed
        self._lost: set[str] = set()  # tokens whose lock another holder took over
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, token: str) -> None:
        """Keep ``token``'s lock beating (it was just taken: its heartbeat is fresh)."""
        with self._lock:
            self._beaten[token] = self.clock()
            self._lost.discard(token)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="netprov-lock-heartbeat", daemon=True
                )
                self._thread.start()

    def let_go(self, token: str) -> None:
        """Stop beating for ``token`` (its lock is released)."""
        with self._lock:
            self._beaten.pop(token, None)
            self._lost.discard(token)

    def safe(self, token: str) -> str | None:
        """Why the holder of ``token`` must not push or confirm now (None: it may)."""
        with self._lock:
            if token in self._lost:
                return "its lock was taken over by another holder"
            last = self._beaten.get(token)
        if last is None:
            return "it does not hold the lock"
        if self.clock() - last > FENCE.total_seconds():
            return f"its lock's heartbeat has not reached the journal for over {FENCE}"
        return None

    def beat(self) -> None:
        """One heartbeat for every holding (the thread's work; callable directly)."""
        with self._lock:
            tokens = set(self._beaten)
        if not tokens:
            return
        try:
            held = self.journal.beat(tokens)
        except SQLAlchemyError:  # the journal out of reach: the fence decides
            return
        now = self.clock()
        with self._lock:
            for token in tokens & set(self._beaten):
                if token in held:
                    self._beaten[token] = now
                else:
                    self._lost.add(token)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.beat()
