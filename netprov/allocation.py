"""Proportional bandwidth allocation of a central provider's capacity among its sites.

Each site is guaranteed a share of the provider's capacity proportional to
``demand_mbps * weight``, never less than the floor for its kind (nor more than its
demand), found by weighted water-filling. Its burst ceiling is the larger of guarantee and
demand times the policy's burst factor, capped by its access circuit and the provider's
capacity. Pure functions: models in, numbers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from netprov.models import BandwidthPolicy, CentralProvider, Site

_BISECTION_STEPS = 60


@dataclass(frozen=True, slots=True)
class Allocation:
    site_id: str
    provider: str
    demand_kbps: int
    guaranteed_kbps: int
    ceiling_kbps: int


class AllocationInfeasibleError(ValueError):
    """The floors of a provider's sites add up to more than its capacity."""

    def __init__(self, provider: str, floors_mbps: float, capacity_mbps: float) -> None:
        self.provider = provider
        self.floors_mbps = floors_mbps
        self.capacity_mbps = capacity_mbps
        super().__init__(
            f"guaranteed floors of provider {provider!r} add up to {floors_mbps:g} Mbps, "
            f"more than its capacity of {capacity_mbps:g} Mbps"
        )


def water_fill(
    capacity: float, weights: list[float], lower: list[float], upper: list[float]
) -> list[float]:
    """Split ``capacity`` in proportion to ``weights``, each share clamped to [lower, upper].

    Examples:
        >>> water_fill(100, [1, 1], [0, 0], [1000, 1000])
        [50.0, 50.0]
        >>> [round(x, 6) for x in water_fill(100, [1, 3], [0, 0], [1000.0, 30.0])]
        [70.0, 30.0]
        >>> water_fill(100, [1, 1], [0, 0], [10, 20])
        [10, 20]
    """
    if sum(upper) <= capacity:
        return list(upper)
    if sum(lower) > capacity:
        raise ValueError("lower bounds exceed capacity")

    def total(level: float) -> float:
        return sum(
            min(max(level * w, lo), hi) for w, lo, hi in zip(weights, lower, upper, strict=True)
        )

    low, high = 0.0, max(hi / w for w, hi in zip(weights, upper, strict=True))
    for _ in range(_BISECTION_STEPS):
        mid = (low + high) / 2
        if total(mid) > capacity:
            high = mid
        else:
            low = mid
    return [min(max(low * w, lo), hi) for w, lo, hi in zip(weights, lower, upper, strict=True)]


def allocate(
    providers: Iterable[CentralProvider], sites: Iterable[Site], policy: BandwidthPolicy
) -> dict[str, Allocation]:
    """Allocate every provider's capacity among the sites that use it, keyed by site id."""
    by_provider: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_provider[site.central_uplink.provider].append(site)

    result: dict[str, Allocation] = {}
    for provider in providers:
        members = by_provider.get(provider.id, [])
        if not members:
            continue
        demands = [s.central_uplink.demand_mbps for s in members]
        floors = [
            min(policy.floors_mbps.get(s.kind, 0.0), d)
            for s, d in zip(members, demands, strict=True)
        ]
        if sum(floors) > provider.capacity_mbps:
            raise AllocationInfeasibleError(provider.id, sum(floors), provider.capacity_mbps)
        weights = [d * s.central_uplink.weight for s, d in zip(members, demands, strict=True)]
        shares = water_fill(provider.capacity_mbps, weights, floors, demands)
        for site, demand, share in zip(members, demands, shares, strict=True):
            uplink = site.central_uplink
            ceiling = uplink.ceiling_mbps or min(
                max(share, demand) * policy.burst_factor,
                uplink.bandwidth_mbps,
                provider.capacity_mbps,
            )
            result[site.id] = Allocation(
                site_id=site.id,
                provider=provider.id,
                demand_kbps=round(demand * 1000),
                guaranteed_kbps=int(share * 1000),
                ceiling_kbps=round(max(ceiling, share) * 1000),
            )
    return result
