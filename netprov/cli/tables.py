"""The CLI's tables, built for an 80-column terminal (and wider): a site id, a run id, a
status, a state, a phase and a time are never wrapped nor cut; what explains (a detail,
advice, a key) wraps, a long word folded rather than cut. One look for all of them: a
rule under the header, columns two apart, no outer frame (its columns go to the text).

Each function takes what it shows and a console, so tests render it at 80 columns.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from netprov.state.journal_rows import Step

OUTCOME_COLOURS = {
    "confirmed": "green",
    "unchanged": "green",
    "verified": "green",
    "backed_up": "green",
    "planned": "cyan",
    "restored": "green",
    "rolled_back": "red",
    "failed": "red",
    "refused": "red",
    "stale": "red",
}
# a change taken back (netprov restored a backup, the router undid it): where the router is
# is the journal phase beside it, but no tick says the step was a success
TAKEN_BACK = {Step.ROLLED_BACK, Step.REVERTED}
NOTHING_DONE = {Step.SKIPPED}  # nothing was tried: neither a success nor a failure
STATE_COLOURS = {
    "in_sync": "green",
    "pending": "cyan",
    "ahead": "red",
    "drifted": "red",
    "changing": "yellow",
    "failed": "red",
}


def table() -> Table:
    """An empty table in the CLI's one look (bold header, a rule under it)."""
    return Table(
        header_style="bold",
        box=box.SIMPLE,  # a rule under the header (and above a footer)
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),  # two columns apart: the space and the rule's gap
    )


def show(console: Console, grid: Table, title: str | None = None) -> None:
    """Print ``grid`` under its title: a line of its own, as wide as the terminal (a
    table's own title is only as wide as the table, and a narrow one wraps it)."""
    if title:
        console.print(Text(title, style="bold"))
    console.print(grid)


def name_column(grid: Table, header: str, *, right: bool = False) -> None:
    """A column of names and words read whole (ids, statuses, phases, times, numbers)."""
    grid.add_column(header, no_wrap=True, justify="right" if right else "left")


def text_column(grid: Table, header: str) -> None:
    """A column of sentences: it takes the width left and wraps (a long word folded)."""
    grid.add_column(header, overflow="fold", ratio=1)


def coloured(word: str, colours: Mapping[str, str]) -> str:
    return f"[{colours.get(word, 'white')}]{escape(word)}[/]"


def outcome_table(console: Console, rows: Iterable[tuple[str, str, str]], title: str) -> None:
    """What a router command did per site: (site, status, detail)."""
    grid = table()
    name_column(grid, "site")
    name_column(grid, "status")
    text_column(grid, "detail")
    for site, status, detail in sorted(rows):
        grid.add_row(site, coloured(status, OUTCOME_COLOURS), escape(detail))
    show(console, grid, title)


def drift_table(console: Console, rows: Sequence[Mapping[str, Any]], title: str) -> None:
    """Each router against git (drift): the phases side by side; below the table, for
    each router not in sync, what differs and what to do, wrapped to the terminal."""
    grid = table()
    name_column(grid, "site")
    for header in ("desired", "router", "journal", "state"):  # desired: in git
        name_column(grid, header)
    for row in rows:
        grid.add_row(
            row["site"],
            row.get("desired_phase") or "",
            row.get("actual_phase") or "-",
            row.get("journal_phase") or "-",
            coloured(row["status"], STATE_COLOURS),
        )
    show(console, grid, title)
    for row in rows:
        if row["status"] != "in_sync":
            console.print(hanging(f"{row['site']}: {row['detail']}", console.width))


def hanging(text: str, width: int) -> Text:
    """A paragraph wrapped to ``width``, its later lines indented: it reads as one item."""
    lines = textwrap.wrap(text, width, subsequent_indent="    ", break_on_hyphens=False)
    return Text("\n".join(lines))


