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
from collections.abc import Callable
from typing import Any, ClassVar

from netprov.errors import DeviceError
from netprov.models import Lan, Phase, Platform, PppoeAddressing, Site, Uplink
from netprov.phases import Role, UplinkView
from netprov.plan import SitePlan
from netprov.platforms import routeros_output
from netprov.platforms.base import (
    ChangeMarker,
    Driver,
    InterfaceState,
    PingResult,
    Schedule,
    Session,
    Shaping,
    SimulatedRouter,
    SimulatedStep,
    Target,
    client_errors,
    connect_error,
    exchange,
    never,
    one_line,
    pace_client,
    read_until,
    safety_net_name,
)
from netprov.platforms.policy_routing import routeros_policy_routing
from netprov.platforms.routeros_plan import owned_lines, plan_routeros
from netprov.rossyntax import parse_command, terse_lines
from netprov.sim.routeros import RosDevice, changes_filtering, changes_routing
from netprov.sim.topology import World

REVERT_JOB = "netprov-revert"
# RouterOS's prompt, at any menu: ``[admin@router] > ``, ``[admin@router] /ip address> ``
PROMPT = r"\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?$"
_PROMPT_AT_START = re.compile(r"^\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?")
# a command repainted after its prompt, what it printed, then the prompt again at the end
_REPAINTED = (
    r"^\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> {command}[ \t]*\r?\n"
    r"(?:.*\r?\n)*?\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?\Z"
)
_PROMPT_AT_END = r"\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?\Z"
_REPAINT_WIDTH = 400  # netmiko asks for 511 columns; the prompt takes the rest
# printed after a batch of config lines (``:put``, MikroTik manual "Scripting"): its output
# line, unlike its echo, is the word alone
_BATCH_END = "netprov-batch-end"
# The change marker: an empty /system script whose comment names the run (MikroTik manual,
# Scripting: /system script). Added after the safety-net backup, so loading it removes it.
MARKER_SCRIPT = "netprov-change"
# what RouterOS asks before a destructive step, and what a restore prints once it began
_QUESTION = r"password:|\[y/N\]:"
_RESTORING = re.compile(r"restor|rebooting", re.IGNORECASE)
# how RouterOS starts an error message (MikroTik manual, Console: errors)
_ERROR = re.compile(r"^(failure:|bad command name|syntax error|expected |no such |invalid )")


def _ros_kbps(rate: str) -> int:
    """A RouterOS rate (``16M``, ``4281k``, ``2000000``) in kbit/s.

    Examples:
        >>> _ros_kbps("16M"), _ros_kbps("4281k"), _ros_kbps("2000000")
        (16000, 4281, 2000)
    """
    units = {"k": 1, "M": 1000, "G": 1_000_000}
    if rate and rate[-1] in units:
        return int(float(rate[:-1]) * units[rate[-1]])
    return int(rate) // 1000


def _first_line(output: str) -> str:
    return next((line.strip() for line in output.splitlines() if line.strip()), "")


def _fasttrack_bypasses(lines: list[str], interface: str) -> bool:
    """An enabled FastTrack rule reached by the uplink's traffic: no accept rule for
    established traffic out of and into ``interface`` comes before it in the forward chain
    (rules run in order; FastTrack skips simple queues, MikroTik manual "Firewall: FastTrack").

    Examples:
        >>> ft = "/ip firewall filter add action=fasttrack-connection chain=forward"
        >>> acc = "/ip firewall filter add action=accept chain=forward "
        >>> acc += "connection-state=established,related "
        >>> _fasttrack_bypasses([ft], "ether5")
        True
        >>> _fasttrack_bypasses([acc + "out-interface=ether5", acc + "in-interface=ether5", ft],
        ...                     "ether5")
        False
    """
    kept: set[str] = set()
    for line in lines:
        if not line.startswith("/ip firewall filter add") or "disabled=yes" in line.split():
            continue
        words = line.split()
        if "chain=forward" not in words:
            continue
        if "action=fasttrack-connection" in words:
            return kept != {"out", "in"}
        if "action=accept" in words and any(w.startswith("connection-state=") for w in words):
            for direction in ("out", "in"):
                if f"{direction}-interface={interface}" in words:
                    kept.add(direction)
    return False


