"""How the managers' report writes times, dates, amounts and numbers, as its readers
write them. Pure.

Times are on the organisation's clock with its zone's name (WIB, WITA, WIT: the
``timezone`` of organisation.yaml); Indonesian writes the hour with a dot (pukul 07.40,
as the spelling guide PUEBI has it) and thousands with a dot, decimals with a comma;
rupiah are ``Rp182.440.000`` on both pages (the amount as it is known).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def rupiah(amount: int) -> str:
    """Examples:
    >>> rupiah(182440000)
    'Rp182.440.000'
    >>> rupiah(-2500)
    '-Rp2.500'
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def number(value: float, lang: str) -> str:
    """A figure to one decimal, none when it is whole; Indonesian separators on ``id``.

    Examples:
        >>> number(1726.0, "id"), number(999.96, "id"), number(4.28, "id")
        ('1.726', '1.000', '4,3')
        >>> number(1726.0, "en"), number(4.28, "en")
        ('1,726', '4.3')
    """
    rounded = round(value, 1)
    text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def month_name(day: dt.date, lang: str) -> str:
    """Examples:
    >>> month_name(dt.date(2027, 3, 9), "id"), month_name(dt.date(2027, 3, 9), "en")
    ('Maret 2027', 'March 2027')
    """
    return f"{_MONTHS_ID[day.month - 1]} {day.year}" if lang == "id" else day.strftime("%B %Y")


def date_text(day: dt.date, lang: str) -> str:
    """Examples:
    >>> date_text(dt.date(2027, 12, 31), "id"), date_text(dt.date(2027, 12, 31), "en")
    ('31 Desember 2027', '31 December 2027')
    """
    return f"{day.day} {month_name(day, lang)}"


def on_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` on the organisation's clock (a time without a zone is the journal's:
    UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(zone))


def moment_text(moment: dt.datetime, zone: str, lang: str) -> str:
    """A time as the page's reader writes it, on the organisation's clock and named by
    its zone.

    Examples:
        >>> at = dt.datetime(2026, 12, 7, 0, 40, tzinfo=dt.UTC)
        >>> moment_text(at, "Asia/Jakarta", "id")
        '7 Desember 2026 pukul 07.40 WIB'
        >>> moment_text(at, "Asia/Jayapura", "en")
        '7 December 2026, 09:40 WIT'
    """
    local = on_clock(moment, zone)
    if lang == "id":
        return f"{date_text(local.date(), lang)} pukul {local:%H.%M} {local.tzname()}"
    return f"{date_text(local.date(), lang)}, {local:%H:%M} {local.tzname()}"


def journal_time(text: str) -> dt.datetime | None:
    """A time the journal wrote into a step's data (``2026-12-06 21:57 UTC``), or None.

    Examples:
        >>> journal_time("2026-12-06 21:57 UTC")
        datetime.datetime(2026, 12, 6, 21, 57, tzinfo=datetime.timezone.utc)
        >>> journal_time("?") is None
        True
    """
    try:
        return dt.datetime.strptime(text.removesuffix(" UTC"), "%Y-%m-%d %H:%M").replace(
            tzinfo=dt.UTC
        )
    except ValueError:
        return None


def flat_brackets(text: str) -> str:
    """Brackets inside brackets opened out (a reader loses count of them): the inner
    ones become commas.

    Examples:
        >>> flat_brackets("ditolak (x: tidak bisa terhubung (timeout)) lagi")
        'ditolak (x: tidak bisa terhubung, timeout) lagi'
    """
    out: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
            out.append("(" if depth == 1 else ", ")
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append(")")
        else:
            out.append(char)
    return "".join(out).replace(" , ", ", ")