def status_table(console: Console, rows: Sequence[Mapping[str, Any]]) -> None:
    """Each site's desired phase beside the journal's, and its last step (the kind is in
    ``--json``): ✓ done, ✗ failed, ↩ taken back (the router is at the journal phase),
    · nothing tried (skipped)."""
    grid = table()
    name_column(grid, "site")
    name_column(grid, "wave", right=True)
    for header in ("desired", "journal", "state", "last step"):  # desired: in git
        name_column(grid, header)
    for row in rows:
        ok = row["last_ok"]
        mark = "" if ok is None else ("[green]✓[/] " if ok else "[red]✗[/] ")
        if ok and row["last_step"] in TAKEN_BACK:
            mark = "[yellow]↩[/] "
        if row["last_step"] in NOTHING_DONE:
            mark = "[dim]·[/] "
        grid.add_row(
            row["site"],
            str(row["wave"]),
            row["desired_phase"],
            row["journal_phase"] or "none",
            coloured(row["state"], STATE_COLOURS),
            f"{mark}{row['last_step'] or ''}",
        )
    console.print(grid)


def local_time(moment: dt.datetime, form: str = "%m-%d %H:%M") -> str:
    """A journal time (UTC) on this machine's clock: by default to the minute, the year
    left out.

    Examples:
        >>> local_time(dt.datetime(2026, 12, 7, 0, 40, tzinfo=dt.UTC))[:2]
        '12'
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone().strftime(form)


def runs_table(console: Console, runs: Sequence[Any]) -> None:
    """The journal's runs: id, start (this machine's clock), command, phase, how it
    ended; who and the change reference when the terminal has room (100 columns)."""
    grid = table()
    name_column(grid, "run")
    name_column(grid, "started")
    name_column(grid, "command")
    name_column(grid, "phase")
    name_column(grid, "status")
    wide = console.width >= 100
    if wide:
        text_column(grid, "by")
        text_column(grid, "change")
    for run in runs:
        cells = [run.id, local_time(run.started_at), run.command, run.phase or "", run.status]
        if wide:
            cells += [escape(run.user), escape(run.change_id or "")]
        grid.add_row(*cells)
    console.print(grid)


def steps_table(console: Console, steps: Iterable[tuple[dt.datetime, str, str, bool, str]]) -> None:
    """A run's steps: (time, site, step, ok, detail), the detail wrapped."""
    grid = table()
    name_column(grid, "time")
    name_column(grid, "site")
    name_column(grid, "step")
    text_column(grid, "detail")
    for at, site, step, ok, detail in steps:
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        grid.add_row(f"{mark} {local_time(at, '%H:%M:%S')}", site, step, escape(detail))
    console.print(grid)


def allocation_table(
    console: Console, title: str, rows: Sequence[tuple[str, str, int, int, int]]
) -> None:
    """One central provider's sites: (site, kind, demand, guaranteed, ceiling in kbps),
    shown in Mbps, and their totals."""
    grid = table()
    grid.caption = "rates in Mbps"
    grid.caption_justify = "left"
    grid.show_footer = True
    demand_mbps = sum(r[2] for r in rows) / 1000
    guaranteed_mbps = sum(r[3] for r in rows) / 1000
    footers = (f"{len(rows)} sites", "", f"{demand_mbps:g}", f"{guaranteed_mbps:.2f}", "")
    for header, footer in zip(
        ("site", "kind", "demand", "guaranteed", "ceiling"), footers, strict=True
    ):
        grid.add_column(
            header,
            footer=footer,
            no_wrap=True,
            justify="left" if header in ("site", "kind") else "right",
        )
    for site, kind, demand, guaranteed, ceiling in rows:
        grid.add_row(
            site, kind, f"{demand / 1000:g}", f"{guaranteed / 1000:.2f}", f"{ceiling / 1000:g}"
        )
    show(console, grid, title)


def trust_table(console: Console, rows: Iterable[Mapping[str, str]]) -> None:
    """Each router's host key: (site, status, key type and fingerprint)."""
    grid = table()
    name_column(grid, "site")
    name_column(grid, "status")
    text_column(grid, "key")
    for row in rows:
        grid.add_row(row["site"], row["status"], escape(row["detail"]))
    console.print(grid)
