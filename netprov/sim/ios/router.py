"""Cisco IOS-XE config semantics and routing: the running config, archive/replace with revert
timers, and the routes and links that follow from a config. Pure state, no I/O: the lockout
guard and lint simulate plans with it, and the twin's IOS personality serves it over SSH.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from ipaddress import AddressValueError, IPv4Address, IPv4Interface, IPv4Network

from netprov.sim.ios.access import IosAccess
from netprov.sim.ios.config import IosConfig, Node, interface_shutdown
from netprov.sim.topology import Link, RouteEntry, Router, World

FLASH_SIZE = 7_000_000_000
FACTORY_LINES = ("ip http server", "ip http authentication local", "ip http secure-server")
_NAT_RULE = "ip nat inside source "
_INVALID = "% Invalid input detected at '^' marker."
# a router's own listing: it names its software version (Cisco IOS: show running-config)
_LISTING = re.compile(r"^(version \S+|Current configuration : )", re.M)


@dataclass
class PendingRevert:
    """A ``configure replace`` awaiting ``configure confirm``: what it reverts to, its timer."""

    snapshot: list[str]
    user: str
    minutes: int
    configured: dt.datetime
    cancel: Callable[[], None]
    listing: bool = False  # the snapshot is of a config loaded from a router's listing


class IosDevice:
    """State of one IOS router: running/startup config, flash, pending revert, world."""

    def __init__(
        self,
        *,
        ports: list[str],
        world: World,
        schedule: Callable[[float, Callable[[], None]], Callable[[], None]],
        now: Callable[[], dt.datetime],
        serial: str,
    ) -> None:
        self.ports = ports
        self.world = world
        self.schedule = schedule  # (device seconds, callback) -> cancel
        self.now = now
        self.serial = serial
        self.running = self.blank()
        self.startup: list[str] = []
        self.flash: dict[str, bytes] = {}
        self.pending: PendingRevert | None = None
        self.last_change = now()
        self.last_change_user = "netprov"
        self.booted = now()
        self.rejections: list[re.Pattern[str]] = []
        self.ignored: list[re.Pattern[str]] = []  # accepted, never applied (a fault)
        self.on_config_line: Callable[[], None] = lambda: None
        self.on_reboot: Callable[[], None] = lambda: None  # ``reload`` is the twin's to run

    # files can be copied onto flash (SCP; Cisco IOS Configuration Fundamentals, "ip scp
    # server enable"), as napalm sends its candidate
    accepts_files = True

    def allow_user(self, name: str) -> None:
        """Let ``name`` log in: the twin's SSH server checks the password, and a config
        netprov renders names its user already, so nothing is added to the config."""

    def after_reboot(self) -> None:
        """A reload: the pending rollback timer is forgotten, the startup config runs, and
        the uptime ``show version`` prints starts again (Cisco IOS Configuration
        Fundamentals, "show version": the time since the system was last reloaded)."""
        self.booted = self.now()
        self.cancel_pending()
        config = self.fresh(listing=self.running.listing)
        config.load("\n".join(self.startup))
        self.running = config

    def limit(self, mode: str, features: Mapping[str, bool]) -> None:
        """IOS has no device-mode (it is RouterOS 7's)."""
        raise ValueError("device_mode: Cisco IOS has no device-mode (RouterOS 7 has)")

    def queue_for(self, source: IPv4Address, destination: IPv4Address) -> str | None:
        """None: the twin does not work out which IOS service policy takes a packet."""
        return None

    def blank(self) -> IosConfig:
        """A factory IOS-XE router: its ports shut, and the web UI on (Cisco IOS XE: the
        HTTP and HTTPS servers are enabled by default; Cisco Security Advisory for
        CVE-2023-20198)."""
        config = IosConfig()
        config.root.children += [Node(line) for line in FACTORY_LINES]
        for port in self.ports:
            config.root.children.append(Node(f"interface {port}", "config-if", [Node("shutdown")]))
        return config

    def fresh(self, *, listing: bool, as_written: bool = True) -> IosConfig:
        """An empty config to load a whole one into: for a router's own listing nothing
        (the listing holds every line and port; ``as_written``: each line listed as IOS
        printed it), else a factory router."""
        return IosConfig(listing=True, as_written=as_written) if listing else self.blank()

    def _without_ignored(self, text: str) -> str:
        """``text`` without the lines a fault makes this router swallow (with a section's
        header, its indented children)."""
        kept, skipping = [], False
        for line in text.splitlines():
            if skipping and line.startswith(" "):
                continue
            skipping = any(p.search(line) for p in self.ignored)
            if not skipping:
                kept.append(line)
        return "\n".join(kept)

    def load_initial(self, text: str) -> list[tuple[int, str]]:
        """Start from ``text``: a config netprov rendered (on a factory router), or a
        router's own listing (``show running-config``, with its ``version`` line), which
        holds every line and port the router has, its web server's setting too."""
        config = self.fresh(listing=_LISTING.search(text) is not None)
        rejected = config.load(self._without_ignored(text))
        self.running = config
        self.startup = config.lines()
        return rejected

    def boot(self) -> None:
        """The router comes up with its config (nothing of its own runs on the twin: a DHCP
        default route follows the lease wherever the routes are read)."""

    # --- files ------------------------------------------------------------------------

    def store_file(self, path: str, data: bytes) -> None:
        """Store ``data`` on flash under ``path``."""
        self.flash[flash_name(path)] = data

    def config_text(self) -> str:
        """The config body, as ``show running-config`` lists it."""
        return "\n".join(self.running.lines())

    def running_text(self) -> str:
        """``show running-config`` as IOS-XE prints it (header lines, then the config)."""
        stamp = self.last_change.strftime("%H:%M:%S UTC %a %b %d %Y")
        body = (
            "\n".join(
                [
                    "!",
                    f"! Last configuration change at {stamp} by {self.last_change_user}",
                    "!",
                    "version 17.9",
                    *self.running.lines(),
                    "end",
                ]
            )
            + "\n"
        )
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"

    # --- configuration changes ----------------------------------------------------------

    def nat_in_use(self) -> set[str]:
        """The dynamic NAT rules that hold translations now: translating to an interface
        that is up with an address, while an ``ip nat inside`` interface (the office LAN,
        its PCs always talking) is up. IOS refuses to remove such a rule (Cisco tech note
        13779, "Dynamic mapping in use, cannot remove")."""
        router = self.router()
        inside = any(
            node.find("ip nat inside") is not None
            and (link := router.links.get(node.text.split()[1])) is not None
            and router.link_up(link)
            for node in self.running.top("interface ")
        )
        if not inside:
            return set()
        used = set()
        for node in self.running.top(_NAT_RULE):
            words = node.text.split()
            name = words[words.index("interface") + 1] if "interface" in words else None
            link = router.links.get(name or "")
            if link is not None and router.link_up(link) and router.address_of(link):
                used.add(node.text)
        return used

    def replace(
        self, text: str, *, user: str, revert_minutes: int | None, revert_on_error: bool
    ) -> str:
        """``configure replace``: take ``text`` as the whole config, arming the revert timer when
        asked; what IOS prints."""
        # a full config: IOS parses it and lists each line its own way
        candidate = self.fresh(listing=_LISTING.search(text) is not None, as_written=False)
        rejected = candidate.load(self._without_ignored(text))
        # as the candidate says (a fault that swallows NAT lines does so silently)
        kept = {line.strip() for line in text.splitlines() if line.startswith(_NAT_RULE)}
        busy = sorted(self.nat_in_use() - kept)
        if busy and revert_on_error:
            lines = "\n".join(f"no {rule}\n%Dynamic mapping in use, cannot remove" for rule in busy)
            return (
                f"{lines}\n%Configuration could not be applied due to an error.\n"
                "Rollback Done\nThe original configuration has been successfully restored."
            )
        for rule in busy:  # without the trigger IOS goes on and the rule stays
            candidate.root.children.append(Node(rule))
        if rejected and revert_on_error:
            lines = "\n".join(f"Line {n}: {line}\n{_INVALID}" for n, line in rejected[:5])
            return (
                f"{lines}\n%Configuration could not be applied due to an error.\n"
                "Rollback Done\nThe original configuration has been successfully restored."
            )
        previous, listed = self.running.lines(), self.running.listing
        self.running = candidate
        self.changed(user)
        if revert_minutes:
            self.arm_revert(previous, user, revert_minutes, listing=listed)
        return "Total number of passes: 1\nRollback Done"

    def changed(self, user: str) -> None:
        """Note a config change by ``user`` (the listing's "Last configuration change" line)."""
        self.last_change = self.now()
        self.last_change_user = user

    def arm_revert(
        self, snapshot: list[str], user: str, minutes: int, *, listing: bool | None = None
    ) -> None:
        """Revert to ``snapshot`` (of the running config, or of one from a listing) in
        ``minutes`` unless confirmed (``revert timer``)."""
        if self.pending is not None:
            self.pending.cancel()
        cancel = self.schedule(minutes * 60, self.revert_now)
        listed = self.running.listing if listing is None else listing
        self.pending = PendingRevert(snapshot, user, minutes, self.now(), cancel, listed)

    def cancel_pending(self) -> None:
        """Cancel a pending revert without confirming it."""
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def revert_now(self) -> None:
        """The revert timer fired (or ``configure revert now``): restore the snapshot."""
        if self.pending is None:
            return
        snapshot, listed = self.pending.snapshot, self.pending.listing
        self.pending.cancel()
        self.pending = None
        config = self.fresh(listing=listed)
        config.load("\n".join(snapshot))
        self.running = config
        self.changed("revert-timer")

    def confirm(self) -> bool:
        """``configure confirm``: keep the change; False if none was pending."""
        if self.pending is None:
            return False
        self.pending.cancel()
        self.pending = None
        return True

    # --- topology view ------------------------------------------------------------------

    def router(self) -> Router:
        """The routing model of the running config, for the simulated world."""
        return Router(
            self.world,
            self._links(),
            self._static_routes(),
            self._dhcp_distances(),
            translated=self._translated(),
            packet_filter=IosAccess.of(self.running),
        )

    def _translated(self) -> set[str]:
        """Interfaces ``ip nat inside source ... interface X overload`` translates to."""
        names = set()
        for node in self.running.top(_NAT_RULE):
            words = node.text.split()
            if "interface" in words:
                names.add(words[words.index("interface") + 1])
        return names

    def _links(self) -> list[Link]:
        links = []
        for node in self.running.top("interface "):
            name = node.text.split()[1]
            port = name.split(".")[0]
            vlan = next(
                (
                    int(c.text.split()[-1])
                    for c in node.children
                    if c.text.startswith("encapsulation dot1Q")
                ),
                None,
            )
            address = next(
                (c.text.split()[2:4] for c in node.children if re.match(r"^ip address \d", c.text)),
                None,
            )
            dynamic = "dhcp" if node.find("ip address dhcp") else None
            if name.startswith("Dialer"):
                port, dynamic = self._dialer_port(node) or "", "pppoe"
            links.append(
                Link(
                    name=name,
                    address=IPv4Interface(f"{address[0]}/{address[1]}") if address else None,
                    admin_up=not interface_shutdown(node) and self._parent_up(port, name),
                    port=port,
                    vlan=vlan,
                    dynamic=dynamic,
                )
            )
        return links

    def _dialer_port(self, dialer: Node) -> str | None:
        pool = next(
            (c.text.split()[-1] for c in dialer.children if c.text.startswith("dialer pool ")), None
        )
        for node in self.running.top("interface "):
            if node.find(f"pppoe-client dial-pool-number {pool}"):
                return str(node.text.split()[1])
        return None

    def _parent_up(self, port: str, name: str) -> bool:
        if port == name:
            return True
        parent = self.running.root.find(f"interface {port}")
        return parent is not None and not interface_shutdown(parent)

    def _track_probe(self, track: int) -> tuple[IPv4Address | None, str | None]:
        """(target, source interface) of the SLA behind ``track N ip sla M reachability``."""
        sla = next((n.text.split()[4] for n in self.running.top(f"track {track} ip sla ")), None)
        for node in self.running.top(f"ip sla {sla}"):
            for child in node.children:
                if child.text.startswith("icmp-echo "):
                    words = child.text.split()
                    source = (
                        words[words.index("source-interface") + 1]
                        if "source-interface" in words
                        else None
                    )
                    return IPv4Address(words[1]), source
        return None, None

    def _static_routes(self) -> list[RouteEntry]:
        routes = []
        for node in self.running.top("ip route "):
            words = node.text.split()
            try:
                prefix = IPv4Network(f"{words[2]}/{words[3]}")
            except (AddressValueError, ValueError):
                continue
            rest = words[4:]
            gateway: IPv4Address | None = None
            interface: str | None = None
            if rest and re.match(r"^\d+\.\d+\.\d+\.\d+$", rest[0]):
                gateway = IPv4Address(rest.pop(0))
            elif rest:
                interface = rest.pop(0)
                if rest and rest[0] == "dhcp":
                    rest.pop(0)
                    uplink = next((u for u in self.world.uplinks if u.port == interface), None)
                    gateway = uplink.gateway if uplink else None
            distance = int(rest.pop(0)) if rest and rest[0].isdigit() else 1
            probe, source = (None, None)
            if len(rest) >= 2 and rest[0] == "track":
                probe, source = self._track_probe(int(rest[1]))
                if probe is None:
                    continue  # a track without its SLA is down
            routes.append(
                RouteEntry(prefix, gateway, interface, distance, probe, probe_source=source)
            )
        return routes

    def _dhcp_distances(self) -> dict[str, int]:
        result = {}
        for node in self.running.top("interface "):
            if node.find("ip address dhcp"):
                distance = next(
                    (
                        int(c.text.split()[-1])
                        for c in node.children
                        if c.text.startswith("ip dhcp client default-router distance ")
                    ),
                    254,
                )
                result[node.text.split()[1]] = distance
        for node in self.running.top("interface Dialer"):
            result[node.text.split()[1]] = 254  # PPPoE defaults come from static routes
        return result


def flash_name(path: str) -> str:
    """``flash:/x.txt`` -> ``x.txt``."""
    path = path.strip().strip("'\"")
    if ":" in path:
        path = path.split(":", 1)[1]
    return path.lstrip("/")