class RosSession(Session):
    """netmiko ``mikrotik_routeros``: a scheduled restore of an on-device backup is the net."""

    probe_command = "/system identity print"
    marker_removal = f'/system script remove [ find where name="{MARKER_SCRIPT}" ]'

    def __init__(self, target: Target, *, change_id: str, timeout: float = 30) -> None:
        super().__init__(target, change_id=change_id, timeout=timeout)
        self._export = "/export terse show-sensitive"
        from netmiko import ConnectHandler

        try:
            self.conn: Any = ConnectHandler(
                device_type="mikrotik_routeros",
                host=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                conn_timeout=timeout,
                banner_timeout=min(15.0, timeout),  # netmiko's 15 s, or less if asked
                **target.host_key_options(),
            )
            self.reply_seconds = pace_client(self.conn, "/system identity print", r"name:")
        except client_errors() as exc:
            raise connect_error(target, exc) from exc

    def send(self, command: str) -> str:
        """One command: written, then read until RouterOS has repainted it after its prompt
        (``[admin@x] > cmd``, netmiko's MikroTik notes) and printed the prompt again,
        polling every 10 ms (netmiko's ``send_command`` polls every 25 ms after the echo);
        netmiko's RouterOS echo and prompt strip. A prompt before the repaint is not the
        end (reading up to any prompt stopped there under load). A command long enough to
        wrap in the 511-column terminal goes through ``send_command``."""
        conn = self.conn
        try:
            if len(command) > _REPAINT_WIDTH:
                return str(conn.send_command(command, expect_string=PROMPT, read_timeout=60))
            done = _REPAINTED.format(command=re.escape(command))
            # a router that does not repaint: its prompt at the end, then nothing for a while
            quiet = max(0.3, 2 * self.reply_seconds)
            return exchange(conn, command, done, 60, settled=_PROMPT_AT_END, quiet=quiet)
        except client_errors() as exc:
            reason = one_line(exc)
            raise DeviceError(f"{self.target.site_id}: {command!r} failed: {reason}") from exc

    def running(self) -> str:
        """The whole config, secrets included: RouterOS 7 leaves them out of an export
        unless asked ``show-sensitive``, RouterOS 6 has no such word and shows them (as
        Oxidized reads both). A plan compares the secrets it renders with these; they are
        masked before anything is stored in git or shown."""
        export = self.send(self._export)
        if self._export.endswith("show-sensitive") and _ERROR.match(_first_line(export)):
            self._export = "/export terse"  # RouterOS 6
            export = self.send(self._export)
        first = _first_line(export)
        if _ERROR.match(first):  # an error is not a config to keep (or to plan against)
            raise DeviceError(f"{self.target.site_id}: /export printed no config: {first}")
        return export

    def save_safety_net(self) -> None:
        name = safety_net_name(self.change_id)
        out = self.send(f"/system backup save name={name}")
        if "saved" not in out:
            raise DeviceError(f"{self.target.site_id}: backup not saved: {out.strip()}")

    def apply(self, plan: SitePlan, *, revert_minutes: int) -> None:
        """The dead-man switch (load this change's backup in N minutes) and the change, in
        one round trip: the lines are sent together and run in order, the switch first.
        A config line prints nothing when it takes; anything it prints is its refusal."""
        backup = safety_net_name(self.change_id)
        arm = (
            f"/system scheduler add name={REVERT_JOB} interval={revert_minutes}m "
            f'on-event="/system backup load name={backup}"'
        )
        refused = self._batch([arm, *plan.commands])
        if not refused:
            return
        listing = self.send(f'/system scheduler print terse where name="{REVERT_JOB}"')
        if REVERT_JOB not in listing:  # the switch itself was refused: nothing would revert
            self._load_backup(backup)
            raise DeviceError(
                f"{self.target.site_id}: the revert job was refused ({refused[0]}); "
                "the backup was loaded at once"
            )
        raise DeviceError(f"{self.target.site_id}: rejected: " + "; ".join(refused[:3]))

    def _batch(self, lines: list[str]) -> list[str]:
        """Send ``lines`` in one write; what they printed (their echoes and prompts left
        out), read up to the ``:put`` that follows them."""
        end = f':put "{_BATCH_END}"'
        timeout = 60 + len(lines) * 4 * self.reply_seconds
        try:
            self.conn.write_channel("\n".join([*lines, end]) + "\n")
            output = read_until(self.conn, rf"^{_BATCH_END}\r?$", timeout)
            tail = re.split(rf"^{_BATCH_END}\r?$", output, maxsplit=1, flags=re.M)[-1]
            if not re.search(PROMPT, tail, re.M):  # the prompt after it, if not read yet
                read_until(self.conn, PROMPT, timeout)
        except client_errors() as exc:
            raise DeviceError(f"{self.target.site_id}: push failed: {one_line(exc)}") from exc
        echoes = {*lines, end, _BATCH_END}
        printed = (_PROMPT_AT_START.sub("", raw).strip() for raw in output.splitlines())
        return [line for line in printed if line and line not in echoes]

    def _checked(self, command: str) -> None:
        out = self.send(command)
        if out.strip():
            raise DeviceError(f"{self.target.site_id}: {command!r} rejected: {out.strip()}")

    def confirm(self) -> None:
        self._checked(f'/system scheduler remove [ find where name="{REVERT_JOB}" ]')

    def undo(self, plan: SitePlan) -> None:
        for command in plan.undo:
            self._checked(command)
        self.confirm()

    def revert(self) -> None:
        """Load this change's backup now; the router reboots (the session ends)."""
        self.confirm()
        self._load_backup(safety_net_name(self.change_id))

    def restore(self, config: str, *, change_id: str) -> None:
        """Load the on-device backup change ``change_id`` saved; the router reboots."""
        self._load_backup(safety_net_name(change_id))

    def settle(self) -> bool:
        listing = self.send(f'/system scheduler print terse where name="{REVERT_JOB}"')
        # terse prints on-event unquoted, so its own "name=" is read from the raw line
        match = re.search(r"on-event=\S*.*?backup load name=(netprov-[\w-]+)", listing)
        if match is None:
            return False
        self.confirm()
        self._load_backup(match[1])
        return True

    def _load_backup(self, name: str) -> None:
        """``/system backup load`` asks for the backup's password (none: netprov saves them
        unencrypted, RouterOS >= 6.43) and ``Restore and reboot? [y/N]:``, then reboots."""
        self.reusable = False
        try:
            out = str(
                self.conn.send_command(
                    f"/system backup load name={name}",
                    expect_string=_QUESTION,
                    read_timeout=30,
                )
            )
            if "password:" in out:
                out = str(self.conn.send_command("", expect_string=r"\[y/N\]:", read_timeout=30))
            if "[y/N]" not in out:
                raise DeviceError(f"{self.target.site_id}: backup {name} not loaded: {out}")
            out = str(self.conn.send_command_timing("y", read_timeout=10, last_read=0.5))
        except client_errors():
            return  # the router reboots and drops the session: proven by reconnecting
        if out.strip() and not _RESTORING.search(out):
            raise DeviceError(f"{self.target.site_id}: backup {name} not loaded: {out.strip()}")

    def marker(self) -> ChangeMarker | None:
        return ChangeMarker.parse(
            self.send(f'/system script print terse where name="{MARKER_SCRIPT}"')
        )

    def mark(self, marker: ChangeMarker) -> None:
        self._checked(f'/system script add name={MARKER_SCRIPT} comment="{marker.text}" source=""')

    def unmark(self) -> None:
        self._checked(self.marker_removal)

    def alive(self) -> bool:
        try:
            return bool(self.conn.is_alive())
        except client_errors():
            return False

    def close(self) -> None:
        try:
            self.conn.disconnect()
        except client_errors():
            pass


