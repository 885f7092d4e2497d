"""MikroTik RouterOS: netmiko ``mikrotik_routeros`` for sessions, a diff of netprov-owned
objects for plans, ``print terse`` readers for what the router prints.

The device-side safety net: before a change the router saves a backup (``/system backup
save``) and a ``/system scheduler`` job that loads it after N minutes unless netprov removes
the job once the checks pass (MikroTik manual, "Backup" and "Scheduler"). Loading a backup
asks ``Restore and reboot? [y/N]:`` and reboots the router.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from ipaddress import IPv4Network
from typing import ClassVar

from netprov.models import Lan, Phase, Platform, PppoeAddressing, Site, Uplink
from netprov.phases import Role, UplinkView
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
from netprov.platforms.policy_routing import office_of, routeros_policy_migration
from netprov.platforms.routeros import facts
from netprov.platforms.routeros import interfaces as routeros_interfaces
from netprov.platforms.routeros import output as routeros_output
from netprov.platforms.routeros.bypass import bypass_gaps
from netprov.platforms.routeros.plan import plan_routeros
from netprov.platforms.routeros.queues import shadowing_queue
from netprov.platforms.routeros.secrets import mask_routeros
from netprov.platforms.routeros.session import RosSession
from netprov.said import PhraseId, Said, joined
from netprov.sim.routeros.router import RosDevice, changes_filtering, changes_routing
from netprov.sim.topology import World
from netprov.syntax import routeros_versions
from netprov.syntax.routeros import parse_command, terse_lines
from netprov.syntax.routeros_defaults import ORDER_FREE
from netprov.syntax.routeros_versions import RosSoftware, version_of


def _without_remarks(config: str) -> str:
    lines = [line for line in config.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip() + "\n"


def comparable_export(config: str) -> str:
    """An export (terse or block form) as terse lines, remarks left out, each run of lines
    of an order-free menu sorted.

    Examples:
        >>> print(comparable_export("# 2026 by RouterOS 7.16\\n/ip route\\nadd gateway=b\\n"
        ...                         "add gateway=a\\n/ip firewall filter\\nadd chain=z\\n"
        ...                         "add chain=a"), end="")
        /ip route add gateway=a
        /ip route add gateway=b
        /ip firewall filter add chain=z
        /ip firewall filter add chain=a
    """
    runs: list[tuple[str, list[str]]] = []
    for _, line in terse_lines(config):
        try:
            menu = parse_command(line).path
        except ValueError:
            menu = ""
        if runs and runs[-1][0] == menu:
            runs[-1][1].append(line)
        else:
            runs.append((menu, [line]))
    ordered = (sorted(lines) if menu in ORDER_FREE else lines for menu, lines in runs)
    return "".join(f"{line}\n" for lines in ordered for line in lines)


def _model_clock() -> dt.datetime:
    """The preview model's clock: fixed (nothing it shows depends on the time)."""
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class RosDriver(Driver):
    platform = Platform.MIKROTIK_ROUTEROS
    netmiko_device_type = "mikrotik_routeros"
    napalm_driver = "ros"
    network_drivers = ("mikrotik_routeros",)
    vendor = "MikroTik"
    display_name = "MikroTik RouterOS"
    management_interface = "netprov-mgmt"  # templates/mikrotik_routeros/management.j2
    session_class: ClassVar[type[Session]] = RosSession
    # a RouterBOARD's own ports exist whether or not the inventory names them
    extra_ports = tuple(f"ether{n}" for n in range(1, 6))

    def mask_secrets(self, text: str) -> str:
        """Every property the MikroTik manual documents as a secret, on command lines and
        in scripts (:mod:`netprov.platforms.routeros.secrets`)."""
        return mask_routeros(text)

    # ``/export`` opens with the time it was run ("# 2024-01-10 12:00:00 by RouterOS 7.13",
    # "# jan/10/2024 ..." before 7.10); Oxidized's routeros model drops the same line
    volatile_patterns = (re.compile(r"# .*\bby RouterOS\b"),)

    def for_git(self, config: str) -> str:
        """The export without the time it was run, its version kept (``# by RouterOS
        6.49.8``): ``netprov check`` plans against the backup for the version it names."""
        kept = super().for_git(config)
        version = routeros_versions.export_version(config)
        return f"# by RouterOS {version}\n{kept}" if version is not None else kept

    def comparable(self, config: str) -> str:
        """The export as terse lines, without the remarks that date it; in a menu whose
        items the router keeps in no order it uses (no ``move``: an object added again
        is appended, netprov.syntax.routeros_defaults.ORDER_FREE) its lines sorted, so a config an
        undo put back compares equal to the one it had."""
        return comparable_export(config)

    def config_version(self, config: str) -> str | None:
        found = routeros_versions.export_version(config)
        return str(found) if found is not None else None

    def template_version(self, os_version: str | None, config: str | None = None) -> RosSoftware:
        """The RouterOS version the templates write for (RouterOS 7 when not known), and
        whether the router has IPv6 (a RouterOS 6 router shows it in its config)."""
        return routeros_versions.software(os_version, config)

    def plan(self, site_id: str, phase: Phase, running: str, intended: str) -> SitePlan:
        """The plan from ``running`` as its RouterOS version runs it (a v6 DHCP client
        printed without ``disabled=`` is disabled: netprov.syntax.routeros_versions), read as it
        came
        (not sorted, as comparable lists it)."""
        version = routeros_versions.export_version(running)
        view = routeros_versions.explicit_defaults(_without_remarks(running), version)
        engine = plan_routeros(view, intended, version.major if version is not None else 7)
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            engine.commands,
            engine.undo,
            conflicts=[*engine.conflicts, *routeros_versions.too_old(version)],
            adopted=engine.adopted,
            adopted_undo=engine.adopted_undo,
            inexact=engine.inexact,
            warnings=[
                f"the undo cannot give back {lost}: a failed check loads the backup (a reboot)"
                for lost in engine.inexact
            ],
            preview=lambda: self.preview_commands(running, engine.commands),
        )

    def preview_commands(self, running: str, commands: list[str]) -> tuple[str, str]:
        """The router's config before and after ``commands``, as the router would hold it:
        the config model (netprov.sim) loads the running config and runs the commands as
        they come (adoptions are ``set`` on the router's own lines, a rename follows the
        interface everywhere, lines no command touches stay as they are), secrets masked."""
        model = RosDevice(
            ports=list(self.extra_ports), world=World([]), schedule=never, now=_model_clock
        )
        model.load_initial(self.comparable(running))
        before = self.comparable(model.export())
        # as the router keeps each command (a value set back to its default is not
        # printed), no timer, no DHCP client's script
        model.run_typed("\n".join(commands))
        return self.mask_secrets(before), self.mask_secrets(self.comparable(model.export()))

    def missing_interfaces(self, running: str, commands: list[str]) -> list[tuple[str, str, str]]:
        return routeros_interfaces.missing(self.comparable(running), commands)

    def removes(self, command: str) -> bool:
        """A ``remove`` (by its verb: a value such as a DHCP script may say "remove")."""
        try:
            return parse_command(command).verb == "remove"
        except ValueError:
            return False

    def outage_plan(self, site_id: str, phase: Phase, running: str, view: UplinkView) -> SitePlan:
        """Disable the uplink where it carries IP: the PPPoE client, the VLAN, or the port
        (MikroTik manual, Interface: ``disabled``)."""
        menu = "pppoe-client" if view.pppoe else "vlan" if view.uplink.vlan else "ethernet"
        name = view.l3 if view.pppoe else view.l2
        target = f'/interface {menu} set [ find where name="{name}" ]'
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            [f"{target} disabled=yes"],
            [f"{target} disabled=no"],
        )

    def uplink_names(self, role: Role, uplink: Uplink) -> tuple[str, str]:
        l2 = f"vlan{uplink.vlan}-{role.value}" if uplink.vlan else uplink.interface
        l3 = f"pppoe-{role.value}" if isinstance(uplink.addressing, PppoeAddressing) else l2
        return l2, l3

    # --- verification ---------------------------------------------------------------------

    def interfaces_command(self) -> str:
        return "/interface print terse without-paging"

    def read_interface(self, output: str, name: str) -> InterfaceState:
        return routeros_output.read_interface(output, name)

    def routes_command(self) -> str:
        return "/ip route print terse without-paging where dst-address=0.0.0.0/0"

    def read_default_gateway(self, output: str) -> str:
        return routeros_output.read_default_gateway(output)

    def ping_command(
        self,
        address: str,
        *,
        count: int,
        source: str | None = None,
        size: int | None = None,
        wait: float = 1.0,
    ) -> str:
        # MikroTik manual, "Ping": address, count, interval, src-address, size,
        # do-not-fragment. One echo per interval, and "if the response has not come until
        # the end of the interval, we assume it has timed out": the interval is the reply's
        # wait too, so a ping takes count x interval whatever comes back (10ms..5s)
        interval = min(5000, max(10, round(wait * 1000)))
        words = ["/ping", f"address={address}", f"count={count}", f"interval={interval}ms"]
        if source:
            words.append(f"src-address={source}")
        if size:
            words += [f"size={size}", "do-not-fragment"]
        return " ".join(words)

    def read_ping(self, output: str) -> PingResult:
        return routeros_output.read_ping(output)

    def route_command(self, address: str) -> str:
        # /ping's egress options do not prove a line here: src-address sets the address
        # only (routing is by destination), routing-table= (7) / routing-mark= (6) needs a
        # table netprov does not keep, interface= is for on-link targets (MikroTik manual,
        # "Ping"). The active route the ping follows does (read_route: longest prefix of
        # the main table, its immediate-gw on 7, gateway-status on 6); the whole table, as
        # `where` has no "contains this address" test on both versions
        return "/ip route print terse without-paging"

    def read_route(self, output: str, address: str) -> Hop | None:
        return routeros_output.read_route(output, address)

    def expected_default_gateway(self, view: UplinkView) -> str | None:
        # every uplink's default route is recursive, through its probe address
        return str(view.probe)

    def failover_route(self, config: str, view: UplinkView) -> Said | None:
        return facts.failover_route(config, view)

    def resolve_command(self, name: str) -> str:
        # MikroTik manual, Scripting: ":resolve" looks up through /ip dns servers
        return f":put [:resolve {name}]"

    def read_resolved(self, output: str) -> str | None:
        return routeros_output.read_resolved(output)

    dhcp_lines = r"^/ip dhcp-server add "

    def dhcp_serving(self, config: str, lan: Lan) -> bool:
        said = routeros_versions.explicit_defaults(config, routeros_versions.export_version(config))
        return any(
            line.startswith("/ip dhcp-server add ")
            and "name=netprov-lan" in line.split()
            and f"interface={lan.interface}" in line.split()
            and "disabled=yes" not in line.split()
            for line in said.splitlines()
        ) and facts.dhcp_gateway_given(config, lan)

    def policy_migration(
        self, config: str, site: Site, phase: Phase, city: Sequence[IPv4Network]
    ) -> PolicyMigration:
        return routeros_policy_migration(config, site, phase, city)

    def city_bypass_gaps(self, config: str, site: Site, city: Sequence[IPv4Network]) -> list[str]:
        return bypass_gaps(config, office_of(site), city)

    def serves_lan_dhcp(self, config: str, lan: Lan) -> bool:
        """An enabled ``/ip dhcp-server`` on the LAN interface (MikroTik manual, "DHCP"; a
        RouterOS 6 one printed without ``disabled=no`` is disabled)."""
        config = routeros_versions.explicit_defaults(
            config, routeros_versions.export_version(config)
        )
        terse = "/ip dhcp-server add " in config  # else block form, or none at all
        lines = (
            (line for line in config.splitlines())
            if terse
            else (line for _, line in terse_lines(config))
        )
        for line in lines:
            if line.startswith("/ip dhcp-server add "):
                params = parse_command(line).params
                if params.get("interface") == lan.interface and params.get("disabled") != "yes":
                    return True
        return False

    def leases_command(self) -> str:
        return '/ip dhcp-server lease print terse without-paging where server="netprov-lan"'

    def read_leases(self, output: str) -> int | None:
        return routeros_output.read_leases(output)

    def fetch_command(self, url: str) -> str:
        # MikroTik manual, Fetch: output=user prints the downloaded data to the console
        return f'/tool fetch url="{url}" output=user'

    def read_fetched(self, output: str) -> str | None:
        return routeros_output.read_fetched(output)

    shaping_lines = r"^/queue (simple|tree) add"
    nat_lines = r"^/ip firewall nat add .*action=(masquerade|src-nat)"

    def read_shaping(self, config: str, view: UplinkView) -> Shaping:
        """The simple queue ``netprov:qos-<role>``: ``max-limit`` upload/download, attached
        when its ``dst`` is the uplink. An enabled FastTrack rule lets fasttracked connections
        skip simple queues (MikroTik manual, "Queues": FastTrack bypasses them); a simple
        queue above it that fits the same traffic takes it first (first match:
        netprov.platforms.routeros.queues). An export in either form (a backup may be in
        the block form)."""
        lines = [line for _, line in terse_lines(config)]
        tag = f"netprov:qos-{view.role.value}"
        queue = next(
            (
                x
                for x in lines
                if x.startswith("/queue simple add") and f"comment={tag}" in x.split()
            ),
            None,
        )
        fasttrack = facts.fasttrack_bypasses(lines, view.l3)
        bypass = Said(PhraseId.FASTTRACK_ENABLED) if fasttrack else None
        if queue is None:
            return Shaping(None, False, bypass)
        # max-limit=upload/download, seen from the queue's target (the LAN)
        limit = re.search(r"max-limit=(\S+)", queue)
        up, _, down = limit[1].partition("/") if limit else ("", "", "")
        params = parse_command(queue).params
        dst = params.get("dst", "")
        if params.get("disabled") == "yes":  # a disabled queue takes no packet
            disabled = Said(PhraseId.QUEUE_DISABLED, {"name": str(params.get("name"))})
            bypass = joined([*filter(None, [bypass]), disabled], disabled)
        return Shaping(
            facts.ros_kbps(up) if up else None,
            dst == view.l3,
            bypass,
            download_kbps=facts.ros_kbps(down or up) if up else None,
            interfaces=(dst,) if dst else (),
            shadowed=shadowing_queue(config, tag, view.l3),
        )

    # --- lint facts ------------------------------------------------------------------------

    def dns_forced(self, config: str, resolvers: list[str], lan: str) -> bool:
        """netprov's redirects of the LAN's DNS in force on the LAN, the router asking the
        filters."""
        forwards = f"servers={','.join(resolvers)}" in config
        return facts.dns_redirected(config, lan) and forwards

    def dns_path(self, config: str, resolvers: list[str]) -> bool:
        """The router answers DNS (LAN queries are redirected to it): its resolver must be
        open to the LAN and point at the filters."""
        return "allow-remote-requests=yes" in config and f"servers={','.join(resolvers)}" in config

    def telemetry_translated(self, config: str, source: str) -> str | None:
        """srcnat runs top to bottom and its first match decides (MikroTik manual,
        "Firewall: NAT"): an accept for ``source`` keeps it, a masquerade or src-nat that
        matches the router's own packet first rewrites it."""
        for _, line in terse_lines(config):
            if not line.startswith("/ip firewall nat add "):
                continue
            rule = parse_command(line).params
            if rule.get("chain") != "srcnat" or rule.get("disabled") == "yes":
                continue
            if "src-address-list" in rule or rule.get("src-address", source) != source:
                continue  # matches other sources (the twin does not read lists here)
            action = rule.get("action", "accept")
            if action == "accept":
                return None
            if action in {"masquerade", "src-nat", "netmap", "same"}:
                return rule.get("comment") or line
        return None

    def hotspot_gaps(self, config: str, closed: list[str]) -> list[str]:
        gaps = [
            f"{net} open to the LAN"
            for net in closed
            if f"address={net} comment=netprov:city-" not in config
        ]
        if "comment=netprov:hotspot-isolation" not in config:
            gaps.append("no forward rule closes the city's networks to the LAN")
        shaped = "comment=netprov:qos-central " in config
        if shaped and "queue=pcq-upload-default/pcq-download-default" not in config:
            gaps.append("the central queue is not shared per user (PCQ)")
        return gaps

    def default_route_count(self, config: str) -> int:
        return config.count("dst-address=0.0.0.0/0") + config.count("add-default-route=yes")

    def management_open(self, config: str) -> list[str]:
        """Every service is off or limited to addresses, the input chain drops the
        management ports from elsewhere, and the MAC services (MAC-Telnet, MAC-WinBox: below
        IP, past every filter) answer on no interface (MikroTik manual, "Securing your
        router"; both are on everywhere by factory default)."""
        services: dict[str, str] = {}
        for line in config.splitlines():
            match = re.match(r"/ip service set (\S+) (.*)", line)
            if match:
                services[match[1]] = services.get(match[1], "") + " " + match[2]
        found = [
            f"/ip service {name} open to all"
            for name in ("api", "api-ssl", "ftp", "ssh", "telnet", "winbox", "www", "www-ssl")
            if "disabled=yes" not in services.get(name, "")
            and "address=" not in services.get(name, "")
        ]
        if "comment=netprov:mgmt-drop" not in config:
            found.append("no input rule drops the management ports from elsewhere")
        found += [
            f"{menu} on every interface"
            for menu in ("/tool mac-server", "/tool mac-server mac-winbox")
            if f"{menu} set allowed-interface-list=none" not in config
        ]
        return found

    def has_uplink(self, config: str, view: UplinkView) -> bool:
        return re.search(rf"netprov:{view.role.value}[ \"-]", config) is not None

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
    ) -> RosDevice:
        from netprov.sim.world import site_ports

        return RosDevice(
            ports=site_ports(site, extra=self.extra_ports),
            world=world,
            schedule=schedule,
            now=now or (lambda: dt.datetime.now(dt.UTC)),
            identity=site.router.hostname,
            version=version_of(os_version or site.router.os_version),
        )

    def simulate_plan(self, simulated: SimulatedRouter, plan: SitePlan) -> list[SimulatedStep]:
        """Each command is a step: a session cut after any of them leaves the router there.
        A plan sends only ``add``/``set``/``remove``: any output is the router refusing it."""
        assert isinstance(simulated, RosDevice)
        steps: list[SimulatedStep] = []
        for command in plan.commands:
            refused, _ = simulated.run(command, "/")
            if not steps or changes_routing(command):
                router = simulated.router()
            elif changes_filtering(command):
                last = steps[-1].router
                router = last.with_packet_filter(simulated.packet_filter(last.links.values()))
            else:
                router = steps[-1].router
            steps.append(
                SimulatedStep(command, router, (f"{command} -> {refused}",) if refused else ())
            )
        return steps
