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
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import ClassVar, Protocol

from netprov.errors import DeviceError
from netprov.models import Lan, Phase, Platform, Site, Uplink
from netprov.phases import Role, UplinkView
from netprov.plan import SitePlan
from netprov.platforms.session import (
    ChangeMarker,
    Reverted,
    RevertMethod,
    Session,
    Target,
    connect_error,
    safety_net_name,
)
from netprov.said import Said
from netprov.secrets import mask_patterns, mask_values
from netprov.sim.topology import Router, World


@dataclass(frozen=True)
class PolicyMigration:
    """What a phase does with a router's own policy routing (PCC load balancing, routing
    marks and rules, failover routes and their scripts): see
    :meth:`Driver.policy_migration`."""

    found: str = ""  # what the plan says it found (empty: nothing)
    commands: list[str] = field(default_factory=list)  # on the office's own objects
    undo: list[str] = field(default_factory=list)
    # what netprov cannot migrate in this phase: each names the rule, and what to do by hand
    refusals: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    bypass: bool = False  # the rendered config lets the city's traffic bypass the marks


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
class Hop:
    """Where the router forwards packets to one address, as its forwarding table says: the
    route's prefix, the neighbour (None: on the link, or a point-to-point interface) and the
    interface (None: the route drops them, a blackhole)."""

    prefix: str
    gateway: str | None
    interface: str | None

    def __str__(self) -> str:
        if self.interface is None:
            return f"dropped ({self.prefix})"
        return self.interface + (f" ({self.gateway})" if self.gateway else "")


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
    bypass: Said | None = None  # what lets traffic skip it (RouterOS FastTrack), if anything
    download_kbps: int | None = None  # the limit on traffic coming in (None: none)
    # the interfaces whose outgoing traffic the shaper acts on
    interfaces: tuple[str, ...] = ()
    # what takes the traffic before the shaper does (a RouterOS simple queue above it)
    shadowed: Said | None = None


@dataclass(frozen=True)
class SimulatedStep:
    """One step of a plan run on the offline model: what was sent, the routing after it,
    and the lines of it the platform's parser refused (each with why, when it says)."""

    step: str
    router: Router
    rejected: tuple[str, ...] = ()


class SimulatedRouter(Protocol):
    """The offline config model of one router (see :mod:`netprov.sim`)."""

    def load_initial(self, text: str) -> list[tuple[int, str]]:
        """Load a whole config as the router would hold it; each refused line as (line
        number, the line and the router's words). Nothing refused: an empty list."""
        ...

    def config_text(self) -> str:
        """The config as netprov reads it back (RouterOS ``/export terse``, IOS
        ``show running-config``)."""
        ...

    def router(self) -> Router:
        """What the config means for packets: interfaces, addresses, routes (the world
        the lockout guard and the twin route through)."""
        ...


Schedule = Callable[[float, Callable[[], None]], Callable[[], None]]


def never(seconds: float, callback: Callable[[], None]) -> Callable[[], None]:
    """A timer that never fires: timers mean nothing in an offline simulation."""
    return lambda: None


