"""Sites as the cross-checks see them: a site and where it was written, and a finding
located by a path inside its source (the loader turns it into file, line and field).

A site that failed its schema still takes part in the cross-checks with the parts of it
that are valid (``complete=False``, :mod:`netprov.inventory.salvage`): a required part it lacks
reads as None through :func:`part`, so one round shows every problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netprov.errors import Severity
from netprov.inventory.sourcemap import Loc, Source
from netprov.models import Site, Uplink


@dataclass(frozen=True, slots=True)
class Finding:
    """One cross-check's verdict at ``loc`` of ``source``; ``suggestion``: the value it
    probably should be, where one helps."""

    severity: Severity
    source: Source
    loc: Loc
    message: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class PlacedSite:
    """A validated site and where it was written; ``complete=False``: a site that failed
    its schema, holding only its valid parts (never loaded, only cross-checked)."""

    site: Site
    source: Source
    index: int
    complete: bool = True

    def loc(self, *path: str | int) -> tuple[str | int, ...]:
        return ("sites", self.index, *path)

    def place(self) -> tuple[str, int | None]:
        """The file and line of the site's ``id`` (a quick scan first: composing a YAML
        file's nodes costs more than a check of it), or its object and no line."""
        line = self.source.scalar_line("id", self.site.id)
        if line is not None:
            return self.source.name, line
        file, line, _ = self.source.where(self.loc("id"))
        return file, line

    def line(self) -> int | None:
        """The line of the site's ``id`` (None where the source has no lines)."""
        return self.place()[1]

    def where(self) -> str:
        """The site's place as a problem names it: ``file:line``, or its object."""
        file, line = self.place()
        return file if line is None else f"{file}:{line}"


def part(value: object, *path: str | int) -> Any:
    """The value at ``path`` (attribute names, and indexes into lists) of a site or one of
    its parts, or None where a site that failed its schema lacks it."""
    for name in path:
        if isinstance(name, int):
            items = value if isinstance(value, list) else []
            value = items[name] if -len(items) <= name < len(items) else None
        else:
            value = getattr(value, name, None)
        if value is None:
            return None
    return value


UPLINK_FIELDS = ("legacy_uplink", "central_uplink", "backup_uplink")


def uplinks(site: Site) -> Iterator[tuple[tuple[str | int, ...], Uplink]]:
    """The site's uplinks (those it has), each with where it sits in the site: its field,
    or ``other_legacy_uplinks`` and its index (an office's further ISP lines)."""
    for name in UPLINK_FIELDS:
        uplink = getattr(site, name, None)
        if uplink is not None:
            yield (name,), uplink
    for index, other in enumerate(getattr(site, "other_legacy_uplinks", None) or ()):
        yield ("other_legacy_uplinks", index), other


def uplink_label(loc: tuple[str | int, ...]) -> str:
    """How a message names the uplink at ``loc`` (:func:`uplinks`).

    Examples:
        >>> uplink_label(("legacy_uplink",)), uplink_label(("other_legacy_uplinks", 0))
        ('legacy uplink', 'other legacy uplink 1')
    """
    label = str(loc[0]).removesuffix("s").replace("_", " ")
    return f"{label} {int(loc[1]) + 1}" if len(loc) > 1 else label
