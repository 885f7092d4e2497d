"""Fuzzed inventories (issue 13): whatever text lands in a field that reaches a router CLI,
the loader either refuses it with located problems or the rendered config has exactly the
lines it would have had: no traceback, no injected line."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netprov.errors import InventoryError
from netprov.inventory.loader import load_inventory
from netprov.models import Phase
from netprov.render.config import Renderer
from netprov.secrets import masked
from tests.conftest import SAMPLE, TODAY

SITES = ("setda", "kel-hegarsari")  # IOS, RouterOS
FIELDS = (
    ("name",),
    ("address",),
    ("router", "hostname"),
    ("central_uplink", "circuit_id"),
    ("services", 0, "name"),
    ("lan", "interface"),
    ("legacy_uplink", "provider"),
)
NASTY = st.text(
    alphabet=st.sampled_from([*"aZ09 -_./:;\"'`$[]{}?!#|&<>\\\n\r\t\x00\x1b", "é", "\u2028"]),
    min_size=0,
    max_size=40,
)


_SAMPLE_SITES = {
    site["id"]: site
    for path in sorted((SAMPLE / "sites").glob("*.yaml"))
    for site in yaml.safe_load(path.read_text())["sites"]
}


def one_site_inventory(root: Path, site_id: str) -> dict[str, object]:
    """An inventory folder with the sample organisation; the site's raw data, to edit."""
    (root / "sites").mkdir(parents=True)
    (root / "organisation.yaml").write_text((SAMPLE / "organisation.yaml").read_text())
    return copy.deepcopy(_SAMPLE_SITES[site_id])


RENDERER = Renderer()
BASELINES: dict[str, list[int]] = {}


def render_lines(root: Path) -> list[int]:
    """Line count of the site's config in each phase."""
    loaded = load_inventory(root, today=TODAY)
    site = loaded.sites[0]
    allocation = loaded.allocations.get(site.id)
    return [
        len(RENDERER.render(site, loaded.organisation, phase, allocation, masked).text.splitlines())
        for phase in Phase
    ]


@pytest.mark.parametrize("site_id", SITES)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(FIELDS), value=NASTY)
def test_no_traceback_and_no_injected_line(
    tmp_path_factory: pytest.TempPathFactory, site_id: str, field: tuple[object, ...], value: str
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    site = one_site_inventory(root, site_id)
    if site_id not in BASELINES:
        (root / "sites" / "s.yaml").write_text(yaml.safe_dump({"sites": [site]}))
        BASELINES[site_id] = render_lines(root)
    target: object = site
    for key in field[:-1]:
        target = target[key]  # type: ignore[index]
    target[field[-1]] = value  # type: ignore[index]
    (root / "sites" / "s.yaml").write_text(yaml.safe_dump({"sites": [site]}))
    try:
        fuzzed = render_lines(root)
    except InventoryError as exc:
        problems = exc.problems
    else:
        assert fuzzed == BASELINES[site_id], (field, value)  # no line added or lost
        return
    assert problems
    assert all(p.file and p.message for p in problems)
