"""Checks and reasons as netprov journals them (by id, with their English), for tests
of the managers' report: the words a run on the twin wrote, without the twin."""

from __future__ import annotations

from netprov.checks.results import Check
from netprov.said import CheckId, Params, PhraseId, ReasonId, Said, but, joined, role, value

__all__ = ["CheckId", "PhraseId", "ReasonId", "Said", "but", "joined", "role", "value"]


def said(text_id: CheckId | PhraseId | ReasonId, **params: str | Said) -> Said:
    words: Params = params
    return Said(text_id, words)


def failed(name: Said, expected: Said, observed: Said) -> dict[str, object]:
    """A failed check's journal row."""
    return Check.of(name, expected, observed, False).as_dict()


def loss(percent: str = "20", via: str | None = None) -> Said:
    at_most = said(PhraseId.LOSS_AT_MOST, percent=percent)
    return said(PhraseId.VIA, what=at_most, interface=via) if via else at_most


def replies(received: str, sent: str = "5") -> Said:
    return said(PhraseId.REPLIES, received=received, sent=sent)


def hop(interface: str, gateway: str | None = None) -> Said:
    if gateway is None:
        return said(PhraseId.HOP, interface=interface)
    return said(PhraseId.HOP_GATEWAY, interface=interface, gateway=gateway)


def leaves(interface: str, gateway: str | None = None, *, traffic: bool = False) -> Said:
    phrase = PhraseId.TRAFFIC_LEAVES_BY if traffic else PhraseId.LEAVES_BY
    return said(phrase, hop=hop(interface, gateway))
