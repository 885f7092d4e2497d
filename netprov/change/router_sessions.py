"""A run's SSH sessions with its sites' routers: opened through
:func:`netprov.platforms.device.connect`,
one kept per site across the steps of a piece of work (a cutover's reconciliation through
its last confirm), and the new session a check opens to prove the NOC still gets in."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from netprov.errors import DeviceError
from netprov.platforms import Session, Target
from netprov.platforms.device import connect


@dataclass
class RouterSessions:
    # site id -> how to reach its router (shared with the pipeline; a command may give a
    # target its transcript in place)
    targets: dict[str, Target]
    run_id: str  # each session's change id
    # sites whose session is kept between the steps of one piece of work (holding), and the
    # session kept: one SSH session per site from reconciliation through the last confirm
    _holding: set[str] = field(default_factory=set, init=False, repr=False)
    _held: dict[str, Session] = field(default_factory=dict, init=False, repr=False)

    def open(self, site_id: str, attempts: int = 1) -> Session:
        """A session with the site's router: the one held for it when it still stands,
        else a new one (``attempts``: while a router reboots)."""
        held = self._held.pop(site_id, None)
        if held is not None:
            if held.reusable and held.alive():
                return held
            held.close()
        if site_id not in self.targets:
            raise DeviceError(f"{site_id}: no connection target (not in the hosts file or twin)")
        target = self.targets[site_id]
        # a reboot takes a twin whose clock runs faster as much less time: retry as often
        wait = 2.0 / max(1.0, target.time_scale)
        return connect(target, change_id=self.run_id, attempts=attempts, wait=wait)

    def release(self, site_id: str, session: Session) -> None:
        """Done with ``session`` for now: kept for the site's next step while it is held,
        closed otherwise (and always once the router was told to reboot)."""
        if site_id in self._holding and session.reusable:
            self._held[site_id] = session
        else:
            session.close()

    @contextlib.contextmanager
    def holding(self, site_id: str) -> Iterator[None]:
        """Keep one session for the site across the steps inside (reconciliation, each
        phase's backup, push, checks and confirm); closed at the end."""
        self._holding.add(site_id)
        try:
            yield
        finally:
            self._holding.discard(site_id)
            held = self._held.pop(site_id, None)
            if held is not None:
                held.close()

    def new_session_ms(self, site_id: str, reply_seconds: float) -> float:
        """Open a new session to the router (the way every session comes in), prove it
        answers, close it: milliseconds. A dropped connection costs the client's banner
        wait: ten replies of this router, ten seconds at least (on a twin whose clock runs
        faster, as much shorter: its revert timer would fire while netprov waits)."""
        started = time.perf_counter()
        target = self.targets[site_id]
        timeout = max(1.0, max(10.0, 10 * reply_seconds) / target.time_scale)
        session = connect(target, change_id=self.run_id, timeout=timeout)
        try:
            session.round_trip()
        finally:
            session.close()
        return (time.perf_counter() - started) * 1000
