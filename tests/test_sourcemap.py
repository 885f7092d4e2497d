"""Lines of inventory fields: the fast text scan agrees with the YAML node tree."""

from __future__ import annotations

from netprov.inventory.loader import load_inventory
from netprov.inventory.sourcemap import SourceFile
from tests.conftest import SAMPLE, TODAY


def test_every_sample_site_line_by_scan_matches_the_node_tree() -> None:
    loaded = load_inventory(SAMPLE, today=TODAY)
    for placed in loaded.placed:
        scanned = placed.source.scalar_line("id", placed.site.id)
        assert scanned is not None
        assert scanned == placed.source.where(placed.loc("id"))[1], placed.site.id


def test_a_value_written_twice_or_in_flow_style_is_left_to_the_node_tree() -> None:
    text = (
        "sites:\n"
        "- id: a\n"
        "  notes: |\n"
        "    id: a\n"  # inside a block scalar: the scan cannot tell, so it declines
        "- {id: b, name: B}\n"
        "- id: 'c'\n"
    )
    source = SourceFile("sites.yaml", text)
    assert source.scalar_line("id", "a") is None
    assert source.scalar_line("id", "b") is None
    assert source.locate(("sites", 1, "id"))[0] == 5
    assert source.scalar_line("id", "c") == 6
