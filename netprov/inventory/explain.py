"""Schema errors as a reviewer would word them: one line each, with what the value
probably should be.

A misspelt field gives pydantic two errors (the unknown field, and the required field it
was meant to be, missing): they become one, at the misspelt field's line. A misspelt
kind, platform or addressing mode gets the closest accepted value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from netprov.hostaddr import HOST_ERROR
from netprov.suggest import closest, did_you_mean, fields_at

Path = tuple[str | int, ...]

# errors whose context lists the accepted values, and the context key that does
_CHOICES = {"enum": "expected", "literal_error": "expected", "union_tag_invalid": "expected_tags"}


@dataclass(frozen=True, slots=True)
class Explained:
    """One schema error: where (a path inside the validated document), what, and the
    value or field it probably should be."""

    loc: Path
    message: str
    suggestion: str | None = None


def explain(errors: Sequence[Any], model: type[BaseModel]) -> list[Explained]:
    """``errors`` (pydantic's ``ValidationError.errors()`` of ``model``) as explained
    problems, a misspelt required field and its absence merged into one."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    merged: set[Path] = set()
    explained = []
    for error in errors:
        loc: Path = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            item = _unknown_field(loc, model, missing)
            if item.suggestion is not None and (*loc[:-1], item.suggestion) in missing:
                merged.add((*loc[:-1], item.suggestion))
            explained.append(item)
        else:
            explained.append(_explained(loc, error))
    return [item for item in explained if item.loc not in merged]


def _unknown_field(loc: Path, model: type[BaseModel], missing: set[Path]) -> Explained:
    name, parent = str(loc[-1]), loc[:-1]
    known = fields_at(model, parent) or []
    absent = [field for field in known if (*parent, field) in missing]
    guess = closest(name, absent) or closest(name, known)
    message = f"unknown field {name!r} (not part of the inventory schema)"
    if guess is None:
        return Explained(loc, message)
    if guess in absent:
        return Explained(
            loc,
            f"unknown field {name!r}: {did_you_mean(guess)} (a required field, missing here)",
            guess,
        )
    return Explained(loc, f"{message}: {did_you_mean(guess)}", guess)


def _explained(loc: Path, error: Any) -> Explained:
    context = error.get("ctx") or {}
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == HOST_ERROR:
        return Explained(loc, message, context.get("suggestion"))
    if error["type"] == "model_type" and context.get("class_name") == "SecretRef":
        return Explained(
            loc, "plain-text secrets are not allowed: use {env: VARIABLE} or {file: PATH}"
        )
    given = error.get("input")
    if error["type"] not in {"missing", "value_error"} and not isinstance(given, dict | list):
        message += f" (got {given!r})"
    if error["type"] in _CHOICES:
        choices = re.findall(r"'([^']*)'", str(context.get(_CHOICES[error["type"]], "")))
        word = context.get("tag", given)
        guess = closest(str(word), choices) if isinstance(word, str) else None
        if guess is not None:
            return Explained(loc, f"{message}: {did_you_mean(guess)}", guess)
    return Explained(loc, message)
