"""Select sites the way engineers ask for them: by id, kind, wave or group."""

from __future__ import annotations

from collections.abc import Sequence

from netprov.errors import NetprovError
from netprov.models import Site


class SelectionError(NetprovError):
    """A selector names something the inventory does not have."""


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
    known = {site.id for site in sites}
    unknown = [site_id for site_id in wanted_ids if site_id not in known]
    if unknown:
        raise SelectionError(f"unknown site id(s): {', '.join(unknown)}")
    kind_set, group_set = set(split_csv(kinds)), set(split_csv(groups))
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
