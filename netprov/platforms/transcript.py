"""What a session says to a router and hears back, for a person to read: ``-v`` prints it
on stderr (a line per line, named by its site), ``--session-log DIR`` keeps it in
``DIR/<site>.log``. It is netmiko's own ``session_log`` (what the client read from the
channel, the router echoing every command sent), every line masked before it is written:
the router's login password (netmiko's ``no_log``), then the secrets the platform's
syntax reveals and the values this run resolved (the pipeline's mask).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from netmiko.session_log import SessionLog

_ECHO = threading.Lock()  # sites run in threads: one line at a time on stderr


@dataclass(frozen=True)
class Transcript:
    """Where a router's sessions are written (``folder``: a file per site), whether they
    are echoed on stderr, and the mask every line goes through first."""

    folder: Path | None
    echo: bool
    mask: Callable[[str], str]

    def session_log(self, site: str, host: str, port: int, password: str) -> SessionLog:
        """netmiko's ``session_log`` for one session with ``site``'s router."""
        sink = None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            sink = (self.folder / f"{site}.log").open("a", encoding="utf-8")
        log = MaskedLog(site, self.mask, sink, sys.stderr if self.echo else None, password)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        log.write_line(f"--- {now} netprov's session with {host}:{port}")
        return log


class MaskedLog(SessionLog):
    """netmiko's session log, written a whole line at a time (a secret split across two
    channel reads is masked all the same), each line masked, to a file and/or stderr."""

    def __init__(
        self,
        site: str,
        mask: Callable[[str], str],
        sink: TextIO | None,
        echo: TextIO | None,
        password: str,
    ) -> None:
        super().__init__(no_log={"password": password} if password else {})
        self.site = site
        self.mask = mask
        self.sink = sink
        self.echo = echo
        self.pending = ""

    def open(self) -> None:
        """Nothing to open: the file is open already (netmiko calls this)."""

    def write(self, data: str) -> None:
        """What netmiko read from the channel: written a whole line at a time."""
        self.pending += data.replace("\r\n", "\n").replace("\r", "\n")
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.write_line(line)

    def write_line(self, line: str) -> None:
        """One line, masked, to the file and the terminal."""
        shown = self.mask(self.no_log_filter(line))
        if self.sink is not None:
            self.sink.write(shown + "\n")
            self.sink.flush()
        if self.echo is not None:
            with _ECHO:
                self.echo.write(f"{self.site}| {shown}\n")
                self.echo.flush()

    def flush(self) -> None:
        """Nothing: only whole lines are written (close writes what is left)."""

    def close(self) -> None:
        """Write the last, unfinished line and close the file."""
        if self.pending:
            self.write_line(self.pending)
            self.pending = ""
        if self.sink is not None:
            self.sink.close()
            self.sink = None
