"""SSH side of the twin: one asyncssh listener per device on loopback.

Sessions are asyncssh's low-level callback sessions: data arrives in ``data_received``, the
device answers with one write per line (echo, output and next prompt together, as netmiko
expects), and nothing polls. A lost connection stops all writes at once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import asyncssh

from netprov.twin.cli_base import CliSession

if TYPE_CHECKING:
    from netprov.twin.running import TwinDevice

_SCP_COMMAND = re.compile(r"^scp\s+(?:-\S+\s+)*-t\s+(?:-\S+\s+)*['\"]?(?P<path>[^'\"]+)['\"]?\s*$")


class _DeviceServer(asyncssh.SSHServer):
    def __init__(self, device: TwinDevice) -> None:
        self.device = device
        self.username = ""

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.device.connections.add(conn)
        self.device.ssh_sessions += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.device.connections = {c for c in self.device.connections if not c.is_closed()}

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        # netmiko's RouterOS driver logs in as "admin+ct511w4098h" (terminal options)
        self.username = username.split("+", 1)[0]
        if self.device.faults.auth_fail:
            return False
        return self.username == self.device.username and password == self.device.password

    def session_requested(self) -> asyncssh.SSHServerSession[bytes]:
        return _Session(self.device, self.username)


class _Session(asyncssh.SSHServerSession[bytes]):
    """A shell (the CLI) or an exec request (SCP upload to flash)."""

    def __init__(self, device: TwinDevice, username: str) -> None:
        self.device = device
        self.username = username
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.cli: CliSession | None = None
        self.buffer = b""
        self.closed = False
        self.config_lines = 0
        self.busy_until = 0.0
        self.outbox: collections.deque[tuple[float, bytes, bool]] = collections.deque()
        self.flushing = False
        self.scp: _ScpReceiver | None = None
        self.pending: asyncio.Future[None] | None = None

    # --- asyncssh callbacks -----------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object
    ) -> bool:
        return True

    def shell_requested(self) -> bool:
        self.cli = self.device.new_cli(self.username)
        return True

    def exec_requested(self, command: str) -> bool:
        match = _SCP_COMMAND.match(command)
        if match is None or not self.device.accepts_scp:
            return False
        self.scp = _ScpReceiver(match["path"], self.device.store_file)
        return True

    def session_started(self) -> None:
        if self.scp is not None:
            self._write(b"\0")
        elif self.cli is not None:
            self._write((self.cli.banner() + self.cli.prompt()).encode())

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.closed:
            return
        if self.scp is not None:
            self._write(self.scp.feed(data))
            return
        # A terminal echoes each character as it arrives (scrapli waits for that before it
        # sends the Enter); the end of a line is echoed with its reply. Typed-ahead input is
        # echoed in order, after the replies still due.
        if re.search(rb"[\r\n]", data):  # a write that ends lines: one round trip
            self.device.round_trips += 1
        for part in re.split(rb"(\r\n|\r|\n)", data.replace(b"\x00", b"")):
            if self.closed:
                return
            if part in {b"\r\n", b"\r", b"\n"}:
                raw, self.buffer = self.buffer, b""
                self._line(raw.decode("utf-8", errors="replace"))
            elif part:
                self._emit(part, 0.0)
                self.buffer += part

    def eof_received(self) -> bool:
        if self.scp is not None and self.chan is not None:
            self.chan.exit(0)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.chan = None

    # --- CLI --------------------------------------------------------------------------

    def _line(self, line: str) -> None:
        assert self.cli is not None
        self.device.catch_up()  # the office PCs saw the router as it was until this line
        if not self.cli.reads_only(line):
            self.device.touched()
        self.device.commands += 1
        typed_at = self.cli.prompt()
        faults = self.device.faults
        action = self.device.command_fault(line) if faults.on_command else None
        if action == "reject":
            text = self.cli.enter(typed_at, line) + _crlf(self.cli.refusal(line))
            self._emit((text + self.cli.next_prompt()).encode(), faults.slow_ms / 1000.0)
            return
        reply = self.cli.handle(line)
        if action == "drop":
            self._abort()
            return
        if action == "reboot":
            self.device.reboot()
            return
        text = self.cli.enter(typed_at, line) + _crlf(reply.output)
        if reply.config_line:
            self.config_lines += 1
            if (
                faults.drop_after_config_lines is not None
                and self.config_lines >= faults.drop_after_config_lines
            ):
                self.device.note(f"session dropped after {self.config_lines} config lines (fault)")
                self._abort()
                return
        if reply.close:
            self._emit(text.encode(), 0.0, close=True)
            return
        running = self.device.clock.seconds(self.cli.seconds_taken(line, reply.output))
        self._emit((text + self.cli.next_prompt()).encode(), faults.slow_ms / 1000.0 + running)

    def _emit(self, payload: bytes, delay: float, *, close: bool = False) -> None:
        """Queue output strictly in order, each piece after the one before it plus ``delay``
        (the slow-device fault); a single timer drains the queue (timers due at the same
        instant are not ordered by asyncio)."""
        loop = asyncio.get_running_loop()
        self.busy_until = max(self.busy_until, loop.time()) + delay
        self.outbox.append((self.busy_until, payload, close))
        if not self.flushing:
            self.flushing = True
            loop.call_at(self.outbox[0][0], self._flush)

    def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self.outbox and self.outbox[0][0] <= loop.time():
            _, payload, close = self.outbox.popleft()
            self._write(payload)
            if close:
                # on the next turn of the loop: a client that closed its end as it sent its
                # last command is known gone by then (asyncio reports a lost connection with
                # call_soon), and asyncssh's exit-status, EOF and close to it are skipped
                loop.call_soon(self._close)
        if self.outbox:
            loop.call_at(self.outbox[0][0], self._flush)
        else:
            self.flushing = False

    def _write(self, data: bytes) -> None:
        if self.closed or self.chan is None:
            return
        try:
            self.chan.write(data)
        except (asyncssh.Error, OSError, BrokenPipeError):
            self.closed = True

    def _close(self) -> None:
        if self.chan is not None and not self.closed:
            self.closed = True
            self.chan.exit(0)

    def _abort(self) -> None:
        """Cut the whole SSH connection, as a dropped link or a crashed session would."""
        self.closed = True
        if self.chan is not None:
            self.chan.get_extra_info("connection").abort()


def _crlf(text: str) -> str:
    if not text:
        return ""
    body = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return body if body.endswith("\r\n") else body + "\r\n"


class _ScpReceiver:
    """Sink side of ``scp -t``: ``C0644 <size> <name>\\n``, the bytes, then a NUL."""

    def __init__(self, path: str, store: Callable[[str, bytes], None]) -> None:
        self.path = path
        self.store = store
        self.header = b""
        self.size: int | None = None
        self.data = b""
        self.done = False

    def feed(self, data: bytes) -> bytes:
        reply = b""
        while data and not self.done:
            if self.size is None:
                newline = data.find(b"\n")
                if newline < 0:
                    self.header += data
                    return reply
                self.header += data[:newline]
                data = data[newline + 1 :]
                header, self.header = self.header.decode(), b""
                if header.startswith("T"):  # timestamps (scp -p): acknowledge and go on
                    reply += b"\0"
                    continue
                if not header.startswith("C"):
                    return reply + b"\x02unsupported scp request\n"
                self.size = int(header.split()[1])
                reply += b"\0"
            else:
                needed = self.size + 1 - len(self.data)
                self.data += data[:needed]
                data = data[needed:]
                if len(self.data) == self.size + 1:
                    self.store(self.path, self.data[:-1])
                    self.done = True
                    reply += b"\0"
        return reply


class Listener:
    """One device's TCP listener. Every new connection meets the router's own filtering
    first (:meth:`TwinDevice.admission`, the config's firewall or vty access): a dropped
    one is held open and never answered, as a dropped SYN leaves a client waiting; a
    rejected one is closed at once; an accepted one becomes an SSH session (asyncssh on the
    accepted socket)."""

    def __init__(self, device: TwinDevice, options: asyncssh.SSHServerConnectionOptions) -> None:
        self.device = device
        self.options = options
        self.socket = socket.create_server((device.host, device.port), backlog=256)
        self.socket.setblocking(False)
        self.held: set[socket.socket] = set()
        self._tasks: set[asyncio.Task[object]] = set()
        self._accepting = asyncio.get_running_loop().create_task(self._accept())

    def get_port(self) -> int:
        return int(self.socket.getsockname()[1])

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            connection, _ = await loop.sock_accept(self.socket)
            verdict = self.device.admission()
            if verdict.action == "drop":
                self.held.add(connection)
            elif verdict.action == "reject":
                connection.close()
            else:
                task = loop.create_task(self._serve(connection))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _serve(self, connection: socket.socket) -> object:
        try:
            return await asyncssh.run_server(connection, options=self.options)
        except (TimeoutError, asyncssh.Error, OSError):
            return None  # the client went away during the handshake or failed to log in

    def close(self) -> None:
        self._accepting.cancel()
        for task in self._tasks:
            task.cancel()
        for held in self.held:
            held.close()
        self.held.clear()
        self.socket.close()

    async def wait_closed(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._accepting


async def start_listener(device: TwinDevice, host_key: asyncssh.SSHKey) -> Listener:
    options = await asyncssh.SSHServerConnectionOptions.construct(
        server_factory=lambda: _DeviceServer(device),
        server_host_keys=[host_key],
        encoding=None,
        line_editor=False,
        allow_scp=False,
        keepalive_interval=0,
        login_timeout=30,
    )
    return Listener(device, options)
