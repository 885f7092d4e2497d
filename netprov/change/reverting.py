"""Taking back a change that failed its checks, the way that costs the office least: the
plan's undo first (RouterOS: the undo script installed with the change, no reboot; IOS:
``configure revert now``), over the change's session or a new one; then the proof that
the router holds exactly its backup (comparable form); only if it does not does the
platform's last resort run (RouterOS: the binary backup loaded, which reboots the
router), and the proof again. A router that cannot be reached is left to the revert it
armed with the change (the undo at the deadline, the backup load after it).

What happened is journaled (the ``reverted`` step, its data naming the method, whether
the router rebooted and for how long) and shown (``--json``, the report).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from netprov.errors import DeviceError
from netprov.models import Phase, Site
from netprov.platforms import Reverted, RevertMethod, Session

if TYPE_CHECKING:
    from netprov.change.pipeline import Pipeline
    from netprov.state.journal import Backup


@dataclass(frozen=True)
class Reversal:
    """How a failed change was taken back, and whether the router holds its backup."""

    method: RevertMethod
    rebooted: bool = False
    reboot_seconds: float | None = None  # how long the router was gone (its own seconds)
    identical: bool | None = None  # None: the router could not be read
    held: Phase | None = None  # the phase whose config it holds now
    undo_left_difference: bool = False  # the first method left a difference: fell back
    failed_check: str | None = None  # the failed check the change was reverted after
    not_run: tuple[
        str, ...
    ] = ()  # the checks after it, not run (netprov.checks.results.run_checks)

    def after(self, failed_check: str, not_run: list[str]) -> Reversal:
        """This reversal, reverted after ``failed_check`` failed, ``not_run`` not run."""
        return replace(self, failed_check=failed_check, not_run=tuple(not_run))

    def why(self) -> str:
        """The check that failed and those not run, for the journal and the table.

        Examples:
            >>> Reversal(RevertMethod.UNDO_SCRIPT).after("shaping on central", ["DNS"]).why()
            'reverted after shaping on central failed; not run: DNS'
        """
        text = f"reverted after {self.failed_check} failed"
        return text + (f"; not run: {', '.join(self.not_run)}" if self.not_run else "")

    def said(self) -> str:
        """One line for the journal and the table."""
        if self.method is RevertMethod.BY_ITSELF:
            return (
                "router unreachable: it runs the undo by itself at the deadline, and loads "
                "its backup after that if the undo does not take"
            )
        text = f"by {self.method.value}"
        if self.undo_left_difference:
            text = f"the undo left a difference; {text}"
        if self.rebooted:
            gone = f", gone {self.reboot_seconds:.0f} s" if self.reboot_seconds else ""
            return f"{text} (the router rebooted{gone})"
        return f"{text} (no reboot)"

    def as_dict(self) -> dict[str, object]:
        """The reversal as ``--json`` and the journal's step data carry it."""
        return {
            "method": self.method.value,
            "rebooted": self.rebooted,
            "reboot_seconds": self.reboot_seconds,
            "undo_left_difference": self.undo_left_difference,
            "failed_check": self.failed_check,
            "not_run": list(self.not_run),
        }


def run_undo(pipeline: Pipeline, site: Site, session: Session) -> Reverted | None:
    """The undo, on ``session``, else on a new session (the change's may be the one a
    failed check lost); None when the router cannot be reached at all."""
    try:
        return session.revert()
    except DeviceError:
        pass
    try:
        again = pipeline.session(site)
    except DeviceError:
        return None
    try:
        return again.revert()
    except DeviceError:
        return None
    finally:
        pipeline.release(site, again)


def proven(pipeline: Pipeline, site: Site, backup: Backup, reverted: Reverted | None) -> Reversal:
    """The router's config compared with ``backup`` after ``reverted``; the platform's
    last resort when it differs, timed (a reboot: how long the router was gone, in its
    own seconds, from netprov's clock and the target's time scale)."""
    if reverted is None:
        return Reversal(RevertMethod.BY_ITSELF)
    identical, held = pipeline.after_restore(site, backup)
    if identical:
        return Reversal(reverted.method, reverted.rebooted, None, True, held)
    session = pipeline.session(site)
    try:
        started = time.monotonic()
        last = session.fall_back()
    finally:
        pipeline.release(site, session)
    if last is None:
        return Reversal(reverted.method, reverted.rebooted, None, False, held)
    identical, held = pipeline.after_restore(site, backup)
    gone = (time.monotonic() - started) * pipeline.targets[site.id].time_scale
    seconds = round(gone, 1) if last.rebooted else None
    return Reversal(last.method, last.rebooted, seconds, identical, held, True)
