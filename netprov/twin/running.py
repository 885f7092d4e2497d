"""A twin of a whole inventory: one emulated router per site, on loopback, in one process.

The event loop runs either in the foreground (``netprov twin up``) or in a background
thread (tests, ``--twin`` on other commands). Devices start from the site's ``legacy``
config rendered by netprov (or a config file named in the scenario).
"""

from __future__ import annotations

import asyncio
import functools
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import asyncssh
import yaml

from netprov.inventory.nornir_plugin import NAPALM_PLATFORM, NETMIKO_PLATFORM
from netprov.models import Platform, Site
from netprov.secrets import mask_values
from netprov.sim.ios.router import IosDevice
from netprov.sim.routeros.router import RosDevice
from netprov.sim.topology import Router, Verdict
from netprov.twin.cli_base import CliSession, Reboot, TwinClock, TwinState
from netprov.twin.ios import IosCli
from netprov.twin.office import Met, OfficePc, Outcome, Ping, ping_outcome
from netprov.twin.routeros import RosCli
from netprov.twin.scenario import SiteFaults
from netprov.twin.server import Listener, start_listener

LOOPBACK = "127.0.0.1"

# each simulator's CLI personality: the one table of the twin's platforms
PERSONALITIES: dict[type, Callable[..., CliSession]] = {IosDevice: IosCli, RosDevice: RosCli}


@dataclass
class TwinDevice:
    """One emulated router: its site, where it listens, its state (the simulator) and its faults."""

    site: Site
    host: str
    port: int
    username: str
    password: str
    faults: SiteFaults
    state: TwinState
    # where the NOC's new sessions come from (the first management network's first host)
    noc: IPv4Address
    # each made-up secret the twin's config holds -> the reference it stands for
    secret_labels: dict[str, str] = field(default_factory=dict)
    connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    server: Listener | None = None
    config_lines_total: int = 0
    rebooting: bool = False
    reboot: Callable[[], None] = lambda: None  # set by the running twin: reboot this device
    ssh_sessions: int = 0  # connections accepted (benchmarks: sessions per site)
    commands: int = 0  # lines received in shells (benchmarks: commands per site)
    round_trips: int = 0  # client writes that end lines (a batch of lines is one)
    command_matches: dict[int, int] = field(default_factory=dict)
    clock: TwinClock = field(default_factory=TwinClock)
    # the office PCs on the router's LAN subnets, and the router's reboots
    office: list[OfficePc] = field(default_factory=list)
    reboots: list[Reboot] = field(default_factory=list)
    _router: Router | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        """The site id, as the router's name."""
        return self.site.id

    @property
    def platform(self) -> Platform:
        """The platform the router emulates."""
        return self.site.router.platform

    @property
    def accepts_scp(self) -> bool:
        """Whether files can be copied to the router over SCP (IOS flash)."""
        return self.state.accepts_files

    def new_cli(self, username: str) -> CliSession:
        """A new interactive CLI session for ``username``, in the router's personality."""
        personality = PERSONALITIES[type(self.state)]
        return personality(self.state, username, peer=str(self.noc))

    def store_file(self, path: str, data: bytes) -> None:
        """Store a file copied to the router (SCP onto IOS flash)."""
        self.state.store_file(path, data)

    def command_fault(self, line: str) -> str | None:
        """The action of the scenario's ``on_command`` fault this command triggers, if any."""
        for index, fault in enumerate(self.faults.on_command):
            if re.search(fault.match, line.strip()):
                self.command_matches[index] = self.command_matches.get(index, 0) + 1
                if self.command_matches[index] == fault.occurrence:
                    self.note(f"{fault.action} on {line.strip()!r} (fault)")
                    return fault.action
        return None

    def touched(self) -> None:
        """The router may change (a write, a timer, a reboot): its office PCs look again."""
        self._router = None

    def catch_up(self) -> None:
        """Bring the office PCs' pings up to now: called before anything changes the router
        (a command, a timer, a reboot) and before they are read (netprov.twin.office). The
        routing model is worked out once per state (:meth:`touched`)."""
        now = self.clock.elapsed()
        if not any(pc.due(now) for pc in self.office):
            return
        if self.rebooting:
            down = Met(Outcome(False, "the router is rebooting"))
            for pc in self.office:
                pc.catch_up(now, lambda address: down)
            return
        if self._router is None:
            self._router = self.state.router()
        router = self._router
        for pc in self.office:
            # the pings from now to the next change: a run of its own (a connection)
            met = functools.partial(ping_outcome, router, pc.address.ip, connection=pc.sent)
            pc.catch_up(now, functools.partial(met, queue=self.state.queue_for))

    def pings(
        self, target: str | None = None, *, since: float = 0.0, until: float | None = None
    ) -> list[Ping]:
        """The office PCs' pings (``target``: city/internet), ``since``-``until`` (twin s)."""
        self.catch_up()
        end = self.clock.elapsed() if until is None else until
        return [p for pc in self.office for p in pc.pings(target, since=since, until=end)]

    def note(self, text: str) -> None:
        """Record an event of the router (a fault fired, a reboot) for the test to read."""
        self.notes.append(text)

    def admission(self) -> Verdict:
        """What the router does with a new management session from the NOC, now: it
        arrives by the router's route back to the NOC and meets the config's filtering."""
        if self.faults.management == "unreachable":
            return Verdict("drop", "the management path is unreachable (fault)")
        if self.rebooting:
            return Verdict("drop", "rebooting")
        if self.faults.management == "out-of-band":
            return Verdict("accept", "out of band")
        router = self.state.router()
        return router.admits(
            self.noc, self.site.router.mgmt_address, sessions=len(self.connections)
        )

    def running_config(self) -> str:
        """The config as the device would show it (IOS: running-config body; RouterOS: export)."""
        return self.state.config_text()

    def stored_config(self) -> str:
        """The config as ``netprov backup`` keeps it in git: each secret the twin made up
        back to its reference (``SECRET-<name>``)."""
        return mask_values(self.running_config(), self.secret_labels)


