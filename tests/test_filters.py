"""The Jinja filter registry: every registered filter is used, every used filter registered."""

from __future__ import annotations

import re

import jinja2
from jinja2 import nodes

from netprov.syntax.filters import FILTERS
from tests.conftest import TEMPLATES


def _used_filters() -> set[str]:
    env = jinja2.Environment()  # noqa: S701 - parsing only
    filters: set[str] = set()
    for path in TEMPLATES.rglob("*.j2"):
        tree = env.parse(path.read_text(encoding="utf-8"))
        filters |= {node.name for node in tree.find_all(nodes.Filter)}
    return filters


def test_every_filter_is_registered_and_used() -> None:
    used_filters = _used_filters()
    builtin = set(jinja2.Environment().filters)  # noqa: S701 - parsing only
    assert used_filters - builtin <= set(FILTERS), "template uses an unregistered filter"
    assert set(FILTERS) <= used_filters, "registered filter no template uses"


def test_templates_are_include_only_entry_points() -> None:
    for platform_dir in TEMPLATES.iterdir():
        main = (platform_dir / "main.j2").read_text(encoding="utf-8")
        body = re.sub(r"\{#.*?#\}", "", main, flags=re.S)
        lines = [line for line in body.splitlines() if line.strip()]
        assert all(line.startswith("{% include") or line == "end" for line in lines), platform_dir
