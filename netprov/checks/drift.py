"""Drift: how a router differs from the config git says it should hold.

The inventory's ``desired_phase`` is the desired state; the router's running config says
which phase it is really in (the phase whose rendered config it already holds), and the
journal says which phase netprov last recorded it in (a confirm, a restore, a cutover's
reconciliation). ``netprov drift`` reads routers (read-only) and ``netprov check`` reads the
stored backups; both classify each site the same way, so a cut-over office that git still
calls ``legacy`` is a finding, never a plan back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netprov.models import Phase


class DriftState(StrEnum):
    IN_SYNC = "in_sync"  # the router holds its desired phase's config
    PENDING = "pending"  # an earlier phase: promoted in git, the next cutover converges it
    AHEAD = "ahead"  # a later phase than git says: moved past git, record it (promote)
    DRIFTED = "drifted"  # no phase's config as netprov renders it: changed outside netprov
    CHANGING = "changing"  # a change is under way (or was interrupted): its marker is there


def phase_rank(phase: Phase) -> int:
    """Position in the cutover order (legacy 0 ... final 3)."""
    return list(Phase).index(phase)


@dataclass(frozen=True)
class Drift:
    """One site's desired state (git) beside its actual state (router and journal)."""

    site: str
    desired: Phase
    actual: Phase | None  # the phase whose config the router holds; None: none of them
    journal: Phase | None  # the phase the journal last recorded the router in
    commands: int  # commands the plan to the desired phase has
    changing_run: str | None = None  # the run whose change marker is on the router

    @property
    def state(self) -> DriftState:
        """Examples:
        >>> Drift("a", Phase.DUAL, Phase.DUAL, Phase.DUAL, 0).state.value
        'in_sync'
        >>> Drift("a", Phase.CENTRAL, Phase.DUAL, None, 9).state.value
        'pending'
        >>> Drift("a", Phase.LEGACY, Phase.CENTRAL, Phase.CENTRAL, 12).state.value
        'ahead'
        >>> Drift("a", Phase.DUAL, None, Phase.DUAL, 1).state.value
        'drifted'
        """
        if self.changing_run is not None:
            return DriftState.CHANGING
        if self.commands == 0:
            return DriftState.IN_SYNC
        if self.actual is None or self.actual is self.desired:
            return DriftState.DRIFTED
        if phase_rank(self.actual) < phase_rank(self.desired):
            return DriftState.PENDING
        return DriftState.AHEAD

    @property
    def journal_disagrees(self) -> bool:
        """The router is in another phase than the journal last recorded it in."""
        return self.journal is not None and self.actual is not None and self.journal != self.actual

    def describe(self) -> str:
        """One line for a person: what differs and what to do about it."""
        state = self.state
        if state is DriftState.CHANGING:
            return f"change {self.changing_run} is under way on the router (or was interrupted)"
        actual = self.actual.value if self.actual else "no phase netprov renders"
        text = {
            DriftState.IN_SYNC: f"holds {self.desired.value}, as the inventory says",
            DriftState.PENDING: (
                f"router in {actual}, inventory says {self.desired.value}: "
                f"`netprov cutover` converges it ({self.commands} command(s) next)"
            ),
            DriftState.AHEAD: (
                f"router already in {actual}, inventory still says {self.desired.value}: "
                f"record it with `netprov promote --limit {self.site} --to {actual}`, "
                "never plan it back"
            ),
            DriftState.DRIFTED: (
                f"router holds {actual} with {self.commands} difference(s) from the "
                f"{self.desired.value} config: changed outside netprov"
                if self.actual
                else f"router matches no phase ({self.commands} command(s) to "
                f"{self.desired.value}): changed outside netprov, a person decides"
            ),
        }[state]
        if self.journal_disagrees:
            assert self.journal is not None  # for mypy: journal_disagrees says so
            text += f"; the journal last recorded {self.journal.value}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site,
            "state": self.state.value,
            "desired_phase": self.desired.value,
            "actual_phase": self.actual.value if self.actual else None,
            "journal_phase": self.journal.value if self.journal else None,
            "command_count": self.commands,
        }
