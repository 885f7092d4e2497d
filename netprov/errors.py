"""One exception tree for netprov; client and parser errors are translated into it at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netprov.said import Said


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the inventory, located as precisely as the input allows."""

    severity: Severity
    file: str
    line: int | None
    field: str
    message: str
    # what the value probably should be ("did you mean"), where one helps; also in the
    # message, for people
    suggestion: str | None = None

    def location(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}" if self.field else where

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class NetprovError(Exception):
    """Base of every error netprov raises on purpose."""


class InventoryError(NetprovError):
    """The inventory is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem], parts: object | None = None) -> None:
        self.problems = problems
        # what did load of it (netprov.inventory.loader.InventoryParts), for checks beyond the
        # schema (validate's secret references) to run in the same round
        self.parts = parts
        errors = [p for p in problems if p.severity is Severity.ERROR]
        super().__init__(f"inventory has {len(errors)} error(s)")


class RenderError(NetprovError):
    """A template failed; names the template file and line."""

    def __init__(self, site_id: str, template: str, line: int | None, message: str) -> None:
        self.site_id = site_id
        self.template = template
        self.line = line
        self.message = message
        where = template if line is None else f"{template}:{line}"
        super().__init__(f"{site_id}: {where}: {message}")

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, str, int | None, str]]:
        """Pickles with its fields (renders come back from forked workers)."""
        return RenderError, (self.site_id, self.template, self.line, self.message)


class SecretError(NetprovError):
    """A referenced secret (environment variable or file) is not available."""


class DeviceError(NetprovError):
    """A router could not be reached, refused what it was sent, or printed the unexpected;
    ``said``: netprov's words for it by id, where it has them (the report renders them)."""

    def __init__(self, message: str, said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said

    @classmethod
    def saying(cls, said: Said) -> DeviceError:
        """The error in netprov's words (its message their English)."""
        return cls(str(said), said)


class JournalError(NetprovError):
    """The journal (run state) cannot be opened or written; nothing was sent to a router."""


class SourceError(NetprovError):
    """The source of truth (Nautobot) cannot be reached, refuses the token, or answers what
    netprov cannot use: nothing was read from it, so no router was touched."""


class SelectionError(NetprovError):
    """A selector (``--limit``, ``--kind``, ...) names something the inventory does not have:
    a usage error (exit 2), never an empty selection that succeeds."""

    def __init__(self, option: str, message: str, suggestion: str | None = None) -> None:
        self.option = option
        self.suggestion = suggestion  # the name probably meant (did you mean)
        super().__init__(message)
