"""Cisco IOS-XE personality: exec and config modes, show commands, files, archive/replace.

Covers what netmiko's ``cisco_ios`` driver and napalm's ``ios`` driver send on the paths
netprov uses (read from those clients' sources), with output in the formats their
parsers (and ntc-templates) expect.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import partial
from ipaddress import AddressValueError, IPv4Address

from netprov.sim.ios.config import (
    ConfigError,
    Node,
)
from netprov.sim.ios.router import FLASH_SIZE, IosDevice, flash_name
from netprov.twin import ios_archive, ios_routes, ios_show
from netprov.twin.cli_base import Reply
from netprov.twin.ios_show import INVALID_INPUT
from netprov.twin.ping_time import ios_ping_seconds

# what IOS asks before it removes a dynamic NAT rule with translations (Cisco tech note 13779)
_RELEASE_QUESTION = "Dynamic mapping in use, do you want to delete all entries? [no]: "


class IosCli:
    """One interactive session."""

    def __init__(
        self, device: IosDevice, username: str, *, privileged: bool = True, peer: str = ""
    ) -> None:
        self.device = device
        self.username = username
        self.peer = peer  # where the session comes from (show users)
        self.enabled = privileged
        self.stack: list[Node] | None = None  # None: exec mode
        self.awaiting_enable_password = False
        self.releasing: str | None = None  # a NAT rule in use whose removal IOS asked about

    def banner(self) -> str:
        """What IOS prints before the first prompt."""
        return "\r\n"

    def refusal(self, line: str) -> str:
        """What IOS prints when a device policy refuses ``line``."""
        return "% Invalid input detected at '^' marker."

    def prompt(self) -> str:
        """The prompt for the current mode (``R1#``, ``R1(config-if)#``)."""
        if self.awaiting_enable_password:
            return "Password: "
        if self.releasing is not None:
            return _RELEASE_QUESTION
        host = self.device.running.hostname()
        if self.stack is None:
            return f"{host}{'#' if self.enabled else '>'}"
        mode = self.stack[-1].mode if len(self.stack) > 1 else "config"
        return f"{host}({mode})#"

    def enter(self, prompt: str, line: str) -> str:
        """Enter a sub-mode with ``prompt`` after ``line`` opened it."""
        return "\r\n"

    def seconds_taken(self, line: str, output: str) -> float:
        return ios_ping_seconds(line, output)

    def reads_only(self, line: str) -> bool:
        """``show``, ``ping``, ``more``, ``dir``, ``terminal`` and ``traceroute`` change
        nothing (at the exec prompt)."""
        words = line.split()
        return bool(words) and words[0] in {
            "show",
            "sh",
            "ping",
            "more",
            "dir",
            "terminal",
            "traceroute",
        }

    def next_prompt(self) -> str:
        """The prompt after the last line (a question IOS asked, or the mode's)."""
        return self.prompt()

    def handle(self, line: str) -> Reply:
        """Run one line typed at the prompt: what IOS prints, and whether the session ends."""
        if self.awaiting_enable_password:
            self.awaiting_enable_password = False
            self.enabled = True
            return Reply()
        if self.releasing is not None:
            return self._release(line.strip())
        text = line.strip()
        if not text:
            return Reply()
        if self.stack is not None:
            return self._config(line, text)
        return self._exec(text)

    def _invalid(self, text: str, column: int) -> Reply:
        caret = " " * (len(self.prompt()) + column) + "^"
        return Reply(f"{caret}\n{INVALID_INPUT}")

    # --- config mode ----------------------------------------------------------------------

    def _config(self, line: str, text: str) -> Reply:
        assert self.stack is not None
        if text == "end":
            self.stack = None
            return Reply()
        if text == "exit" and len(self.stack) == 1:
            self.stack = None
            return Reply()
        if text.startswith("do "):
            return self._exec(text[3:])
        self.device.on_config_line()
        if any(pattern.search(text) for pattern in self.device.rejections):
            return Reply("Command authorization failed.", config_line=True)
        if any(pattern.search(line) for pattern in self.device.ignored):
            return Reply(config_line=True)
        if text.startswith("no ip nat inside source ") and text[3:] in self.device.nat_in_use():
            self.releasing = text[3:]  # Cisco tech note 13779: IOS asks first
            return Reply(config_line=True)
        try:
            self.stack = self.device.running.apply(line, self.stack)
        except ConfigError as exc:
            return Reply(self._invalid(text, exc.column).output, config_line=True)
        self.device.changed(self.username)
        return Reply(config_line=True)

    def _release(self, answer: str) -> Reply:
        """The answer to "Dynamic mapping in use, do you want to delete all entries?": yes
        clears the rule's translations and removes it; anything else keeps both."""
        rule, self.releasing = self.releasing, None
        if answer.lower() not in {"y", "yes"}:
            return Reply("%Dynamic mapping in use, cannot remove")
        assert rule is not None
        assert self.stack is not None
        self.stack = self.device.running.apply(f"no {rule}", self.stack)
        self.device.changed(self.username)
        return Reply()

    # --- exec mode --------------------------------------------------------------------------

    def _exec(self, text: str) -> Reply:
        command, _, pipe = text.partition(" | ")
        words = command.split()
        verb = words[0]
        if verb in {"exit", "logout", "quit"}:
            return Reply(close=True)
        if verb == "enable":
            if not self.enabled:
                self.awaiting_enable_password = True
            return Reply()
        if verb == "disable":
            self.enabled = False
            return Reply()
        if not self.enabled:
            return self._exec_user(command)
        handler = self._handlers().get(verb)
        if handler is None:
            return self._invalid(text, 0)
        output = handler(words)
        if output is None:
            return self._invalid(text, len(verb) + 1)
        return Reply(_pipe(output, pipe) if pipe else output)

    def _exec_user(self, command: str) -> Reply:
        if command.startswith(("terminal ", "show version", "ping ")):
            handler = self._handlers()[command.split(maxsplit=1)[0]]
            return Reply(handler(command.split()) or "")
        return self._invalid(command, 0)

    def _handlers(self) -> dict[str, Callable[[list[str]], str | None]]:
        return {
            "terminal": lambda w: "",
            "configure": self._configure,
            "conf": self._configure,
            "show": self._show,
            "sh": self._show,
            "write": self._write,
            "wr": self._write,
            "copy": self._copy,
            "dir": self._dir,
            "verify": self._verify,
            "more": self._more,
            "delete": self._delete,
            "ping": self._ping,
        }

    def _configure(self, words: list[str]) -> str | None:
        rest = " ".join(words[1:])
        device = self.device
        if rest in {"terminal", "t", "term", ""} or rest.startswith("terminal revert timer"):
            if rest.startswith("terminal revert timer"):
                if not device.running.top("archive"):
                    return None
                device.arm_revert(device.running.lines(), self.username, int(words[-1]))
            self.stack = [device.running.root]
            return "Enter configuration commands, one per line.  End with CNTL/Z."
        if rest == "confirm":
            return "" if device.confirm() else "%No Rollback Confirmed Change pending"
        if rest == "revert now":
            if device.pending is None:
                return "%No Rollback Confirmed Change pending"
            device.revert_now()
            return "Rollback Done"
        match = re.match(
            r"^replace (\S+)( force)?( revert trigger error)?( revert)?( timer (\d+))?$", rest
        )
        if match is None:
            return None
        if not device.running.top("archive"):
            return "%Please turn config archive on before using Rollback Confirmed Change"
        name = flash_name(match[1])
        if name not in device.flash:
            return f"%Error opening {match[1]} (No such file or directory)"
        text = device.flash[name].decode("utf-8", errors="replace")
        minutes = int(match[6]) if match[6] else None
        return device.replace(
            text, user=self.username, revert_minutes=minutes, revert_on_error=bool(match[3])
        )

    def _write(self, words: list[str]) -> str:
        self.device.startup = self.device.running.lines()
        return "Building configuration...\n[OK]"

    def _copy(self, words: list[str]) -> str | None:
        if len(words) != 3:
            return None
        source, target = words[1], words[2]
        device = self.device
        if source == "running-config" and target in {"startup-config", "nvram:startup-config"}:
            return self._write(words)
        if source == "running-config":
            device.flash[flash_name(target)] = device.running_text().split("\n", 3)[3].encode()
            size = len(device.flash[flash_name(target)])
            return f"Destination filename [{flash_name(target)}]? \n{size} bytes copied"
        if source == "null:":
            device.flash[flash_name(target)] = b""
            return ""
        if target == "running-config":
            name = flash_name(source)
            if name not in device.flash:
                return f"%Error opening {source} (No such file or directory)"
            stack = [device.running.root]
            errors = []
            for line in device.flash[name].decode().splitlines():
                if line.strip() == "end":
                    break
                if line.strip()[3:] in device.nat_in_use() and line.startswith("no ip nat "):
                    errors.append(f"{line}\n%Dynamic mapping in use, cannot remove")
                    continue
                try:
                    stack = device.running.apply(line, stack)
                except ConfigError:
                    errors.append(f"{line}\n{INVALID_INPUT}")
            device.changed(self.username)
            return "\n".join(errors) + f"\n{len(device.flash[name])} bytes copied"
        return None

    def _dir(self, words: list[str]) -> str:
        device = self.device
        target = words[1] if len(words) > 1 else "flash:"
        name = flash_name(target)
        used = sum(len(v) for v in device.flash.values())
        footer = f"\n{FLASH_SIZE} bytes total ({FLASH_SIZE - used} bytes free)"
        if name:
            if name not in device.flash:
                return f"%Error opening {target} (No such file or directory)"
            row = f"   12  -rw-  {len(device.flash[name])}  Nov 22 2026 10:00:00 +00:00  {name}"
            return f"Directory of flash:/{name}\n\n{row}\n{footer}"
        rows = "\n".join(
            f"{i:>5}  -rw-  {len(data):>10}  Nov 22 2026 10:00:00 +00:00  {fname}"
            for i, (fname, data) in enumerate(sorted(device.flash.items()), start=11)
        )
        return f"Directory of flash:/\n\n{rows}\n{footer}"

    def _verify(self, words: list[str]) -> str | None:
        if len(words) != 3 or words[1] != "/md5":
            return None
        name = flash_name(words[2])
        if name not in self.device.flash:
            return f"%Error opening {words[2]} (No such file or directory)"
        digest = hashlib.md5(self.device.flash[name], usedforsecurity=False).hexdigest()
        return f"..........Done!\nverify /md5 ({words[2]}) = {digest}"

    def _more(self, words: list[str]) -> str | None:
        if len(words) != 2:
            return None
        web = re.fullmatch(r"http://([\d.]+)(?::\d+)?/\S*", words[1])
        if web is not None:  # ``more`` takes any URL IOS can read (an HTTP client here)
            seen = self.device.router().echo(IPv4Address(web[1]))
            return str(seen) if seen else f"%Error opening {words[1]} (Timed out)"
        name = flash_name(words[1])
        if name not in self.device.flash:
            return f"%Error opening {words[1]} (No such file or directory)"
        return self.device.flash[name].decode("utf-8", errors="replace")

    def _delete(self, words: list[str]) -> str:
        self.device.flash.pop(flash_name(words[-1]), None)
        return ""

    # --- show ---------------------------------------------------------------------------------

    def _show(self, words: list[str]) -> str | None:
        rest = " ".join(words[1:])
        device = self.device
        simple: dict[str, Callable[[], str]] = {
            "running-config": device.running_text,
            "run": device.running_text,
            "startup-config": lambda: ios_show.show_startup_config(device),
            "version": partial(ios_show.show_version, device),
            "ip interface brief": partial(ios_show.show_ip_interface_brief, device),
            "ip int brief": partial(ios_show.show_ip_interface_brief, device),
            "ip route": partial(ios_routes.show_ip_route, device),
            "ip interface": partial(ios_show.show_ip_interface, device),
            "arp": partial(ios_show.show_arp_table, device),
            "ip arp": partial(ios_show.show_arp_table, device),
            "vrf": lambda: "",  # no VRFs configured: IOS prints nothing
            "interfaces": partial(ios_show.show_interfaces, device),
            "hosts": lambda: (
                f"Default domain is {ios_show.domain_name(device)}\n"
                "Name/address lookup uses domain service"
            ),
            "archive": partial(ios_archive.show_archive, self.device),
            "archive config rollback timer": partial(ios_archive.show_rollback_timer, self.device),
            "clock": lambda: device.now().strftime("*%H:%M:%S.000 UTC %a %b %d %Y"),
            "ip dhcp binding": partial(ios_show.show_ip_dhcp_binding, device),
            "interfaces description": lambda: ios_show.show_interfaces_description(
                [
                    (link.name, status, protocol, _description(node))
                    for node, link, status, protocol in ios_show.interface_rows(self.device)
                ]
            ),
            "inventory": lambda: ios_show.show_inventory(device),
            "lldp neighbors": lambda: ios_show.show_lldp_neighbors(device, device.router()),
            "cdp neighbors detail": lambda: ios_show.show_cdp_neighbors_detail(
                device, device.router()
            ),
            "ip route summary": lambda: ios_routes.show_ip_route_summary(device.router()),
            "users": lambda: ios_show.show_users(self.username, self.peer),
        }
        if rest in simple:
            return simple[rest]()
        match = re.match(r"^ip route (\d+\.\d+\.\d+\.\d+)(?: (\d+\.\d+\.\d+\.\d+))?$", rest)
        if match:
            return ios_routes.show_ip_route_entry(self.device, match[1], match[2])
        match = re.match(r"^ip cef (\d+\.\d+\.\d+\.\d+)$", rest)
        if match:
            return ios_routes.show_ip_cef_entry(self.device, match[1])
        match = re.match(r"^arp \| exclude (.+)$", rest)
        if match:
            return _pipe(ios_show.show_arp_table(self.device), f"exclude {match[1]}")
        match = re.match(r"^archive config differences (\S+) (\S+)$", rest)
        if match:
            return ios_archive.archive_diff(self.device, match[1], match[2])
        match = re.match(r"^archive config incremental-diffs (\S+)( ignorecase)?$", rest)
        if match:
            return ios_archive.incremental_diff(self.device, match[1])
        return None

    def _ping(self, words: list[str]) -> str | None:
        args = words[1:]
        if args and args[0] == "vrf":
            args = args[2:]
        if not args:
            return None
        translating = ""
        try:
            target = IPv4Address(args[0])
        except AddressValueError:
            # a name: looked up through ``ip name-server`` (Cisco IOS IP Addressing: DNS)
            servers = [
                IPv4Address(line.split()[2])
                for line in self.device.running.lines()
                if line.startswith("ip name-server ")
            ]
            shown = " ".join(f"({s})" for s in servers[:1])
            address = self.device.router().resolve(args[0], servers) if servers else None
            if address is None:
                return (
                    f'Translating "{args[0]}"...domain server {shown}\n'
                    "% Unrecognized host or address, or protocol not running."
                )
            translating = f'Translating "{args[0]}"...domain server {shown}\n'
            target = address
        df = "df-bit" in args  # the one extended option without a value
        words = [a for a in args[1:] if a != "df-bit"]
        options = dict(zip(words[0::2], words[1::2], strict=False))
        repeat = int(options.get("repeat", "5"))
        size = options.get("size", "100")
        timeout = options.get("timeout", "2")
        source = options.get("source")
        try:
            origin = IPv4Address(source) if source else None
        except AddressValueError:
            origin = None  # ``source <interface>``: the interface's own address
        replies = self.device.router().ping(target, repeat, size=int(size), df=df, source=origin)
        marks = "!" * replies + "." * (repeat - replies)
        rate = round(100 * replies / repeat) if repeat else 0
        lines = [
            translating + "Type escape sequence to abort.",
            f"Sending {repeat}, {size}-byte ICMP Echos to {target}, timeout is {timeout} seconds:",
        ]
        if "source" in options:
            lines.append(f"Packet sent with a source address of {options['source']}")
        if df:  # as real IOS prints it (tests/fixtures/real/cisco_ios/ping, *_df*.raw)
            lines.append("Packet sent with the DF bit set")
        lines.append(marks)
        summary = f"Success rate is {rate} percent ({replies}/{repeat})"
        if replies:
            summary += ", round-trip min/avg/max = 1/2/4 ms"
        lines.append(summary)
        return "\n".join(lines)


def _description(node: Node) -> str:
    return next((c.text[12:] for c in node.children if c.text.startswith("description ")), "")


def _pipe(output: str, pipe: str) -> str:
    """``| include``, ``| exclude``, ``| begin``, ``| section`` as IOS filters them."""
    verb, _, pattern = pipe.strip().partition(" ")
    regex = re.compile(pattern.strip())
    lines = output.splitlines()
    if verb in {"include", "inc", "i"}:
        return "\n".join(line for line in lines if regex.search(line))
    if verb in {"exclude", "exc", "e"}:
        return "\n".join(line for line in lines if not regex.search(line))
    if verb in {"begin", "beg", "b"}:
        for index, line in enumerate(lines):
            if regex.search(line):
                return "\n".join(lines[index:])
        return ""
    if verb in {"section", "sec", "s"}:
        out, keep = [], False
        for line in lines:
            if not line.startswith(" "):
                keep = bool(regex.search(line))
            if keep:
                out.append(line)
        return "\n".join(out)
    return output
