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


# properties RouterOS types as strings: ``print detail`` always quotes them (name="ether1"),
# unlike numbers, choices and references (tests/fixtures/real: interface print detail)
_STRINGS = frozenset({"name", "default-name", "type", "ifname"})


def detail_legend(legend: str) -> str:
    """``print detail`` names its flags in lower case (``R - running``) where a column table
    of RouterOS 7 says ``R - RUNNING`` (tests/fixtures/real: interface print detail)."""
    return re.sub(r"- ([A-Z][A-Z -]*?)(?=[,;]|$)", lambda m: "- " + m[1].lower(), legend)


def detail_record(index: int | None, flags: str, fields: Item, comment: str = "") -> str:
    number = f"{index:>2}" if index is not None else "  "
    head = f"{number} {flags} "
    pairs = " ".join(
        f'{k}="{v}"' if k in _STRINGS else f"{k}={quoted(v)}" for k, v in fields.items()
    )
    if comment:
        return f"{head};;; {comment}\n{' ' * len(head)}{pairs}\n"
    return f"{head}{pairs}\n"


def present_flags(legend: str, used: str) -> str:
    """The part of a legend RouterOS 7 prints: only the flags some row shows, groups still
    split by ``;`` (``Flags: D - DYNAMIC; C - COMPLETE`` over an ARP table of DC and D rows,
    and no ``Flags:`` line at all when no row has one: tests/fixtures/real, ip address print
    and ip arp print without-paging).

    >>> present_flags("X - DISABLED, I - INVALID; D - DYNAMIC; C - COMPLETE", "DCD")
    'D - DYNAMIC; C - COMPLETE'
    """
    groups = []
    for group in legend.split(";"):
        kept = [entry.strip() for entry in group.split(",") if entry.strip()[:1] in used]
        if kept:
            groups.append(", ".join(kept))
    return "; ".join(groups)


def table(flags_legend: str, columns: list[str], rows: list[tuple[str, str, list[str]]]) -> str:
    """A RouterOS 7 column table: ``Flags:``, ``Columns:``, a header, one line per item.

    ``rows`` are (number or "", flags, cells). The number is right-aligned under a ``#``
    right-aligned with it (`` #`` over ``10`` once there are ten rows: tests/fixtures/real,
    ip address print 5), the flags right-aligned before the first column (``0  As
    0.0.0.0/0``, ``  DAc 10.0.0.0/24``).
    """
    widths = [len(c) for c in columns]
    for _, _, cells in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, cells, strict=True)]
    number_width = max((len(number) for number, _, _ in rows), default=1) or 1
    flag_width = max((len(flags) for _, flags, _ in rows), default=1) or 1
    lead = number_width + 1 + flag_width + 1
    lines = []
    legend = present_flags(flags_legend, "".join(flags for _, flags, _ in rows))
    if legend:
        lines.append(f"Flags: {legend}")
    lines.append("Columns: " + ", ".join(columns))
    header = "#".rjust(number_width).ljust(lead) + " ".join(
        c.ljust(w) for c, w in zip(columns, widths, strict=True)
    )
    lines.append(header.rstrip())
    for number, flags, cells in rows:
        text = f"{number:>{number_width}} {flags:>{flag_width}} "
        text += " ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True))
        lines.append(text.rstrip())
    return "\n".join(lines)


def settings(values: Item) -> str:
    """A settings menu (``/system identity print``): right-aligned ``key: value`` lines."""
    if not values:
        return ""
    width = max(len(k) for k in values) + 2
    return "\n".join(f"{k:>{width}}: {v}" for k, v in values.items())


def terse_rows_of(output: str) -> list[Item]:
    """The key=value fields of each row of a ``print terse`` (what the twin printed)."""
    rows = []
    for line in output.splitlines():
        fields = dict(
            pair.split("=", 1) for pair in re.findall(r"[a-z][\w-]*=\S*", line) if "=" in pair
        )
        if fields:
            rows.append(fields)
    return rows
