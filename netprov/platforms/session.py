"""The session contract: one connection to a router through its real client (netmiko),
with the device-side safety net a change runs under, the change marker, and the helpers
every platform's session shares (pacing a slow router, reading to a prompt, turning the
client's errors into one clear line).
"""

from __future__ import annotations

import os
import re
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from netprov.errors import DeviceError
from netprov.models import Platform
from netprov.plan import SitePlan
from netprov.platforms.known_hosts import known_hosts_entry, router_view
from netprov.platforms.transcript import Transcript
from netprov.said import PhraseId, Said


@dataclass(frozen=True)
class Target:
    """Where and how to log in to one site's router."""

    site_id: str
    host: str
    port: int
    username: str
    password: str
    platform: Platform
    known_hosts: Path | None = None  # None: ~/.ssh/known_hosts
    # a device twin's clock runs this many times faster than real time (its revert timers
    # too): netprov's own waits on such a router shrink alike; 1 for a real router
    time_scale: float = 1.0
    # what its sessions say and hear, masked (-v, --session-log): netprov.platforms.transcript
    transcript: Transcript | None = None

    def client_options(self) -> dict[str, object]:
        """netmiko's options for a session with this router: strict host keys, and its
        session log when the run keeps a transcript."""
        if self.transcript is None:
            return self.host_key_options()
        log = self.transcript.session_log(self.site_id, self.host, self.port, self.password)
        return {**self.host_key_options(), "session_log": log}

    def host_key_options(self) -> dict[str, object]:
        """netmiko's options for strict host-key checking against our known_hosts file
        (this router's view of it, see ``known_hosts``): an unknown or changed key stops
        the session before the password is sent."""
        path = self.known_hosts or Path.home() / ".ssh" / "known_hosts"
        return {
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(router_view(path, known_hosts_entry(self.host, self.port))),
        }


class RevertMethod(StrEnum):
    """How a change that failed its checks was taken back (the journal's ``reverted``
    step, ``--json`` and the report name it)."""

    UNDO_SCRIPT = "undo script"  # RouterOS: the plan's undo, installed with the change
    BACKUP_LOAD = "backup load"  # RouterOS: the binary backup loaded, the router rebooted
    CONFIGURE_REVERT = "configure revert"  # IOS: the archive's rollback of the commit
    BY_ITSELF = "by itself"  # unreachable: left to the router's own armed revert


@dataclass(frozen=True)
class Reverted:
    """What a revert did: the method, and whether the router rebooted for it."""

    method: RevertMethod
    rebooted: bool = False


@dataclass(frozen=True)
class LineRefused:
    """A line of a change the router says it would refuse, checked without applying it:
    its number in the change (from 1), the line, the router's own words, its version."""

    number: int
    command: str
    words: str
    version: str


@dataclass(frozen=True)
class ChangeMarker:
    r"""Left on a router for the length of a change: which run (and from where) is changing it.

    The journal's lock keeps two runs of one journal apart; this keeps two journals apart
    (two laptops, two ``--db``). Text only of ``[\w.:/-]``, safe on any CLI.

    Examples:
        >>> ChangeMarker.parse("... run:20261123-160500-a1b2c3/host:noc-1/pid:42 ...")
        ChangeMarker(run='20261123-160500-a1b2c3', host='noc-1', pid=42)
    """

    run: str
    host: str
    pid: int

    _PATTERN: ClassVar[re.Pattern[str]] = re.compile(
        r"run:(?P<run>[\w-]+)/host:(?P<host>[\w.-]+)/pid:(?P<pid>\d+)"
    )

    @property
    def text(self) -> str:
        """The marker as written on the router (``run:ID/host:NAME/pid:N``)."""
        return f"run:{self.run}/host:{self.host}/pid:{self.pid}"

    @classmethod
    def parse(cls, text: str) -> ChangeMarker | None:
        match = cls._PATTERN.search(text)
        if match is None:
            return None
        return cls(match["run"], match["host"], int(match["pid"]))

    @classmethod
    def here(cls, run: str) -> ChangeMarker:
        host = re.sub(r"[^\w.-]", "_", socket.gethostname())[:63] or "unknown"
        return cls(re.sub(r"[^\w-]", "_", run), host, os.getpid())


