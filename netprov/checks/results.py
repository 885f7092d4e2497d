"""A check's result and its running order: what it expected and saw, in English and by id
(the journal, ``--json`` and the report read it), and the order checks run in, cheapest
first, so a failed change is reverted at the first check that proves it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from netprov.platforms.base import Hop
from netprov.said import PhraseId, Said


@dataclass(frozen=True)
class CheckWords:
    """A check's name, what it expected and what it saw, as netprov's words by id."""

    name: Said
    expected: Said
    observed: Said


@dataclass(frozen=True)
class Check:
    """One check: its name, what it expected and saw (English, as the journal and
    ``--json`` have always said), the verdict, and the same words by id (``words``; None
    on a check journaled before netprov kept them)."""

    name: str
    expected: str
    observed: str
    ok: bool
    words: CheckWords | None = None

    @classmethod
    def of(cls, name: Said, expected: Said, observed: Said, ok: bool) -> Check:
        """A check said by id, its English rendered from the catalogue."""
        words = CheckWords(name, expected, observed)
        return cls(str(name), str(expected), str(observed), ok, words)

    def as_dict(self) -> dict[str, object]:
        """As the journal and ``--json`` keep it (docs/json.md): the English, and the
        check's ``id`` with its ``params`` and what it expected and saw by id."""
        found = {key: getattr(self, key) for key in ("name", "expected", "observed", "ok")}
        if self.words is not None:
            found |= {
                "id": self.words.name.id.value,
                "params": self.words.name.as_dict()["params"],
                "expected_said": self.words.expected.as_dict(),
                "observed_said": self.words.observed.as_dict(),
            }
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Check:
        """A check as :meth:`as_dict` kept it (a journal row, a worker's result)."""
        name = Said.from_dict({"id": data.get("id"), "params": data.get("params")})
        expected = Said.from_dict(data.get("expected_said"))
        observed = Said.from_dict(data.get("observed_said"))
        words = None
        if name is not None and expected is not None and observed is not None:
            words = CheckWords(name, expected, observed)
        name_, expected_, observed_ = (
            str(data.get(k, "?")) for k in ("name", "expected", "observed")
        )
        return cls(name_, expected_, observed_, bool(data.get("ok")), words)


def hop_said(hop: Hop) -> Said:
    """Where a route leaves by (as :class:`Hop` prints it in English)."""
    if hop.interface is None:
        return Said(PhraseId.HOP_DROPPED, {"prefix": hop.prefix})
    if hop.gateway:
        return Said(PhraseId.HOP_GATEWAY, {"interface": hop.interface, "gateway": hop.gateway})
    return Said(PhraseId.HOP, {"interface": hop.interface})


class Cost(IntEnum):
    """What a check costs a real router when it fails, cheapest first: the order checks
    run in (:func:`run_checks`), so a broken change is proven, and reverted, by the
    cheapest check that can prove it. Every check reads or probes and changes nothing,
    so none proves less for running before or after another.

    READ: one reply whatever it finds (the session, an interface, the routing table).
    CONFIG: the running config, read once for all of them (RouterOS: an export).
    PING: what is left after a reply that does not come back: a RouterOS echo has until
    the end of its interval (MikroTik manual, "Ping"), an IOS echo its timeout (Cisco
    IOS Configuration Fundamentals Command Reference, "ping"), per lost echo.
    LOOKUP: a name that does not resolve waits out the resolver's timeouts.
    FETCH: an echo service that does not answer waits out the fetch's timeout.
    """

    READ = 0
    CONFIG = 1
    PING = 2
    LOOKUP = 3
    FETCH = 4


@dataclass(frozen=True)
class Planned:
    """A check still to run: its name (known before it runs), what it costs when it
    fails, and what runs it."""

    name: str
    cost: Cost
    run: Callable[[], Check]


def run_checks(planned: Sequence[Planned], *, changing: bool) -> tuple[list[Check], list[str]]:
    """Run ``planned`` cheapest first (:class:`Cost`; as listed within a cost): the checks
    run and the names of those not run. During a
    change the first failed check ends it: the change is reverted whatever the others
    would find, so the office waits on none of them (a lost ping costs a real router its
    interval or timeout, bench/bench_downtime.py). A verify that changes nothing runs them
    all: every finding is worth reporting.

    Examples:
        >>> from dataclasses import replace
        >>> from netprov.said import CheckId
        >>> def planned(name: str, cost: Cost) -> Planned:
        ...     said = Said(CheckId.PROBE)
        ...     check = Check.of(said, said, said, name != "b")
        ...     return Planned(name, cost, lambda: replace(check, name=name))
        >>> plan = [planned("a", Cost.PING), planned("b", Cost.READ), planned("c", Cost.PING)]
        >>> [(c.name, c.ok) for c in run_checks(plan, changing=True)[0]]
        [('b', False)]
        >>> run_checks(plan, changing=True)[1], len(run_checks(plan, changing=False)[0])
        (['a', 'c'], 3)
    """
    ordered = sorted(planned, key=lambda check: check.cost)  # stable: as listed within one
    checks: list[Check] = []
    for index, check in enumerate(ordered):
        checks.append(check.run())
        if changing and not checks[-1].ok:
            return checks, [later.name for later in ordered[index + 1 :]]
    return checks, []
