"""How RouterOS 7 prints: column tables for a plain ``print``, ``key=value`` rows for
``print terse``, records for ``print detail`` (shapes taken from real RouterOS 7 output in
``tests/fixtures/real/mikrotik_routeros``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

Item = dict[str, str]

# print options that change the form or paging, not what is shown
_FORMS = {"terse", "detail", "brief", "without-paging", "as-value", "value-list", "count-only"}


@dataclass(frozen=True)
class PrintRequest:
    form: str  # "table", "terse", "detail" or "as-value"
    where: str  # a ``where`` expression, or ""
    count_only: bool = False


def print_request(args: list[str]) -> PrintRequest:
    """Parse ``print``'s arguments: its form, then an optional ``where`` expression."""
    form = "table"
    count_only = False
    index = 0
    while index < len(args) and args[index] in _FORMS:
        word = args[index]
        if word in {"terse", "detail"}:
            form = word
        elif word == "as-value":
            form = "as-value"
        elif word == "count-only":
            count_only = True
        index += 1
    rest = args[index:]
    where = " ".join(rest[1:]) if rest and rest[0] == "where" else ""
    return PrintRequest(form, where, count_only)


def mac_for(seed: str) -> str:
    """A stable, locally administered MAC address for an emulated interface."""
    digest = hashlib.sha256(seed.encode()).digest()
    return ":".join(f"{b:02X}" for b in (0x4A, *digest[:5]))


def raw_value(value: str) -> str:
    """Terse rows print values as they are (no quotes, spaces kept), as RouterOS does."""
    return value


def quoted(value: str) -> str:
    return value if value and re.fullmatch(r"[\w.,:/!*@%-]+", value) else f'"{value}"'


def terse_line(index: int | None, flags: str, fields: Item) -> str:
    """`` 0  R  name=ether1 ...``; an unnumbered (dynamic) item starts with its flags."""
    body = " ".join(f"{k}={raw_value(v)}" for k, v in fields.items())
    if index is None:
        return f"{flags.strip()} {body}"
    return f"{index:>2} {flags} {body}"


def detail_record(index: int | None, flags: str, fields: Item, comment: str = "") -> str:
    number = f"{index:>2}" if index is not None else "  "
    head = f"{number} {flags} "
    pairs = " ".join(f"{k}={quoted(v)}" for k, v in fields.items())
    if comment:
        return f"{head};;; {comment}\n{' ' * len(head)}{pairs}\n"
    return f"{head}{pairs}\n"


def table(flags_legend: str, columns: list[str], rows: list[tuple[str, str, list[str]]]) -> str:
    """A RouterOS 7 column table: ``Flags:``, ``Columns:``, a header, one line per item.

    ``rows`` are (number or "", flags, cells). The number is left-aligned under ``#``, the
    flags right-aligned before the first column (``0  As 0.0.0.0/0``, ``  DAc 10.0.0.0/24``).
    """
    widths = [len(c) for c in columns]
    for _, _, cells in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, cells, strict=True)]
    number_width = max((len(number) for number, _, _ in rows), default=1) or 1
    flag_width = max((len(flags) for _, flags, _ in rows), default=1) or 1
    lead = number_width + 1 + flag_width + 1
    lines = []
    if flags_legend:
        lines.append(f"Flags: {flags_legend}")
    lines.append("Columns: " + ", ".join(columns))
    header = "#".ljust(lead) + " ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    lines.append(header.rstrip())
    for number, flags, cells in rows:
        text = f"{number:<{number_width}} {flags:>{flag_width}} "
        text += " ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True))
        lines.append(text.rstrip())
    return "\n".join(lines)


def settings(values: Item) -> str:
    """A settings menu (``/system identity print``): right-aligned ``key: value`` lines."""
    if not values:
        return ""
    width = max(len(k) for k in values) + 2
    return "\n".join(f"{k:>{width}}: {v}" for k, v in values.items())