class Session(ABC):
    """A session with one router for one change (``change_id`` names its on-device artefacts).

    Every method translates client errors into :class:`DeviceError` at this edge.
    """

    def __init__(self, target: Target, *, change_id: str, timeout: float = 30) -> None:
        self.target = target
        self.change_id = change_id
        self.timeout = timeout
        self.reply_seconds = 0.0  # one reply of this router, measured when the session opens
        # False once the router was told to reboot (a RouterOS backup load): never reused
        self.reusable = True

    @abstractmethod
    def send(self, command: str) -> str:
        """Run one exec command and return what it printed."""

    @abstractmethod
    def running(self) -> str:
        """The running configuration, as the router prints it."""

    @abstractmethod
    def save_safety_net(self) -> None:
        """Whatever the router needs before a change so it can revert by itself."""

    @abstractmethod
    def apply(self, plan: SitePlan, *, revert_minutes: int) -> None:
        """Push ``plan`` armed to revert by itself in ``revert_minutes`` unless confirmed."""

    @abstractmethod
    def confirm(self) -> None:
        """Keep the change: disarm the device-side revert."""

    @abstractmethod
    def revert(self) -> Reverted:
        """Undo the unconfirmed change of this session now, the way that costs the office
        least (RouterOS: the plan's undo, no reboot); the caller proves the config is the
        backup's and, if it is not, asks :meth:`fall_back`."""

    def fall_back(self) -> Reverted | None:
        """The last resort after a :meth:`revert` that left a difference (RouterOS: load
        the binary backup, which reboots the router); None: there is none beyond it."""
        return None

    def blockers(self, *, fetch_for: str | None = None) -> list[str]:
        """Why this router cannot revert a change by itself (its scheduler turned off), or
        cannot run the check ``fetch_for`` (an HTTP GET by the router: its fetch turned
        off): such a change is refused before anything is pushed, naming each."""
        return []

    def import_refusals(self, commands: list[str]) -> list[LineRefused]:
        """The lines of ``commands`` the router itself says it would refuse, checked there
        without applying any (RouterOS 7.16+: ``/import ... dry-run``), each named with
        the router's words; [] where the router has no such check. Nothing is left on it."""
        return []

    @abstractmethod
    def undo(self, plan: SitePlan) -> None:
        """Take back this session's unconfirmed ``plan`` without a reboot, then disarm the
        device-side revert (which still fires if this fails halfway)."""

    @abstractmethod
    def restore(self, config: str, *, change_id: str) -> None:
        """Put back the config backed up by change ``change_id`` (its text is ``config``)."""

    @abstractmethod
    def settle(self) -> Reverted | None:
        """Revert an unconfirmed change an interrupted run left: how (None: there was
        none)."""

    @abstractmethod
    def close(self) -> None:
        """End the session; never raises."""

    @abstractmethod
    def alive(self) -> bool:
        """Whether the transport still stands (a held session is reused only then)."""

    @abstractmethod
    def marker(self) -> ChangeMarker | None:
        """The change marker on the router, if a change is under way (or was interrupted)."""

    @abstractmethod
    def mark(self, marker: ChangeMarker) -> None:
        """Leave ``marker`` on the router: placed after the safety net is saved, so a restore
        of that safety net takes the marker away with the change."""

    @abstractmethod
    def unmark(self) -> None:
        """Remove the change marker (the change is confirmed or undone)."""

    # how a person removes a marker its run can no longer remove (shown when one blocks)
    marker_removal: ClassVar[str]

    probe_command: ClassVar[str]

    def round_trip(self) -> tuple[float, str]:
        """One harmless command on this session: (milliseconds, what it printed).

        Proves the management path still carries the session doing the change, and how fast.
        """
        started = time.perf_counter()
        output = self.send(self.probe_command)
        return (time.perf_counter() - started) * 1000, output


# A device slower than this per reply gets its client's timers stretched (see pace_client).
SLOW_REPLY_SECONDS = 0.2


def pace_client(conn: Any, probe: str, reply: str) -> float:
    """Measure one reply of the router on netmiko connection ``conn`` (``probe`` sent, read
    until ``reply`` then the prompt) and stretch netmiko's timers to it: its fixed waits (10 s
    for a command's echo, prompt polling from 0.25 s) assume a fast device, and a router
    behind a 3 s link lost the session at the first command. A fast router is left as is.
    Returns the seconds measured."""
    started = time.perf_counter()
    conn.write_channel(probe + conn.RETURN)
    # whatever the session set-up left in flight is read past on the way to the reply
    conn.read_until_pattern(pattern=reply, read_timeout=180)
    conn.read_until_prompt(read_timeout=180)
    seconds = time.perf_counter() - started
    if seconds > SLOW_REPLY_SECONDS:
        conn.fast_cli = False
        conn.global_delay_factor = max(1.0, seconds * 4)  # first prompt poll >= one reply
        conn.read_timeout_override = max(60.0, seconds * 20)
    return seconds


