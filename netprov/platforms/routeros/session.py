"""The RouterOS session: netmiko ``mikrotik_routeros`` with the device-side safety net
(a backup saved on the router and a scheduled restore of it, cancelled on confirm), batches
of config lines with their errors read back, and the prompt RouterOS 7 repaints.
"""

from __future__ import annotations

import re
from typing import Any

from netprov.errors import DeviceError
from netprov.plan import SitePlan
from netprov.platforms.routeros.output import ERROR_LINE
from netprov.platforms.session import (
    ChangeMarker,
    LineRefused,
    Reverted,
    RevertMethod,
    Session,
    Target,
    banner_seconds,
    client_errors,
    connect_error,
    exchange,
    one_line,
    pace_client,
    read_until,
    safety_net_name,
)
from netprov.syntax import routeros_versions
from netprov.syntax.filters import ros_value

REVERT_JOB = "netprov-revert"  # the last resort: loads the change's binary backup
UNDO = "netprov-undo"  # the change's undo: a /system script, and the job that runs it


# RouterOS's prompt, at any menu: ``[admin@router] > ``, ``[admin@router] /ip address> ``
PROMPT = r"\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?$"


_PROMPT_AT_START = re.compile(r"^\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?")


# the user@identity part of every prompt printed (what netmiko keeps as its base prompt)
_PROMPT_NAME = re.compile(r"^(\[[^\]\r\n]+@[^\]\r\n]+\])[^\r\n>]*> ?", re.M)


# a command repainted after its prompt, what it printed, then the prompt again at the end
REPAINTED = (
    r"^\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> {command}[ \t]*\r?\n"
    r"(?:.*\r?\n)*?\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?\Z"
)


PROMPT_AT_END = r"\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?\Z"


# prompts left at the end of a reply (a rename's new prompt, which netmiko did not know)
_PROMPT_AT_END_LINE = re.compile(r"(?:\r?\n)?(?:\[[^\]\r\n]+@[^\]\r\n]+\][^\r\n>]*> ?\s*)+\Z")


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


# what a confirm removes: both jobs and the undo script
_DISARM = (
    f'/system scheduler remove [ find where name="{UNDO}" ]',
    f'/system scheduler remove [ find where name="{REVERT_JOB}" ]',
    f'/system script remove [ find where name="{UNDO}" ]',
)


def undo_script(undo: list[str]) -> str:
    """The source of the undo script: its own job removed first (a job repeats every
    interval), then the plan's undo lines, then what only a complete undo may remove: the
    backup load, the change marker and the script itself. RouterOS runs a script's lines
    until the end or the first that fails (MikroTik manual, "Scripting"), so an undo that
    stops halfway leaves the backup load armed, and the config is the backup's only when
    every line took.

    Examples:
        >>> print(undo_script(["/ip route remove [ find where comment=netprov:x ]"]))
        /system scheduler remove [ find where name="netprov-undo" ]
        /ip route remove [ find where comment=netprov:x ]
        /system scheduler remove [ find where name="netprov-revert" ]
        /system script remove [ find where name="netprov-change" ]
        /system script remove [ find where name="netprov-undo" ]
    """
    lines = [
        _DISARM[0],
        *undo,
        _DISARM[1],
        f'/system script remove [ find where name="{MARKER_SCRIPT}" ]',
        _DISARM[2],
    ]
    return "\n".join(lines)


# where an import's refusal names the line of its file: "expected end of command (line 2
# column 47)", "bad command name routerboard (line 236 column 42)" (beeyev/Mikrotik-RouterOS-
# automatic-backup-and-update issue 53)
_FILE_LINE = re.compile(r"\(line (\d+)(?: column \d+)?\)")


def _first_line(output: str) -> str:
    return next((line.strip() for line in output.splitlines() if line.strip()), "")


