"""The IOS session: netmiko ``cisco_ios`` with the device-side safety net (the candidate
sent by SCP, ``configure replace ... revert trigger error time N``, ``configure confirm``),
the change marker on flash, and the dynamic NAT rules IOS removes only when asked (Cisco
tech note 13779).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from netprov.errors import DeviceError
from netprov.plan import SitePlan
from netprov.platforms.session import (
    ChangeMarker,
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
)

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


def _nat_rules(config: str) -> list[str]:
    """The dynamic NAT rules of a config (``ip nat inside source list|route-map ...``)."""
    return re.findall(r"^ip nat inside source (?:list|route-map) .*$", config, re.M)


def _with_lines(config: str, lines: list[str]) -> str:
    """``config`` with top-level ``lines`` added before its ``end``."""
    if not lines:
        return config
    body = re.sub(r"^end\s*\Z", "", config.rstrip() + "\n", flags=re.M)
    return body + "\n".join(lines) + "\nend\n"


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
                "banner_timeout": banner_seconds(timeout),
                **target.client_options(),
            },
        )
        try:
            self.driver.open()
            self.reply_seconds = pace_client(self.driver.device, "show clock", r"\d:\d\d:\d\d")
        except client_errors() as exc:
            raise connect_error(target, exc, timeout=timeout) from exc

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

    def revert(self) -> Reverted:
        """``configure revert now``: the archive's rollback of the unconfirmed commit (no
        reload); then the preparation taken back."""
        if self._committed:
            self._config_command("configure revert now")
            self._committed = False
        self.unmark()
        if self._prepared:
            self._call("cannot take back", self.driver.device.send_config_set, self._prepared)
            self._prepared = []
        return Reverted(RevertMethod.CONFIGURE_REVERT)

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

    def settle(self) -> Reverted | None:
        if not self.pending():
            return None
        self._config_command("configure revert now")
        self.send("write memory")
        return Reverted(RevertMethod.CONFIGURE_REVERT)

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