def read_until(
    conn: Any, pattern: str, timeout: float, *, settled: str | None = None, quiet: float = 0.3
) -> str:
    """What a netmiko connection prints until ``pattern`` (multiline) shows, polling every
    10 ms; or, with ``settled``, until that shows and nothing more came for ``quiet``
    seconds (for a router that prints less than ``pattern`` expects). Unlike netmiko's own
    loops, a session the router closed ends it at once (EOFError), not at the timeout: a
    router that drops the session mid-change is reported in milliseconds, and its own
    revert does the rest."""
    deadline = time.monotonic() + timeout
    output = ""
    compiled = re.compile(pattern, re.M)
    fallback = re.compile(settled, re.M) if settled else None
    last_data = time.monotonic()
    while True:
        chunk = str(conn.read_channel())
        output += chunk
        if compiled.search(output):
            return output
        now = time.monotonic()
        if chunk:
            last_data = now
        elif fallback and now - last_data > quiet and fallback.search(output):
            return output
        channel = conn.remote_conn
        if not chunk and (channel is None or channel.closed or channel.eof_received):
            raise EOFError(f"the router closed the session (waiting for {pattern!r})")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {pattern!r} within {timeout:.0f} s")
        time.sleep(0.01)


def exchange(
    conn: Any,
    command: str,
    done: str,
    timeout: float,
    *,
    settled: str | None = None,
    quiet: float = 0.3,
    seen: Callable[[str], object] | None = None,
) -> str:
    """One command on a netmiko connection: written, read with :func:`read_until`, and
    stripped of its echo and the prompt by netmiko's own sanitiser. ``seen`` gets what the
    router printed before that (a session learns a prompt that changed from it)."""
    conn.write_channel(conn.normalize_cmd(command))
    output = conn.normalize_linefeeds(read_until(conn, done, timeout, settled=settled, quiet=quiet))
    if seen is not None:
        seen(output)
    return str(
        conn._sanitize_output(output, strip_command=True, command_string=command, strip_prompt=True)
    )


def client_errors() -> tuple[type[BaseException], ...]:
    """What the SSH clients raise when a router is unreachable, slow or refuses: translated
    into :class:`DeviceError` at the session's edge."""
    from napalm.base.exceptions import NapalmException
    from netmiko.exceptions import NetmikoBaseException
    from paramiko.ssh_exception import SSHException

    return (NetmikoBaseException, NapalmException, SSHException, OSError, EOFError, ValueError)


def banner_seconds(timeout: float) -> float:
    """How long a session waits for the router's SSH banner: netmiko's 15 s, or less if
    the session's ``timeout`` is shorter."""
    return min(15.0, timeout)


def connect_error(target: Target, exc: BaseException, *, timeout: float) -> DeviceError:
    """A connection failure as one line naming its likely cause (``timeout``: the
    session's, as its client waited); host-key refusals say what to do."""
    from paramiko.ssh_exception import BadHostKeyException

    from netprov.platforms.connection_cause import likely_cause

    where = target.known_hosts or "~/.ssh/known_hosts"
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:  # napalm wraps netmiko's error
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(e, BadHostKeyException) for e in chain):
        return DeviceError(
            f"{target.site_id}: host key of {target.host}:{target.port} CHANGED since it was "
            f"trusted ({where}): stopped, the password was not sent; if the router was "
            f"replaced, check it and run `netprov trust {target.site_id}` again"
        )
    if any("not found in known_hosts" in str(e) for e in chain):
        return DeviceError(
            f"{target.site_id}: host key of {target.host}:{target.port} is not in {where}: "
            f"run `netprov trust {target.site_id}` after checking its fingerprint"
        )
    likely = likely_cause(exc, connect_seconds=timeout, banner_seconds=banner_seconds(timeout))
    if likely is not None:
        where = f"{target.host}:{target.port}"
        said = {"site": target.site_id, "where": where, "error": likely}
        return DeviceError.saying(Said(PhraseId.CANNOT_CONNECT_TO, said))
    said = {"site": target.site_id, "error": one_line(exc)}
    return DeviceError.saying(Said(PhraseId.CANNOT_CONNECT, said))


def one_line(exc: BaseException) -> str:
    """A client's message, first line only (netmiko's run to a dozen lines of advice).

    Examples:
        >>> one_line(ValueError("TCP connection to device failed." + chr(10) + "Common causes"))
        'TCP connection to device failed.'
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def safety_net_name(change_id: str) -> str:
    """The name of the on-device backup a change takes before it touches anything."""
    return f"netprov-{change_id}"
