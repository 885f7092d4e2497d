"""What both personalities share: the interface a session drives, and the clock.

A personality turns one input line into output text; it never touches the network. The
SSH layer (:mod:`netprov.twin.server`) owns echo, prompts on the wire, delays and drops.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import Protocol, runtime_checkable

from netprov.sim.topology import Router


@dataclass
class Reply:
    """What a line produced: text to print before the next prompt, and session effects."""

    output: str = ""
    close: bool = False  # the device ends the session (exit, quit, reboot)
    config_line: bool = False  # counted for the "drop after N config lines" fault


class CliSession(Protocol):
    """One interactive session on a device."""

    def banner(self) -> str:
        """What the device prints before the first prompt."""

    def prompt(self) -> str:
        """The prompt now."""

    def handle(self, line: str) -> Reply:
        """Run one line typed at the prompt."""

    def refusal(self, line: str) -> str:
        """What the device prints when it refuses ``line`` (the ``reject`` command fault)."""
        ...

    def enter(self, prompt: str, line: str) -> str:
        """What the terminal prints when Enter is pressed on ``line`` (typed at ``prompt``)."""
        ...

    def next_prompt(self) -> str:
        """The prompt as printed after a reply (a device may repaint it)."""
        ...

    def seconds_taken(self, line: str, output: str) -> float:
        """Device seconds ``line`` runs before the prompt comes back (a ping's packets)."""
        ...

    def reads_only(self, line: str) -> bool:
        """Whether ``line`` only reads (prints, pings): the router's state stays as it
        was, so what its office PCs meet does too (netprov.twin.office)."""
        ...


SCALE_VARIABLE = "NETPROV_TWIN_TIME_SCALE"
SCALE_RANGE = (1.0, 1000.0)


def time_scale(text: str | None) -> float:
    """``NETPROV_TWIN_TIME_SCALE`` as a number (unset: 1, real time), or ValueError saying
    what is accepted: 1 to 1000 (below 1 would slow the routers' timers, unseen).

    Examples:
        >>> time_scale(None), time_scale("30")
        (1.0, 30.0)
        >>> time_scale("0.5")
        Traceback (most recent call last):
        ...
        ValueError: '0.5' is not accepted:
          a number from 1 to 1000, how many times faster than real time the twin runs
    """
    if text is None:
        return 1.0
    low, high = SCALE_RANGE
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # nan fails too
        # a line of its own: click prints the message after the variable's name
        raise ValueError(
            f"{text!r} is not accepted:\n  a number from {low:g} to {high:g}, how many times "
            "faster than real time the twin runs"
        )
    return value


@dataclass
class TwinClock:
    """The twin's time: device timers (revert timers, schedulers), its routers' clocks and
    uptimes, and the office PCs' pings run ``scale`` times faster than real time.

    Tests use a large scale so a "1 minute" revert fires in a fraction of a second.
    """

    scale: float = 1.0
    _origin: float = field(default_factory=time.monotonic, repr=False)
    _wall: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC), repr=False)

    def seconds(self, device_seconds: float) -> float:
        """Real seconds for ``device_seconds`` of the device's timers (scaled)."""
        return device_seconds / self.scale

    def elapsed(self) -> float:
        """Twin seconds since the clock started (real seconds times the scale)."""
        return (time.monotonic() - self._origin) * self.scale

    def now(self) -> dt.datetime:
        """The routers' wall clock: the real time the twin started, then twin time (a
        router's uptime counts in the seconds its timers count in)."""
        return self._wall + dt.timedelta(seconds=self.elapsed())


@dataclass(frozen=True)
class Reboot:
    """A reboot of a twin router, in twin seconds: when it went down, why (``command``: the
    router was told to, ``/system reboot``, a backup load, ``reload``; ``fault``: the
    scenario's), and when it answered again (None: not yet)."""

    at: float
    reason: str
    back: float | None = None

    @property
    def seconds(self) -> float | None:
        """How long the router was down (None while it is)."""
        return None if self.back is None else round(self.back - self.at, 1)


@runtime_checkable
class TwinState(Protocol):
    """What the twin asks of a simulated router (``netprov.sim``), whatever its platform:
    load and boot its config, route, refuse or swallow lines (faults), take files, let a
    user in, come back from a reboot, and tell the twin of config lines and reboots."""

    rejections: list[re.Pattern[str]]
    ignored: list[re.Pattern[str]]
    schedule: Callable[[float, Callable[[], None]], Callable[[], None]]
    on_config_line: Callable[[], None]
    on_reboot: Callable[[], None]
    accepts_files: bool

    def load_initial(self, text: str) -> list[tuple[int, str]]:
        """Load a whole config; each refused line as (line number, the refusal)."""
        ...

    def boot(self) -> None:
        """Come up with the loaded config (what runs at boot runs)."""
        ...

    def router(self) -> Router:
        """The routing model of the state."""
        ...

    def config_text(self) -> str:
        """The config as netprov reads it back."""
        ...

    def store_file(self, path: str, data: bytes) -> None:
        """Keep a file copied to the router."""
        ...

    def allow_user(self, name: str) -> None:
        """Let ``name`` log in."""
        ...

    def after_reboot(self) -> None:
        """What the router does when it comes back from a reboot (its uptime restarts)."""
        ...

    def limit(self, mode: str, features: Mapping[str, bool]) -> None:
        """Run in device-mode ``mode`` with ``features`` on or off (RouterOS 7's
        ``/system device-mode``); ValueError on a platform without one."""
        ...

    def queue_for(self, source: IPv4Address, destination: IPv4Address) -> str | None:
        """The queue of the router's own that takes a packet from ``source`` (an office PC)
        to ``destination``; None: none does, or the twin does not model it."""
        ...
