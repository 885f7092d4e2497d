"""The router's own check of a change before any line of it is applied (issue 38): on
RouterOS 7.16+ the session runs the change's lines through ``/import ... dry-run``
(:meth:`netprov.platforms.Session.import_refusals`); a line it refuses is said by id,
secrets masked, and the change is refused before any push."""

from __future__ import annotations

from collections.abc import Callable

from netprov.platforms import Session
from netprov.said import ReasonId, Said, say


def import_refusal(
    session: Session, commands: list[str], mask: Callable[[str], str]
) -> Said | None:
    """The first line of ``commands`` (secrets resolved) the router refuses, said with
    ``mask`` applied to what it quotes; None when it refuses none or cannot check."""
    for found in session.import_refusals(commands)[:1]:
        return say(
            ReasonId.IMPORT_REFUSED,
            line=str(found.number),
            command=mask(found.command),
            words=mask(found.words),
            version=found.version,
        )
    return None
