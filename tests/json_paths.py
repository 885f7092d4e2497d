"""A ``--json`` document as its paths and their types (``sites[].plan.commands[]``: str),
and the field tables of docs/json.md read the same way, so the two can be compared: the
pin (tests/fixtures/cli/json-shapes.json) holds what the commands really print, the
documentation what a script may rely on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

SCALARS = {str: "str", bool: "bool", int: "int", float: "float", type(None): "null"}


def paths(value: Any, prefix: str = "") -> dict[str, set[str]]:
    """Each path under ``value`` with the set of types seen there (``object``, ``list``,
    ``str``, ``int``, ``float``, ``bool``, ``null``); a list's elements share ``path[]``."""
    found: dict[str, set[str]] = {}

    def add(path: str, kind: str) -> None:
        found.setdefault(path, set()).add(kind)

    def walk(item: Any, path: str) -> None:
        if isinstance(item, dict):
            if path:
                add(path, "object")
            for key, child in item.items():
                if key == "params" and isinstance(item.get("id"), str):
                    add(f"{path}.{key}", "object")  # words' values: a map, keys are data
                    continue
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(item, list):
            add(path, "list")
            for child in item:
                walk(child, f"{path}[]")
        else:
            add(path, SCALARS[type(item)])

    walk(value, prefix)
    return found


def flat(documents: Iterable[Any]) -> dict[str, str]:
    """The paths of one command's documents, each with its types joined by ``|``."""
    merged: dict[str, set[str]] = {}
    for document in documents:
        for path, kinds in paths(document).items():
            merged.setdefault(path, set()).update(kinds)
    return {path: "|".join(sorted(kinds)) for path, kinds in sorted(merged.items())}


# --- docs/json.md ------------------------------------------------------------------------

_HEADING = re.compile(
    r"^#{2,3} (?:`netprov (?P<command>[a-z ]+)`|(?P<object>[a-z]+) object|A (?P<usage>usage error))"
)
_CELL = re.compile(r"(?<!\\)\|")  # a table cell's edge, not an escaped \| inside it
BASE = {"str", "int", "float", "bool", "null", "list", "object", "map"}
# ``map``: an object whose keys are data (a said object's ``params``, never walked into:
# :func:`paths` stops at it), printed as an object


def documented(markdown: str) -> dict[str, dict[str, tuple[str, bool]]]:
    """Each command of docs/json.md: path -> (types joined by ``|``, optional). A type
    may name an object documented under "### <name> object" (``outcome``, ``plan|null``)
    or a list of them (``list of check``): its fields are spliced in under the path."""
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    current: list[tuple[str, str, bool]] | None = None
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            name = heading["command"] or heading["usage"] or f"@{heading['object']}"
            current = tables.setdefault(name, [])
            continue
        if line.startswith("#"):
            current = None
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line)]
        if current is not None and len(cells) == 5 and cells[1].startswith("`"):
            kind = cells[2]
            optional = kind.startswith("optional ")
            current.append((cells[1].strip("`"), kind.removeprefix("optional "), optional))

    def expand(rows: list[tuple[str, str, bool]], prefix: str) -> dict[str, tuple[str, bool]]:
        found: dict[str, tuple[str, bool]] = {}
        for path, kind, optional in rows:
            full = f"{prefix}{path}"
            kinds: set[str] = set()
            for token in (t.strip() for t in kind.split("|")):
                if token.startswith("list of "):
                    kinds.add("list")
                    element = token.removeprefix("list of ")
                    for sub, (sub_kind, sub_optional) in _element(element, full).items():
                        found[sub] = (sub_kind, sub_optional or optional)
                elif token in BASE:
                    kinds.add(token)
                else:
                    kinds.add("object")
                    nested = expand(tables[f"@{token}"], f"{full}.")
                    found.update({k: (t, o or optional) for k, (t, o) in nested.items()})
            found[full] = ("|".join(sorted(kinds)), optional)
        return found

    def _element(element: str, path: str) -> dict[str, tuple[str, bool]]:
        if element in BASE:
            return {f"{path}[]": (element, False)}
        return {
            **expand(tables[f"@{element}"], f"{path}[]."),
            f"{path}[]": ("object", False),
        }

    return {
        name: dict(sorted(expand(rows, "").items()))
        for name, rows in tables.items()
        if not name.startswith("@")
    }


def disagreements(docs: dict[str, tuple[str, bool]], real: dict[str, str]) -> list[str]:
    """What the documentation of one command gets wrong about its real output: a field
    printed but not documented, a type printed that the documentation does not allow, a
    field documented that never appears (unless optional, or inside an empty list or a
    null object of the real output)."""
    wrong = []
    for path, kinds in real.items():
        allowed = set(docs[path][0].split("|")) if path in docs else set()
        if "map" in allowed:
            allowed.add("object")
        if path not in docs:
            wrong.append(f"{path}: printed ({kinds}), not documented")
        elif not set(kinds.split("|")) <= allowed:
            wrong.append(f"{path}: printed as {kinds}, documented as {docs[path][0]}")
    for path, (kinds, optional) in docs.items():
        if path in real or optional:
            continue
        parent = _present_ancestor(path, real)  # None: the document itself
        below = (f"{parent}.", f"{parent}[]")
        if parent is None or any(p.startswith(below) for p in real):
            wrong.append(f"{path}: documented ({kinds}), never printed")
    return wrong


def _present_ancestor(path: str, real: dict[str, str]) -> str | None:
    """The longest prefix of ``path`` (a parent field) that the real output has."""
    parts = re.split(r"(?=\.)|(?=\[\])", path)
    for end in range(len(parts) - 1, 0, -1):
        candidate = "".join(parts[:end])
        if candidate in real:
            return candidate
    return None
