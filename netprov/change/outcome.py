"""What became of a site in a command: the :class:`Status` vocabulary and the
:class:`Outcome` every command returns per site (the table, ``--json``, Nornir's result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from netprov.change.reverting import Reversal
from netprov.checks.results import Check
from netprov.plan import SitePlan
from netprov.platforms import driver_for
from netprov.said import Said


class Status(StrEnum):
    """What became of a site in a command: the one vocabulary of outcomes (the table, the
    ``--json`` ``status``, the Nornir result's ``failed`` and ``changed``)."""

    UNCHANGED = "unchanged"  # it already held the change
    PLANNED = "planned"  # a dry run computed its change
    BACKED_UP = "backed_up"
    VERIFIED = "verified"
    CONFIRMED = "confirmed"  # the change was pushed, verified and kept
    ROLLED_BACK = "rolled_back"  # a change failed its checks and was undone
    RESTORED = "restored"  # a rollback to a backup, on purpose
    REFUSED = "refused"  # never pushed: a lockout risk or a clash with what it holds
    STALE = "stale"  # the router changed since the saved plan
    FAILED = "failed"
    SKIPPED = "skipped"
    DRILLED = "drilled"


# a site's work failed (the command exits 1): a rolled-back change failed, though undone
FAILED = frozenset({Status.ROLLED_BACK, Status.REFUSED, Status.STALE, Status.FAILED})
# the router's config was changed at some point (a rolled-back one too, then undone)
CHANGED = frozenset({Status.CONFIRMED, Status.ROLLED_BACK, Status.RESTORED})


@dataclass
class Outcome:
    """One site's result of a command: its :class:`Status`, the plan, the checks, why."""

    site: str
    status: Status
    plan: SitePlan | None = None
    checks: list[Check] = field(default_factory=list)
    detail: str = ""
    restored_identical: bool | None = None
    reverted: Reversal | None = None  # how a failed change was taken back
    reason: Said | None = None  # why it failed or was refused, by id (``detail``'s English)

    @property
    def failed(self) -> bool:
        """The site's work failed (see :data:`FAILED`)."""
        return self.status in FAILED

    @property
    def changed(self) -> bool:
        """The router's config was changed (see :data:`CHANGED`)."""
        return self.status in CHANGED

    def as_dict(self) -> dict[str, object]:
        """The outcome as ``--json`` prints it (the plan secret-masked)."""
        return {
            "site": self.site,
            "status": self.status,
            "detail": self.detail,
            "plan": self.plan.as_dict(driver_for(self.plan.platform).mask_secrets)
            if self.plan
            else None,
            "checks": [c.as_dict() for c in self.checks],
            "restored_identical": self.restored_identical,
            "reverted": self.reverted.as_dict() if self.reverted is not None else None,
            "reason": self.reason.as_dict() if self.reason is not None else None,
        }
