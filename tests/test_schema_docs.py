"""The inventory's JSON Schemas explain themselves (issue 39, item 1): every field of
``netprov schema sites`` and ``netprov schema organisation`` has a description (an
editor's hover help: its meaning, its unit where it has one) and a scalar field an
example; the copies an editor points at (docs/schema/) are what the command prints; each
inventory file names the schema of its own kind."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from netprov.cli import app
from tests.conftest import REPO, SAMPLE

UNITS = {  # a field named so must say its unit in words
    "_mbps": "Mbps",
    "_idr": "rupiah",
    "_days": "days",
    "_seconds": "seconds",
    "_percent": "%",
    "_kbps": "kbps",
}


def _schema(cli: CliRunner, part: str) -> dict[str, Any]:
    result = cli.invoke(app, ["schema", part])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _fields(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(model, field, its schema) for every property of the document and its $defs."""
    for name, prop in schema.get("properties", {}).items():
        yield schema.get("title", "(root)"), name, prop
    for model, definition in schema.get("$defs", {}).items():
        for name, prop in definition.get("properties", {}).items():
            yield model, name, prop


def _scalar(prop: dict[str, Any]) -> bool:
    kinds = [prop, *prop.get("anyOf", [])]
    return not any("$ref" in k or k.get("type") in {"object", "array"} for k in kinds)


@pytest.mark.parametrize("part", ["sites", "organisation"])
def test_every_field_has_a_description(cli: CliRunner, part: str) -> None:
    fields = list(_fields(_schema(cli, part)))
    assert len(fields) > 60
    missing = [f"{m}.{n}" for m, n, p in fields if not p.get("description", "").strip()]
    assert missing == []


@pytest.mark.parametrize("part", ["sites", "organisation"])
def test_every_scalar_field_has_an_example(cli: CliRunner, part: str) -> None:
    fields = _fields(_schema(cli, part))
    missing = [f"{m}.{n}" for m, n, p in fields if _scalar(p) and not p.get("examples")]
    assert missing == []


@pytest.mark.parametrize("part", ["sites", "organisation"])
def test_a_field_with_a_unit_says_it(cli: CliRunner, part: str) -> None:
    unsaid = [
        f"{m}.{n}"
        for m, n, p in _fields(_schema(cli, part))
        for suffix, unit in UNITS.items()
        if n.endswith(suffix) and unit not in p["description"]
    ]
    assert unsaid == []


@pytest.mark.parametrize("part", ["sites", "organisation"])
def test_the_schema_an_editor_points_at_is_current(cli: CliRunner, part: str) -> None:
    """docs/schema/ holds what ``netprov schema`` prints (``NETPROV_REPIN=1`` rewrites)."""
    import os

    path = REPO / "docs" / "schema" / f"{part}.schema.json"
    printed = json.dumps(_schema(cli, part), indent=2) + "\n"
    if os.environ.get("NETPROV_REPIN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(printed, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == printed


def _modeline(path: Path) -> str | None:
    """The schema a file's yaml-language-server comment names (redhat's YAML plugin for VS
    Code and the editors using its server read it on any comment line)."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"^# yaml-language-server: \$schema=(\S+)$", text, re.MULTILINE)
    return found[1] if found else None


@pytest.mark.parametrize(
    "inventory", [SAMPLE, REPO / "examples" / "four-offices" / "inventory"], ids=["city", "four"]
)
def test_each_inventory_file_names_the_schema_of_its_kind(inventory: Path) -> None:
    """organisation.yaml pointed at ``netprov schema``, which prints the sites' schema."""
    organisation = _modeline(inventory / "organisation.yaml")
    assert organisation is not None
    assert organisation.endswith("organisation.schema.json")
    for sites in sorted((inventory / "sites").glob("*.yaml")):
        named = _modeline(sites)
        assert named is not None, sites
        assert named.endswith("sites.schema.json"), sites
    if inventory == SAMPLE:  # the city's own files point at the copies in docs/schema/
        for path in [inventory / "organisation.yaml", *(inventory / "sites").glob("*.yaml")]:
            named = _modeline(path)
            assert named is not None
            assert (path.parent / named).resolve().is_file(), path
