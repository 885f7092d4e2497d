"""MikroTik RouterOS personality: the interactive session over
:mod:`netprov.sim.routeros.router`."""

from __future__ import annotations

import json
import re

from netprov.sim.routeros.router import RosDevice
from netprov.twin import routeros_version
from netprov.twin.cli_base import Reply
from netprov.twin.ping_time import routeros_ping_seconds
from netprov.twin.routeros_show import RosShow


class RosCli:
    """One interactive session: prompt ``[user@identity] /path> ``."""

    def __init__(self, device: RosDevice, username: str, *, peer: str = "") -> None:
        self.device = device
        if device.show is None:
            device.show = RosShow(device)  # what its console prints
        self.username = username
        self.peer = peer  # where the session comes from
        self.path = "/"
        self.questions: list[str] = []  # what the router still asks before ``pending`` runs
        self.pending = ""

    def banner(self) -> str:
        """What RouterOS prints after login."""
        return routeros_version.banner(self.device.version)

    def refusal(self, line: str) -> str:
        """What RouterOS prints when a device policy refuses ``line``."""
        return "failure: not allowed"

    def prompt(self) -> str:
        """The prompt at the current menu (``[admin@router] /ip address>``)."""
        if self.questions:
            return self.questions[0]
        identity = self.device.settings["/system identity"]["name"]
        where = "" if self.path == "/" else f" {self.path}"
        return f"[{self.username}@{identity}]{where} > "

    def enter(self, prompt: str, line: str) -> str:
        """RouterOS repaints the command line when Enter is pressed: ``\\r``, the prompt and
        the command again, then a new line (what netmiko's ``strip_command`` and scrapli's
        MikroTik driver, which waits for the prompt twice, both expect)."""
        if prompt.endswith(": "):
            return "\r\n"  # an answer to a question is not repainted
        return f"\r{prompt}{line}\r\n"

    def seconds_taken(self, line: str, output: str) -> float:
        return routeros_ping_seconds(line)

    def reads_only(self, line: str) -> bool:
        """``print``, ``export``, ``get``, ``find``, ``/ping``, ``:put`` and the checks'
        ``/tool fetch`` of an echo service change nothing (an export to a file writes a
        file, not the config)."""
        words = line.replace("/", " ").split()
        return bool(words) and (
            bool({"print", "export", "get", "find"} & set(words[:6]))
            or words[0] in {"ping", ":put"}
            or line.strip().startswith("/tool fetch")
        )

    def next_prompt(self) -> str:
        """After a reply RouterOS prints its prompt, then repaints it on the same line once
        it has measured the terminal (netmiko's ``strip_prompt`` drops "two trailing
        instances of the prompt"; scrapli's MikroTik driver waits for both)."""
        prompt = self.prompt()
        return prompt if self.questions else f"{prompt}\r{prompt}"

    def _absolute(self, text: str) -> str:
        command = text if text.startswith("/") else f"{self.path} {text}"
        return " ".join(command.replace("/", " ").split())

    def _ask(self, text: str) -> bool:
        """Destructive commands ask first, as RouterOS does (MikroTik manual, "Backup":
        ``load`` asks for the backup's password, then ``Restore and reboot? [y/N]:``)."""
        command = self._absolute(text)
        if re.match(r"^system backup load\b", command):
            self.questions = ([] if "password=" in command else ["password: "]) + [
                "Restore and reboot? [y/N]: "
            ]
        elif re.match(r"^system reboot$", command):
            self.questions = ["Reboot, yes? [y/N]: "]
        else:
            return False
        self.pending = text
        return True

    def _answer(self, line: str) -> Reply:
        question = self.questions.pop(0)
        if "[y/N]" not in question:
            return Reply()  # a password: netprov's backups have none
        self.questions = []
        if line.strip().lower() != "y":
            return Reply("action cancelled")
        output, self.path = self.device.run(self.pending, self.path)
        return Reply(output)

    def handle(self, line: str) -> Reply:
        """Run one line typed at the prompt (continuation lines joined): what RouterOS prints."""
        if self.questions:
            return self._answer(line)
        text = line.strip()
        if self._ask(text):
            return Reply()
        if text in {"quit", "/quit", "exit"}:
            return Reply(close=True)
        if text == "/":
            self.path = "/"
            return Reply()
        if text == "..":
            self.path = " ".join(self.path.split()[:-1]) or "/"
            return Reply()
        before = self.device.next_id, json.dumps(self.device.settings)
        output, self.path = self.device.run(text, self.path)
        changed = before != (self.device.next_id, json.dumps(self.device.settings)) or (
            bool(re.search(r"\b(set|remove|enable|disable)\b", text)) and not output
        )
        return Reply(output, config_line=changed)
