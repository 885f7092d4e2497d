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
import io
import re
from collections.abc import Callable
from ipaddress import IPv4Network
from typing import Any, ClassVar

from netprov import type7
from netprov.errors import DeviceError
from netprov.models import Lan, Phase, Platform, PppoeAddressing, Site, Uplink
from netprov.phases import DIALER_IDS, Role, UplinkView
from netprov.plan import SitePlan
from netprov.platforms import ntc
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
)
from netprov.platforms.ios_plan import clean_ios, plan_ios
from netprov.platforms.policy_routing import ios_policy_routing
from netprov.secrets import mask_values
from netprov.sim.ios import IosDevice
from netprov.sim.topology import World

# The change marker: a file on flash, sent like napalm sends its candidate (SCP), read with
# ``more`` and removed with ``delete /force`` (Cisco IOS Configuration Fundamentals Command
# Reference: more, delete). A file, not config, so ``configure replace`` never touches it.
MARKER_FILE = "netprov-change.txt"
CANDIDATE_FILE = "netprov-candidate.txt"
# what ``show archive config rollback timer`` prints with no revert timer running (the words
# napalm's ios driver reads in _get_pending_commits, and the twin prints; no real capture
# of this command is in tests/fixtures/real)
NO_PENDING = "No Rollback Confirmed Change pending"
# what a refused configure replace prints (the words napalm's commit_config looks for)
_REPLACE_FAILED = re.compile(
    r"original configuration has been successfully restored|error|not a valid config file"
    r"|failed|Please turn config archive on",
    re.IGNORECASE,
)


# config mode's prompt (``R1(config)#``), or IOS asking before it removes what is in use
_CONFIG_PROMPT = r"\)#\s*$"
_ASKS_OR_CONFIG_PROMPT = r"\[no\]:\s*$|\)#\s*$"
# one lease of ``show ip dhcp binding``: address, client id, expiry (may hold spaces), type
_BINDING = re.compile(
    r"^\d{1,3}(?:\.\d{1,3}){3}\s+\S+\s+.+?\s+(?:Automatic|Manual|Selected)\s*$", re.M
)


def _nat_rules(config: str) -> list[str]:
    """The dynamic NAT rules of a config (``ip nat inside source list|route-map ...``)."""
    return re.findall(r"^ip nat inside source (?:list|route-map) .*$", config, re.M)


def _with_lines(config: str, lines: list[str]) -> str:
    """``config`` with top-level ``lines`` added before its ``end``."""
    if not lines:
        return config
    body = re.sub(r"^end\s*\Z", "", config.rstrip() + "\n", flags=re.M)
    return body + "\n".join(lines) + "\nend\n"


def _section(config: str, header: str) -> list[str]:
    """The lines of one top-level section (``header`` and its indented children)."""
    lines = config.splitlines()
    for index, line in enumerate(lines):
        if line.rstrip() == header:
            children = []
            for child in lines[index + 1 :]:
                if not child.startswith(" "):
                    break
                children.append(child)
            return [line, *children]
    return []


