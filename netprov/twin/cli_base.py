"""What both personalities share: the interface a session drives, and the clock.

A personality turns one input line into output text; it never touches the network. The
SSH layer (:mod:`netprov.twin.server`) owns echo, prompts on the wire, delays and drops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


@dataclass
class TwinClock:
    """Device timers (revert timers, schedulers) run ``scale`` times faster than real time.

    Tests use a large scale so a "1 minute" revert fires in a fraction of a second.
    """

    scale: float = 1.0

    def seconds(self, device_seconds: float) -> float:
        """Real seconds for ``device_seconds`` of the device's timers (scaled)."""
        return device_seconds / self.scale
