"""Cisco IOS / IOS-XE: napalm ``ios`` opens sessions and restores backups, hier_config plans,
ntc-templates reads what the router prints.

A change is pushed with ``configure replace flash:netprov-candidate.txt force revert trigger
error timer N``, the command napalm's ``commit_config(revert_in=...)`` sends: the router
rolls back by itself unless ``configure confirm`` arrives in time (Cisco IOS XE
Configuration Replace and Configuration Rollback guide, "configure replace ... revert
trigger"). netprov sends that sequence itself on the session it already has, not napalm's:
napalm surrounds it with ~40 checks per change (``show archive`` x4, ``dir`` x4, ``verify
/md5`` x2, ``file prompt quiet`` on and off, a copy of the running config) and a new SSH
connection per file. Here files go over one SCP connection kept for the session.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from ipaddress import IPv4Network
from typing import ClassVar

from netprov.models import Lan, Phase, Platform, PppoeAddressing, Site, Uplink
from netprov.phases import DIALER_IDS, Role, UplinkView
from netprov.plan import SitePlan
from netprov.platforms.base import (
    Driver,
    Hop,
    InterfaceState,
    PingResult,
    PolicyMigration,
    Schedule,
    Session,
    Shaping,
    SimulatedRouter,
    SimulatedStep,
    never,
)
from netprov.platforms.ios import interfaces as ios_interfaces
from netprov.platforms.ios import output as ios_output
from netprov.platforms.ios.plan import as_rendered, clean_ios, plan_ios
from netprov.platforms.ios.secrets import mask_ios
from netprov.platforms.ios.sections import section, sections
from netprov.platforms.ios.session import IosSession
from netprov.platforms.policy_routing import ios_policy_migration
from netprov.said import PhraseId, Said
from netprov.secrets import mask_values
from netprov.sim.ios.router import IosDevice
from netprov.sim.topology import World
from netprov.syntax import ios_type7 as type7

# entries of the LAN ACL (with or without the sequence number a candidate may carry), their
# words one space apart: IOS lists "deny   udp", aligned with "permit"
_LAN_ACL = "ip access-list extended NETPROV-LAN-IN"
_DNS_PERMIT = re.compile(r"(?:\d+ )?permit (udp|tcp) any host (\S+) eq domain")
_DNS_DENY = re.compile(r"(?:\d+ )?deny udp any any eq domain")
# A type 7 password, and what comes before it on its line
_TYPE7 = re.compile(r"^(\s*\S.*? (?:password|key)) 7 ([0-9A-Fa-f]{4,})\s*$", re.M)
# Lines IOS prints that are display, not configuration, or that napalm adds around a commit.
_NOT_CONFIG = {"file prompt quiet", "!", "end", ""}


class IosDriver(Driver):
    platform = Platform.CISCO_IOS
    netmiko_device_type = "cisco_ios"
    napalm_driver = "ios"
    network_drivers = ("cisco_ios", "cisco_xe")  # IOS-XE: the same CLI to netprov
    vendor = "Cisco"
    display_name = "Cisco IOS"
    management_interface = "Loopback0"  # templates/cisco_ios/base.j2
    session_class: ClassVar[type[Session]] = IosSession
    # ``show running-config`` stamps: when the config last changed or was saved (a session
    # that enters and leaves config mode moves it) and its size; Oxidized's ios model drops
    # the same lines
    volatile_patterns = tuple(
        re.compile(p)
        for p in (
            r"! (?:Last configuration change|NVRAM config last updated|No configuration change)",
            r"Building configuration\.\.\.",
            r"Current configuration : \d+ bytes",
        )
    )

    def mask_secrets(self, text: str) -> str:
        """Every command form Cisco documents with a secret, by section where it matters
        (:mod:`netprov.platforms.ios.secrets`)."""
        return mask_ios(text)

    def with_references(self, config: str, labels: dict[str, str]) -> str:
        """Type 7 (``service password-encryption`` shows every password so: Cisco IOS
        Security Command Reference) is an encoding, not a hash: a value that decodes to a
        known secret reads as that secret's reference in clear (type 0), the form netprov
        renders. Other type 7 values (the office's own users) stay as the router wrote them."""

        def known(match: re.Match[str]) -> str:
            try:
                clear = type7.decode(match[2])
            except ValueError:
                return match[0]
            return f"{match[1]} 0 {labels[clear]}" if clear in labels else match[0]

        return mask_values(_TYPE7.sub(known, config), labels)

    def comparable(self, config: str) -> str:
        lines = [line for line in clean_ios(config).splitlines() if line.strip() not in _NOT_CONFIG]
        return "\n".join(lines).strip() + "\n"

    def plan(self, site_id: str, phase: Phase, running: str, intended: str) -> SitePlan:
        engine = plan_ios(running, intended)
        candidate = engine.candidate
        lines = set(clean_ios(running).splitlines())
        # napalm's configure replace copies the candidate by SCP, and the revert timer is the
        # archive's (Cisco IOS Configuration Fundamentals, "Configuration Replace and
        # Configuration Rollback"): a router in service may have neither
        needs = [] if "ip scp server enable" in lines else ["ip scp server enable"]
        if "archive" not in lines:
            needs += ["archive", " path flash:netprov-archive", " write-memory"]
        taken_back = [f"no {line}" for line in needs if not line.startswith(" ")]
        notices = (
            ["takes over what the inventory describes: " + "; ".join(engine.taken_over)]
            if engine.taken_over
            else []
        )
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            engine.commands,
            engine.undo,
            candidate,
            warnings=notices,
            adopted=needs,
            adopted_undo=taken_back,
            conflicts=engine.conflicts,
            after_push=engine.releases,
            preview=lambda: self._preview(running, candidate),
        )

    def missing_interfaces(self, running: str, commands: list[str]) -> list[tuple[str, str, str]]:
        return ios_interfaces.missing(clean_ios(running), commands)

    def _preview(self, running: str, candidate: str) -> tuple[str, str]:
        """The running config and the candidate that replaces it, both as hier_config
        writes them (untouched lines compare equal), the candidate's sections where the
        router has them (IOS keeps its own order; new ones after), secrets masked: a diff
        of the two is what the replace changes."""
        before = as_rendered(running)
        order = {header: at for at, (header, _) in enumerate(sections(before))}
        parts = sections(candidate.removesuffix("end\n"))
        ranked = sorted(parts, key=lambda s: (s[0] not in order, order.get(s[0], 0)))
        after = "\n".join(text for _, text in ranked)
        return self.mask_secrets(before + "\n"), self.mask_secrets(after + "\n")

    def removes(self, command: str) -> bool:
        """``no ...`` and ``default ...`` lines, at any depth."""
        return command.lstrip().startswith(("no ", "default "))

    def outage_plan(self, site_id: str, phase: Phase, running: str, view: UplinkView) -> SitePlan:
        """``shutdown`` on the uplink's interface (its sub-interface when on a VLAN)."""
        header = f"interface {view.l2}"
        lines, inside = [], False
        for line in clean_ios(running).splitlines():
            if inside and line.strip() in {"shutdown", "no shutdown"}:
                continue
            lines.append(line)
            if line.startswith("interface "):
                inside = line.rstrip() == header
                if inside:
                    lines.append(" shutdown")
            elif not line.startswith(" "):
                inside = False
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            [header, " shutdown"],
            [header, " no shutdown"],
            "\n".join(lines) + "\n",
        )

    def uplink_names(self, role: Role, uplink: Uplink) -> tuple[str, str]:
        l2 = f"{uplink.interface}.{uplink.vlan}" if uplink.vlan else uplink.interface
        l3 = f"Dialer{DIALER_IDS[role]}" if isinstance(uplink.addressing, PppoeAddressing) else l2
        return l2, l3

    # --- verification ---------------------------------------------------------------------

    def interfaces_command(self) -> str:
        return "show ip interface brief"

    def read_interface(self, output: str, name: str) -> InterfaceState:
        return ios_output.read_interface(output, name)

    def routes_command(self) -> str:
        return "show ip route"

    def read_default_gateway(self, output: str) -> str:
        return ios_output.read_default_gateway(output)

    def ping_command(
        self,
        address: str,
        *,
        count: int,
        source: str | None = None,
        size: int | None = None,
        wait: float = 1.0,
    ) -> str:
        # Cisco IOS "ping" extended options: source, size, df-bit, repeat, timeout (Cisco IOS
        # Configuration Fundamentals Command Reference, "ping"): a reply comes back in its
        # round trip, a lost echo costs the timeout (whole seconds, default 2)
        words = ["ping", address]
        if source:
            words += ["source", source]
        if size:
            words += ["size", str(size), "df-bit"]
        words += ["repeat", str(count), "timeout", str(max(1, math.ceil(wait)))]
        return " ".join(words)

    def read_ping(self, output: str) -> PingResult:
        return ios_output.read_ping(output)

    def route_command(self, address: str) -> str:
        # IOS's ping has no egress option for IPv4 (``source`` sets the address only, the
        # packet follows the routing table): the FIB entry it follows proves the line
        # (Cisco IOS IP Switching Command Reference, "show ip cef": prefix, next hop and
        # outgoing interface; ``show ip route A`` names no interface for a static route)
        return f"show ip cef {address}"

    def read_route(self, output: str, address: str) -> Hop | None:
        return ios_output.read_route(output)

    def expected_default_gateway(self, view: UplinkView) -> str | None:
        return str(view.static.gateway) if view.static is not None else None

    def failover_route(self, config: str, view: UplinkView) -> Said | None:
        """The line's default route tracked by its probe's track object (routing.j2; a
        DHCP line's is the client's, on its interface: ``ip dhcp client route track``)."""
        lines = {line.rstrip() for line in config.splitlines()}
        if f"track {view.track} ip sla {view.track} reachability" not in lines:
            return _missing(f"track {view.track} ip sla {view.track} reachability")
        if view.dhcp:
            held = section(config, f"interface {view.l3}")
            tracked = f" ip dhcp client route track {view.track}" in held
            return None if tracked else _missing(f"ip dhcp client route track {view.track}")
        hop = str(view.static.gateway) if view.static is not None else view.l3
        distance = f" {view.distance}" if view.distance != 1 else ""
        route = f"ip route 0.0.0.0 0.0.0.0 {hop}{distance} track {view.track}"
        return None if route in lines else _missing(route)

    def resolve_command(self, name: str) -> str:
        # IOS has no lookup-only exec command: a one-packet ping of the name makes the router
        # translate it through its ``ip name-server`` list and print the address it got
        return f"ping {name} repeat 1 timeout 1"

    def read_resolved(self, output: str) -> str | None:
        return ios_output.read_resolved(output)

    dhcp_lines = r"^ip dhcp pool "

    def dhcp_serving(self, config: str, lan: Lan) -> bool:
        pool = [line.split() for line in section(config, "ip dhcp pool NETPROV-LAN")]
        enabled = "no service dhcp" not in config.splitlines()
        gateway = ["default-router", str(lan.address.ip)]  # the first one the PCs get
        return enabled and any(w[:1] == ["network"] for w in pool) and gateway in pool

    def policy_migration(
        self, config: str, site: Site, phase: Phase, city: Sequence[IPv4Network]
    ) -> PolicyMigration:
        """Refused, naming each interface with ``ip policy route-map`` and what to change by
        hand (netprov.platforms.policy_routing)."""
        return ios_policy_migration(config, site, phase, city)

    def serves_lan_dhcp(self, config: str, lan: Lan) -> bool:
        """An ``ip dhcp pool`` whose ``network`` lies in a LAN subnet, the DHCP service on
        (Cisco IOS IP Addressing Configuration Guide, "Configuring the Cisco IOS DHCP
        Server")."""
        lines = clean_ios(config).splitlines()
        if "no service dhcp" in lines:
            return False
        subnets = [address.network for address in lan.interfaces]
        for match in re.finditer(r"^ network (\S+) (\S+)", "\n".join(lines), re.M):
            try:
                network = IPv4Network(f"{match[1]}/{match[2]}", strict=False)
            except ValueError:
                continue
            if any(network.subnet_of(subnet) for subnet in subnets):
                return True
        return False

    def leases_command(self) -> str:
        return "show ip dhcp binding"

    def read_leases(self, output: str) -> int | None:
        return ios_output.read_leases(output)

    def fetch_command(self, url: str) -> str:
        # ``more`` displays any file IOS can open by URL, http: included (Cisco IOS
        # Configuration Fundamentals Command Reference, "more")
        return f"more {url}"

    def read_fetched(self, output: str) -> str | None:
        return ios_output.read_fetched(output)

    shaping_lines = r"^\s*service-policy "
    nat_lines = r"^ip nat inside source "

    def read_shaping(self, config: str, view: UplinkView) -> Shaping:
        """``policy-map NETPROV-SHAPE-<ROLE>``'s ``shape average`` (bit/s), attached by
        ``service-policy output`` on the uplink's interface (Cisco IOS QoS: Regulating Packet
        Flow, "shape average")."""
        name = f"NETPROV-SHAPE-{view.role.value.upper()}"
        policy = section(config, f"policy-map {name}")
        rate = re.search(r"shape average (\d+)", "\n".join(policy))
        interface = [line.strip() for line in section(config, f"interface {view.l3}")]
        attached = f"service-policy output {name}" in interface
        # download: shaping acts on output only, so traffic coming in is policed at the
        # uplink's input (Cisco IOS QoS: "Policing and Shaping Overview")
        police = f"NETPROV-POLICE-{view.role.value.upper()}"
        police_rate = re.search(
            r"police cir (\d+)", "\n".join(section(config, f"policy-map {police}"))
        )
        download = (
            int(police_rate[1]) // 1000
            if police_rate and f"service-policy input {police}" in interface
            else None
        )
        # every interface whose output the policy shapes: a policy acts only on packets
        # leaving by the interface it is attached to (Cisco IOS QoS: "Applying QoS Features
        # Using the MQC", service-policy output), which verify holds to the route
        carrying = tuple(
            match[1]
            for match in re.finditer(r"^interface (\S+)\n((?: .*\n?)*)", config, re.M)
            if f" service-policy output {name}" in match[2].splitlines()
        )
        return Shaping(
            int(rate[1]) // 1000 if rate else None,
            attached,
            download_kbps=download,
            interfaces=carrying,
        )

    # --- lint facts ------------------------------------------------------------------------

    def dns_forced(self, config: str, resolvers: list[str], lan: str) -> bool:
        """The LAN ACL, applied inbound on the LAN interface (an ACL filters only the
        packets arriving on the interface it is applied to, ``in``: Cisco IOS Security
        Configuration Guide, "IP Access List Overview"), lets DNS reach the filters and
        denies the rest, and every other resolver it lets through is one the outside
        static NAT maps onto a filter (else a PC asking it would be answered unfiltered)."""
        applied = [" ".join(line.split()) for line in section(config, f"interface {lan}")]
        # IOS lists "deny" padded to the width of "permit" ("deny   udp any any eq domain")
        acl = [" ".join(line.split()) for line in section(config, _LAN_ACL)]
        passed = {
            (match[1], match[2]) for line in acl if (match := _DNS_PERMIT.fullmatch(line.strip()))
        }
        mapped = {
            (match[1], match[3])
            for match in re.finditer(
                r"^ip nat outside source static (udp|tcp) (\S+) 53 (\S+) 53", config, re.M
            )
            if match[2] in resolvers
        }
        return (
            "ip access-group NETPROV-LAN-IN in" in applied
            and any(_DNS_DENY.fullmatch(line.strip()) for line in acl)
            and all(("udp", r) in passed for r in resolvers)
            and all(host in resolvers or (proto, host) in mapped for proto, host in passed)
        )

    def dns_path(self, config: str, resolvers: list[str]) -> bool:
        """A DHCP pool hands out a filtering resolver, or the router answers DNS itself
        (Cisco IOS IP Addressing: DHCP pool ``dns-server``; ``ip dns server``)."""
        lines = config.splitlines()
        pools = [line.split()[1:] for line in lines if line.startswith(" dns-server ")]
        handed_out = any(set(servers) & set(resolvers) for servers in pools)
        return handed_out or "ip dns server" in lines

    def telemetry_translated(self, config: str, source: str) -> str | None:
        """IOS translates what arrives on an ``ip nat inside`` interface only: the router's
        own packets never (Cisco IOS IP Addressing: NAT Configuration Guide)."""
        return None

    def hotspot_gaps(self, config: str, closed: list[str]) -> list[str]:
        acl = [
            re.sub(r"^\d+ ", "", " ".join(line.split()))  # a candidate's may carry numbers
            for line in section(config, _LAN_ACL)
        ]
        gaps = []
        for prefix in closed:
            net = IPv4Network(prefix)
            wildcard = IPv4Network(f"0.0.0.0/{net.prefixlen}").hostmask
            if f"deny ip any {net.network_address} {wildcard}" not in acl:
                gaps.append(f"{prefix} open to the LAN")
        policy = [line.strip() for line in section(config, "policy-map NETPROV-SHAPE-CENTRAL")]
        if policy and "fair-queue" not in policy:
            gaps.append("the central line's shaping is not shared per flow (fair-queue)")
        return gaps

    def default_route_count(self, config: str) -> int:
        return len(re.findall(r"^ip route 0\.0\.0\.0 0\.0\.0\.0 ", config, re.M)) + config.count(
            "ip dhcp client default-router distance"
        )

    def management_open(self, config: str) -> list[str]:
        """Every vty section carries the management ACL (one without is a way in), and the
        web UI is off: IOS-XE serves it by factory default, so only ``no ip http server``
        and ``no ip http secure-server`` say it is off (Cisco advisory for CVE-2023-20198)."""
        lines = config.splitlines()
        vty = [line.rstrip() for line in lines if line.startswith("line vty ")]
        found = [
            f"{header} without access-class NETPROV-MGMT"
            for header in vty
            if " access-class NETPROV-MGMT in" not in section(config, header)
        ]
        if not vty:
            found.append("no line vty section restricted")
        found += [
            f"the web UI ({server})"
            for server in ("ip http server", "ip http secure-server")
            if f"no {server}" not in lines
        ]
        return found

    def has_uplink(self, config: str, view: UplinkView) -> bool:
        return re.search(rf"^interface {re.escape(view.l3)}$", config, re.M) is not None

    # --- simulation --------------------------------------------------------------------------

    def simulator(
        self,
        site: Site,
        world: World,
        *,
        schedule: Schedule = never,
        now: Callable[[], dt.datetime] | None = None,
        index: int = 0,
        os_version: str | None = None,
    ) -> IosDevice:
        from netprov.sim.world import site_ports

        return IosDevice(
            ports=site_ports(site, extra=self.extra_ports),
            world=world,
            schedule=schedule,
            now=now or (lambda: dt.datetime.now(dt.UTC)),
            serial=f"FDO{index:08d}",
        )

    def load_simulated(self, simulated: SimulatedRouter, config: str) -> list[tuple[int, str]]:
        return simulated.load_initial(clean_ios(config))

    def simulate_plan(self, simulated: SimulatedRouter, plan: SitePlan) -> list[SimulatedStep]:
        """The preparation lines (merged into the running config), then ``configure replace``
        of the candidate as one step, then the removals sent after it. Refused lines are
        reported when netprov sends or changes them (the router's own lines are not
        netprov's to judge)."""
        assert isinstance(simulated, IosDevice)
        ours = {line.strip() for line in [*plan.commands, *plan.adopted]}

        def refused(rejected: list[tuple[int, str]]) -> tuple[str, ...]:
            return tuple(text for _, text in rejected if text in ours)

        steps = []
        if plan.adopted:
            merged = "\n".join([*simulated.running.lines(), *plan.adopted])
            rejected = simulated.load_initial(merged)
            step = "preparation: " + "; ".join(plan.adopted)
            steps.append(SimulatedStep(step, simulated.router(), refused(rejected)))
        if plan.candidate is not None:
            rejected = simulated.load_initial(plan.candidate)
            step = "configure replace (the candidate config)"
            steps.append(SimulatedStep(step, simulated.router(), refused(rejected)))
        if plan.after_push:
            root = [simulated.running.root]
            for line in plan.after_push:
                simulated.running.apply(line, root)
            step = "after the replace: " + "; ".join(plan.after_push)
            steps.append(SimulatedStep(step, simulated.router()))
        return steps


def _missing(line: str) -> Said:
    """A line of IOS config the running config does not have."""
    return Said(PhraseId.MISSING_LINE, {"line": line})
