"""A site that fails its schema in any one field is refused with located problems, never
a traceback (CI, found on Nautobot: an interface without its address left a static line
without ``address`` and a cross-check read it). The class: every cross-check reads a
refused site's parts only through what salvage kept, whichever field is missing or wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from netprov.errors import InventoryError
from netprov.inventory.loader import load_inventory
from tests.conftest import SAMPLE

TODAY = dt.date(2026, 12, 1)
SITE_FILES = sorted(p.relative_to(SAMPLE).as_posix() for p in (SAMPLE / "sites").glob("*.yaml"))
WRONG: dict[str, Any] = {"not": "this"}  # a mapping where a value is due, or the reverse


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path into ``value`` (mappings and lists), inner nodes included."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from leaves(inner, (*path, i))


def changed(document: Any, path: tuple[str | int, ...], how: str) -> Any:
    copy = yaml.safe_load(yaml.safe_dump(document))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if how == "missing":
        del parent[path[-1]]
    else:
        parent[path[-1]] = [] if isinstance(parent[path[-1]], dict) else WRONG
    return copy


@pytest.mark.parametrize("how", ["missing", "wrong type"])
@pytest.mark.parametrize("site_file", SITE_FILES)
def test_one_broken_field_anywhere_is_a_problem_not_a_traceback(
    inventory_copy: Path, site_file: str, how: str
) -> None:
    for other in (inventory_copy / "sites").glob("*.yaml"):  # only this file's sites
        if other.name != Path(site_file).name:
            other.unlink()
    source = inventory_copy / site_file
    document = yaml.safe_load(source.read_text())
    first, second = document["sites"][:2]  # a neighbour for the cross-checks
    crashed = []
    for path in leaves(first):
        broken = dict(document, sites=[changed(first, path, how), second])
        source.write_text(yaml.safe_dump(broken, sort_keys=False))
        where = ".".join(map(str, path))
        try:
            load_inventory(inventory_copy, today=TODAY)  # an optional field: still valid
        except InventoryError as refused:
            if not refused.problems:
                crashed.append(f"{where}: refused without a problem")
        except Exception as error:  # the defect this test looks for
            crashed.append(f"{where}: {type(error).__name__}: {error}")
    assert not crashed, "\n".join(crashed)
