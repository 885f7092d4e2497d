"""Site locks: one holder at a time changes a site, across the steps of its work.

The journal keeps the locks (:meth:`Journal.claim`); :mod:`netprov.state.lock_heartbeat` keeps a
held
lock fresh and fences a holder that lost it. Not :mod:`netprov.checks.lockout_guard`, the guard that
refuses a plan which would lock the NOC out of a router.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from netprov.change.outcome import Outcome
from netprov.said import ReasonId, Said, say
from netprov.state.journal import Claim, Journal
from netprov.state.journal_rows import Step
from netprov.state.lock_heartbeat import keeper_for

# ``work(settle)`` done under the lock; ``settle``: the lock was taken over and what its
# holder left armed must be settled first
LockedWork = Callable[[bool], Outcome]
# the journaled failure of the site, with why
Refused = Callable[[Said], Outcome]


class SiteInHand(Exception):  # noqa: N818 - a state, not an error: this delivery steps back
    """A live holder of this same run is changing the site (its step was delivered twice, as
    a broker may): this delivery touches nothing and journals nothing, and leaves the
    outcome to that holder."""


@dataclass
class SiteLocks:
    """The site locks one run holds, each with its holding token."""

    journal: Journal
    run_id: str
    _tokens: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def under_lock(self, site_id: str, work: LockedWork, refused: Refused) -> Outcome:
        """``work(settle)`` holding the site's lock, or ``refused`` for a site another run
        holds. A lock this run already holds for the site (a cutover step holds it across
        its phases) is used as it is."""
        if site_id in self._tokens:
            return work(False)
        claim = self.claim(site_id, refused)
        if isinstance(claim, Outcome):
            return claim
        assert claim.token is not None  # a claim that is no failure holds the lock
        self._tokens[site_id] = claim.token
        keeper = keeper_for(self.journal)
        keeper.hold(claim.token)
        try:
            return work(claim.took_from is not None)
        finally:
            del self._tokens[site_id]
            keeper.let_go(claim.token)
            self.journal.unlock(site_id, self.run_id, claim.token)

    def fenced(self, site_id: str) -> str | None:
        """Why this holder must not push or confirm on the site now (None: it may)."""
        token = self._tokens.get(site_id)
        return keeper_for(self.journal).safe(token) if token is not None else None

    def claim(self, site_id: str, refused: Refused) -> Claim | Outcome:
        """The site's lock for this holder, or ``refused`` for a site another run holds.
        Taken over from a holder that is gone (or from the run this one resumes), it is
        journaled ``took_over``; the caller settles what that holder may have left armed.
        Raises :class:`SiteInHand` when a live holder of this same run has it."""
        claim = self.journal.claim(site_id, self.run_id)
        if claim.token is None:
            if claim.held_by == self.run_id:
                raise SiteInHand(f"{site_id}: this run is already changing it elsewhere")
            return refused(say(ReasonId.SITE_LOCKED, run=str(claim.held_by)))
        if claim.took_from is not None:
            self.journal.step(
                self.run_id,
                site_id,
                Step.TOOK_OVER,
                detail=f"lock of run {claim.took_from} (its holder is gone, or resumed)",
            )
        return claim
