"""Sessions with real routers, through the real clients: napalm (IOS) and netmiko (RouterOS).

Client errors are translated here, at the edge, into :class:`DeviceError`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from netprov.errors import NetprovError
from netprov.models import Platform


class DeviceError(NetprovError):
    """A router could not be reached or refused what it was sent."""


@dataclass(frozen=True)
class Target:
    """Where and how to log in to one site's router."""

    site_id: str
    host: str
    port: int
    username: str
    password: str
    platform: Platform


def targets_from_hosts_file(path: Path) -> dict[str, Target]:
    """Targets from a Nornir SimpleInventory hosts file (as ``netprov twin up`` writes)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DeviceError(f"cannot read hosts file {path}: {exc}") from exc
    return targets_from_hosts(data)


def targets_from_hosts(data: dict[str, Any]) -> dict[str, Target]:
    """Targets from SimpleInventory-style host entries (a file's content or a twin's)."""
    targets = {}
    for name, host in data.items():
        platform = Platform(host["platform"])
        targets[name] = Target(
            name,
            str(host["hostname"]),
            int(host.get("port") or 22),
            str(host["username"]),
            str(host["password"]),
            platform,
        )
    return targets


class Session(Protocol):
    platform: Platform

    def running(self) -> str: ...

    def send(self, command: str) -> str: ...

    def close(self) -> None: ...


def _errors() -> tuple[type[BaseException], ...]:
    from napalm.base.exceptions import NapalmException
    from netmiko.exceptions import NetmikoBaseException

    return (NetmikoBaseException, NapalmException, OSError, EOFError, ValueError)


class IosSession:
    """napalm ``ios``: configure replace with a revert timer, confirm, revert."""

    platform = Platform.CISCO_IOS

    def __init__(self, target: Target, timeout: float = 30) -> None:
        from napalm import get_network_driver

        self.target = target
        self.driver: Any = get_network_driver("ios")(
            target.host,
            target.username,
            target.password,
            timeout=int(timeout),
            optional_args={"port": target.port, "conn_timeout": timeout},
        )
        try:
            self.driver.open()
        except _errors() as exc:
            raise DeviceError(f"{target.site_id}: cannot connect: {exc}") from exc

    def running(self) -> str:
        try:
            return str(self.driver.get_config(retrieve="running")["running"])
        except _errors() as exc:
            raise DeviceError(f"{self.target.site_id}: cannot read config: {exc}") from exc

    def send(self, command: str) -> str:
        try:
            return str(self.driver.device.send_command(command))
        except _errors() as exc:
            raise DeviceError(f"{self.target.site_id}: {command!r} failed: {exc}") from exc

    def apply(self, candidate: str, revert_minutes: int) -> None:
        try:
            self.driver.load_replace_candidate(config=candidate)
            self.driver.commit_config(revert_in=revert_minutes * 60)
        except _errors() as exc:
            raise DeviceError(f"{self.target.site_id}: commit failed: {exc}") from exc

    def confirm(self) -> None:
        self.driver.confirm_commit()

    def revert(self) -> None:
        """Undo an unconfirmed commit now (``configure revert now``)."""
        self.driver.rollback()

    def restore(self, config: str) -> None:
        """Replace the whole running config with ``config`` (a backup) and save it."""
        try:
            self.driver.load_replace_candidate(config=config)
            self.driver.commit_config()
        except _errors() as exc:
            raise DeviceError(f"{self.target.site_id}: restore failed: {exc}") from exc

    def settle(self) -> bool:
        """Revert an unconfirmed commit left by an interrupted run. True if one was pending."""
        try:
            if not self.driver.has_pending_commit():
                return False
            self.driver.rollback()
        except _errors() as exc:
            raise DeviceError(
                f"{self.target.site_id}: cannot settle a pending commit: {exc}"
            ) from exc
        return True

    def close(self) -> None:
        try:
            self.driver.close()
        except _errors():
            pass


class RosSession:
    """netmiko ``mikrotik_routeros``: a scheduled restore of an on-device backup is the net."""

    platform = Platform.MIKROTIK_ROUTEROS

    def __init__(self, target: Target, timeout: float = 30) -> None:
        from netmiko import ConnectHandler

        self.target = target
        try:
            self.conn: Any = ConnectHandler(
                device_type="mikrotik_routeros",
                host=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                conn_timeout=timeout,
            )
        except _errors() as exc:
            raise DeviceError(f"{target.site_id}: cannot connect: {exc}") from exc

    def send(self, command: str) -> str:
        try:
            return str(self.conn.send_command(command, read_timeout=60))
        except _errors() as exc:
            raise DeviceError(f"{self.target.site_id}: {command!r} failed: {exc}") from exc

    def running(self) -> str:
        return self.send("/export terse")

    def save_backup(self, name: str) -> None:
        out = self.send(f"/system backup save name={name}")
        if "saved" not in out:
            raise DeviceError(f"{self.target.site_id}: backup not saved: {out}")

    def apply(self, commands: list[str], backup_name: str, revert_minutes: int) -> None:
        """Arm the dead-man switch (restore ``backup_name`` in N minutes), then push."""
        self.send(
            f"/system scheduler add name=netprov-revert interval={revert_minutes}m "
            f'on-event="/system backup load name={backup_name}"'
        )
        for command in commands:
            out = self.send(command)
            if out.strip():
                raise DeviceError(f"{self.target.site_id}: {command!r} rejected: {out.strip()}")

    def confirm(self) -> None:
        self.send('/system scheduler remove [ find where name="netprov-revert" ]')

    def revert(self, backup_name: str) -> None:
        """Restore the pre-change backup now; the router reboots (the session ends)."""
        self.confirm()
        self.restore_backup(backup_name)

    def settle(self) -> bool:
        """Fire an armed dead-man switch of an interrupted run now. True if one was armed."""
        listing = self.send('/system scheduler print where name="netprov-revert"')
        match = (
            re.search(r"name=(netprov-[\w-]+)", listing.split("on-event=", 1)[-1])
            if "on-event" in listing
            else None
        )
        if match is None:
            return False
        self.confirm()
        self.restore_backup(match[1])
        return True

    def restore_backup(self, name: str) -> None:
        try:
            self.conn.send_command(f"/system backup load name={name}", read_timeout=10)
        except _errors():
            pass  # the router reboots and drops the session

    def close(self) -> None:
        try:
            self.conn.disconnect()
        except _errors():
            pass


def connect(target: Target, *, attempts: int = 1, wait: float = 1.0) -> IosSession | RosSession:
    """Open a session, retrying (e.g. while a router reboots after a restore)."""
    for attempt in range(attempts):
        try:
            if target.platform is Platform.CISCO_IOS:
                return IosSession(target)
            return RosSession(target)
        except DeviceError:
            if attempt == attempts - 1:
                raise
            time.sleep(wait)
    raise DeviceError(f"{target.site_id}: cannot connect")
