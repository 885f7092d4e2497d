"""The RouterOS session: netmiko ``mikrotik_routeros`` with the device-side safety net
(a backup saved on the router and a scheduled restore of it, cancelled on confirm), batches
of config lines with their errors read back, and the prompt RouterOS 7 repaints.
"""

from __future__ import annotations

import re
from typing import Any

from netprov.errors import DeviceError
from netprov.plan import SitePlan
from netprov.platforms.routeros_output import ERROR_LINE
from netprov.platforms.session import (
    ChangeMarker,
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

REVERT_JOB = "netprov-revert"


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


def _first_line(output: str) -> str:
    return next((line.strip() for line in output.splitlines() if line.strip()), "")


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
                banner_timeout=banner_seconds(timeout),
                **target.host_key_options(),
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
        self._checked(f'/system scheduler remove [ find where name="{REVERT_JOB}" ]')

    def undo(self, plan: SitePlan) -> None:
        for command in plan.undo:
            self._checked(command)
        self.confirm()

    def revert(self) -> None:
        """Load this change's backup now; the router reboots (the session ends). The revert
        job stays armed until then: the backup was saved before the job was added, so
        loading it takes the job away, and if the load does not happen the job still
        does it (removing the job first left a router without either when the removal's
        answer was misread)."""
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
        self._load_backup(match[1])  # the job goes with the load, as in :meth:`revert`
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
