"""The IOS config archive as the twin's exec mode shows it: ``show archive``, the pending
``configure replace`` revert timer, contextual and incremental diffs of saved configs
(Cisco IOS Configuration Replace and Configuration Rollback; the forms napalm's ``ios``
driver reads).
"""

from __future__ import annotations

from netprov.sim.ios.config import ConfigError, IosConfig, contextual_diff
from netprov.sim.ios.router import IosDevice, flash_name
from netprov.twin.ios_show import INVALID_INPUT


def incremental_diff(device: IosDevice, path: str) -> str:
    """What ``copy <file> running-config`` would change, as IOS lists it."""
    name = flash_name(path)
    if name not in device.flash:
        return f"%Error opening {path} (No such file or directory)"
    text = device.flash[name].decode("utf-8", errors="replace")
    merged = device.running.clone()
    stack = [merged.root]
    commands = []
    for line in text.splitlines():
        if line.strip() in {"", "end"} or line.startswith("!"):
            continue
        before = merged.lines()
        try:
            stack = merged.apply(line, stack)
        except ConfigError:
            return f"{line}\n{INVALID_INPUT}"
        if merged.lines() != before or (len(stack) > 1 and line.strip() == stack[-1].text):
            commands.append(line.rstrip())
    if not contextual_diff(device.running, merged):
        return "!List of Commands:\nend\n!No changes were found"
    return "!List of Commands:\n" + "\n".join(commands) + "\nend"


def show_archive(device: IosDevice) -> str:
    """``show archive``: the one archive netprov keeps (when the feature is on)."""
    if not device.running.top("archive"):
        return "Archive feature not enabled"
    return (
        "The maximum archive configurations allowed is 10.\n"
        "There are currently 1 archive configurations saved.\n"
        "The next archive file will be named flash:netprov-archive-2\n"
        " Archive #  Name\n   1        flash:netprov-archive-1 <- Most Recent"
    )


def show_rollback_timer(device: IosDevice) -> str:
    """``show archive config rollback timer``: the pending revert, if any."""
    pending = device.pending
    if pending is None:
        return "%No Rollback Confirmed Change pending"
    return "\n".join(
        [
            f"Time configured: {pending.configured.strftime('%H:%M:%S UTC %a %b %d %Y')}",
            "Timer type: revert",
            f"Timer value: {pending.minutes} min",
            f"User: {pending.user}",
        ]
    )


def archive_diff(device: IosDevice, base: str, new: str) -> str:
    """``show archive config differences BASE NEW``: contextual diffs, as IOS lists them."""

    def config_of(path: str) -> IosConfig | None:
        if path.startswith("system:"):
            return device.running
        name = flash_name(path)
        if name not in device.flash:
            return None
        config = device.blank()
        config.load(device.flash[name].decode("utf-8", errors="replace"))
        return config

    old_config, new_config = config_of(base), config_of(new)
    if old_config is None or new_config is None:
        return f"%Error opening {new if new_config is None else base} (No such file or directory)"
    diff = contextual_diff(old_config, new_config)
    if not diff:
        return "!Contextual Config Diffs:\n!No changes were found"
    return "!Contextual Config Diffs:\n" + "\n".join(diff)