class IosSession(Session):
    """napalm ``ios``: configure replace with a revert timer, confirm, revert."""

    probe_command = "show clock"
    marker_removal = f"delete /force flash:{MARKER_FILE}"

    def __init__(self, target: Target, *, change_id: str, timeout: float = 30) -> None:
        super().__init__(target, change_id=change_id, timeout=timeout)
        from napalm import get_network_driver

        self._committed = False  # a configure replace waits for its confirm
        self._prepared: list[str] = []  # how to take back the preparation of this change
        self._scp_conn: Any = None  # netmiko SCPConn, when files need a connection of their own
        self._own_scp = False  # the router refused an SCP channel on the session's connection

        self.driver: Any = get_network_driver("ios")(
            target.host,
            target.username,
            target.password,
            timeout=int(timeout),
            optional_args={
                "port": target.port,
                "conn_timeout": timeout,
                "banner_timeout": min(15.0, timeout),  # netmiko's 15 s, or less if asked
                **target.host_key_options(),
            },
        )
        try:
            self.driver.open()
            self.reply_seconds = pace_client(self.driver.device, "show clock", r"\d:\d\d:\d\d")
        except client_errors() as exc:
            raise connect_error(target, exc) from exc

    def _call(self, what: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except client_errors() as exc:
            raise DeviceError(f"{self.target.site_id}: {what}: {one_line(exc)}") from exc

    def send(self, command: str) -> str:
        """One exec command: written, then read up to the prompt, which is given (netmiko
        sends no extra Enter to find it), polling every 10 ms (``send_command`` waits for
        the echo, then polls every 25 ms: a third of a safe change's time on a fast
        router). A minute allows a ping of 5 lost packets x 2 s."""
        device = self.driver.device
        # netmiko keeps a prefix of the hostname as the base prompt (a long one is cut)
        prompt = re.escape(device.base_prompt) + r"[^\r\n#>]*[>#]\s*$"
        return str(self._call(f"{command!r} failed", exchange, device, command, prompt, 60))

    def running(self) -> str:
        config = str(
            self._call("cannot read config", self.driver.get_config, retrieve="running")["running"]
        )
        # napalm hands back whatever the router printed: an error is not a config to keep
        if "Current configuration" not in config and not re.search(r"^end\s*$", config, re.M):
            raise DeviceError(
                f"{self.target.site_id}: show running-config printed no config: "
                f"{one_line(ValueError(config.strip() or 'nothing'))}"
            )
        return config

    def save_safety_net(self) -> None:
        """Nothing to do: napalm copies the running config to flash before it commits."""

    def _put(self, name: str, text: str) -> None:
        """A file to flash by SCP: on a channel of the session's own SSH connection when the
        router opens one (no second handshake), else over an SCP connection of its own
        (netmiko's, as napalm does), kept for the session's next file."""
        from scp import SCPClient, SCPException

        destination = f"flash:/{name}"
        if self._scp_conn is None and not self._own_scp:
            transport = self.driver.device.remote_conn.get_transport()
            try:
                SCPClient(transport).putfo(io.BytesIO(text.encode()), destination)
                return
            except (SCPException, *client_errors()):
                self._own_scp = True  # the router allows one channel per connection
        if self._scp_conn is None:
            from netmiko import SCPConn

            self._scp_conn = self._call("cannot open SCP", SCPConn, self.driver.device)
        client = self._scp_conn.scp_client
        self._call(f"cannot copy {name}", client.putfo, io.BytesIO(text.encode()), destination)

    def _config_command(self, command: str) -> str:
        """A command that may change the hostname (the prompt): any prompt ends it, then
        netmiko learns the prompt again (as napalm's commit handler does)."""
        output = str(
            self._call(
                f"{command!r} failed",
                self.driver.device.send_command,
                command,
                expect_string=r"[>#]\s*$",
                read_timeout=90,
            )
        )
        self._call("prompt lost", self.driver.device.set_base_prompt)
        return output

    def pending(self) -> bool:
        """A configure replace waits for its confirm (``show archive config rollback
        timer``)."""
        return NO_PENDING not in self.send("show archive config rollback timer")

    def apply(self, plan: SitePlan, *, revert_minutes: int) -> None:
        """First what the safe push needs and the router lacks (plain config lines, taken
        back by :meth:`revert`), then ``configure replace`` with the revert timer."""
        if plan.adopted:
            self._call("cannot prepare", self.driver.device.send_config_set, plan.adopted)
            self._prepared = plan.adopted_undo
        if plan.candidate is None:  # `netprov adopt`: the preparation alone
            return
        self._put(CANDIDATE_FILE, plan.candidate)
        output = self._config_command(
            f"configure replace flash:{CANDIDATE_FILE} force revert trigger error "
            f"timer {revert_minutes}"
        )
        if _REPLACE_FAILED.search(output):
            raise DeviceError(
                f"{self.target.site_id}: commit failed: candidate config could not be applied "
                f"({one_line(ValueError(output.strip()))})"
            )
        self._committed = True
        if plan.after_push:
            self._release(plan.after_push)

    def _release(self, lines: list[str]) -> None:
        """Config-mode removals IOS asks about (a dynamic NAT rule with translations:
        "Dynamic mapping in use, do you want to delete all entries? [no]:", Cisco tech note
        13779), each answered yes. Sent while the replace's revert timer runs: a revert
        (the checks', or the router's own) brings the rule back with the rest."""
        device = self.driver.device
        self._call("cannot enter config mode", device.config_mode)
        try:
            for line in lines:
                out = str(
                    self._call(
                        f"{line!r} failed",
                        device.send_command,
                        line,
                        expect_string=_ASKS_OR_CONFIG_PROMPT,
                        strip_prompt=False,
                        read_timeout=60,
                    )
                )
                if "[no]:" in out:
                    out = str(
                        self._call(
                            f"{line!r} failed",
                            device.send_command,
                            "yes",
                            expect_string=_CONFIG_PROMPT,
                            strip_prompt=False,
                            read_timeout=60,
                        )
                    )
                if "%" in out:
                    reason = one_line(ValueError(out.strip()))
                    raise DeviceError(f"{self.target.site_id}: {line!r} refused: {reason}")
        finally:
            self._call("cannot leave config mode", device.exit_config_mode)

    def confirm(self) -> None:
        self._prepared = []
        if not self._committed:
            return
        self._committed = False
        self.send("configure confirm")
        # a refused ``configure confirm`` prints an error: prove it took
        if self.pending():
            raise DeviceError(
                f"{self.target.site_id}: configure confirm did not take; "
                "the router reverts by itself when its timer ends"
            )
        self.send("write memory")  # the confirmed config survives a power cut

    def revert(self) -> None:
        """``configure revert now``: the archive's rollback of the unconfirmed commit; then
        the preparation taken back."""
        if self._committed:
            self._config_command("configure revert now")
            self._committed = False
        self.unmark()
        if self._prepared:
            self._call("cannot take back", self.driver.device.send_config_set, self._prepared)
            self._prepared = []

    def undo(self, plan: SitePlan) -> None:
        """``configure revert now`` (the archive's rollback): no reboot on IOS."""
        self.revert()

    def marker(self) -> ChangeMarker | None:
        return ChangeMarker.parse(self.send(f"more flash:{MARKER_FILE}"))

    def mark(self, marker: ChangeMarker) -> None:
        self._put(MARKER_FILE, marker.text + "\n")

    def unmark(self) -> None:
        self.send(f"delete /force flash:{MARKER_FILE}")

    def restore(self, config: str, *, change_id: str) -> None:
        """Replace the whole running config with ``config`` (a backup) and save it. A
        dynamic NAT rule the router has and the backup lacks may be in use, which
        configure replace refuses (Cisco tech note 13779): it stays through the replace
        and is removed after it, as a change's own releases are."""
        rules = set(_nat_rules(self.running())) - set(_nat_rules(config))
        candidate = _with_lines(config, sorted(rules))
        self._call("restore failed", self.driver.load_replace_candidate, config=candidate)
        self._call("restore failed", self.driver.commit_config)
        if rules:
            self._release([f"no {rule}" for rule in sorted(rules)])
            self.send("write memory")

    def settle(self) -> bool:
        if not self.pending():
            return False
        self._config_command("configure revert now")
        self.send("write memory")
        return True

    def alive(self) -> bool:
        try:
            return bool(self.driver.is_alive().get("is_alive"))
        except client_errors():
            return False

    def close(self) -> None:
        if self._scp_conn is not None:
            try:
                self._scp_conn.close()
            except client_errors():
                pass
        try:
            self.driver.close()
        except client_errors():
            pass


# entries of the LAN ACL (with or without the sequence number a candidate may carry)
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
    # Where IOS keeps secrets in a running config (Cisco IOS Security Command Reference:
    # username, enable secret, snmp-server community/user, ppp chap/pap, key strings)
    secret_patterns = tuple(
        re.compile(p, re.M)
        for p in (
            r"^\s*snmp-server community (?P<secret>\S+)",
            r"^\s*username \S+(?: privilege \d+)?(?: algorithm-type \S+)? (?:secret|password)"
            r"(?: \d+)? (?P<secret>\S+)",
            r"^\s*enable (?:secret|password)(?: level \d+)?(?: \d+)? (?P<secret>\S+)",
            r"^\s*ppp chap password(?: \d+)? (?P<secret>\S+)",
            r"^\s*ppp pap sent-username \S+ password(?: \d+)? (?P<secret>\S+)",
            r"^\s*snmp-server user \S+ \S+(?: \S+)* auth \S+ (?P<secret>\S+)",
            r"^\s*snmp-server user \S+ \S+(?: \S+)* priv (?:\S+ )?(?:\d+ )?(?P<secret>\S+)$",
            r"^\s*(?:tacacs-server|radius-server) key(?: \d+)? (?P<secret>\S+)",
            r"^\s*key(?:-string)?(?: \d+)? (?P<secret>\S+)\s*$",
            r"^\s*crypto isakmp key(?: \d+)? (?P<secret>\S+)",
            r"^\s*pre-shared-key(?: (?:local|remote))?(?: \d+)? (?P<secret>\S+)",
        )
    )

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
        return SitePlan(
            site_id,
            self.platform,
            phase,
            self.fingerprint(running),
            engine.commands,
            engine.undo,
            candidate,
            adopted=needs,
            adopted_undo=taken_back,
            conflicts=engine.conflicts,
            after_push=engine.releases,
            preview=lambda: (self.comparable(running), self.comparable(candidate)),
        )

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
        for row in ntc.parse("cisco_ios_show_ip_interface_brief", output):
            if row["interface"] == name:
                status, proto = str(row["status"]), str(row["proto"])
                running = status == "up" and proto == "up"
                shown = status if status == proto or not running else f"{status}/{proto}"
                return InterfaceState(name, present=True, running=running, status=shown)
        return InterfaceState(name, present=False, running=False, status="absent")

    def routes_command(self) -> str:
        return "show ip route"

    def read_default_gateway(self, output: str) -> str:
        for row in ntc.parse("cisco_ios_show_ip_route", output):
            # a /0 in the global table is the default route
            if not row["vrf"] and row["prefix_length"] == "0":
                return str(row["nexthop_ip"] or row["nexthop_if"] or "?")
        return "none"

    def ping_command(
        self, address: str, *, count: int, source: str | None = None, size: int | None = None
    ) -> str:
        # Cisco IOS "ping" extended options: source, size, repeat (Cisco IOS Configuration
        # Fundamentals Command Reference, "ping").
        words = ["ping", address]
        if source:
            words += ["source", source]
        if size:
            words += ["size", str(size), "df-bit"]
        words += ["repeat", str(count)]
        return " ".join(words)

    def read_ping(self, output: str) -> PingResult:
        rows = ntc.parse("cisco_ios_ping", output) if "Sending" in output else []
        if not rows:
            return PingResult(0, 0)
        row = rows[0]
        sent = int(str(row["sent_qty"]) or 0)
        received = int(str(row["success_qty"]) or 0)
        avg = float(str(row["rtt_avg"])) if row["rtt_avg"] and received else None
        return PingResult(sent, received, avg)

    def expected_default_gateway(self, view: UplinkView) -> str | None:
        return str(view.static.gateway) if view.static is not None else None

    def failover_marker(self, view: UplinkView) -> str:
        return f"track {view.track}"

    def resolve_command(self, name: str) -> str:
        # IOS has no lookup-only exec command: a one-packet ping of the name makes the router
        # translate it through its ``ip name-server`` list and print the address it got
        return f"ping {name} repeat 1 timeout 1"

    def read_resolved(self, output: str) -> str | None:
        match = re.search(r"Sending \d+, \d+-byte ICMP Echos to (\d{1,3}(?:\.\d{1,3}){3}),", output)
        return match[1] if match else None

    dhcp_lines = r"^ip dhcp pool "

    def dhcp_serving(self, config: str, lan_interface: str) -> bool:
        pool = _section(config, "ip dhcp pool NETPROV-LAN")
        enabled = "no service dhcp" not in config.splitlines()
        return enabled and any(line.strip().startswith("network ") for line in pool)

    def policy_routing(self, config: str) -> list[str]:
        return ios_policy_routing(clean_ios(config))

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
        """Rows of ``show ip dhcp binding``. Not through ntc-templates: its template takes the
        expiry as one word (``Infinite``), and an automatic lease's is a date with spaces."""
        if output.lstrip().startswith("%"):
            return None
        return len(_BINDING.findall(output))

    def fetch_command(self, url: str) -> str:
        # ``more`` displays any file IOS can open by URL, http: included (Cisco IOS
        # Configuration Fundamentals Command Reference, "more")
        return f"more {url}"

    def read_fetched(self, output: str) -> str | None:
        if "%Error" in output:
            return None
        match = re.search(r"^\s*(\d{1,3}(?:\.\d{1,3}){3})\s*$", output, re.M)
        return match[1] if match else None

    shaping_lines = r"^\s*service-policy "
    nat_lines = r"^ip nat inside source "

    def read_shaping(self, config: str, view: UplinkView) -> Shaping:
        """``policy-map NETPROV-SHAPE-<ROLE>``'s ``shape average`` (bit/s), attached by
        ``service-policy output`` on the uplink's interface (Cisco IOS QoS: Regulating Packet
        Flow, "shape average")."""
        name = f"NETPROV-SHAPE-{view.role.value.upper()}"
        policy = _section(config, f"policy-map {name}")
        rate = re.search(r"shape average (\d+)", "\n".join(policy))
        interface = [line.strip() for line in _section(config, f"interface {view.l3}")]
        attached = f"service-policy output {name}" in interface
        # download: shaping acts on output only, so traffic coming in is policed at the
        # uplink's input (Cisco IOS QoS: "Policing and Shaping Overview")
        police = f"NETPROV-POLICE-{view.role.value.upper()}"
        police_rate = re.search(
            r"police cir (\d+)", "\n".join(_section(config, f"policy-map {police}"))
        )
        download = (
            int(police_rate[1]) // 1000
            if police_rate and f"service-policy input {police}" in interface
            else None
        )
        return Shaping(int(rate[1]) // 1000 if rate else None, attached, download_kbps=download)

    # --- lint facts ------------------------------------------------------------------------

    def dns_forced(self, config: str, resolvers: list[str]) -> bool:
        """The LAN ACL lets DNS reach the filters and denies the rest, and every other
        resolver it lets through is one the outside static NAT maps onto a filter (else
        a PC asking it would be answered unfiltered)."""
        acl = _section(config, "ip access-list extended NETPROV-LAN-IN")
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
            "ip access-group NETPROV-LAN-IN in" in config
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
            re.sub(r"^\d+ ", "", line.strip())  # a candidate's entries may carry numbers
            for line in _section(config, "ip access-list extended NETPROV-LAN-IN")
        ]
        gaps = []
        for prefix in closed:
            net = IPv4Network(prefix)
            wildcard = IPv4Network(f"0.0.0.0/{net.prefixlen}").hostmask
            if f"deny ip any {net.network_address} {wildcard}" not in acl:
                gaps.append(f"{prefix} open to the LAN")
        policy = [line.strip() for line in _section(config, "policy-map NETPROV-SHAPE-CENTRAL")]
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
            if " access-class NETPROV-MGMT in" not in _section(config, header)
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