class RosDriver(Driver):
    platform = Platform.MIKROTIK_ROUTEROS
    netmiko_device_type = "mikrotik_routeros"
    napalm_driver = "ros"
    session_class: ClassVar[type[Session]] = RosSession
    # a RouterBOARD's own ports exist whether or not the inventory names them
    extra_ports = tuple(f"ether{n}" for n in range(1, 6))
    # Secret-bearing parameters (MikroTik manual: PPP/PPPoE client password, IPsec
    # secret/pre-shared key, WireGuard private-key, SNMP community name and v3 passwords,
    # wireless WPA keys, user passwords) in export, print and command form
    secret_patterns = (
        re.compile(
            r"(?<![\w-])(?:password|secret|pre-shared-key|preshared-key|private-key|"
            r"authentication-key|auth-password|encryption-password|passphrase|"
            r"wpa-pre-shared-key|wpa2-pre-shared-key)=(?P<secret>\"[^\"]*\"|\S+)"
        ),
        # an SNMP community's name is its secret
        re.compile(r"^/snmp community (?:add|set)\b.*?(?<![\w-])name=(?P<secret>\S+)", re.M),
    )

    # ``/export`` opens with the time it was run ("# 2024-01-10 12:00:00 by RouterOS 7.13",
    # "# jan/10/2024 ..." before 7.10); Oxidized's routeros model drops the same line
    volatile_patterns = (re.compile(r"# .*\bby RouterOS\b"),)

    def comparable(self, config: str) -> str:
        lines = [line for line in config.splitlines() if not line.startswith("#")]
        return "\n".join(lines).strip() + "\n"

    def plan(self, site_id: str, phase: Phase, running: str, intended: str) -> SitePlan:
        engine = plan_routeros(self.comparable(running), intended)
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            engine.commands,
            engine.undo,
            conflicts=engine.conflicts,
            adopted=engine.adopted,
            adopted_undo=engine.adopted_undo,
            preview=lambda: (owned_lines(self.comparable(running)), owned_lines(intended)),
        )

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
        self, address: str, *, count: int, source: str | None = None, size: int | None = None
    ) -> str:
        # MikroTik manual, "Ping": address, count, interval, src-address, size,
        # do-not-fragment. The default interval of 1 s makes the checks' seven pings of 5 take
        # ~30 s per change on a real router; 200 ms keeps the count and takes ~7 s (a reply
        # still has the ping's own timeout to come back)
        words = ["/ping", f"address={address}", f"count={count}", "interval=200ms"]
        if source:
            words.append(f"src-address={source}")
        if size:
            words += [f"size={size}", "do-not-fragment"]
        return " ".join(words)

    def read_ping(self, output: str) -> PingResult:
        return routeros_output.read_ping(output)

    def expected_default_gateway(self, view: UplinkView) -> str | None:
        # every uplink's default route is recursive, through its probe address
        return str(view.probe)

    def failover_marker(self, view: UplinkView) -> str:
        return f"netprov:{view.role.value}"

    def resolve_command(self, name: str) -> str:
        # MikroTik manual, Scripting: ":resolve" looks up through /ip dns servers
        return f":put [:resolve {name}]"

    def read_resolved(self, output: str) -> str | None:
        text = output.strip()
        return text if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", text) else None

    dhcp_lines = r"^/ip dhcp-server add "

    def dhcp_serving(self, config: str, lan_interface: str) -> bool:
        return any(
            line.startswith("/ip dhcp-server add ")
            and "name=netprov-lan" in line.split()
            and f"interface={lan_interface}" in line.split()
            and "disabled=yes" not in line.split()
            for line in config.splitlines()
        )

    def policy_routing(self, config: str) -> list[str]:
        return routeros_policy_routing(config)

    def serves_lan_dhcp(self, config: str, lan: Lan) -> bool:
        """An enabled ``/ip dhcp-server`` on the LAN interface (MikroTik manual, "DHCP")."""
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
        first = output.strip().splitlines()[0] if output.strip() else ""
        if _ERROR.match(first):
            return None
        rows = routeros_output.terse_rows(output)
        return sum(1 for row in rows if row.fields.get("status") == "bound")

    def fetch_command(self, url: str) -> str:
        # MikroTik manual, Fetch: output=user prints the downloaded data to the console
        return f'/tool fetch url="{url}" output=user'

    def read_fetched(self, output: str) -> str | None:
        match = re.search(r"^\s*data: (\d{1,3}(?:\.\d{1,3}){3})\s*$", output, re.M)
        return match[1] if match else None

    shaping_lines = r"^/queue (simple|tree) add"
    nat_lines = r"^/ip firewall nat add .*action=(masquerade|src-nat)"

    def read_shaping(self, config: str, view: UplinkView) -> Shaping:
        """The simple queue ``netprov:qos-<role>``: ``max-limit`` upload/download, attached
        when its ``dst`` is the uplink. An enabled FastTrack rule lets fasttracked connections
        skip simple queues (MikroTik manual, "Queues": FastTrack bypasses them)."""
        lines = config.splitlines()
        tag = f"comment=netprov:qos-{view.role.value}"
        queue = next(
            (x for x in lines if x.startswith("/queue simple add") and tag in x.split()), None
        )
        bypass = "FastTrack rule enabled" if _fasttrack_bypasses(lines, view.l3) else None
        if queue is None:
            return Shaping(None, False, bypass)
        # max-limit=upload/download, seen from the queue's target (the LAN)
        limit = re.search(r"max-limit=(\S+)", queue)
        up, _, down = limit[1].partition("/") if limit else ("", "", "")
        return Shaping(
            _ros_kbps(up) if up else None,
            f"dst={view.l3}" in queue.split(),
            bypass,
            download_kbps=_ros_kbps(down or up) if up else None,
        )

    # --- lint facts ------------------------------------------------------------------------

    def dns_forced(self, config: str, resolvers: list[str]) -> bool:
        return (
            "comment=netprov:dns-redirect-udp" in config
            and f"servers={','.join(resolvers)}" in config
        )

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
    ) -> RosDevice:
        from netprov.sim.world import site_ports

        return RosDevice(
            ports=site_ports(site, extra=self.extra_ports),
            world=world,
            schedule=schedule,
            now=now or (lambda: dt.datetime.now(dt.UTC)),
            identity=site.router.hostname,
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
