"""The driver contract: what netprov needs from a platform, with one signature on every one.

In the spirit of napalm's ``NetworkDriver`` and hier_config's driver registry: a driver owns
config normalisation and fingerprint, the plan (:class:`~netprov.plan.SitePlan`), a session
with the router (backup, apply with a device-side revert, confirm, revert, restore, settle),
the verification commands with their output readers, the facts the policy lint reads from a
rendered config, and the offline simulator the lockout guard and lint use. Code outside
``netprov.platforms`` asks the registry for a driver and never branches on the platform.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from netprov.errors import DeviceError
from netprov.models import Lan, Phase, Platform, Site, Uplink
from netprov.phases import Role, UplinkView
from netprov.plan import SitePlan
from netprov.secrets import mask_patterns, mask_values
from netprov.sim.topology import Router, World


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

    def host_key_options(self) -> dict[str, object]:
        """netmiko's options for strict host-key checking against our known_hosts file:
        an unknown or changed key stops the session before the password is sent."""
        path = self.known_hosts or Path.home() / ".ssh" / "known_hosts"
        return {
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(path),
        }


@dataclass(frozen=True)
class PingResult:
    """What a ping printed: probes sent and answered, average round trip if any answered."""

    sent: int
    received: int
    avg_ms: float | None = None

    @property
    def loss_percent(self) -> float:
        """Requests unanswered, in percent: never below 0 (more replies than requests, as
        several hosts or a duplicating link give, lose nothing)."""
        if not self.sent:
            return 100.0
        return max(0.0, 100.0 * (self.sent - self.received) / self.sent)


@dataclass(frozen=True)
class InterfaceState:
    """One interface as the router reports it (``status`` in the router's own words)."""

    name: str
    present: bool
    running: bool
    status: str


@dataclass(frozen=True)
class Shaping:
    """What a running config says about the shaping of one uplink."""

    ceiling_kbps: int | None  # None: no shaper of netprov's for that uplink (upload)
    attached: bool  # the shaper acts on the uplink's traffic
    bypass: str | None = None  # what lets traffic skip it (RouterOS FastTrack), if anything
    download_kbps: int | None = None  # the limit on traffic coming in (None: none)


@dataclass(frozen=True)
class SimulatedStep:
    """One step of a plan run on the offline model: what was sent, the routing after it,
    and the lines of it the platform's parser refused (each with why, when it says)."""

    step: str
    router: Router
    rejected: tuple[str, ...] = ()


class SimulatedRouter(Protocol):
    """The offline config model of one router (see :mod:`netprov.sim`)."""

    def load_initial(self, text: str) -> list[tuple[int, str]]: ...

    def config_text(self) -> str: ...

    def router(self) -> Router: ...


Schedule = Callable[[float, Callable[[], None]], Callable[[], None]]


def never(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    """A timer that never fires: timers mean nothing in an offline simulation."""
    return lambda: None


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
    def revert(self) -> None:
        """Undo the unconfirmed change of this session now."""

    @abstractmethod
    def undo(self, plan: SitePlan) -> None:
        """Take back this session's unconfirmed ``plan`` without a reboot, then disarm the
        device-side revert (which still fires if this fails halfway)."""

    @abstractmethod
    def restore(self, config: str, *, change_id: str) -> None:
        """Put back the config backed up by change ``change_id`` (its text is ``config``)."""

    @abstractmethod
    def settle(self) -> bool:
        """Revert an unconfirmed change an interrupted run left. True if there was one."""

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
) -> str:
    """One command on a netmiko connection: written, read with :func:`read_until`, and
    stripped of its echo and the prompt by netmiko's own sanitiser."""
    conn.write_channel(conn.normalize_cmd(command))
    output = conn.normalize_linefeeds(read_until(conn, done, timeout, settled=settled, quiet=quiet))
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


def connect_error(target: Target, exc: BaseException) -> DeviceError:
    """A connection failure as one line; host-key refusals say what to do."""
    from paramiko.ssh_exception import BadHostKeyException

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
    return DeviceError(f"{target.site_id}: cannot connect: {one_line(exc)}")


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


class Driver(ABC):
    """One platform. Stateless: the registry holds one instance per platform."""

    platform: ClassVar[Platform]
    netmiko_device_type: ClassVar[str]
    napalm_driver: ClassVar[str]
    session_class: ClassVar[type[Session]]

    # --- configs and plans -------------------------------------------------------------

    @abstractmethod
    def comparable(self, config: str) -> str:
        """A config as compared for "byte-identical": without lines that only date it."""

    def fingerprint(self, config: str) -> str:
        """Identity of a running config, to detect that a router changed since a plan."""
        return hashlib.sha256(self.comparable(config).encode()).hexdigest()

    @abstractmethod
    def plan(self, site_id: str, phase: Phase, running: str, intended: str) -> SitePlan:
        """The commands (and their undo) from ``running`` to ``intended``."""

    @abstractmethod
    def outage_plan(self, site_id: str, phase: Phase, running: str, view: UplinkView) -> SitePlan:
        """A plan that takes the uplink ``view`` down (and its undo): the failover drill."""

    @abstractmethod
    def removes(self, command: str) -> bool:
        """Whether a plan's ``command`` takes something away (shown as a removal)."""

    def converged(self, running: str, intended: str) -> bool:
        """True when the router already holds the intended config."""
        return not self.plan("", Phase.LEGACY, running, intended).changed

    # --- naming ------------------------------------------------------------------------

    @abstractmethod
    def uplink_names(self, role: Role, uplink: Uplink) -> tuple[str, str]:
        """(layer-2, layer-3) interface names netprov gives an uplink on this platform."""

    # --- sessions ------------------------------------------------------------------------

    def open(self, target: Target, *, change_id: str, timeout: float = 30) -> Session:
        return self.session_class(target, change_id=change_id, timeout=timeout)

    # --- verification: commands and readers of their real output -------------------------

    @abstractmethod
    def interfaces_command(self) -> str: ...

    @abstractmethod
    def read_interface(self, output: str, name: str) -> InterfaceState: ...

    @abstractmethod
    def routes_command(self) -> str: ...

    @abstractmethod
    def read_default_gateway(self, output: str) -> str:
        """The gateway of the active default route, or ``"none"``."""

    @abstractmethod
    def ping_command(
        self, address: str, *, count: int, source: str | None = None, size: int | None = None
    ) -> str: ...

    @abstractmethod
    def read_ping(self, output: str) -> PingResult: ...

    @abstractmethod
    def expected_default_gateway(self, view: UplinkView) -> str | None:
        """What :meth:`read_default_gateway` shows when ``view`` carries the default route."""

    @abstractmethod
    def failover_marker(self, view: UplinkView) -> str:
        """Text in the running config that shows ``view`` is a tracked failover route."""

    @abstractmethod
    def resolve_command(self, name: str) -> str:
        """A lookup of ``name`` by the router's own DNS client (its configured resolvers)."""

    @abstractmethod
    def read_resolved(self, output: str) -> str | None:
        """The address ``resolve_command`` printed, or None (no such name, no answer)."""

    @abstractmethod
    def dhcp_serving(self, config: str, lan_interface: str) -> bool:
        """Whether the running ``config`` has netprov's LAN DHCP server, enabled."""

    @abstractmethod
    def serves_lan_dhcp(self, config: str, lan: Lan) -> bool:
        """Whether any DHCP server of the router (netprov's or its own) serves ``lan``."""

    @abstractmethod
    def policy_routing(self, config: str) -> list[str]:
        """The router's own policy routing in ``config``, one description per rule: what
        routes traffic by a table other than the main one, past netprov's routes
        (netprov.platforms.policy_routing)."""

    @abstractmethod
    def leases_command(self) -> str:
        """The router's table of DHCP leases on the LAN."""

    @abstractmethod
    def read_leases(self, output: str) -> int | None:
        """Bound leases in ``leases_command``'s output; None when it printed an error."""

    @abstractmethod
    def fetch_command(self, url: str) -> str:
        """An HTTP GET of ``url`` by the router itself, printing the body."""

    @abstractmethod
    def read_fetched(self, output: str) -> str | None:
        """The address an echo service answered with (its body), or None."""

    @abstractmethod
    def read_shaping(self, config: str, view: UplinkView) -> Shaping:
        """The shaping netprov renders for ``view``, as the running ``config`` has it."""

    # config lines that put shaping in force (the twin's ``qos_missing`` fault drops them)
    shaping_lines: ClassVar[str]
    # config lines that source-NAT the LAN (the twin's ``lan_nat_broken`` fault drops them)
    nat_lines: ClassVar[str]
    # config lines of the LAN's DHCP server (the twin's ``dhcp_down`` fault drops them)
    dhcp_lines: ClassVar[str]

    # secrets in this platform's configs and commands, each pattern's group ``secret``
    secret_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()

    def mask_secrets(self, text: str) -> str:
        """``text`` with every secret this platform's syntax reveals masked."""
        return mask_patterns(text, self.secret_patterns)

    # lines a config listing prints that change without the config changing (the time it
    # was listed or last saved): left out of the backups kept in git, as Oxidized does
    volatile_patterns: ClassVar[tuple[re.Pattern[str], ...]] = ()

    def for_git(self, config: str) -> str:
        """A running config as ``backups/<site>.cfg`` keeps it: secrets masked, volatile
        lines left out, so a commit in git means the router's config changed."""
        kept = [
            line
            for line in self.mask_secrets(config).splitlines(keepends=True)
            if not any(p.match(line) for p in self.volatile_patterns)
        ]
        return "".join(kept)

    def with_references(self, config: str, labels: dict[str, str]) -> str:
        """``config`` with each known secret value (``labels``: value -> reference) in its
        reference's place, however the router wrote it, so a plan compares secrets by value
        and never holds one."""
        return mask_values(config, labels)

    # --- facts the policy lint reads from a rendered config -------------------------------

    @abstractmethod
    def dns_forced(self, config: str, resolvers: list[str]) -> bool: ...

    @abstractmethod
    def dns_path(self, config: str, resolvers: list[str]) -> bool:
        """Whether the office is handed a resolver it may use (DHCP, or the router's own)."""

    @abstractmethod
    def telemetry_translated(self, config: str, source: str) -> str | None:
        """The rule of ``config`` that rewrites the router's own traffic from ``source``
        (its management address: syslog, NetFlow) to an uplink's address, if one does."""

    @abstractmethod
    def hotspot_gaps(self, config: str, closed: list[str]) -> list[str]:
        """What a public hotspot's ``config`` lacks: its LAN closed to the ``closed``
        networks (prefixes), and the shaped central line shared per user."""

    @abstractmethod
    def default_route_count(self, config: str) -> int: ...

    @abstractmethod
    def management_open(self, config: str) -> list[str]:
        """What in ``config`` lets a session reach the router from elsewhere than the
        management networks (a vty line without the ACL, a web UI, a MAC service); empty
        when management is restricted."""

    @abstractmethod
    def has_uplink(self, config: str, view: UplinkView) -> bool: ...

    # --- offline simulation ----------------------------------------------------------------

    extra_ports: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def simulator(
        self,
        site: Site,
        world: World,
        *,
        schedule: Schedule = never,
        now: Callable[[], dt.datetime] | None = None,
        index: int = 0,
    ) -> SimulatedRouter:
        """A config model of ``site``'s router in ``world`` (timers never fire by default)."""

    def load_simulated(self, simulated: SimulatedRouter, config: str) -> list[tuple[int, str]]:
        """Load a config as the router prints it; the lines the model rejects."""
        return simulated.load_initial(config)

    @abstractmethod
    def simulate_plan(self, simulated: SimulatedRouter, plan: SitePlan) -> list[SimulatedStep]:
        """Apply ``plan`` to ``simulated`` step by step."""


__all__ = [
    "DeviceError",
    "Driver",
    "InterfaceState",
    "PingResult",
    "Session",
    "SimulatedRouter",
    "SimulatedStep",
    "Target",
    "connect_error",
    "never",
    "safety_net_name",
]
