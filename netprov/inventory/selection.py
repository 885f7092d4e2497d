"""Select sites the way engineers ask for them: by id, kind, wave or group."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from netprov.errors import SelectionError
from netprov.models import Site, SiteKind
from netprov.suggest import closest, did_you_mean


def split_csv(values: Sequence[str] | None) -> list[str]:
    """Accept both ``--limit a,b`` and ``--limit a --limit b``.

    Examples:
        >>> split_csv(["a,b", "c"])
        ['a', 'b', 'c']
    """
    return [item.strip() for value in values or [] for item in value.split(",") if item.strip()]


def select_sites(
    sites: Sequence[Site],
    *,
    limit: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    waves: Sequence[int] | None = None,
    groups: Sequence[str] | None = None,
) -> list[Site]:
    wanted_ids = split_csv(limit)
    kind_set, group_set = set(split_csv(kinds)), set(split_csv(groups))
    # a typo must not select nothing and succeed: every selector names something that exists
    _known("--limit", "site id", wanted_ids, {site.id for site in sites})
    _known("--kind", "site kind", kind_set, {kind.value for kind in SiteKind})
    _known("--wave", "wave", [str(w) for w in waves or []], {str(s.wave) for s in sites})
    _known("--group", "group", group_set, {g for site in sites for g in site.groups})
    chosen = []
    for site in sites:
        if wanted_ids and site.id not in wanted_ids:
            continue
        if kind_set and site.kind.value not in kind_set:
            continue
        if waves and site.wave not in waves:
            continue
        if group_set and not group_set.intersection(site.groups):
            continue
        chosen.append(site)
    return chosen


def _known(option: str, what: str, asked: Iterable[str], known: set[str]) -> None:
    """Each unknown value with the name probably meant, else the names that exist (a
    line each, wrapped: click prints the message after ``Invalid value for OPTION:``).

    Examples:
        >>> try:
        ...     _known("--limit", "site id", ["kec-tengahh"], {"kec-tengah", "setda"})
        ... except SelectionError as exc:
        ...     print(exc, exc.suggestion)
        unknown site id 'kec-tengahh'
          did you mean 'kec-tengah'? kec-tengah
    """
    unknown = [value for value in asked if value not in known]
    if not unknown:
        return
    guesses = {value: closest(value, known) for value in unknown}
    lines = [
        f"unknown {what} {value!r}" + (f"\n  {did_you_mean(guess)}" if guess else "")
        for value, guess in guesses.items()
    ]
    if not all(guesses.values()):
        choices = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
        lines += textwrap.wrap(f"known: {choices or 'none'}", 76, break_on_hyphens=False)
    found = [guess for guess in guesses.values() if guess]
    raise SelectionError(option, "\n  ".join(lines), found[0] if found else None)