class Twin:
    """The running twin: its devices, their event loop and listeners."""

    def __init__(
        self, devices: list[TwinDevice], clock: TwinClock, host_key: asyncssh.SSHKey
    ) -> None:
        self.devices = {device.name: device for device in devices}
        self.clock = clock
        self.host_key = host_key
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.known_hosts: Path | None = None  # written once the devices listen
        self._private_dir: Path | None = None  # this twin's own known_hosts folder

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start every router's SSH listener on loopback (in the running event loop)."""
        self.loop = asyncio.get_running_loop()
        for device in self.devices.values():
            _bind_timers(device, self)
            await self._listen(device)
        if self.known_hosts is None:
            # clients check the twin's host key like a router's: hand them a known_hosts file
            self._private_dir = Path(tempfile.mkdtemp(prefix="netprov-twin-"))
            self.write_known_hosts(self._private_dir / "known_hosts")

    def known_hosts_lines(self) -> list[str]:
        """OpenSSH known_hosts lines (``[host]:port`` form for ports other than 22)."""
        key = self.host_key.export_public_key("openssh").decode().split()[:2]
        return [
            f"[{device.host}]:{device.port} {key[0]} {key[1]}" for device in self.devices.values()
        ]

    def write_known_hosts(self, path: Path) -> None:
        """Write the twin's host keys as an OpenSSH known_hosts file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.known_hosts_lines()) + "\n", encoding="utf-8")
        self.known_hosts = path

    async def _listen(self, device: TwinDevice) -> None:
        listener = await start_listener(device, self.host_key)
        device.server = listener
        device.port = listener.get_port()

    async def stop(self) -> None:
        """Close every listener and session."""
        for task in self._tasks:
            task.cancel()
        for device in self.devices.values():
            for conn in list(device.connections):
                conn.abort()
            if device.server is not None:
                device.server.close()
        for device in self.devices.values():
            if device.server is not None:
                await device.server.wait_closed()
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None

    def start_in_thread(self) -> Twin:
        """Run the twin in a background thread's event loop; returns once every listener is up."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="netprov-twin", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            raise errors[0]
        return self

    def stop_thread(self) -> None:
        """Stop the twin started by :meth:`start_in_thread` and wait for its thread."""
        if self.loop is not None and self._thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)

    def now(self) -> float:
        """Twin seconds since the twin's clock started (what office pings are timed in)."""
        return self.clock.elapsed()

    def pings(
        self,
        site_id: str,
        target: str | None = None,
        *,
        since: float = 0.0,
        until: float | None = None,
    ) -> list[Ping]:
        """One site's office pings (:meth:`TwinDevice.pings`), read on the twin's loop."""
        device = self.devices[site_id]
        found: list[Ping] = self.call(lambda: device.pings(target, since=since, until=until))
        return found

    def reboots(self, site_id: str) -> list[Reboot]:
        """The reboots of one site's router so far."""
        device = self.devices[site_id]
        found: list[Reboot] = self.call(lambda: list(device.reboots))
        return found

    def call(self, function: Callable[[], Any]) -> Any:
        """Run ``function`` on the twin's loop and wait for it (safe state access from tests)."""
        assert self.loop is not None

        async def wrapper() -> Any:
            return function()

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(timeout=30)

    # --- reboot fault ------------------------------------------------------------------

    def reboot(self, device: TwinDevice, *, reason: str = "fault", after: float = 0.0) -> None:
        """Stop answering at once, drop every session ``after`` router seconds (its reply
        goes out first), come back with the startup config."""
        assert self.loop is not None
        device.catch_up()
        device.touched()
        device.rebooting = True
        device.reboots.append(Reboot(self.clock.elapsed(), reason))
        device.note("rebooting" if reason == "command" else f"rebooting ({reason})")
        if after:
            self.loop.call_later(self.clock.seconds(after), self._go_down, device)
        else:
            self._go_down(device)

    def _go_down(self, device: TwinDevice) -> None:
        assert self.loop is not None
        for conn in list(device.connections):
            conn.abort()
        if device.server is not None:
            device.server.close()
        port = device.port

        async def come_back() -> None:
            await asyncio.sleep(self.clock.seconds(device.faults.reboot_seconds))
            device.catch_up()
            device.touched()
            device.state.after_reboot()
            device.port = port
            device.server = await start_listener(device, self.host_key)
            device.rebooting = False
            last = device.reboots[-1]
            device.reboots[-1] = Reboot(last.at, last.reason, self.clock.elapsed())
            device.note("back after reboot")

        self._tasks.add(self.loop.create_task(come_back()))

    # --- hosts file ------------------------------------------------------------------------

    def hosts_inventory(self) -> dict[str, dict[str, Any]]:
        """Nornir SimpleInventory hosts pointing at the twin (netmiko and napalm names)."""
        hosts = {}
        for device in self.devices.values():
            hosts[device.name] = {
                "hostname": device.host,
                "port": device.port,
                "username": device.username,
                "password": device.password,
                "platform": NETMIKO_PLATFORM[device.platform],
                "connection_options": {
                    "napalm": {"platform": NAPALM_PLATFORM[device.platform]},
                    "netmiko": {"platform": NETMIKO_PLATFORM[device.platform]},
                },
                "data": {
                    "site": device.name,
                    "twin": True,
                    "known_hosts": str(self.known_hosts) if self.known_hosts else None,
                    "time_scale": self.clock.scale,
                },
            }
        return hosts

    def write_hosts_file(self, path: Path) -> None:
        """Write a Nornir hosts file aiming at the twin (its known_hosts beside it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.write_known_hosts(path.with_name("known_hosts"))
        text = "# Nornir SimpleInventory hosts file for a running netprov twin (loopback only).\n"
        text += yaml.safe_dump(self.hosts_inventory(), sort_keys=False)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)  # holds the twin's passwords


def _bind_timers(device: TwinDevice, twin: Twin) -> None:
    assert twin.loop is not None
    loop = twin.loop

    def schedule(device_seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
        def fire() -> None:
            device.catch_up()  # the office saw the router as it was until now
            device.touched()
            callback()

        handle = loop.call_later(twin.clock.seconds(device_seconds), fire)
        return handle.cancel

    device.state.schedule = schedule
    device.state.on_config_line = lambda: _count_config_line(device, twin)
    device.reboot = lambda: twin.reboot(device)
    # told to (a backup load), RouterOS prints "System configuration restored, rebooting
    # now" (MikroTik manual, "Backup"), then the session drops
    device.state.on_reboot = lambda: twin.reboot(device, reason="command", after=0.5)


def _count_config_line(device: TwinDevice, twin: Twin) -> None:
    device.config_lines_total += 1
    limit = device.faults.reboot_after_config_lines
    if limit is not None and device.config_lines_total == limit:
        twin.reboot(device)