class Driver(ABC):
    """One platform. Stateless: the registry holds one instance per platform."""

    platform: ClassVar[Platform]
    netmiko_device_type: ClassVar[str]
    napalm_driver: ClassVar[str]
    session_class: ClassVar[type[Session]]
    # how a source of truth names the platform: netutils' network drivers (Nautobot's
    # Platform.network_driver), the vendor and a display name for what an export creates
    network_drivers: ClassVar[tuple[str, ...]]
    vendor: ClassVar[str]
    display_name: ClassVar[str]
    # the interface the templates put router.mgmt_address on (a source of truth records
    # the management address there)
    management_interface: ClassVar[str]

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

    def preview_commands(self, running: str, commands: list[str]) -> tuple[str, str] | None:
        """The router's config before and after ``commands``, as the router would hold it
        (secrets masked): a plan's ``preview`` where commands are added to a platform's
        plan (the migration of its policy routing); None where the platform's plans are
        shown otherwise."""
        return None

    @abstractmethod
    def outage_plan(self, site_id: str, phase: Phase, running: str, view: UplinkView) -> SitePlan:
        """A plan that takes the uplink ``view`` down (and its undo): the failover drill."""

    @abstractmethod
    def removes(self, command: str) -> bool:
        """Whether a plan's ``command`` takes something away (shown as a removal)."""

    @abstractmethod
    def missing_interfaces(self, running: str, commands: list[str]) -> list[tuple[str, str, str]]:
        """(interface, the first command naming it, what the router has in its place or "")
        for each interface ``commands`` name that the router holding ``running`` lacks and
        no command creates: the router would refuse that command in the middle of the push."""

    def config_version(self, config: str) -> str | None:
        """The software version ``config`` names (a RouterOS export's first line); None when
        it names none."""
        return None

    def template_version(self, os_version: str | None, config: str | None = None) -> object:
        """What the templates see as ``version`` for a router running ``os_version`` (None:
        not known) whose backup or running config is ``config`` (if known: what it holds
        may say what the software has); a platform whose templates do not differ by
        version sees None."""
        return None

    def converged(self, running: str, intended: str) -> bool:
        """True when the router already holds the intended config."""
        return not self.plan("", Phase.LEGACY, running, intended).changed

    # --- naming ------------------------------------------------------------------------

    @abstractmethod
    def uplink_names(self, role: Role, uplink: Uplink) -> tuple[str, str]:
        """(layer-2, layer-3) interface names netprov gives an uplink on this platform."""

    # --- sessions ------------------------------------------------------------------------

    def open(self, target: Target, *, change_id: str, timeout: float = 30) -> Session:
        """A session to ``target`` (the platform's :attr:`session_class`) for the change
        ``change_id``; nothing is sent until it is used."""
        return self.session_class(target, change_id=change_id, timeout=timeout)

    # --- verification: commands and readers of their real output -------------------------

    @abstractmethod
    def interfaces_command(self) -> str:
        """The command whose output :meth:`read_interface` reads (all interfaces)."""

    @abstractmethod
    def read_interface(self, output: str, name: str) -> InterfaceState:
        """Interface ``name`` in the real output of :meth:`interfaces_command`: present,
        running, and the status as the router words it (``absent`` when not listed)."""

    @abstractmethod
    def routes_command(self) -> str:
        """The command whose output :meth:`read_default_gateway` reads."""

    @abstractmethod
    def read_default_gateway(self, output: str) -> str:
        """The gateway of the active default route, or ``"none"``."""

    @abstractmethod
    def ping_command(
        self,
        address: str,
        *,
        count: int,
        source: str | None = None,
        size: int | None = None,
        wait: float = 1.0,
    ) -> str:
        """A ping of ``address``: ``count`` probes, from the interface or address
        ``source`` (the LAN, so the reply proves the office's path), of ``size`` bytes,
        each reply given ``wait`` seconds to come back (netprov.checks.verify.echo_wait)."""

    @abstractmethod
    def read_ping(self, output: str) -> PingResult:
        """Probes sent and answered, and the round trips, from the real output of the
        command :meth:`ping_command` built."""

    @abstractmethod
    def route_command(self, address: str) -> str:
        """The command whose output :meth:`read_route` reads: how the router forwards to
        ``address`` now (the route a ping of it follows)."""

    @abstractmethod
    def read_route(self, output: str, address: str) -> Hop | None:
        """The neighbour and interface packets to ``address`` leave by, from the real
        output of :meth:`route_command`; None: no route (or output it cannot read)."""

    @abstractmethod
    def expected_default_gateway(self, view: UplinkView) -> str | None:
        """What :meth:`read_default_gateway` shows when ``view`` carries the default route."""

    @abstractmethod
    def failover_route(self, config: str, view: UplinkView) -> Said | None:
        """What keeps ``view``'s default route from failing over in ``config`` (missing,
        disabled, not at the line's distance, not tracked by its probe); None: in force."""

    @abstractmethod
    def resolve_command(self, name: str) -> str:
        """A lookup of ``name`` by the router's own DNS client (its configured resolvers)."""

    @abstractmethod
    def read_resolved(self, output: str) -> str | None:
        """The address ``resolve_command`` printed, or None (no such name, no answer)."""

    @abstractmethod
    def dhcp_serving(self, config: str, lan: Lan) -> bool:
        """Whether the running ``config`` has netprov's LAN DHCP server, enabled, handing
        out the router's LAN address as the PCs' gateway."""

    @abstractmethod
    def serves_lan_dhcp(self, config: str, lan: Lan) -> bool:
        """Whether any DHCP server of the router (netprov's or its own) serves ``lan``."""

    @abstractmethod
    def policy_migration(
        self, config: str, site: Site, phase: Phase, city: Sequence[IPv4Network]
    ) -> PolicyMigration:
        """What ``phase`` does with the router's own policy routing in ``config`` (the
        routes by tables other than the main one, past netprov's routes; failover routes
        and the scripts switching them): what it found, the commands on the office's own
        objects and their undo, what it cannot migrate, naming each rule (NP015), and
        whether the rendered config bypasses the office's marks for the city's
        networks ``city`` (netprov.platforms.policy_routing)."""

    def city_bypass_gaps(self, config: str, site: Site, city: Sequence[IPv4Network]) -> list[str]:
        """What in ``config`` lets the LAN's traffic to the ``city`` networks be policy
        routed onto an office line (a marking rule above netprov's bypass, a network
        without one); empty where the platform's router marks nothing netprov migrates."""
        return []

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
    def dns_forced(self, config: str, resolvers: list[str], lan: str) -> bool:
        """Whether a rendered ``config`` makes the office's DNS go to ``resolvers`` (the
        filtering resolvers) whatever resolver a PC asks, by what acts on the traffic
        arriving on ``lan`` (the LAN interface): a filter elsewhere proves nothing."""

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
    def default_route_count(self, config: str) -> int:
        """How many default routes ``config`` holds (one per uplink of the phase)."""

    @abstractmethod
    def management_open(self, config: str) -> list[str]:
        """What in ``config`` lets a session reach the router from elsewhere than the
        management networks (a vty line without the ACL, a web UI, a MAC service); empty
        when management is restricted."""

    @abstractmethod
    def has_uplink(self, config: str, view: UplinkView) -> bool:
        """Whether ``config`` configures the uplink ``view`` (its interface and address)."""

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
        os_version: str | None = None,
    ) -> SimulatedRouter:
        """A config model of ``site``'s router in ``world`` (timers never fire by default),
        running ``os_version`` (else the inventory's ``router.os_version``; a config loaded
        into it may name its own)."""

    def load_simulated(self, simulated: SimulatedRouter, config: str) -> list[tuple[int, str]]:
        """Load a config as the router prints it; the lines the model rejects."""
        return simulated.load_initial(config)

    @abstractmethod
    def simulate_plan(self, simulated: SimulatedRouter, plan: SitePlan) -> list[SimulatedStep]:
        """Apply ``plan`` to ``simulated`` step by step."""


__all__ = [
    "ChangeMarker",
    "DeviceError",
    "Driver",
    "Hop",
    "InterfaceState",
    "PingResult",
    "PolicyMigration",
    "RevertMethod",
    "Reverted",
    "Session",
    "SimulatedRouter",
    "SimulatedStep",
    "Target",
    "connect_error",
    "never",
    "safety_net_name",
]
