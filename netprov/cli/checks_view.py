"""Checks as a person reads them: a table per verification, titled by its site (and what
came of it), one row per check (check, expected, seen, ok), fitting the terminal (80
columns and up). What a check names, expects and saw wraps, a long word folded rather
than cut; the site id (the title) and the verdict never wrap nor shrink.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich import box
from rich.markup import escape
from rich.table import Table

VERDICT_WIDTH = len("FAILED")


def checks_tables(groups: Iterable[tuple[str, Sequence[Mapping[str, object]]]]) -> list[Table]:
    """``groups``: (title, its checks as journaled: name, expected, observed, ok), one per
    verification; a table each (none for a verification without checks)."""
    tables = []
    for title, checks in groups:
        if not checks:
            continue
        table = Table(
            title=escape(title),
            title_justify="left",
            title_style="bold",
            header_style="bold",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            expand=True,
        )
        table.add_column("check", overflow="fold", ratio=3)
        table.add_column("expected", overflow="fold", ratio=2)
        table.add_column("seen", overflow="fold", ratio=2)
        table.add_column("ok", no_wrap=True, min_width=VERDICT_WIDTH)
        for check in checks:
            table.add_row(
                escape(str(check.get("name", "?"))),
                escape(str(check.get("expected", ""))),
                escape(str(check.get("observed", ""))),
                "[green]ok[/]" if check.get("ok") else "[red]FAILED[/]",
            )
        tables.append(table)
    return tables
