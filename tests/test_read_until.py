"""Reading a router's reply up to its end (``platforms.base.read_until``), on scripted
channels: RouterOS repaints the command after its prompt before the output, so a prompt in
the middle of a reply is not its end; a router that does not repaint is read until its
prompt and a quiet moment; a session the router closed ends the read at once."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest

from netprov.platforms.routeros import session
from netprov.platforms.session import read_until

PROMPT = "[admin@office] > "
COMMAND = "/system identity print"
DONE = session.REPAINTED.format(command=re.escape(COMMAND))


@dataclass
class _Channel:
    closed: bool = False
    eof_received: bool = False


@dataclass
class ScriptedConnection:
    """Hands out one scripted chunk per read, after its delay; then nothing."""

    chunks: list[tuple[float, str]]
    remote_conn: _Channel = field(default_factory=_Channel)
    close_at_end: bool = False
    started: float = field(default_factory=time.monotonic)

    def read_channel(self) -> str:
        if self.chunks and time.monotonic() - self.started >= self.chunks[0][0]:
            return self.chunks.pop(0)[1]
        if not self.chunks and self.close_at_end:
            self.remote_conn.closed = True
        return ""


def test_a_prompt_before_the_repaint_is_not_the_end() -> None:
    """The chunk boundary that cut replies short: the typed echo, then the repaint's
    prompt alone, then (later) the rest."""
    conn = ScriptedConnection(
        [
            (0.0, COMMAND + "\n"),
            (0.0, PROMPT),
            (0.05, COMMAND + "\nname: office\n" + PROMPT),
        ]
    )
    output = read_until(conn, DONE, 5, settled=session.PROMPT_AT_END)
    assert output.endswith("name: office\n" + PROMPT)


def test_a_router_that_does_not_repaint_is_read_to_its_prompt_then_quiet() -> None:
    conn = ScriptedConnection([(0.0, COMMAND + "\nname: office\n" + PROMPT)])
    started = time.monotonic()
    output = read_until(conn, DONE, 5, settled=session.PROMPT_AT_END, quiet=0.2)
    assert output.endswith(PROMPT)
    assert 0.2 <= time.monotonic() - started < 2


def test_a_closed_session_ends_the_read_at_once() -> None:
    conn = ScriptedConnection([(0.0, COMMAND + "\n")], close_at_end=True)
    started = time.monotonic()
    with pytest.raises(EOFError):
        read_until(conn, DONE, 30)
    assert time.monotonic() - started < 1


def test_nothing_at_all_times_out() -> None:
    conn = ScriptedConnection([])
    with pytest.raises(TimeoutError):
        read_until(conn, DONE, 0.2)