class RosSession(Session):
    """netmiko ``mikrotik_routeros``: a scheduled restore of an on-device backup is the net."""

    probe_command = "/system identity print"
    marker_removal = f'/system script remove [ find where name="{MARKER_SCRIPT}" ]'

    def __init__(self, target: Target, *, change_id: str, timeout: float = 30) -> None:
        super().__init__(target, change_id=change_id, timeout=timeout)
        self._export = "/export terse show-sensitive"
        self.version: routeros_versions.RosVersion | None = None  # from the export's header
        from netmiko import ConnectHandler

        try:
            self.conn: Any = ConnectHandler(
                device_type="mikrotik_routeros",
                host=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                conn_timeout=timeout,
                banner_timeout=banner_seconds(timeout),
                **target.client_options(),
            )
            self.reply_seconds = pace_client(self.conn, "/system identity print", r"name:")
        except client_errors() as exc:
            raise connect_error(target, exc, timeout=timeout) from exc

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
                output = str(conn.send_command(command, expect_string=PROMPT, read_timeout=60))
                if self._follow_prompt(output):  # the command renamed the router
                    output = _PROMPT_AT_END_LINE.sub("", output).rstrip()
                return output
            done = REPAINTED.format(command=re.escape(command))
            # a router that does not repaint: its prompt at the end, then nothing for a while
            quiet = max(0.3, 2 * self.reply_seconds)
            return exchange(
                conn,
                command,
                done,
                60,
                settled=PROMPT_AT_END,
                quiet=quiet,
                seen=self._follow_prompt,
            )
        except client_errors() as exc:
            reason = one_line(exc)
            raise DeviceError(f"{self.target.site_id}: {command!r} failed: {reason}") from exc

    def _follow_prompt(self, output: str) -> bool:
        """The prompt names the router (``[user@identity] >``, MikroTik manual, "Command Line
        Interface"): a command that renamed it (``/system identity set name=``) ends with
        another prompt. netmiko strips replies of its base prompt only, so it learns the new
        one here, from the last prompt printed (no extra round trip). True if it changed."""
        names = _PROMPT_NAME.findall(output)
        if not names or names[-1] == self.conn.base_prompt:
            return False
        self.conn.base_prompt = names[-1]
        return True

    def running(self) -> str:
        """The whole config, secrets included: RouterOS 7 leaves them out of an export
        unless asked ``show-sensitive``, RouterOS 6 has no such word and shows them (as
        Oxidized reads both). A plan compares the secrets it renders with these; they are
        masked before anything is stored in git or shown."""
        export = self.send(self._export)
        if self._export.endswith("show-sensitive") and ERROR_LINE.match(_first_line(export)):
            self._export = "/export terse"  # RouterOS 6
            export = self.send(self._export)
        first = _first_line(export)
        if ERROR_LINE.match(first):  # an error is not a config to keep (or to plan against)
            raise DeviceError(f"{self.target.site_id}: /export printed no config: {first}")
        self.version = routeros_versions.export_version(export) or self.version
        return export

    def import_refusals(self, commands: list[str]) -> list[LineRefused]:
        """On RouterOS 7.16+ (:data:`~netprov.syntax.routeros_versions.IMPORT_DRY_RUN`,
        known from the export read before), the change's lines put in a file made at the
        console (``/file print file=X`` then ``/file set X.txt contents=``: MikroTik
        manual, "Scripting examples") and checked with ``/import file-name=X.txt
        verbose=yes dry-run`` (MikroTik manual, "Configuration Management": import; dry-run
        works only with verbose), which applies none of them; the file is removed
        whatever happens. A refusal names its line of the file, "(line N column C)", as
        any import's does. Output with no line named (the check itself refused, or words
        not documented) refuses nothing: the change keeps its undo and scheduled revert.
        An older RouterOS is never sent it (it refuses the ``dry-run`` word)."""
        if not routeros_versions.import_dry_run(self.version) or not commands:
            return []
        if any("\n" in command for command in commands):
            return []  # one line of the file per command, or the numbers would not match
        name = f"{safety_net_name(self.change_id)}-dry-run"
        path = f"{name}.txt"
        try:
            self.send(f"/file print file={name}")
            made = self.send(f"/file set {path} contents={ros_value(chr(10).join(commands))}")
            if made.strip():
                return []  # no file to check (the console refused it): nothing said
            out = self.send(f"/import file-name={path} verbose=yes dry-run")
        finally:
            self.send(f"/file remove {path}")
        for line in out.splitlines():
            located = _FILE_LINE.search(line)
            if located is None or not 1 <= int(located[1]) <= len(commands):
                continue
            number = int(located[1])
            return [LineRefused(number, commands[number - 1], line.strip(), str(self.version))]
        return []

    def save_safety_net(self) -> None:
        name = safety_net_name(self.change_id)
        out = self.send(f"/system backup save name={name}")
        if "saved" not in out:
            raise DeviceError(f"{self.target.site_id}: backup not saved: {out.strip()}")

    def apply(self, plan: SitePlan, *, revert_minutes: int) -> None:
        """The device-side revert and the change, in one round trip: the lines are sent
        together and run in order. First the plan's undo as a ``/system script`` (config:
        it survives a reboot) and a scheduler job that runs it in N minutes, then a later
        job that loads this change's backup as the last resort (the undo removes it once
        every undo line took), then the change. A config line prints nothing when it
        takes; anything it prints is its refusal."""
        backup = safety_net_name(self.change_id)
        arm = [
            f"/system script add name={UNDO} source={ros_value(undo_script(plan.undo))}",
            f"/system scheduler add name={UNDO} interval={revert_minutes}m "
            f'on-event="/system script run {UNDO}"',
            f"/system scheduler add name={REVERT_JOB} interval={2 * revert_minutes}m "
            f'on-event="/system backup load name={backup}"',
        ]
        refused = self._batch([*arm, *plan.commands])
        if not refused:
            return
        listing = self.send(f'/system scheduler print terse where name="{REVERT_JOB}"')
        if REVERT_JOB not in listing:  # the last resort itself was refused: load it now
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
                output += read_until(self.conn, PROMPT, timeout)
        except client_errors() as exc:
            raise DeviceError(f"{self.target.site_id}: push failed: {one_line(exc)}") from exc
        self._follow_prompt(output)  # a line of the batch may have renamed the router
        echoes = {*lines, end, _BATCH_END}
        printed = (_PROMPT_AT_START.sub("", raw).strip() for raw in output.splitlines())
        return [line for line in printed if line and line not in echoes]

    def _checked(self, command: str) -> None:
        out = self.send(command)
        if out.strip():
            raise DeviceError(f"{self.target.site_id}: {command!r} rejected: {out.strip()}")

    def confirm(self) -> None:
        """Keep the change: both jobs and the undo script removed, in one round trip."""
        refused = self._batch(list(_DISARM))
        if refused:
            raise DeviceError(f"{self.target.site_id}: disarm refused: {refused[0]}")

    def undo(self, plan: SitePlan) -> None:
        """Take the change back by its undo script (no reboot), which disarms both jobs."""
        self.revert()

    def revert(self) -> Reverted:
        """Run the change's undo script now (MikroTik manual, "Scripting": ``/system script
        run``): no reboot. The script stops at its first refused line, leaving the backup
        load armed; the caller compares the config with the backup."""
        out = self.send(f'/system script run [ find where name="{UNDO}" ]')
        if out.strip():
            raise DeviceError(f"{self.target.site_id}: undo script: {out.strip()}")
        return Reverted(RevertMethod.UNDO_SCRIPT)

    def fall_back(self) -> Reverted:
        """Load this change's binary backup (MikroTik manual, "Backup"): the router
        reboots, and comes back with exactly the config it had before the change. The
        backup load's job stays armed until then: the backup predates it, so loading it
        takes the job away, and if the load does not happen the job still does it."""
        self._load_backup(safety_net_name(self.change_id))
        return Reverted(RevertMethod.BACKUP_LOAD, rebooted=True)

    def blockers(self, *, fetch_for: str | None = None) -> list[str]:
        """A RouterOS 7 router whose device-mode turns the scheduler off keeps the jobs
        and never runs them (MikroTik manual, "Device-mode"): nothing would revert a
        change netprov cannot take back itself. One whose device-mode turns fetch off
        refuses ``/tool fetch`` ("not allowed by device-mode"): the check ``fetch_for``
        would fail every change, and each would be reverted for it. Only the owner, at
        the router, turns a feature back on. RouterOS 6 has no device-mode."""
        printed = self.send("/system device-mode print")
        if ERROR_LINE.match(_first_line(printed)):
            return []
        values = dict(re.findall(r"^\s*([\w-]+): (\S+)", printed, re.M))
        mode = values.get("mode", "?")
        why = {
            "scheduler": "the router cannot revert a change by itself: /system device-mode "
            f"has the scheduler off (mode {mode}): it would never run the undo at the "
            "deadline nor load the backup after it",
            "fetch": f"/system device-mode has fetch off (mode {mode}): the check "
            f'"{fetch_for}" has the router fetch the egress echo, which it refuses, so '
            "every change would fail it and be reverted",
        }
        needed = ["scheduler"] + (["fetch"] if fetch_for is not None else [])
        return [  # the mode changes only at the device ("Device-mode": update)
            f"{why[name]}; its owner turns it on at the router (/system device-mode update "
            f"{name}=yes, then the reset button or a power cycle)"
            for name in needed
            if values.get(name) == "no"
        ]

    def restore(self, config: str, *, change_id: str) -> None:
        """Load the on-device backup change ``change_id`` saved; the router reboots."""
        self._load_backup(safety_net_name(change_id))

    def settle(self) -> Reverted | None:
        """An interrupted change's undo, run now while its job waits (no reboot); when only
        the last resort is left (the undo stopped halfway), its backup loaded now."""
        listing = self.send("/system scheduler print terse")
        if re.search(rf"\bname={UNDO}\b", listing):
            return self.revert()
        # terse prints on-event unquoted, so its own "name=" is read from the raw line
        match = re.search(r"on-event=\S*.*?backup load name=(netprov-[\w-]+)", listing)
        if match is None:
            return None
        self._load_backup(match[1])  # the job goes with the load (the backup predates it)
        return Reverted(RevertMethod.BACKUP_LOAD, rebooted=True)

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
